"""The fairness row of a model's dashboard (the fleet overview has no fairness panel)."""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import Panel, Row, Target, Threshold
from mlmon.compiler.units import format_duration
from mlmon.monitors.fairness import schema as D
from mlmon.monitors.fairness.compile import Fairness
from mlmon.monitors.fairness.promql import sel


def _opportunity(f: Fairness, s: str) -> list[Panel]:
    if f.eo_max_difference is None:
        return []
    return [
        Panel(
            f"True-positive rate by {f.group_label} ({format_duration(f.eo_window)})",
            "bargauge",
            (Target(f"{C.FAIR_TPR}{s}", "{{group}}", True),),
            unit="percentunit",
            min=0,
            max=1,
            width=12,
            height=8,
        ),
        Panel(
            "Equal-opportunity difference (max-min TPR)",
            "timeseries",
            (Target(f"{C.FAIR_EO_DIFFERENCE}{s}", "difference"),),
            unit="short",
            width=12,
            height=8,
            thresholds=(Threshold(None, "green"), Threshold(f.eo_max_difference, "red")),
        ),
    ]


def dashboard_rows(model: Any, f: Fairness) -> list[Row]:
    s = sel(model)
    w = format_duration(f.window)
    ratio = f.dp_min_ratio or D.DP_MIN_RATIO  # without the ratio alert: the default's line
    difference = (Threshold(f.dp_max_difference, "red"),) if f.dp_max_difference is not None else ()
    panels = [
        Panel(
            f"Selection rate by {f.group_label} ({w})",
            "bargauge",
            (Target(f"{C.FAIR_SELECTION_RATE}{s}", "{{group}}", True),),
            unit="percentunit",
            min=0,
            max=1,
            width=8,
            height=8,
            description=f"Share of positive decisions per group over {w}. Groups with fewer than {f.min_samples} decisions are left out of the parity metrics.",
        ),
        Panel(
            "Demographic-parity ratio (min/max)",
            "stat",
            (Target(f"{C.FAIR_DP_RATIO}{s}", "ratio", True),),
            unit="short",
            decimals=3,
            width=4,
            height=8,
            min=0,
            max=1,
            description="1 = equal selection rates. The alert threshold is a convention (four-fifths rule of thumb), not a law.",
            thresholds=(Threshold(None, "red"), Threshold(ratio, "green")),
        ),
        Panel(
            "Demographic-parity difference (max-min)",
            "stat",
            (Target(f"{C.FAIR_DP_DIFFERENCE}{s}", "difference", True),),
            unit="short",
            decimals=3,
            width=4,
            height=8,
            thresholds=(Threshold(None, "green"), *difference),
        ),
        Panel(
            f"Decisions by {f.group_label} ({w})",
            "table",
            (Target(f"{C.FAIR_PREDICTIONS}{s}", "{{group}}", True),),
            unit="short",
            decimals=0,
            width=8,
            height=8,
        ),
        Panel(
            "Demographic parity over time",
            "timeseries",
            (Target(f"{C.FAIR_DP_RATIO}{s}", "ratio"), Target(f"{C.FAIR_DP_DIFFERENCE}{s}", "difference")),
            unit="short",
            width=12,
            height=8,
        ),
        Panel(
            f"Selection rate by {f.group_label} over time",
            "timeseries",
            (Target(f"{C.FAIR_SELECTION_RATE}{s}", "{{group}}"),),
            unit="percentunit",
            width=12,
            height=8,
        ),
    ]
    return [Row(f"Fairness across {f.group_label}", tuple(panels + _opportunity(f, s)))]
