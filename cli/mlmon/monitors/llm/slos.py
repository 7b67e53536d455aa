"""The TTFT and TPOT latency SLOs: the error ratio (requests slower than the threshold) over every
burn-rate window, the burn-rate alerts of ``monitors.burnrate``'s tiers and the no-data alert.

The series and alerts are the SLO monitor's (``mlmon_slo:*``, ``MLModelSLOBurnRate``,
``MLModelSLONoData``) with ``slo="llm:ttft"``/``"llm:tpot"`` and ``monitor="llm"``, so SLO views
and routes cover them. The histogram is the preset's ``ttft``/``tpot`` signal: every known
spelling of it, OR-ed."""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon import presets
from mlmon.artifacts import AlertRule, RecordingRule
from mlmon.compiler.units import format_duration, le_matcher, num
from mlmon.monitors import burnrate
from mlmon.monitors.base import alert_annotations, alert_labels
from mlmon.monitors.llm.compile import LatencySLO
from mlmon.monitors.llm.schema import KEY, SLO_TITLES


def histogram(model: Any, slo: LatencySLO) -> tuple[presets.Histogram, presets.Sel]:
    """The preset's histogram of the SLO's signal and the model's selector."""
    preset = presets.preset_of(model)
    h = preset.signal(slo.kind)
    assert isinstance(h, presets.Histogram)  # checked at compile time
    return h, presets.model_selector(model, preset)


def good_rate(model: Any, slo: LatencySLO, window: str) -> str:
    h, sel = histogram(model, slo)
    return f"sum({presets.hist_rate(h, 'bucket', sel, window, le_matcher(slo.threshold / h.scale))})"


def total_rate(model: Any, slo: LatencySLO, window: str) -> str:
    h, sel = histogram(model, slo)
    return f"sum({presets.hist_rate(h, 'count', sel, window)})"


def error_ratio_expr(model: Any, slo: LatencySLO, window: str) -> str:
    return f"1 - (\n  ({good_rate(model, slo, window)} or vector(0))\n  /\n  {total_rate(model, slo, window)}\n)"


def selector(model: Any, slo: LatencySLO) -> str:
    return f'{{{C.L_MODEL}="{model.id}",{C.L_SLO}="{slo.name}"}}'


def labels(model: Any, slo: LatencySLO, severity: str) -> dict[str, str]:
    return alert_labels(model, KEY, severity, slo.kind, **{C.L_SLO: slo.name})


def burn_labels(model: Any, slo: LatencySLO, t: burnrate.Tier) -> dict[str, str]:
    return {**labels(model, slo, C.SEVERITY_BY_CLASS[t.severity_class]), C.L_BURN: t.windows}


def burn_annotations(model: Any, slo: LatencySLO, t: burnrate.Tier) -> dict[str, str]:
    title = SLO_TITLES[slo.kind]
    spent = t.factor * t.long / slo.period * 100
    return alert_annotations(
        model,
        f"{title} over {format_duration(slo.threshold)} burns the error budget over {num(t.factor)}x ({t.windows})",
        f"Requests to {model.id} that wait longer than {format_duration(slo.threshold)} for "
        f"{'the first token' if slo.kind == 'ttft' else 'each output token'} spend the error budget of the {num(slo.objective)}% SLO "
        f"over {num(t.factor)}x as fast as it allows: {spent:.3g}% of the {format_duration(slo.period)} budget went in the last "
        f"{format_duration(t.long)}. Look at queueing, batch sizes, KV-cache pressure and prompt lengths.",
    )


def nodata_labels(model: Any, slo: LatencySLO) -> dict[str, str]:
    return labels(model, slo, C.SEVERITY_TICKET)


def nodata_annotations(model: Any, slo: LatencySLO) -> dict[str, str]:
    h, _ = histogram(model, slo)
    return alert_annotations(
        model,
        f"{SLO_TITLES[slo.kind]} SLO has {'no series at all' if model.idle_ok else 'no traffic or no series'} for {format_duration(slo.no_data_for)}",
        f"The {SLO_TITLES[slo.kind]} histogram ({' or '.join(h.names)}) of {model.id} has no observations or no bucket at "
        f"{format_duration(slo.threshold)}, so its burn-rate alerts cannot fire. Check the server's metrics and the preset.",
    )


def rules(model: Any, slo: LatencySLO) -> list[RecordingRule | AlertRule]:
    lab = {C.L_MODEL: model.id, C.L_SLO: slo.name}
    sel = selector(model, slo)
    out: list[RecordingRule | AlertRule] = [
        RecordingRule(C.slo_ratio_metric(format_duration(w)), error_ratio_expr(model, slo, format_duration(w)), lab) for w in slo.windows()
    ]
    out.append(RecordingRule(C.SLO_PERIOD_ERROR_RATIO, error_ratio_expr(model, slo, format_duration(slo.period)), lab))
    out.append(RecordingRule(C.SLO_BUDGET_REMAINING, f"1 - ({C.SLO_PERIOD_ERROR_RATIO}{sel} / {num(slo.budget)})", lab))
    for t in slo.tiers():
        long_m, short_m = (C.slo_ratio_metric(format_duration(w)) + sel for w in (t.long, t.short))
        expr = burnrate.burn_expr(long_m, short_m, slo.budget, t.factor)
        out.append(AlertRule(C.ALERT_SLO_BURN, expr, format_duration(t.for_), burn_labels(model, slo, t), burn_annotations(model, slo, t)))
    w = format_duration(slo.windows()[0])
    traffic = total_rate(model, slo, w)
    expr = f"absent(\n  {traffic}\n)" if model.idle_ok else f"(\n  ({traffic}) or vector(0)\n) == 0"
    expr = f"{expr}\nor on()\nabsent(\n  {good_rate(model, slo, w)}\n)"
    out.append(AlertRule(C.ALERT_SLO_NODATA, expr, format_duration(slo.no_data_for), nodata_labels(model, slo), nodata_annotations(model, slo)))
    return out
