"""Quality metrics scored from counters that grow when a delayed label arrives, as the regression
and ranking monitors record and alert on them (shared by both; a monitor supplies its ``Kind``).

A section read here has: ``window``, ``labels_delay``, ``min_samples``, ``for_`` (seconds or
counts), ``metrics`` (recorded), ``watched`` (compared with the previous version and the training
figures, and covered by the no-data alert), ``max_vs_previous_version``, ``max_vs_training`` and
``thresholds(metric) -> (warning, critical)``. Per metric the recorded series exist at two levels:
per model (all versions together) and per (model, version), both labelled ``model=<id>``.

Margins are relative for the regression errors (``new > old * (1 + margin)``: the errors are in
the target's units) and absolute for the ranking ratios (``new < old - margin``, as the
performance monitor compares its ratios).

Training figures: ``mlmon_training:metric:value{model, version, metric}``, recorded by
``quality.training_rules`` like the performance monitor's: constants from a model-registry file,
else ``mlmon_model_training_metric{version, metric}`` (``ModelMonitor.set_training_metrics`` or the
registry exporter); its keys are the metric names of the section (``mae``, ``ndcg_at_10``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import AlertRule, Panel, RecordingRule, RuleGroup, Target, Threshold
from mlmon.compiler.units import format_duration, num
from mlmon.monitors.base import alert_annotations, alert_labels
from mlmon.monitors.quality import LOWER_IS_BETTER, contract_selector, training_rules

T_VALUE = '{{ $value | printf "%.4f" }}'  # alert value in annotations


@dataclass(frozen=True)
class Kind:
    """What differs between the monitors that use this module: names and the margin's form."""

    key: str  # the section and the `monitor` label
    metric_fmt: str  # recorded series of a metric, per model ({metric})
    version_fmt: str  # ... per (model, version)
    alert_level: str  # worse than a warning / critical level
    alert_version: str  # newest version worse than the previous one
    alert_training: str  # a version worse than its training figure
    alert_nodata: str
    relative: bool  # margins relative (x (1 +- m)) or absolute (+- m)
    two_sided: frozenset[str] = frozenset()  # metrics whose level bounds the absolute value (bias)

    def series(self, metric: str, version: bool = False) -> str:
        return (self.version_fmt if version else self.metric_fmt).format(metric=metric)

    def due(self) -> str:
        return C.TASK_DUE.format(task=self.key)


def sel(model: Any) -> str:
    return f'{C.L_MODEL}="{model.id}"'


def labels(kind: Kind, model: Any, check: str, severity: str) -> dict[str, str]:
    return alert_labels(model, kind.key, severity, check)


def lower_is_better(metric: str) -> bool:
    return metric in LOWER_IS_BETTER


def shifted(kind: Kind, metric: str, ref: str, margin: float) -> str:
    """``ref`` moved by ``margin`` in the metric's worse direction (relative or absolute)."""
    if kind.relative:
        return f"{ref} * {num(1 + margin if lower_is_better(metric) else 1 - margin)}"
    return f"{ref} {'+' if lower_is_better(metric) else '-'} {num(margin)}"


def worse_op(metric: str) -> str:
    return ">" if lower_is_better(metric) else "<"


def shifted_value(kind: Kind, metric: str, ref: float, margin: float) -> float:
    """``shifted`` in Python, with the same float operations."""
    if kind.relative:
        return ref * float(num(1 + margin if lower_is_better(metric) else 1 - margin))
    return ref + margin if lower_is_better(metric) else ref - margin


def is_worse(kind: Kind, metric: str, value: float, ref: float, margin: float) -> bool:
    """``value`` is worse than ``ref`` by more than ``margin`` (as the alert compares them)."""
    limit = shifted_value(kind, metric, ref, margin)
    return value > limit if lower_is_better(metric) else value < limit


def breaches(kind: Kind, metric: str, value: float | None, bound: float | None) -> bool:
    if value is None or bound is None:
        return False
    if metric in kind.two_sided:
        return abs(value) > bound
    return value > bound if lower_is_better(metric) else value < bound


