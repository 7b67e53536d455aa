"""The SLO rules: per SLO one group with the error ratio over every window and the period, the
budget left, one burn-rate alert per tier and the no-data alert."""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon import presets
from mlmon.artifacts import AlertRule, RecordingRule, RuleGroup
from mlmon.compiler.units import format_duration, num
from mlmon.monitors.base import alert_annotations, alert_labels
from mlmon.monitors.slo.model import SLO
from mlmon.monitors.slo.schema import WINDOW_PLACEHOLDER, Tier

MONITOR_LABEL = "slo"  # the monitor label of SLO alerts


def serving(model: Any) -> tuple[presets.Preset, presets.Sel]:
    """The model's preset and the selector of its series."""
    preset = presets.for_model(model)
    assert preset is not None  # the compiler rejects unknown presets
    return preset, presets.model_selector(model, preset)


def selector(model: Any, slo: SLO) -> str:
    """Label matchers of one SLO's recorded series, with braces."""
    return f'{{{C.L_MODEL}="{model.id}",{C.L_SLO}="{slo.name}"}}'


def error_ratio_expr(model: Any, slo: SLO, window: str) -> str:
    preset, sel = serving(model)
    if slo.sli.kind == "availability":
        return f"(({preset.errors_rate(sel, window)}) or vector(0))\n/\n({preset.requests_rate(sel, window)})"
    if slo.sli.kind == "latency":
        assert slo.sli.threshold is not None
        total = preset.latency_total_rate(sel, window)
        good = preset.latency_good_rate(sel, window, slo.sli.threshold)
        return f"1 - (\n  ({good} or vector(0))\n  /\n  {total}\n)"
    good, total = _ratio_queries(slo, window)
    # no good series at all (every request failed since a restart) is no good event, not no data
    return f"1 - (\n  (sum({good}) or on() (0 * sum({total})))\n  /\n  sum({total})\n)"


def traffic_expr(model: Any, slo: SLO, window: str) -> str:
    preset, sel = serving(model)
    if slo.sli.kind == "availability":
        return preset.requests_rate(sel, window)
    if slo.sli.kind == "latency":
        return str(preset.latency_total_rate(sel, window))
    return f"sum({_ratio_queries(slo, window)[1]})"


def _ratio_queries(slo: SLO, window: str) -> tuple[str, str]:
    return (slo.sli.good or "").replace(WINDOW_PLACEHOLDER, window), (slo.sli.total or "").replace(WINDOW_PLACEHOLDER, window)


def rule_groups(model: Any, slos: tuple[SLO, ...]) -> list[RuleGroup]:
    return [RuleGroup(f"mlmon-{model.id}-slo-{slo.name}", tuple(_rules(model, slo))) for slo in slos]


def _rules(model: Any, slo: SLO) -> list[RecordingRule | AlertRule]:
    lab = {C.L_MODEL: model.id, C.L_SLO: slo.name}
    sel = selector(model, slo)
    rules: list[RecordingRule | AlertRule] = []
    for w in slo.windows():
        ws = format_duration(w)
        rules.append(RecordingRule(C.slo_ratio_metric(ws), error_ratio_expr(model, slo, ws), lab))
    rules.append(RecordingRule(C.SLO_PERIOD_ERROR_RATIO, error_ratio_expr(model, slo, format_duration(slo.period)), lab))
    rules.append(RecordingRule(C.SLO_BUDGET_REMAINING, f"1 - ({C.SLO_PERIOD_ERROR_RATIO}{sel} / {num(slo.budget)})", lab))
    rules.extend(_burn_alert(model, slo, t, sel) for t in slo.tiers())
    rules.append(_nodata_alert(model, slo))
    return rules


def labels(model: Any, slo: SLO, severity: str) -> dict[str, str]:
    return alert_labels(model, MONITOR_LABEL, severity, slo.name, **{C.L_SLO: slo.name})


def burn_labels(model: Any, slo: SLO, t: Tier) -> dict[str, str]:
    return {**labels(model, slo, C.SEVERITY_BY_CLASS[t.severity_class]), C.L_BURN: t.windows}


def burn_annotations(model: Any, slo: SLO, t: Tier) -> dict[str, str]:
    lw, sw = format_duration(t.long), format_duration(t.short)
    spent = t.factor * t.long / slo.period * 100
    if t.severity_class == "page":
        act = f"Act now: at this rate the budget is gone within {format_duration(slo.period / t.factor)}."
    else:
        act = "Plan a fix: the budget will not last the period at this rate."
    return alert_annotations(
        model,
        f"{slo.name} SLO error budget burning over {num(t.factor)}x ({lw} and {sw} windows)",
        f"The {slo.name} SLO ({num(slo.objective)}% over {format_duration(slo.period)}) of model {model.id} has spent more than "
        f"{spent:.3g}% of its error budget in the last {lw}, and is still burning in the last {sw}. {act}",
    )


def _burn_alert(model: Any, slo: SLO, t: Tier, sel: str) -> AlertRule:
    long_m = C.slo_ratio_metric(format_duration(t.long)) + sel
    short_m = C.slo_ratio_metric(format_duration(t.short)) + sel
    eb, factor = num(slo.budget), num(t.factor)
    expr = f"(\n  {long_m} / {eb} > {factor}\n)\nand\n(\n  {short_m} / {eb} > {factor}\n)"
    return AlertRule(C.ALERT_SLO_BURN, expr, format_duration(t.for_), burn_labels(model, slo, t), burn_annotations(model, slo, t))


def nodata_labels(model: Any, slo: SLO) -> dict[str, str]:
    return labels(model, slo, C.SEVERITY_TICKET)


def nodata_annotations(model: Any, slo: SLO) -> dict[str, str]:
    what = "no series at all" if model.idle_ok else "no traffic or no series"
    return alert_annotations(
        model,
        f"{slo.name} SLO has {what} for {format_duration(slo.no_data_for)}",
        f"The SLI of the {slo.name} SLO of model {model.id} cannot be computed, so its burn-rate alerts cannot fire. "
        "Check that the model is serving and that Prometheus scrapes it (target up, metric names as the preset expects).",
    )


def _nodata_alert(model: Any, slo: SLO) -> AlertRule:
    w = format_duration(slo.nodata_window)
    traffic = traffic_expr(model, slo, w)
    if model.idle_ok:
        expr = f"absent(\n  {traffic}\n)"
    else:
        expr = f"(\n  ({traffic}) or vector(0)\n) == 0"
    if slo.sli.kind == "latency":
        assert slo.sli.threshold is not None
        preset, sel = serving(model)
        expr = f"{expr}\nor on()\nabsent(\n  {preset.latency_good_rate(sel, w, slo.sli.threshold)}\n)"
    return AlertRule(C.ALERT_SLO_NODATA, expr, format_duration(slo.no_data_for), nodata_labels(model, slo), nodata_annotations(model, slo))
