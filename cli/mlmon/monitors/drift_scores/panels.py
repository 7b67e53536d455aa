"""The dashboard row of ``drift_scores``: the library's values per feature against the thresholds,
and the share of drifted features (or of detector runs that flagged drift)."""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import Panel, Row, Target, Threshold
from mlmon.monitors.drift_scores import rules as R
from mlmon.monitors.drift_scores.compile import DriftScores


def dashboard_rows(model: Any, s: DriftScores) -> list[Row]:
    m = f'{{{C.L_MODEL}="{model.id}"}}'
    lower = s.compared == "p_value"
    steps = (
        (Threshold(None, "red"), Threshold(s.critical, "orange"), Threshold(s.warn, "green"))
        if lower
        else (Threshold(None, "green"), Threshold(s.warn, "orange"), Threshold(s.critical, "red"))
    )
    panels = []
    if s.per_feature:
        panels.append(
            Panel(
                f"{s.preset} {R.what(s)} by feature",
                "timeseries",
                (Target(f"{C.DRIFT_FEATURE_SCORE}{m}", "{{feature}}"),),
                description=f"The {R.what(s)} {s.preset} exports per feature; drift when {'at or below' if lower else 'at or above'} the thresholds.",
                thresholds=steps,
                width=16,
            )
        )
    panels.append(
        Panel(
            "Share drifted" if s.per_feature else "Detector runs that flagged drift",
            "stat",
            (Target(f"{C.DRIFT_DRIFTED_SHARE}{m}", "share", True),),
            unit="percentunit",
            width=8,
            thresholds=(Threshold(None, "green"), Threshold(s.drifted_share or s.warn, "red")),
        )
    )
    return [Row(f"Drift from {s.preset}", tuple(panels))]
