"""promtool cases of the LLM pack's threshold alerts, on the normalised signals the preset records
(tokens/s, queue time, requests/s) and on the evaluation gauges, one value a minute:

- healthy inputs raise nothing (exact token cost and evaluation means);
- each alert fires on its incident (throughput drop, long queue, overspend, dear token mix, a score
  below its floor or below its own history), with the value Prometheus renders;
- every input missing while requests are served raises MLModelLLMNoData; nothing without traffic.

The latency SLOs' cases are in ``slo_cases``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from mlmon import conventions as C
from mlmon import presets
from mlmon.artifacts import AlertCheck, AlertRule, ExprCheck, RuleTest
from mlmon.compiler.units import format_duration, num
from mlmon.monitors.llm import slo_cases
from mlmon.monitors.llm.alerts import alert_rules, labels, nodata_inputs, sel
from mlmon.monitors.llm.compile import LLM, Evaluation, TokenCost
from mlmon.monitors.llm.rules import USD_PER_HOUR
from mlmon.monitors.steps import Clock
from mlmon.monitors.testkit import alert_check, at, firing, gauge_steps, minutes, value_check
from mlmon.presets import signals as S

Segments = list[tuple[float | None, int]]


def evaluation_series(e: Evaluation) -> str:
    """An input series the evaluation's selector selects."""
    name, match, example = presets.split_selector(e.selector)
    return f"{name}{{{S.label_text(S.concrete(example))}}}" if match is not None else e.selector


