"""The LLM pack's rule groups: the latency SLOs (``slos``), then the token-cost and evaluation-score
recording rules and the threshold alerts (``alerts``)."""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import AlertRule, RecordingRule, RuleGroup
from mlmon.compiler.units import format_duration, num
from mlmon.monitors.llm import slos
from mlmon.monitors.llm.alerts import alert_rules, sel
from mlmon.monitors.llm.compile import LLM, Evaluation, TokenCost

USD_PER_HOUR = 3.6  # tokens/s x 3600 s/h / 1000 tokens: prices per 1,000 tokens -> USD/h


def cost_now_expr(model: Any, c: TokenCost) -> str:
    """USD/h of the tokens of the last 5m: prompt tokens (all - generated) and generated ones at their prices."""
    s = sel(model)
    tokens, gen = C.TOKENS_RATE + s, C.GENERATION_TOKENS_RATE + s
    return f"(\n  ({tokens} - {gen}) * {num(c.usd_per_1k_in)}\n  + {gen} * {num(c.usd_per_1k_out)}\n) * {num(USD_PER_HOUR)}"


def cost_rules(model: Any, c: TokenCost) -> list[RecordingRule]:
    s = sel(model)
    lab = {C.L_MODEL: model.id}
    now = C.LLM_COST_NOW + s
    return [
        RecordingRule(C.LLM_COST_NOW, cost_now_expr(model, c), lab),
        RecordingRule(C.LLM_COST_PER_HOUR, f"avg_over_time({now}[1h])", lab),
        RecordingRule(C.LLM_SPEND_1D, f"avg_over_time({now}[1d]) * 24", lab),
        RecordingRule(C.LLM_COST_PER_1K, f"{C.LLM_COST_PER_HOUR}{s}\n/\n(avg_over_time({C.TOKENS_RATE}{s}[1h]) * {num(USD_PER_HOUR)} > 0)", lab),
    ]


def evaluation_rules(model: Any, e: Evaluation) -> list[RecordingRule]:
    lab = {C.L_MODEL: model.id, C.L_EVALUATION: e.name}
    w = format_duration(e.window)
    out = [RecordingRule(C.LLM_EVAL_MEAN, f"avg(avg_over_time({e.selector}[{w}]))", lab)]
    if e.drift:
        hist = f"{C.LLM_EVAL_MEAN}{sel(model, **{C.L_EVALUATION: e.name})}[{format_duration(e.baseline)}] offset {w}"
        out.append(RecordingRule(C.LLM_EVAL_BASELINE, f"avg_over_time({hist})\nand on()\ncount_over_time({hist}) >= {e.history_samples}", lab))
    return out


def rule_groups(model: Any, llm: LLM) -> list[RuleGroup]:
    rules: list[RecordingRule | AlertRule] = []
    for slo in llm.slos:
        rules += slos.rules(model, slo)
    if llm.cost is not None:
        rules += cost_rules(model, llm.cost)
    for e in llm.evaluations:
        rules += evaluation_rules(model, e)
    rules += alert_rules(model, llm)
    return [RuleGroup(f"mlmon-{model.id}-llm", tuple(rules))] if rules else []