# --- recording rules ---------------------------------------------------------------------------------
def due_rule(kind: Kind, model: Any, s: Any) -> RecordingRule:
    """Predictions made in the window, ``labels_delay`` ago: the ones whose labels are due now."""
    off = f" offset {format_duration(s.labels_delay)}" if s.labels_delay else ""
    w = format_duration(s.window)
    return RecordingRule(kind.due(), f"sum(increase({C.PREDICTIONS_TOTAL}{{{contract_selector(model)}}}[{w}]{off}))", {C.L_MODEL: model.id})


# --- alerts ---------------------------------------------------------------------------------------------
def level_expr(kind: Kind, model: Any, metric: str, bound: float) -> str:
    x = f"{kind.series(metric)}{{{sel(model)}}}"
    if metric in kind.two_sided:  # the value keeps its sign
        return f"{x} > {num(bound)}\nor\n{x} < -{num(bound)}"
    return f"{x} {worse_op(metric)} {num(bound)}"


def level_alerts(kind: Kind, model: Any, s: Any, title: Any) -> list[AlertRule]:
    """One alert per metric and level (warning, critical) that is set."""
    out = []
    w = format_duration(s.window)
    for metric in s.metrics:
        warn, crit = s.thresholds(metric)
        word = "beyond ±" if metric in kind.two_sided else ("above" if lower_is_better(metric) else "below")
        for bound, sev in ((warn, C.SEVERITY_TICKET), (crit, C.SEVERITY_PAGE)):
            if bound is None:
                continue
            out.append(
                AlertRule(
                    kind.alert_level,
                    level_expr(kind, model, metric, bound),
                    format_duration(s.for_),
                    labels(kind, model, metric, sev),
                    alert_annotations(
                        model,
                        f"{metric} is {T_VALUE}, {word}{'' if metric in kind.two_sided else ' '}{num(bound)} (labels of the last {w})",
                        f"{title(metric)} of model {model.id}, computed from the labels that arrived in the last {w}, is {word.rstrip(' ±')} its "
                        f"{'critical' if sev == C.SEVERITY_PAGE else 'warning'} level {num(bound)}. Compare with input drift on the dashboard "
                        "(with drift the data changed: retrain on recent data), and check the label pipeline if the sample count moved too.",
                    ),
                )
            )
    return out


def lookback_resolution(lookback: float, window: float) -> float:
    """Step of the subquery that finds the previous version's last figure: cheap (at most 1h),
    never coarser than half the window."""
    return max(60.0, min(3600.0, round(lookback / 24 / 60) * 60.0, round(window / 2 / 60) * 60.0))


def version_expr(kind: Kind, model: Any, s: Any, metric: str, lookback: float) -> str:
    m = sel(model)
    cur = kind.series(metric, version=True)
    sub = f"{format_duration(lookback)}:{format_duration(lookback_resolution(lookback, s.window))}"
    prev = (
        f"max by ({C.L_MODEL}, previous_version) (\n    label_replace(\n      last_over_time({cur}{{{m}}}[{sub}])\n"
        f'      and on ({C.L_MODEL}, {C.L_VERSION}) {C.VERSION_PREVIOUS}{{{m}}},\n      "previous_version", "$1", "{C.L_VERSION}", "(.*)"\n    )\n  )'
    )
    return (
        f"(\n  {cur}{{{m}}}\n  and on ({C.L_MODEL}, {C.L_VERSION}) {C.VERSION_CURRENT}{{{m}}}\n)\n"
        f"{worse_op(metric)} on ({C.L_MODEL}) group_left (previous_version)\n(\n  {shifted(kind, metric, prev, s.max_vs_previous_version)}\n)"
    )


def margin_text(kind: Kind, margin: float) -> str:
    return f"{num(margin * 100)}%" if kind.relative else num(margin)


def version_alert(kind: Kind, model: Any, s: Any, metric: str, lookback: float) -> AlertRule:
    by = margin_text(kind, s.max_vs_previous_version)
    return AlertRule(
        kind.alert_version,
        version_expr(kind, model, s, metric, lookback),
        format_duration(s.for_),
        labels(kind, model, metric, C.SEVERITY_TICKET),
        alert_annotations(
            model,
            f"version {{{{ $labels.version }}}} {metric} is {T_VALUE}, more than {by} worse than version {{{{ $labels.previous_version }}}}",
            f"The newest version of model {model.id} (by mlmon_model_trained_timestamp_seconds) scores worse on {metric} than the version before it "
            f"(its last value within the lookback) by more than {by}. Consider rolling back or stopping the rollout.",
        ),
    )


