"""The versions monitor's dashboard row (served versions, age, versions over time, the first
watched metric per version) and fleet panels."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import Panel, Row, Target, Threshold
from mlmon.compiler.units import format_duration
from mlmon.monitors.quality import contract_selector, metric_name
from mlmon.monitors.versions.compile import Versions


def dashboard_rows(model: Any, v: Versions) -> tuple[Row, ...]:
    sel = contract_selector(model)
    m = f'{C.L_MODEL}="{model.id}"'
    age_thr = (Threshold(None, "green"), Threshold(v.stale_after, "orange")) if v.stale_after else ()
    panels = [
        Panel(
            "Served versions",
            "table",
            (Target(f"max by ({C.L_VERSION}, stage) ({C.MODEL_INFO}{{{sel}}})", "", True),),
            width=8,
            height=6,
            description=f"Versions {C.MODEL_INFO} reports now, with their stage. The newest-trained one is the current version.",
        ),
        Panel(
            "Current version age",
            "stat",
            (Target(f"{C.VERSION_AGE}{{{m}}}", "age", True),),
            unit="s",
            width=4,
            height=6,
            description="Time since the current version was trained." + (f" Stale after {format_duration(v.stale_after)}." if v.stale_after else ""),
            thresholds=age_thr,
        ),
        Panel(
            "Versions serving over time",
            "timeseries",
            (Target(f"count by ({C.L_VERSION}) ({C.MODEL_INFO}{{{sel}}})", "{{version}}"),),
            width=12,
            height=6,
            description="Replicas reporting each version; deployments are also shown as annotations.",
        ),
    ]
    perf = model.section("performance")
    if perf is not None:
        metric = perf.watched[0]
        panels.append(
            Panel(
                f"{metric} by version",
                "timeseries",
                (Target(f"{metric_name(metric, True)}{{{m}}}", "{{version}}" + (" {{class}}" if perf.per_class(metric) else "")),),
                unit="percentunit",
                min=0,
                max=1,
                width=24,
                height=6,
                description="Per-version figures; the version-regression alert compares the current version with the previous one.",
            )
        )
    return (Row("Versions", tuple(panels)),)


def fleet_panels(spec: Any) -> Sequence[Panel]:
    return (
        Panel("Served versions by model", "table", (Target(f"max by ({C.L_MODEL}, {C.L_VERSION}, stage) ({C.MODEL_INFO})", "", True),), width=12, height=8),
        Panel("Current version age by model", "bargauge", (Target(C.VERSION_AGE, "{{model}}", True),), unit="s", width=12, height=8),
    )
