"""The user-feedback row of a model's dashboard, and the fleet overview's negative ratio by model."""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import Panel, Row, Target, Threshold
from mlmon.compiler.units import format_duration, num
from mlmon.monitors.feedback.alerts import sel
from mlmon.monitors.feedback.compile import Feedback
from mlmon.monitors.feedback.schema import KEY


def dashboard_rows(model: Any, f: Feedback) -> list[Row]:
    s = sel(model)
    w = format_duration(f.window)
    k = num(f.k)
    ceiling = (Threshold(f.max_negative_ratio, "red"),) if f.max_negative_ratio is not None else ()
    rating = (Threshold(None, "green"),) if f.min_rating is None else (Threshold(None, "red"), Threshold(f.min_rating, "green"))
    panels = (
        Panel(
            f"Negative feedback ({w})",
            "stat",
            (Target(f"{C.FB_NEGATIVE_RATIO}{s}", "negative", True),),
            unit="percentunit",
            decimals=1,
            width=6,
            height=6,
            description=f"Share of thumbs-down over the last {w} (empty below {f.min_feedback} events).",
            thresholds=(Threshold(None, "green"), *ceiling),
        ),
        Panel(
            f"Feedback events ({w})",
            "stat",
            (Target(f"{C.FB_EVENTS}{s}", "events", True),),
            unit="short",
            decimals=0,
            width=6,
            height=6,
            thresholds=(Threshold(None, "red"), Threshold(f.min_feedback, "green")),
        ),
        Panel(
            f"Mean rating ({w})", "stat", (Target(f"{C.FB_RATING_MEAN}{s}", "rating", True),), unit="short", decimals=2, width=6, height=6, thresholds=rating
        ),
        Panel(
            "Feedback per second by kind",
            "timeseries",
            (Target(f"sum by (kind) (rate({C.FEEDBACK_TOTAL}{s}[$__rate_interval]))", "{{kind}}"),),
            unit="short",
            width=6,
            height=6,
        ),
        Panel(
            "Negative ratio vs its baseline",
            "timeseries",
            (
                Target(f"{C.FB_NEGATIVE_RATIO}{s}", "negative ratio"),
                Target(f"{C.FB_BASELINE_MEAN}{s}", "baseline mean"),
                Target(f"{C.FB_BASELINE_MEAN}{s} + {k} * {C.FB_BASELINE_STDDEV}{s}", f"mean + {k} sd"),
            ),
            unit="percentunit",
            width=24,
            height=8,
            description=f"Spike alert: ratio above mean + {k} sd and mean + {num(f.min_increase)} for {format_duration(f.for_)}.",
        ),
    )
    return [Row("User feedback", panels)]


def fleet_panels(spec: Any) -> list[Panel]:
    if not any(m.section(KEY) is not None for m in spec.models):
        return []
    return [
        Panel(
            "Negative feedback ratio by model",
            "bargauge",
            (Target(f"sort_desc({C.FB_NEGATIVE_RATIO})", "{{model}}", True),),
            unit="percentunit",
            min=0,
            max=1,
            width=12,
            height=10,
        ),
    ]