def training_expr(kind: Kind, model: Any, s: Any, metric: str) -> str:
    m = sel(model)
    fig = f'{C.TRAINING_METRIC}{{{m},{C.L_METRIC}="{metric}"}}'
    return f"{kind.series(metric, version=True)}{{{m}}}\n{worse_op(metric)} on ({C.L_MODEL}, {C.L_VERSION})\n{shifted(kind, metric, fig, s.max_vs_training)}"


def training_alert(kind: Kind, model: Any, s: Any, metric: str) -> AlertRule:
    by = margin_text(kind, s.max_vs_training)
    return AlertRule(
        kind.alert_training,
        training_expr(kind, model, s, metric),
        format_duration(s.for_),
        labels(kind, model, metric, C.SEVERITY_TICKET),
        alert_annotations(
            model,
            f"version {{{{ $labels.version }}}} {metric} is {T_VALUE}, more than {by} worse than at training time",
            f"{metric} of model {model.id} in production (labels of the last {format_duration(s.window)}) is worse than the figure the version "
            f"scored at training time ({C.MODEL_TRAINING_METRIC}) by more than {by}. The production data differs from the evaluation data, or "
            "the labels do: compare input drift, check the label pipeline, then retrain or roll back.",
        ),
    )


def nodata_expr(kind: Kind, model: Any, s: Any, metric: str, source: str) -> str:
    """The metric is absent while labels were due (``min_samples`` predictions ``labels_delay``
    ago), or while the model exports no ``source`` series at all."""
    due = f"(\n  {kind.due()}{{{sel(model)}}} >= {s.min_samples}\n  or\n  absent({source}{{{contract_selector(model)}}})\n)"
    return f"absent({kind.series(metric)}{{{sel(model)}}})\nand on ()\n{due}"


def nodata_alert(kind: Kind, model: Any, s: Any, metric: str, source: str, why: str) -> AlertRule:
    return AlertRule(
        kind.alert_nodata,
        nodata_expr(kind, model, s, metric, source),
        format_duration(s.for_),
        labels(kind, model, metric, C.SEVERITY_TICKET),
        alert_annotations(model, f"{metric} cannot be computed although predictions were made (or no {source} exists)", why),
    )


def comparison_alerts(kind: Kind, model: Any, s: Any, lookback: float | None) -> list[AlertRule]:
    """Per watched metric: against the previous version (with a version ordering) and against its
    training figure."""
    out = []
    on = (lambda margin: True) if kind.relative else (lambda margin: margin < 1)  # an absolute margin of 1 turns it off
    for metric in s.watched:
        if lookback is not None and on(s.max_vs_previous_version):
            out.append(version_alert(kind, model, s, metric, lookback))
        if on(s.max_vs_training):
            out.append(training_alert(kind, model, s, metric))
    return out


def version_lookback(model: Any) -> float | None:
    """How far back the previous version is searched (the versions section's); None without one."""
    versions = model.section("versions")
    return None if versions is None else float(versions.previous_lookback)


def thresholds(warn: Mapping[str, float], crit: Mapping[str, float], metric: str) -> tuple[float | None, float | None]:
    return warn.get(metric), crit.get(metric)


# --- compile-time checks both sections share ---------------------------------------------------------
def check_levels(ctx: Any, warn_key: str, warn: Mapping[str, float], crit: Mapping[str, float], lower: bool) -> bool:
    """``critical`` is the worse level: above the warning level when lower is better, below otherwise."""
    ok = True
    for m, c in crit.items():
        w = warn.get(m)
        if w is not None and ((lower and c <= w) or (not lower and c >= w)):
            ctx.error(("critical", m), "MLM210", f"critical {m} {num(c)} must be {'above' if lower else 'below'} its warning level {warn_key}.{m} {num(w)}")
            ok = False
    return ok


