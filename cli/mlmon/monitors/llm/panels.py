"""The LLM serving row of a model's dashboard (SLOs, tokens, queue, token cost, evaluation
scores) and the fleet overview's token spend by model."""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon import presets
from mlmon.artifacts import Panel, Row, Target, Threshold
from mlmon.compiler.units import format_duration, num
from mlmon.monitors import burnrate
from mlmon.monitors.llm import slos as R
from mlmon.monitors.llm.alerts import sel
from mlmon.monitors.llm.compile import LLM
from mlmon.monitors.llm.schema import KEY, SLO_TITLES

RATE = "$__rate_interval"


def _slo_panels(model: Any, llm: LLM) -> list[Panel]:
    out = []
    for slo in llm.slos:
        s, title = R.selector(model, slo), SLO_TITLES[slo.kind]
        h, msel = R.histogram(model, slo)
        quantiles = tuple(Target(presets.hist_quantile(h, msel, RATE, q), f"p{num(q * 100)}") for q in (0.5, 0.99))
        out += [
            *burnrate.budget_panels(f"{title} SLO", s, slo.objective, slo.period, f"Requests with {title} at most {format_duration(slo.threshold)}."),
            Panel(
                f"{title} quantiles",
                "timeseries",
                quantiles,
                unit="s",
                width=12,
                height=6,
                thresholds=(Threshold(None, "green"), Threshold(slo.threshold, "red")),
            ),
        ]
    return out


def _cost_panels(model: Any, llm: LLM) -> list[Panel]:
    c, s = llm.cost, sel(model)
    if c is None:
        return []
    budget = (Threshold(None, "green"), Threshold(c.daily_budget, "red")) if c.daily_budget is not None else ()
    per_1k = (Threshold(None, "green"), Threshold(c.max_per_1k, "red")) if c.max_per_1k is not None else ()
    return [
        Panel("Token spend, last 24h", "stat", (Target(f"{C.LLM_SPEND_1D}{s}", "USD", True),), unit="currencyUSD", width=6, height=6, thresholds=budget),
        Panel(
            "Cost of 1,000 tokens (1h)",
            "stat",
            (Target(f"{C.LLM_COST_PER_1K}{s}", "USD", True),),
            unit="currencyUSD",
            decimals=5,
            width=6,
            height=6,
            thresholds=per_1k,
        ),
        Panel(
            "Token cost per hour",
            "timeseries",
            (Target(f"{C.LLM_COST_NOW}{s}", "last 5m"), Target(f"{C.LLM_COST_PER_HOUR}{s}", "last hour")),
            unit="currencyUSD",
            width=12,
            height=6,
            description=f"Prompt tokens at {num(c.usd_per_1k_in)} and generated tokens at {num(c.usd_per_1k_out)} USD per 1,000.",
        ),
    ]


def dashboard_rows(model: Any, llm: LLM) -> list[Row]:
    s = sel(model)
    avail = presets.preset_of(model).keys()
    panels = _slo_panels(model, llm)
    if "tokens" in avail or "generation_tokens" in avail:
        tokens = (Target(f"{C.TOKENS_RATE}{s}", "all"), Target(f"{C.GENERATION_TOKENS_RATE}{s}", "generated"))
        floor = (Threshold(None, "red"), Threshold(llm.min_tokens_per_second, "green")) if llm.min_tokens_per_second is not None else ()
        panels.append(Panel("Tokens per second", "timeseries", tokens, unit="short", width=12, height=6, thresholds=floor))
    if "queue" in avail:
        limit = (Threshold(None, "green"), Threshold(llm.max_queue, "red")) if llm.max_queue is not None else ()
        panels.append(Panel("Mean queue time", "timeseries", (Target(f"{C.QUEUE_MEAN}{s}", "queue"),), unit="s", width=12, height=6, thresholds=limit))
    panels += _cost_panels(model, llm)
    for e in llm.evaluations:
        es = sel(model, **{C.L_EVALUATION: e.name})
        targets: tuple[Target, ...] = (Target(f"{C.LLM_EVAL_MEAN}{es}", f"mean over {format_duration(e.window)}"),)
        if e.drift:
            targets += (Target(f"{C.LLM_EVAL_BASELINE}{es}", f"mean over the previous {format_duration(e.baseline)}"),)
        floor = (Threshold(None, "red"), Threshold(e.min, "green")) if e.min is not None else ()
        panels.append(Panel(f"Evaluation score: {e.name}", "timeseries", targets, unit="short", width=12, height=6, thresholds=floor))
    return [Row("LLM serving", tuple(panels))] if panels else []


def fleet_panels(spec: Any) -> list[Panel]:
    if not any((m.section(KEY) is not None and m.section(KEY).cost is not None) for m in spec.models):
        return []
    return [
        Panel("Token spend (24h) by model", "bargauge", (Target(f"sort_desc({C.LLM_SPEND_1D})", "{{model}}", True),), unit="currencyUSD", width=12, height=10),
    ]
