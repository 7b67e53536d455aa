"""SLO dashboard rows (traffic, then one row per SLO) and fleet panels."""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import Panel, Row, Target, Threshold
from mlmon.compiler.units import format_duration, num
from mlmon.monitors import burnrate
from mlmon.monitors.slo.model import SLO
from mlmon.monitors.slo.rules import error_ratio_expr, selector, serving
from mlmon.monitors.slo.schema import TIERS

RATE = "$__rate_interval"
BUDGET_THRESHOLDS = burnrate.BUDGET_THRESHOLDS


def _page_levels() -> str:
    """``14.4 (1h) and 6 (6h)``: the burn rates above which the page tiers fire."""
    return " and ".join(f"{num(t.factor)} ({format_duration(t.long)})" for t in TIERS if t.severity_class == "page")


def rows(model: Any, slos: tuple[SLO, ...]) -> list[Row]:
    out = [_traffic(model, slos)]
    for slo in slos:
        s = selector(model, slo)
        eb = num(slo.budget)
        period = format_duration(slo.period)
        panels = (
            *burnrate.budget_panels(slo.name, s, slo.objective, slo.period, f"Good events over the last {period}."),
            Panel(
                f"{slo.name}: burn rate",
                "timeseries",
                tuple(Target(f"{C.slo_ratio_metric(format_duration(w))}{s} / {eb}", f"{format_duration(w)}") for w in slo.windows()),
                unit="short",
                width=12,
                height=6,
                description=f"Error ratio divided by the error budget, per alert window. 1 = spending exactly the budget; pages fire above {_page_levels()}.",
                thresholds=(Threshold(None, "green"), Threshold(1, "orange"), Threshold(6, "red")),
            ),
        )
        out.append(Row(f"SLO: {slo.name} ({num(slo.objective)}% over {period})", panels))
    return out


def _error_ratio(model: Any, slos: tuple[SLO, ...]) -> Panel | None:
    """The share of failed requests: from the preset's failure counter, else from the first ratio
    SLI (a preset without one, e.g. KServe, measured at the queue-proxy); None without either."""
    preset, sel = serving(model)
    errors = preset.errors_rate(sel, RATE)
    if errors is not None:
        return Panel(
            "Error ratio", "timeseries", (Target(f"({errors} or vector(0)) / {preset.requests_rate(sel, RATE)}", "errors"),), unit="percentunit", width=8
        )
    ratio = next((s for s in slos if s.sli.kind == "ratio"), None)
    if ratio is None:
        return None
    return Panel(
        f"Error ratio ({ratio.name} SLI)",
        "timeseries",
        (Target(error_ratio_expr(model, ratio, RATE), "errors"),),
        unit="percentunit",
        width=8,
        description=f"The {ratio.name} SLO's bad events / all events (the {preset.name} preset counts no failed requests).",
    )


def _traffic(model: Any, slos: tuple[SLO, ...]) -> Row:
    preset, sel = serving(model)
    panels = [Panel("Request rate", "timeseries", (Target(preset.requests_rate(sel, RATE), "requests/s"),), unit="reqps", width=8)]
    errors = _error_ratio(model, slos)
    if errors is not None:
        panels.append(errors)
    if preset.latency is not None:
        quantiles = tuple(Target(str(preset.latency_quantile(sel, RATE, q)), f"p{q * 100:g}") for q in (0.5, 0.9, 0.99))
        panels.append(Panel("Latency quantiles", "timeseries", quantiles, unit="s", width=8))
    return Row("Traffic", tuple(panels))


def fleet() -> list[Panel]:
    alerts = f'ALERTS{{alertname=~"{C.ALERT_SLO_BURN}|{C.ALERT_SLO_NODATA}",alertstate="firing"}}'
    return [
        Panel(
            "Error budget remaining by model and SLO",
            "bargauge",
            (Target(f"100 * {C.SLO_BUDGET_REMAINING}", "{{model}} / {{slo}}", True),),
            unit="percent",
            min=0,
            max=100,
            width=12,
            height=10,
            thresholds=BUDGET_THRESHOLDS,
        ),
        Panel("Firing SLO alerts", "table", (Target(f"sum by (model, slo, severity) ({alerts})", "", True),), width=12, height=10),
    ]
