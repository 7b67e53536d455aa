"""The performance monitor's names: its key, the ``monitor`` and ``check`` labels of its alerts,
and the annotation template of an alert's value."""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon.monitors.base import alert_labels

KEY = "performance"
CONCEPT_MONITOR = "concept_drift"
LABELS_CHECK = "labels"
COVERAGE_CHECK = "label_coverage"
T_VALUE = '{{ $value | printf "%.3f" }}'  # alert value in annotations


def labels(model: Any, check: str, severity: str, monitor: str = KEY) -> dict[str, str]:
    return alert_labels(model, monitor, severity, check)


def sel(model: Any) -> str:
    """The selector of the model's recorded series."""
    return f'{{{C.L_MODEL}="{model.id}"}}'
