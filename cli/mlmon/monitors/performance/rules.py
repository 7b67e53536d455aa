"""The performance monitor's rule group: recorded series (``exprs``), the alerts on quality,
drops, version regressions and concept drift, and the guards against going blind (``guards``)."""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import AlertRule, RecordingRule, RuleGroup
from mlmon.compiler.units import format_duration, num
from mlmon.monitors.base import alert_annotations
from mlmon.monitors.performance import training
from mlmon.monitors.performance.compile import Performance
from mlmon.monitors.performance.exprs import Exprs
from mlmon.monitors.performance.guards import label_alerts, nodata_alert
from mlmon.monitors.performance.names import CONCEPT_MONITOR, T_VALUE, labels, sel
from mlmon.monitors.performance.schema import MEANING, TITLES
from mlmon.monitors.quality import LOWER_IS_BETTER, metric_name


def _cls(p: Performance, metric: str) -> str:
    return " ({{ $labels.class }})" if p.per_class(metric) else ""


def _by(p: Performance, metric: str) -> str:
    return f"{C.L_MODEL}, class" if p.per_class(metric) else C.L_MODEL


def _cmp(metric: str, bound: float) -> str:
    return f"{'>' if metric in LOWER_IS_BETTER else '<'} {num(bound)}"


def drop_expr(model: Any, p: Performance, metric: str, sep: str = "\n") -> str:
    """The watched metric is worse than ``compare_offset`` ago by more than ``max_drop``."""
    cur, off = f"{metric_name(metric)}{sel(model)}", format_duration(p.compare_offset)
    op, sign = (">", "+") if metric in LOWER_IS_BETTER else ("<", "-")
    return f"{cur}{sep}{op} on ({_by(p, metric)}){sep}{cur} offset {off} {sign} {num(p.max_drop)}"


def low_alerts(model: Any, p: Performance) -> list[AlertRule]:
    out: list[AlertRule] = []
    w = format_duration(p.window)
    for metric in p.metrics:
        warn, crit = p.thresholds(metric)
        word = "above" if metric in LOWER_IS_BETTER else "below"
        for bound, sev in ((warn, C.SEVERITY_TICKET), (crit, C.SEVERITY_PAGE)):
            if bound is None:
                continue
            out.append(
                AlertRule(
                    C.ALERT_PERF_LOW,
                    f"{metric_name(metric)}{sel(model)} {_cmp(metric, bound)}",
                    format_duration(p.for_),
                    labels(model, metric, sev),
                    alert_annotations(
                        model,
                        f"{metric}{_cls(p, metric)} is {T_VALUE}, {word} {num(bound)} (labels of the last {w})",
                        f"{TITLES[metric]} ({MEANING[metric]}) of model {model.id}, computed from ground-truth labels that arrived in the last {w}, "
                        f"is {word} its {'critical' if sev == C.SEVERITY_PAGE else 'warning'} level {num(bound)}. "
                        "Compare with input drift on the dashboard: with drift, the data changed (retrain on recent data); without it, the concept changed. "
                        "Check the label pipeline first if coverage moved too.",
                    ),
                )
            )
    return out


def drop_alert(model: Any, p: Performance, metric: str) -> AlertRule:
    off = format_duration(p.compare_offset)
    return AlertRule(
        C.ALERT_PERF_DROP,
        drop_expr(model, p, metric),
        format_duration(p.for_),
        labels(model, metric, C.SEVERITY_TICKET),
        alert_annotations(
            model,
            f"{metric}{_cls(p, metric)} is {T_VALUE}, more than {num(p.max_drop)} worse than {off} ago",
            f"{TITLES[metric]} of model {model.id} over the last {format_duration(p.window)} is worse by more than {num(p.max_drop)} than over the same window {off} ago. "
            "It may still be above its minimum: this is an early warning. Look for a deployment, a data change or a label-pipeline change in that period.",
        ),
    )