def check_windows(ctx: Any, window: float, delay: float) -> bool:
    """The window holds enough scrapes (error) and is not shorter than the label delay (warning)."""
    if delay and window < delay:
        ctx.warning(
            ("window",),
            "MLM213",
            f"window {format_duration(window)} is shorter than labels_delay {format_duration(delay)}: each window scores a thin, shifting slice of late labels",
            hint=f"use a window of at least {format_duration(delay)}",
        )
    if window < 4 * ctx.scrape_interval:
        ctx.error(("window",), "MLM207", f"window {format_duration(window)} is shorter than 4x the scrape interval; increase() would see too few samples")
        return False
    return True


def task_fits(ctx: Any, key: str, task: str) -> bool:
    """The section belongs to models of ``task``: MLM104 at its key otherwise."""
    if ctx.task == task:
        return True
    ctx.error(
        (), "MLM104", f"a {key} section needs task {task}, not {ctx.task!r}", hint=f"remove the {key} section, or set the model's task to {task}", key=True
    )
    return False


def watched(raw: Mapping[str, Any], allowed: Sequence[str], levelled: set[str], default: Sequence[str]) -> tuple[str, ...]:
    """``watch`` as given, else the metrics with a level (of those that can be compared), else ``default``."""
    if "watch" in raw:
        return tuple(m for m in allowed if m in set(raw["watch"]))
    return tuple(m for m in allowed if m in levelled) or tuple(default)


# --- dashboard ----------------------------------------------------------------------------------------------
def metric_panels(kind: Kind, model: Any, s: Any, title: Any, meaning: Any, unit: Any) -> list[Panel]:
    """One panel per recorded metric: the model's value, each version's and the training figures,
    with its levels as thresholds."""
    m = sel(model)
    w = format_duration(s.window)
    out = []
    for metric in s.metrics:
        warn, crit = s.thresholds(metric)
        targets = [Target(f"{kind.series(metric)}{{{m}}}", "all versions"), Target(f"{kind.series(metric, True)}{{{m}}}", "version {{version}}")]
        if metric in s.watched:
            targets.append(Target(f'{C.TRAINING_METRIC}{{{m},{C.L_METRIC}="{metric}"}}', "training {{version}}"))
        levels = ", ".join(f"{k} {num(v)}" for k, v in (("warning", warn), ("critical", crit)) if v is not None) or "no level"
        bad = "red" if crit is not None else "orange"
        if lower_is_better(metric) or metric in kind.two_sided:
            steps = (
                Threshold(None, "green"),
                *([Threshold(warn, "orange")] if warn is not None else []),
                *([Threshold(crit, "red")] if crit is not None else []),
            )
        else:
            steps = (Threshold(None, bad if warn is not None or crit is not None else "green"),)
            steps += (Threshold(crit, "orange"),) if crit is not None and warn is not None else ((Threshold(crit, "green"),) if crit is not None else ())
            steps += (Threshold(warn, "green"),) if warn is not None else ()
        out.append(
            Panel(
                f"{title(metric)} ({w} of labels)",
                "timeseries",
                tuple(targets),
                unit=unit(metric),
                width=8,
                description=f"{meaning(metric)}. Levels: {levels}.{' training: the figure of each version at training time.' if metric in s.watched else ''}",
                thresholds=steps,
            )
        )
    return out


def rule_group(kind: Kind, model: Any, s: Any, counts: list[RecordingRule], expr: Any, title: Any, source: str, why: str) -> RuleGroup:
    """The monitor's group: its window sums (``counts``), each metric per version and per model
    (``expr(metric, version)``), the predictions due, the training figures, then every alert."""
    lab = {C.L_MODEL: model.id}
    metrics = [RecordingRule(kind.series(metric, version), expr(metric, version), lab) for version in (True, False) for metric in s.metrics]
    alerts = level_alerts(kind, model, s, title) + comparison_alerts(kind, model, s, version_lookback(model))
    alerts += [nodata_alert(kind, model, s, metric, source, why) for metric in s.watched]
    return RuleGroup(f"mlmon-{model.id}-{kind.key}", (*counts, *metrics, due_rule(kind, model, s), *training_rules(model, s.watched), *alerts))
