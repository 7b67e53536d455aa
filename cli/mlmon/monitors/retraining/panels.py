"""The retraining monitor adds no panels of its own: the conditions that trigger it show on the
drift, performance and versions rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mlmon.artifacts import Panel, Row


def dashboard_rows(model: Any, spec: Any) -> Sequence[Row]:
    return ()


def fleet_panels(spec: Any) -> Sequence[Panel]:
    return ()
