"""The performance monitor's dashboard rows (metrics, labels, concept vs data drift) and fleet panels."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import Panel, Row, Target, Threshold
from mlmon.compiler.units import format_duration, num
from mlmon.monitors.performance.compile import Performance
from mlmon.monitors.performance.names import CONCEPT_MONITOR, KEY
from mlmon.monitors.performance.schema import DEFAULTS, MEANING, TITLES
from mlmon.monitors.quality import LOWER_IS_BETTER, contract_selector, metric_name


def _steps(metric: str, warn: float | None, crit: float | None) -> tuple[Threshold, ...]:
    """Panel colours from the metric's levels, in its own direction."""
    if metric in LOWER_IS_BETTER:
        return (Threshold(None, "green"), *([Threshold(warn, "orange")] if warn is not None else []), *([Threshold(crit, "red")] if crit is not None else []))
    steps = [Threshold(None, "red" if crit is not None else ("orange" if warn is not None else "green"))]
    if crit is not None:
        steps.append(Threshold(crit, "orange" if warn is not None else "green"))
    if warn is not None:
        steps.append(Threshold(warn, "green"))
    return tuple(steps)


def _metric_panels(model: Any, p: Performance) -> list[Panel]:
    m = f'{C.L_MODEL}="{model.id}"'
    off, w = format_duration(p.compare_offset), format_duration(p.window)
    panels = []
    for metric in p.metrics:
        targets = [Target(f"{metric_name(metric)}{{{m}}}", "{{class}}" if p.per_class(metric) else "now")]
        if not p.per_class(metric):
            targets.append(Target(f"{metric_name(metric)}{{{m}}} offset {off}", f"{off} ago"))
            targets.append(Target(f"{metric_name(metric, True)}{{{m}}}", "version {{version}}"))
        warn, crit = p.thresholds(metric)
        levels = ", ".join(f"{k} {num(v)}" for k, v in (("warning", warn), ("critical", crit)) if v is not None) or "no threshold"
        panels.append(
            Panel(
                f"{TITLES[metric]} ({w} of labels)",
                "timeseries",
                tuple(targets),
                unit="percentunit",
                min=0,
                max=1,
                width=8,
                description=f"{MEANING[metric]}. Levels: {levels}. Dashed comparison: the same window {off} ago.",
                thresholds=_steps(metric, warn, crit),
            )
        )
    return panels


def _label_panels(model: Any, p: Performance) -> list[Panel]:
    m = f'{C.L_MODEL}="{model.id}"'
    sel = contract_selector(model)
    w, delay = format_duration(p.window), format_duration(p.labels_delay) if p.labels_delay else ""
    return [
        Panel(
            "Label coverage",
            "timeseries",
            (Target(f"{C.LABEL_COVERAGE}{{{m}}}", "labelled / predicted"),),
            unit="percentunit",
            min=0,
            max=1,
            width=8,
            description=f"Labels joined in the last {w} / predictions made {delay + ' before' if delay else 'in the same window'}. Minimum {num(p.min_coverage)}.",
            thresholds=(Threshold(None, "red"), Threshold(p.min_coverage, "green")) if p.min_coverage > 0 else (),
        ),
        Panel(
            "Labels arriving",
            "timeseries",
            (
                Target(f"sum(rate({C.LABELS_JOINED_TOTAL}{{{sel}}}[$__rate_interval]))", "labels/s"),
                Target(f"sum(rate({C.PREDICTIONS_TOTAL}{{{sel}}}[$__rate_interval]))", "predictions/s"),
            ),
            unit="reqps",
            width=8,
            description=f"Ground-truth labels joined per second, next to predictions. No label for {format_duration(p.no_labels_for)} raises {C.ALERT_LABELS_MISSING}.",
        ),
        Panel(
            "Label delay",
            "timeseries",
            tuple(
                Target(f"histogram_quantile({q}, sum by (le) (rate({C.LABEL_DELAY}_bucket{{{sel}}}[$__rate_interval])))", f"p{int(float(q) * 100)}")
                for q in ("0.5", "0.9")
            ),
            unit="s",
            width=8,
            description=f"Time from prediction to label (from {C.LABEL_DELAY}, when the label joiner emits it). Configured labels_delay: {delay or 'none'}.",
            thresholds=(Threshold(None, "green"), Threshold(p.labels_delay, "orange")) if p.labels_delay else (),
        ),
    ]


def _concept_panels(model: Any, p: Performance) -> tuple[Panel, ...]:
    m = f'{C.L_MODEL}="{model.id}"'
    return (
        Panel(
            "Watched performance",
            "timeseries",
            tuple(Target(f"{metric_name(x)}{{{m}}}", x + (" {{class}}" if p.per_class(x) else "")) for x in p.watched),
            unit="percentunit",
            min=0,
            max=1,
            width=12,
            description="Degrades with low input drift (right) = concept drift; with high input drift = data drift.",
        ),
        Panel(
            "Input drift: worst feature score / its warn threshold",
            "timeseries",
            (Target(f"max by ({C.L_MODEL}) ({C.DRIFT_FEATURE_SCORE}{{{m}}} / on ({C.L_MODEL}, feature) {C.DRIFT_FEATURE_WARN}{{{m}}})", "worst feature"),),
            unit="short",
            width=12,
            thresholds=(Threshold(None, "green"), Threshold(1, "orange")),
            description="Above 1: at least one feature drifted past its warn level (data drift).",
        ),
    )


def dashboard_rows(model: Any, p: Performance) -> list[Row]:
    rows = [
        Row(f"Performance (labels of the last {format_duration(p.window)})", tuple(_metric_panels(model, p))),
        Row("Labels", tuple(_label_panels(model, p))),
    ]
    if p.concept_drift and model.section("drift") is not None:
        rows.append(Row("Concept drift vs data drift", _concept_panels(model, p)))
    return rows


def fleet_panels(spec: Any) -> Sequence[Panel]:
    if not any(m.section(KEY) is not None for m in spec.models):
        return ()
    return (
        Panel(
            "Label coverage by model",
            "bargauge",
            (Target(C.LABEL_COVERAGE, "{{model}}", True),),
            unit="percentunit",
            min=0,
            max=1,
            width=12,
            height=8,
            thresholds=(Threshold(None, "red"), Threshold(DEFAULTS.min_coverage, "orange"), Threshold(0.5, "green")),
        ),
        Panel(
            "Firing performance alerts",
            "table",
            (Target(f'sum by (model, alertname, check) (ALERTS{{alertstate="firing",monitor=~"{KEY}|{CONCEPT_MONITOR}"}})', "", True),),
            width=12,
            height=8,
        ),
    )