class LLMCases:
    def __init__(self, model: Any, llm: LLM):
        self.model, self.llm = model, llm
        self.rules: list[AlertRule] = alert_rules(model, llm)
        self.lab = f'{C.L_MODEL}="{model.id}"'
        self.for_min = int(llm.for_ // 60)

    def exp(self, t: int, alert: str, check: str, value: float | None = None, severity: str | None = None, **extra: str) -> AlertCheck:
        return alert_check(self.rules, minutes(t), alert, ({**labels(self.model, self.llm, check, severity, **extra)},), value)

    def quiet(self, t: int, *alerts: str) -> list[AlertCheck]:
        return [AlertCheck(minutes(t), a, ()) for a in alerts]

    def gauge(self, name: str, segments: Segments) -> tuple[str, str]:
        return (f"{name}{sel(self.model)}", gauge_steps(segments)[0])

    # --- token mixes --------------------------------------------------------------------------
    def per_1k(self, c: TokenCost, share_out: float) -> float:
        return (1 - share_out) * c.usd_per_1k_in + share_out * c.usd_per_1k_out

    def mixes(self, c: TokenCost) -> tuple[float, float | None]:
        """Shares of generated tokens: one under ``max_per_1k`` (healthy) and one over it (None
        when no mix can exceed it)."""
        lo, hi, m = c.usd_per_1k_in, c.usd_per_1k_out, c.max_per_1k
        if m is None or hi <= lo:
            return 0.5, None
        healthy = 0.5 if m >= hi else max(0.0, (m - lo) / (hi - lo) / 2)
        return healthy, (None if m >= hi else ((m - lo) / (hi - lo) + 1) / 2)

    def token_rates(self, c: TokenCost, share_out: float, pace: float) -> tuple[float, float]:
        """(all tokens/s, generated tokens/s) costing ``pace`` daily budgets a day (100 tokens/s without a budget)."""
        price = self.per_1k(c, share_out)
        total = 100.0 if c.daily_budget is None or price <= 0 else round(pace * c.daily_budget / 24 / (price * USD_PER_HOUR), 3)
        return total, round(total * share_out, 3)

    def cost_now(self, c: TokenCost, total: float, gen: float) -> float:
        return ((total - gen) * c.usd_per_1k_in + gen * c.usd_per_1k_out) * USD_PER_HOUR

    def cost_breaches(self, c: TokenCost, now: float, total: float) -> set[str]:
        """The cost alerts whose condition holds at a steady cost ``now`` (USD/h) of ``total`` tokens/s."""
        out = set()
        if c.daily_budget is not None and now * 24 > c.daily_budget:
            out.add(C.ALERT_LLM_BUDGET)
        if c.daily_budget is not None and now * 24 > c.fast_burn * c.daily_budget:
            out.add(C.ALERT_LLM_BUDGET_BURN)
        if c.max_per_1k is not None and now / (total * USD_PER_HOUR) > c.max_per_1k:
            out.add(C.ALERT_LLM_COST_1K)
        return out

    # --- cases --------------------------------------------------------------------------------
    def healthy(self) -> RuleTest:
        llm = self.llm
        n = max([61, *(int(e.window // 60) for e in llm.evaluations)]) + 10  # every averaging window full
        series = [self.gauge(C.REQUESTS_RATE, [(1.0, n)])]
        exprs: list[ExprCheck] = []
        breached: set[str] = set()  # a throughput floor can force a spend over a small budget
        if llm.cost is not None or llm.min_tokens_per_second is not None:
            c = llm.cost or TokenCost(0.0, 0.0, None, 1.0, None)
            total, gen = self.token_rates(c, self.mixes(c)[0], 0.5)
            if llm.min_tokens_per_second is not None:
                gen = max(gen, 2 * llm.min_tokens_per_second)
                total = max(total, gen)
            series += [self.gauge(C.TOKENS_RATE, [(total, n)]), self.gauge(C.GENERATION_TOKENS_RATE, [(gen, n)])]
            if llm.cost is not None:
                now = self.cost_now(c, total, gen)
                breached |= self.cost_breaches(c, now, total)
                exprs += [value_check(C.LLM_COST_NOW, self.lab, minutes(n - 1), now), value_check(C.LLM_COST_PER_HOUR, self.lab, minutes(n - 1), now)]
                exprs.append(value_check(C.LLM_COST_PER_1K, self.lab, minutes(n - 1), now / (total * USD_PER_HOUR)))
        if llm.max_queue is not None:
            series.append(self.gauge(C.QUEUE_MEAN, [(llm.max_queue / 2, n)]))
        for e in llm.evaluations:
            level = self.level(e)
            series.append((evaluation_series(e), gauge_steps([(level, n)])[0]))
            exprs.append(value_check(C.LLM_EVAL_MEAN, f'{self.lab},{C.L_EVALUATION}="{e.name}"', minutes(n - 1), level))
        return RuleTest(
            f"{self.model.id}/llm: healthy throughput, queue, token spend and scores for {n}m raise nothing (exact cost and score means)",
            "1m",
            tuple(series),
            tuple(self.quiet(n - 1, *sorted({r.alert for r in self.rules} - breached))),
            tuple(exprs),
        )

    def threshold(self, alert: str, check: str, signal: str, good: float, bad: float, what: str) -> RuleTest:
        """``signal`` at ``good`` for 20m, then ``bad``: ``alert`` fires after ``for``."""
        n1, n2 = 20, self.for_min + 15
        vals = [good] * n1 + [bad] * n2
        limit = self.llm.min_tokens_per_second if alert == C.ALERT_LLM_TOKENS_LOW else self.llm.max_queue
        assert limit is not None

        def cond(t: int) -> bool:
            return vals[t] < limit if alert == C.ALERT_LLM_TOKENS_LOW else vals[t] > limit

        t_fire = next(t for t in range(n1, n1 + n2) if firing(cond, t, self.for_min))
        series = [self.gauge(C.REQUESTS_RATE, [(1.0, n1 + n2)]), self.gauge(signal, [(good, n1), (bad, n2)])]
        return RuleTest(
            f"{self.model.id}/llm: {what} from {num(good)} to {num(bad)}: {alert} fires after {format_duration(self.llm.for_)}",
            "1m",
            tuple(series),
            (*self.quiet(n1 - 1, alert), self.exp(t_fire + 2, alert, check, bad)),
        )

    def budget(self, c: TokenCost) -> RuleTest:
        """Tokens at 1.5x the fast-burn pace from the start: both budget alerts fire."""
        assert c.daily_budget is not None
        total, gen = self.token_rates(c, self.mixes(c)[0], 1.5 * max(c.fast_burn, 1.0))
        now = self.cost_now(c, total, gen)
        n, t = self.for_min + 10, self.for_min + 2
        series = [self.gauge(C.REQUESTS_RATE, [(1.0, n)]), self.gauge(C.TOKENS_RATE, [(total, n)]), self.gauge(C.GENERATION_TOKENS_RATE, [(gen, n)])]
        return RuleTest(
            f"{self.model.id}/llm: tokens at {num(1.5 * max(c.fast_burn, 1.0))}x the daily budget's pace: the budget and fast-burn alerts fire",
            "1m",
            tuple(series),
            (self.exp(t, C.ALERT_LLM_BUDGET, "token_budget", now * 24), self.exp(t, C.ALERT_LLM_BUDGET_BURN, "token_budget_burn", now * 24)),
            (value_check(C.LLM_SPEND_1D, self.lab, minutes(t), now * 24),),
        )

    def dear_mix(self, c: TokenCost, dear: float) -> RuleTest:
        cheap = self.mixes(c)[0]
        (t1, g1), (t2, g2) = self.token_rates(c, cheap, 0.5), self.token_rates(c, dear, 0.5)
        n1, n2 = 70, 61 + self.for_min + 10
        t = n1 + 60 + self.for_min + 2
        series = [
            self.gauge(C.REQUESTS_RATE, [(1.0, n1 + n2)]),
            self.gauge(C.TOKENS_RATE, [(t1, n1), (t2, n2)]),
            self.gauge(C.GENERATION_TOKENS_RATE, [(g1, n1), (g2, n2)]),
        ]
        value = self.cost_now(c, t2, g2) / (t2 * USD_PER_HOUR)
        return RuleTest(
            f"{self.model.id}/llm: generated tokens from {num(cheap)} to {num(dear)} of all: the blended cost per 1,000 tokens exceeds {num(c.max_per_1k or 0)}",
            "1m",
            tuple(series),
            (*self.quiet(n1 - 1, C.ALERT_LLM_COST_1K), self.exp(t, C.ALERT_LLM_COST_1K, "token_cost", value)),
        )

    def level(self, e: Evaluation) -> float:
        """A healthy score: 0.8, or 0.2 above the floor."""
        return 0.8 if e.min is None else e.min + 0.2

    def evaluation(self, e: Evaluation) -> RuleTest:
        """A steady score (long enough for the drift baseline), then a drop below the floor and the baseline."""
        w = int(e.window // 60)
        hist = (int(e.min_history // 60) + w + 30) if e.drift else w + 10
        level = self.level(e)
        low = min(level - e.max_drop - 0.1, (e.min if e.min is not None else level) - 0.1)
        ck = Clock(self.model)
        n2 = w + self.for_min + 10 + ck.margin
        vals: list[float | None] = [*([level] * hist), *([low] * n2)]

        def means(s: float) -> float | None:
            """The recorded window mean at evaluation ``s`` (seconds): the 1m samples in [s - w, s]."""
            lo, hi = math.ceil(s / 60.0 - 1e-9) - w, math.floor(s / 60.0 + 1e-9)
            xs = [v for v in vals[max(0, lo) : hi + 1] if v is not None]
            return sum(xs) / len(xs) if xs else None

        def baseline(s: float) -> float | None:
            """The mean of the recorded means of the evaluations in [s - w - baseline, s - w]
            (one per evaluation: ``history_samples`` counts them at the model's interval)."""
            end = s - w * 60.0
            xs = [m for m in (means(x) for x in ck.evals(end - e.baseline, end)) if m is not None] if end >= 0 else []
            return sum(xs) / len(xs) if len(xs) >= e.history_samples else None

        conds: dict[str, tuple[str, Callable[[float], bool]]] = {}
        if e.min is not None:
            conds[C.ALERT_LLM_EVAL_LOW] = ("evaluation", lambda s: (means(s) or 0) < (e.min or 0))
        if e.drift:
            conds[C.ALERT_LLM_EVAL_DRIFT] = ("evaluation_drift", lambda s: (b := baseline(s)) is not None and (means(s) or 0) < b - e.max_drop)
        t = int(ck.next(hist + w + self.for_min + 3 + ck.margin))
        quiet_at = ck.before(hist * 60.0)
        ev = {C.L_EVALUATION: e.name}
        checks: list[AlertCheck] = []
        for alert, (check, cond) in conds.items():
            for_s = self.for_min * 60.0
            if any(ck.fires(cond, s, for_s) for s in ck.evals(0, quiet_at)) or not ck.fires(cond, t * 60.0, for_s):
                raise AssertionError(f"design error: {alert} of {self.model.id}/{e.name} does not fire only after the drop")
            checks += [AlertCheck(at(quiet_at), alert, ()), self.exp(t, alert, check, means(t * 60.0), **ev)]
        return RuleTest(
            f"{self.model.id}/llm: {e.name} score steady at {num(level)} for {format_duration(60 * hist)}, then {num(round(low, 6))}: "
            + " and ".join(sorted(conds))
            + (" fire" if len(conds) > 1 else " fires"),
            "1m",
            (self.gauge(C.REQUESTS_RATE, [(1.0, len(vals))]), (evaluation_series(e), gauge_steps([(level, hist), (low, n2)])[0])),
            tuple(checks),
        )

    def nodata(self) -> list[RuleTest]:
        inputs = nodata_inputs(self.model, self.llm)
        if not inputs:
            return []
        nd = int(self.llm.no_data_for // 60)
        exp = [self.exp(nd + 2, C.ALERT_LLM_NODATA, check, None, C.SEVERITY_TICKET, **extra) for check, _, extra in inputs]
        fired = AlertCheck(minutes(nd + 2), C.ALERT_LLM_NODATA, tuple(a for c in exp for a in c.exp_alerts))
        others = self.quiet(nd + 2, *sorted({r.alert for r in self.rules} - {C.ALERT_LLM_NODATA}))
        return [
            RuleTest(
                f"{self.model.id}/llm: requests served but no token, queue or score series: MLModelLLMNoData fires for each input, nothing else",
                "1m",
                (self.gauge(C.REQUESTS_RATE, [(1.0, nd + 5)]),),
                (AlertCheck(minutes(nd - 2), C.ALERT_LLM_NODATA, ()), fired, *others),
            ),
            RuleTest(
                f"{self.model.id}/llm: no requests and no inputs: nothing fires",
                "1m",
                (self.gauge(C.REQUESTS_RATE, [(0.0, nd + 5)]),),
                (AlertCheck(minutes(nd + 2), C.ALERT_LLM_NODATA, ()),),
            ),
        ]

    def all(self) -> list[RuleTest]:
        llm = self.llm
        out = [self.healthy()] if self.rules else []
        if llm.min_tokens_per_second is not None:
            m = llm.min_tokens_per_second
            out.append(self.threshold(C.ALERT_LLM_TOKENS_LOW, "tokens", C.GENERATION_TOKENS_RATE, 2 * m, m / 2, "generated tokens/s"))
        if llm.max_queue is not None:
            q = llm.max_queue
            out.append(self.threshold(C.ALERT_LLM_QUEUE, "queue", C.QUEUE_MEAN, q / 2, 2 * q, "mean queue time"))
        c = llm.cost
        if c is not None and c.daily_budget is not None and self.per_1k(c, 0.5) > 0:
            out.append(self.budget(c))
        dear = self.mixes(c)[1] if c is not None else None
        if c is not None and dear is not None:
            out.append(self.dear_mix(c, dear))
        out += [self.evaluation(e) for e in llm.evaluations if e.min is not None or e.drift]
        return out + self.nodata()


def rule_tests(model: Any, llm: LLM) -> list[RuleTest]:
    return slo_cases.rule_tests(model, llm.slos) + LLMCases(model, llm).all()
