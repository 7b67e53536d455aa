"""Semantic checks of one compiled SLO: tiers that can never fire, windows too short for the
scrape interval, SLIs the preset cannot compute, custom PromQL that does not parse."""

from __future__ import annotations

from mlmon import presets
from mlmon.compiler.context import CompileContext
from mlmon.compiler.units import format_duration, num
from mlmon.monitors.slo.inputs import ratio_inputs
from mlmon.monitors.slo.model import SLO
from mlmon.monitors.slo.schema import BASE_PERIOD, WINDOW_PLACEHOLDER


def check(slo: SLO, i: int, ctx: CompileContext, preset: presets.Preset | None) -> SLO:
    """Report the problems of ``slo`` (``slos[i]``); returns it unchanged."""
    eb = slo.budget
    for t in slo.tiers():
        if t.factor * eb >= 1.0:
            max_obj = 100.0 * (1.0 - 1.0 / t.factor)
            ctx.error(
                (i, "objective"),
                "MLM206",
                f"the {t.severity_class} tier {t.windows} at {num(t.factor)}x can never fire: "
                f"it needs an error ratio above {num(t.factor * eb)} (> 1) at objective {num(slo.objective)}%",
                hint=f"raise the objective above {max_obj:.2f}%, or turn this tier off (alerting.{t.severity_class}: false)",
            )
    floor = 4 * ctx.scrape_interval
    for w in slo.windows():
        if w < floor:
            ctx.error(
                (i, "period"),
                "MLM207",
                f"alert window {format_duration(w)} (period {format_duration(slo.period)} scaled from {format_duration(BASE_PERIOD)}) is shorter than 4x the scrape interval "
                f"({format_duration(floor)}); rate() would see too few samples",
                hint="scrape more often (serving.scrape_interval) or use a longer period",
            )
            break
    if slo.sli.kind == "ratio":
        _check_promql(slo, i, ctx)
    elif preset is not None and slo.sli.kind == "availability" and preset.errors_rate("x", "5m") is None:
        ctx.error(
            (i, "sli", "kind"),
            "MLM212",
            f"preset {preset.name!r} exposes no failed-request counter, so availability cannot be computed",
            hint="use a ratio SLI on the metrics of whatever fronts the model (e.g. Knative queue-proxy or an ingress)",
        )
    elif preset is not None and slo.sli.kind == "latency" and slo.sli.threshold is not None:
        if preset.latency is None:
            ctx.error((i, "sli", "kind"), "MLM212", f"preset {preset.name!r} has no latency histogram; use a ratio SLI")
        elif preset.has_bucket(slo.sli.threshold) is False:
            ctx.warning(
                (i, "sli", "threshold"),
                "MLM213",
                f"threshold {format_duration(slo.sli.threshold)} is not one of preset {preset.name!r}'s default histogram buckets",
                hint="the SLI reads the bucket whose le equals the threshold; make sure your histogram has that bucket",
            )
    return slo


def _check_promql(slo: SLO, i: int, ctx: CompileContext) -> None:
    import promql_parser  # ~13 ms, only when a custom SLI exists

    for field in ("good", "total"):
        text = getattr(slo.sli, field)
        if WINDOW_PLACEHOLDER not in text:
            ctx.error(
                (i, "sli", field),
                "MLM205",
                f"{field} query has no {WINDOW_PLACEHOLDER} placeholder for the range window",
                hint=f"write e.g. sum(rate(my_requests_total[{WINDOW_PLACEHOLDER}]))",
            )
            continue
        try:
            promql_parser.parse(text.replace(WINDOW_PLACEHOLDER, "5m"))
        except ValueError as exc:
            ctx.error((i, "sli", field), "MLM205", f"{field} query does not parse: {exc}")
    if slo.sli.good == slo.sli.total:
        ctx.error((i, "sli", "good"), "MLM205", "good and total are the same query, so the error ratio is always 0")
    elif not any(d.code == "MLM205" for d in ctx.diags) and ratio_inputs(slo) is None:
        ctx.warning(
            (i, "sli"),
            "MLM213",
            "no rule tests can be generated for this SLI (each query must select one metric, with matchers whose values "
            "can be synthesised: =, !=, and regexes of literals, classes, . and repeats)",
            hint=f'write e.g. good: sum(rate(requests_total{{code=~"2.."}}[{WINDOW_PLACEHOLDER}])), total: sum(rate(requests_total[{WINDOW_PLACEHOLDER}]))',
            key=True,
        )
