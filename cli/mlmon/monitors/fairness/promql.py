"""PromQL pieces the fairness rules, alerts and panels share."""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon.compiler.units import format_duration
from mlmon.monitors.fairness.compile import Fairness


def sel(model: Any) -> str:
    """``{model="<id>"}``: selects the series the fairness rules record for the model."""
    return f'{{{C.L_MODEL}="{model.id}"}}'


def by_group(f: Fairness, inner: str) -> str:
    """sum by (group) of ``inner``, with the spec's group label copied into ``group``."""
    if f.group_label == C.L_GROUP:
        return f"sum by ({C.L_GROUP}) ({inner})"
    return f'sum by ({C.L_GROUP}) (\n  label_replace({inner}, "{C.L_GROUP}", "$1", "{f.group_label}", "(.*)")\n)'


def counter(model: Any, f: Fairness, metric: str, matchers: str, window: float) -> str:
    """The increase of a counter's series that carry the group label."""
    return f'increase({metric}{{{C.L_MODEL}="{model.id}",{matchers},{f.group_label}!=""}}[{format_duration(window)}])'