def version_regression_expr(model: Any, p: Performance, metric: str, lookback: float) -> str:
    m = f'{C.L_MODEL}="{model.id}"'
    cur = metric_name(metric, version=True)
    extra = ", class" if p.per_class(metric) else ""
    # a 1h-resolution subquery keeps the lookback cheap (336 points for 14d, not 20,160)
    # ... but never coarser than half the performance window, or short windows miss the previous version
    res = max(60.0, min(3600.0, round(lookback / 24 / 60) * 60.0, round(p.window / 2 / 60) * 60.0))
    sub = f"{format_duration(lookback)}:{format_duration(res)}"
    op, sign = (">", "+") if metric in LOWER_IS_BETTER else ("<", "-")
    return (
        f"(\n  {cur}{{{m}}}\n  and on ({C.L_MODEL}, {C.L_VERSION}) {C.VERSION_CURRENT}{{{m}}}\n)\n"
        f"{op} on ({C.L_MODEL}{extra}) group_left (previous_version)\n"
        f"(\n  max by ({C.L_MODEL}{extra}, previous_version) (\n    label_replace(\n"
        f"      last_over_time({cur}{{{m}}}[{sub}])\n      and on ({C.L_MODEL}, {C.L_VERSION}) {C.VERSION_PREVIOUS}{{{m}}},\n"
        f'      "previous_version", "$1", "{C.L_VERSION}", "(.*)"\n    )\n  ) {sign} {num(p.max_drop_vs_previous_version)}\n)'
    )


def version_alert(model: Any, p: Performance, metric: str, lookback: float) -> AlertRule:
    margin = num(p.max_drop_vs_previous_version)
    return AlertRule(
        C.ALERT_PERF_VERSION,
        version_regression_expr(model, p, metric, lookback),
        format_duration(p.for_),
        labels(model, metric, C.SEVERITY_TICKET),
        alert_annotations(
            model,
            f"version {{{{ $labels.version }}}} {metric}{_cls(p, metric)} is {T_VALUE}, more than {margin} worse than version {{{{ $labels.previous_version }}}}",
            f"The newest version of model {model.id} (by mlmon_model_trained_timestamp_seconds) scores worse on {metric} than the version before it "
            f"(its last value within the lookback) by more than {margin}. Consider rolling back or stopping the rollout.",
        ),
    )


def concept_alerts(model: Any, p: Performance) -> list[AlertRule]:
    """A watched metric degraded (below its warning level, or dropped vs compare_offset) while
    every scored feature's drift stays below its warn level."""
    if not p.concept_drift or model.section("drift") is None:
        return []
    m = f'{C.L_MODEL}="{model.id}"'
    drift_low = f"max by ({C.L_MODEL}) (\n    {C.DRIFT_FEATURE_SCORE}{{{m}}}\n    - on ({C.L_MODEL}, feature)\n    {C.DRIFT_FEATURE_WARN}{{{m}}}\n  ) < 0"
    out = []
    for metric in p.watched:
        parts = []
        warn, _ = p.thresholds(metric)
        if warn is not None:
            parts.append(f"{metric_name(metric)}{sel(model)} {_cmp(metric, warn)}")
        if p.max_drop < 1:
            parts.append(drop_expr(model, p, metric, " "))
        if not parts:
            continue
        cond = "\n  or\n  ".join(f"({x})" for x in parts)
        out.append(
            AlertRule(
                C.ALERT_CONCEPT_DRIFT,
                f"(\n  {cond}\n)\nand on ({C.L_MODEL})\n(\n  {drift_low}\n)",
                format_duration(p.for_),
                labels(model, metric, C.SEVERITY_TICKET, monitor=CONCEPT_MONITOR),
                alert_annotations(
                    model,
                    f"{metric} degraded while input drift stays below its warn level: concept drift",
                    f"{TITLES[metric]} of model {model.id} fell below its level or dropped against {format_duration(p.compare_offset)} ago, yet every scored feature's "
                    "drift stays under its warn threshold. The inputs look like the training data but the relationship between inputs and target changed "
                    "(concept drift): retrain on recently labelled data rather than reweighting old data, and review the features.",
                ),
            )
        )
    return out


def version_lookback(model: Any, p: Performance) -> float | None:
    """How far back the previous version is searched (the versions section's), None when there is
    no version-regression alert (turned off, or no version ordering to compare with)."""
    versions = model.section("versions")
    if p.max_drop_vs_previous_version >= 1 or versions is None:
        return None
    return float(versions.previous_lookback)


def rule_groups(model: Any, p: Performance) -> tuple[RuleGroup, ...]:
    x = Exprs(model, p)
    rules: list[RecordingRule | AlertRule] = [*x.recording_rules(), *training.figure_rules(model, p), *low_alerts(model, p), *training.alerts(model, p)]
    lookback = version_lookback(model, p)
    for metric in p.watched:
        if p.max_drop < 1:
            rules.append(drop_alert(model, p, metric))
        if lookback is not None:
            rules.append(version_alert(model, p, metric, lookback))
        rules.append(nodata_alert(model, p, metric))
    rules.extend(label_alerts(model, p, x))
    rules.extend(concept_alerts(model, p))
    return (RuleGroup(f"mlmon-{model.id}-performance", tuple(rules)),)
