"""The canary row of a model's dashboard: each version's requests, errors, latency and quality side
by side, the sample gate and the comparisons against their limits."""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import Panel, Row, Target, Threshold
from mlmon.compiler.units import format_duration, num
from mlmon.monitors.canary.compile import Canary
from mlmon.monitors.canary.rules import sel

ARM_LEGEND = "{{arm}}"


def _per_arm(title: str, record: str, model: Any, unit: str, description: str = "") -> Panel:
    return Panel(title, "timeseries", (Target(f"{record}{sel(model)}", ARM_LEGEND),), unit=unit, width=8, height=6, description=description)


def _limit(title: str, expr: str, limit: float, unit: str, description: str) -> Panel:
    return Panel(
        title,
        "timeseries",
        (Target(expr, title),),
        unit=unit,
        width=8,
        height=6,
        description=description,
        thresholds=(Threshold(None, "green"), Threshold(limit, "red")),
    )


def dashboard_rows(model: Any, c: Canary) -> list[Row]:
    m, w = sel(model), format_duration(c.window)
    panels = [
        _per_arm(f"Requests per {w} by version", C.CANARY_REQUESTS, model, "short", f"Each version needs {c.min_samples} before anything is compared."),
        Panel(
            "Sample gate",
            "stat",
            (Target(f"{C.CANARY_GATE}{m}", "gate", True),),
            width=4,
            height=6,
            description="1: both versions served enough requests to be compared; 0: not yet (mlmon gate answers inconclusive).",
            thresholds=(Threshold(None, "orange"), Threshold(1, "green")),
        ),
    ]
    if c.max_error_increase is not None:
        panels += [
            _per_arm("Error ratio by version", C.CANARY_ERROR_RATIO, model, "percentunit"),
            _limit("Error ratio: candidate - baseline", f"{C.CANARY_ERROR_DELTA}{m}", c.max_error_increase, "percentunit", "Alert above the limit."),
        ]
    if c.latency is not None:
        panels += [
            _per_arm(f"Latency (p{num(c.latency.quantile * 100)}) by version", C.CANARY_LATENCY, model, "s"),
            _limit("Latency: candidate / baseline", f"{C.CANARY_LATENCY_RATIO}{m}", c.latency.max_ratio, "short", "Alert above the limit."),
        ]
    if c.prediction is not None:
        panels.append(
            _limit(
                "Output distance between versions",
                f"{C.CANARY_DIVERGENCE}{m}",
                c.prediction.max_distance,
                "short",
                f"Kolmogorov-Smirnov distance between the versions' {c.prediction.histogram} distributions.",
            )
        )
    if c.quality is not None:
        q = c.quality
        panels += [
            _per_arm(f"{q.metric} by version ({format_duration(q.window)} of labels)", C.CANARY_QUALITY, model, "percentunit"),
            _per_arm("Labelled outcomes by version", C.CANARY_LABELS, model, "short", f"Each version needs {q.min_labels}."),
        ]
    title = f"Canary: {c.label}={c.candidate} against {c.baseline} ({c.mode})"
    return [Row(title, tuple(panels))]
