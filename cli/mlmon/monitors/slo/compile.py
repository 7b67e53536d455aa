"""``slos`` raw data -> ``SLO`` values, plus diagnostics (semantic checks in ``checks``)."""

from __future__ import annotations

from typing import Any

from mlmon import presets
from mlmon.compiler.context import CompileContext
from mlmon.compiler.units import parse_duration
from mlmon.monitors.slo import schema as D
from mlmon.monitors.slo.checks import check
from mlmon.monitors.slo.model import SLI, SLO


def compile_slos(raw: Any, ctx: CompileContext) -> tuple[SLO, ...]:
    period_text = ctx.defaults.get(D.PERIOD_DEFAULT_KEY, D.PERIOD)
    preset = presets.get(ctx.defaults.get("preset", "mlmon"))
    if preset is not None:
        preset = preset.with_overrides(ctx.defaults.get("serving_overrides") or None)
    if raw is None:
        return tuple(check(s, i, ctx, preset) for i, s in enumerate(_defaults(preset, parse_duration(period_text))))
    slos: list[SLO] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(raw):
        name = item["name"]
        if name in seen:
            ctx.error((i, "name"), "MLM201", f"duplicate SLO name {name!r} (also slos[{seen[name]}])")
            continue
        seen[name] = i
        slo = _slo(i, item, period_text, ctx)
        if slo is not None:
            slos.append(check(slo, i, ctx, preset))
    return tuple(slos)


def _defaults(preset: presets.Preset | None, period: float) -> list[SLO]:
    """The SLOs of a model without ``slos``: those its preset's metrics allow."""
    out = []
    if preset is not None and preset.errors_rate("x", "5m") is not None:
        out.append(_default(D.DEFAULT_AVAILABILITY, period))
    if preset is not None and preset.latency is not None:
        out.append(_default(D.DEFAULT_LATENCY, period))
    return out


def _default(d: D.DefaultSLO, period: float) -> SLO:
    threshold = parse_duration(d.threshold) if d.threshold else None
    return SLO(d.name, d.description, d.objective, period, SLI(d.kind, threshold), D.PAGE, D.TICKET, parse_duration(D.NO_DATA_FOR))


def _slo(i: int, item: dict[str, Any], period_text: str, ctx: CompileContext) -> SLO | None:
    """One SLO of the spec, or None after reporting why it cannot be compiled."""
    objective = float(item["objective"])
    if objective <= 1.0:
        hint = f"write the percent, e.g. {objective * 100:g} for {objective:g}"
        ctx.error((i, "objective"), "MLM204", f"objective {item['objective']} is a percentage of good events, so this means {objective}%", hint=hint)
        return None
    try:
        period = parse_duration(item.get("period", period_text))
    except ValueError as exc:
        ctx.error((i, "period"), "MLM203", str(exc))
        return None
    sli_raw = item["sli"]
    kind = sli_raw["kind"]
    threshold = None
    if kind == "latency":
        if "threshold" not in sli_raw:
            ctx.error((i, "sli"), "MLM102", "a latency SLI needs 'threshold' (e.g. 250ms)", key=True)
            return None
        try:
            threshold = parse_duration(sli_raw["threshold"])
        except ValueError as exc:
            ctx.error((i, "sli", "threshold"), "MLM203", str(exc))
            return None
    if kind == "ratio" and not ("good" in sli_raw and "total" in sli_raw):
        ctx.error((i, "sli"), "MLM102", "a ratio SLI needs both 'good' and 'total' PromQL", key=True)
        return None
    for field in sorted(set(sli_raw) - {"kind"} - D.SLI_FIELDS[kind]):
        ctx.error((i, "sli", field), "MLM104", f"'{field}' does not apply to a {kind} SLI", key=True)
    alerting = item.get("alerting", {})
    try:
        no_data_for = parse_duration(alerting.get("no_data_for", D.NO_DATA_FOR))
    except ValueError as exc:
        ctx.error((i, "alerting", "no_data_for"), "MLM203", str(exc))
        return None
    sli = SLI(kind, threshold, sli_raw.get("good"), sli_raw.get("total"))
    page, ticket = bool(alerting.get("page", D.PAGE)), bool(alerting.get("ticket", D.TICKET))
    return SLO(item["name"], item.get("description", ""), objective, period, sli, page, ticket, no_data_for)
