"""The feedback promtool cases: a day of history then a spike, the ceiling, the rating floor, and
feedback that stops (or never starts) while the model serves. Expected values come from
``FeedbackSim``."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import AlertCheck, AlertRule, ExpAlert, RuleTest
from mlmon.compiler.units import fmt_float, format_duration, num
from mlmon.monitors.feedback.alerts import alert_rules, labels
from mlmon.monitors.feedback.compile import Feedback
from mlmon.monitors.feedback.rules import RATING_COUNT, RATING_SUM
from mlmon.monitors.feedback.sim import FeedbackSim
from mlmon.monitors.steps import Clock
from mlmon.monitors.testkit import counter_values, exp_alert, in_minutes, value_check

Series = list[tuple[str, str]]
CHECKS = {C.ALERT_FB_SPIKE: "negative_ratio", C.ALERT_FB_HIGH: "negative_ratio_max", C.ALERT_FB_RATING: "rating", C.ALERT_FB_STOPPED: "volume"}


class FeedbackCases:
    def __init__(self, model: Any, f: Feedback):
        self.model, self.f = model, f
        self.rules: list[AlertRule] = alert_rules(model, f)
        self.lab = f'{C.L_MODEL}="{model.id}"'
        self.w = int(f.window // 60)
        self.for_min = int(f.for_ // 60)
        self.per_min = max(5.0, math.ceil(2 * f.min_feedback / self.w))  # events per minute
        # checks sit on evaluations; counters are sampled so that every evaluation falls on a sample
        self.ck = Clock(model)
        self.k = round(60 / self.ck.sample_step)  # samples per minute
        self.interval = format_duration(self.ck.sample_step)

    def _exp(self, alert: str, value: float | None) -> ExpAlert:
        severity = C.SEVERITY_TICKET if alert == C.ALERT_FB_STOPPED else None
        return exp_alert(self.rules, alert, labels(self.model, self.f, CHECKS[alert], severity), value)

    def _fires(self, cond: Callable[[float], bool], start: int, end: int, for_s: float) -> float:
        """The first evaluation from minute ``start`` to ``end`` at which an alert on ``cond`` fires."""
        return next(t for t in self.ck.evals(start * 60.0, end * 60.0) if self.ck.fires(cond, t, for_s))

    def counter(self, per_min: list[float]) -> tuple[str, list[float]]:
        """A counter growing by ``per_min[i]`` in minute i, evenly over its samples."""
        return counter_values([x / self.k for x in per_min for _ in range(self.k)])

    def gauge(self, value: float, minutes: int) -> str:
        return f"{fmt_float(value)}+0x{minutes * self.k}"

    def series(self, neg_share: list[float], volume: list[float] | None = None, requests: float = 1.0) -> tuple[Series, FeedbackSim]:
        vol = volume or [self.per_min] * len(neg_share)
        neg_text, neg = self.counter([v * r for v, r in zip(vol, neg_share)])
        pos_text, pos = self.counter([v * (1 - r) for v, r in zip(vol, neg_share)])
        out = [
            (f'{C.FEEDBACK_TOTAL}{{{self.lab},kind="negative"}}', neg_text),
            (f'{C.FEEDBACK_TOTAL}{{{self.lab},kind="positive"}}', pos_text),
            (f"{C.REQUESTS_RATE}{{{self.lab}}}", self.gauge(requests, len(neg_share))),
        ]
        return out, FeedbackSim(self.f, pos, neg, self.ck)

    def history_shares(self, mean: float = 0.1) -> list[float]:
        """Alternating half-days at 80% and 120% of ``mean`` negative feedback (a baseline with spread)."""
        hist = int(self.f.min_history // 60) + self.w + 30
        lo, hi = round(0.8 * mean, 6), round(1.2 * mean, 6)
        return [lo if (i // 720) % 2 == 0 else hi for i in range(hist)]

    def spike_plans(self) -> list[tuple[str, list[float], float]]:
        """(history text, history shares, spike level) to try in order: 8-12% history and a jump
        well above it; for a large ``k`` or ``min_increase``, a history that leaves room above it
        (a flat one has stddev 0, so then only ``min_increase`` must be cleared)."""
        mi = self.f.min_increase
        plans = [("8-12%", self.history_shares(), min(0.12 + max(mi, 0.1) * 3, 0.95))]
        plans.append(("0.8-1.2%", self.history_shares(0.01), min(0.012 + max(mi, 0.01) * 3, 1.0)))
        plans.append(("no", self.history_shares(0.0), 1.0))
        return plans

    def all(self) -> list[RuleTest]:
        f = self.f
        out = [self.spike()] if f.spike else []
        if f.max_negative_ratio is not None:
            out.append(self.ceiling(f.max_negative_ratio))
        if f.min_rating is not None:
            out.append(self.rating(f.min_rating))
        return out + self.stopped()

    def spike(self) -> RuleTest:
        """A day of 8-12% negative feedback (exact values, nothing fires), then a jump: the spike
        alert fires (on a lower or flat history when ``k`` or ``min_increase`` need one). One case, so the day of history is evaluated once."""
        f = self.f
        for plan in self.spike_plans():
            text, history, lvl = plan
            start = len(history)
            shares = history + [lvl] * (self.w + self.for_min + 30)
            series, sim = self.series(shares)
            end = (len(shares) - 1) * 60.0
            if any(self.ck.fires(sim.spike, t, f.for_) for t in self.ck.evals(0, self.ck.before(start * 60.0))):
                raise AssertionError("design error: healthy feedback spikes")
            t_fire = next((t for t in self.ck.evals(start * 60.0, end) if self.ck.fires(sim.spike, t, f.for_)), None)
            if t_fire is not None and self.ck.next_s(t_fire + 120) <= end:
                break
        else:
            # lint rejects min_increase >= 1 (MLM350), the only setting no history lets fire
            raise AssertionError(f"design error: no feedback spike fires for {self.model.id}")
        quiet = self.ck.before(start * 60.0)
        ev = in_minutes(quiet)
        b = sim.baseline(quiet)
        if b is None:
            raise AssertionError("design error: no baseline before the spike")
        exprs = (
            value_check(C.FB_EVENTS, self.lab, ev, sim.events(quiet)),
            value_check(C.FB_NEGATIVE_RATIO, self.lab, ev, sim.ratio(quiet) or 0.0),
            value_check(C.FB_BASELINE_MEAN, self.lab, ev, b[0]),
            value_check(C.FB_BASELINE_STDDEV, self.lab, ev, b[1]),
        )
        checks = [AlertCheck(ev, r.alert, ()) for r in self.rules if r.alert != C.ALERT_FB_RATING]
        fired = self.ck.next_s(t_fire + 120)
        checks.append(AlertCheck(in_minutes(fired), C.ALERT_FB_SPIKE, (self._exp(C.ALERT_FB_SPIKE, sim.ratio(fired)),)))
        return RuleTest(
            f"{self.model.id}/feedback: a day of {text} negative feedback raises nothing (exact ratio, volume, baseline); "
            f"a jump to {num(round(lvl, 3))} raises the spike alert within {num((t_fire - start * 60) / 60)}m",
            self.interval,
            tuple(series),
            tuple(checks),
            exprs,
        )

    def ceiling(self, ceiling: float) -> RuleTest:
        lvl, low = min(0.99, ceiling + 0.1), max(0.0, ceiling - 0.1)
        n1, n2 = self.w + 10, self.w + self.for_min + 10
        series, sim = self.series([low] * n1 + [lvl] * n2)
        t_fire = self._fires(lambda t: (sim.ratio(t) or 0) > ceiling, n1, n1 + n2 - 1, self.f.for_)
        fired = self.ck.next_s(t_fire + 60)
        return RuleTest(
            f"{self.model.id}/feedback: negative share {num(low)} then {num(lvl)}: the ceiling alert fires after {format_duration(self.f.for_)}",
            self.interval,
            tuple(series),
            (
                AlertCheck(in_minutes(self.ck.before(n1 * 60.0)), C.ALERT_FB_HIGH, ()),
                AlertCheck(in_minutes(fired), C.ALERT_FB_HIGH, (self._exp(C.ALERT_FB_HIGH, sim.ratio(fired)),)),
            ),
        )

    def rating(self, floor: float) -> RuleTest:
        f, w = self.f, self.w
        good, bad = floor + 1.0, floor - 1.0
        n1, n2 = w + 5, w + self.for_min + 10
        count_text, count = self.counter([self.per_min] * (n1 + n2))
        sum_text, total = self.counter([self.per_min * good] * n1 + [self.per_min * bad] * n2)
        sim = FeedbackSim(f, count, total, self.ck)

        def mean(t: float) -> float | None:
            c = sim.inc(count, t)
            return sim.inc(total, t) / c if c >= f.min_feedback else None

        def low(t: float) -> bool:
            m = mean(t)
            return m is not None and m < floor

        t_fire = self._fires(low, n1, n1 + n2 - 1, f.for_)
        fired, quiet = self.ck.next_s(t_fire + 60), self.ck.before(n1 * 60.0)
        series = ((f"{RATING_SUM}{{{self.lab}}}", sum_text), (f"{RATING_COUNT}{{{self.lab}}}", count_text))
        return RuleTest(
            f"{self.model.id}/feedback: mean rating {num(good)} then {num(bad)}: the rating alert fires after {format_duration(f.for_)}",
            self.interval,
            series,
            (
                AlertCheck(in_minutes(quiet), C.ALERT_FB_RATING, ()),
                AlertCheck(in_minutes(fired), C.ALERT_FB_RATING, (self._exp(C.ALERT_FB_RATING, mean(fired)),)),
            ),
            (value_check(C.FB_RATING_MEAN, self.lab, in_minutes(quiet), mean(quiet) or 0.0),),
        )

    def stopped(self) -> list[RuleTest]:
        f = self.f
        run = self.w + 10
        sf = int(f.stopped_for // 60)
        n = run + self.w + sf + 10
        shares, volume = [0.1] * run + [0.0] * (n - run), [self.per_min] * run + [0.0] * (n - run)
        series, sim = self.series(shares, volume)
        t_fire = self._fires(lambda t: sim.events(t) < f.min_feedback, run, n - 1, f.stopped_for)
        fired = in_minutes(self.ck.next_s(t_fire + 120))
        exp = (self._exp(C.ALERT_FB_STOPPED, None),)
        idle, _ = self.series(shares, volume, requests=0.0)
        requests_first = [x for x in idle if not x[0].startswith(C.FEEDBACK_TOTAL)] + [x for x in idle if x[0].startswith(C.FEEDBACK_TOTAL)]
        return [
            RuleTest(
                f"{self.model.id}/feedback: feedback stops at {run}m while serving: MLModelFeedbackStopped fires after {format_duration(f.stopped_for)}",
                self.interval,
                tuple(series),
                (AlertCheck(in_minutes(self.ck.last_s(run * 60.0)), C.ALERT_FB_STOPPED, ()), AlertCheck(fired, C.ALERT_FB_STOPPED, exp)),
            ),
            RuleTest(
                f"{self.model.id}/feedback: no feedback series at all while serving: MLModelFeedbackStopped fires",
                self.interval,
                ((f"{C.REQUESTS_RATE}{{{self.lab}}}", self.gauge(1.0, sf + 5)),),
                (AlertCheck(in_minutes(self.ck.next_s((sf + 2) * 60.0)), C.ALERT_FB_STOPPED, exp),),
            ),
            RuleTest(
                f"{self.model.id}/feedback: no traffic, no feedback: nothing fires",
                self.interval,
                tuple(requests_first),
                (AlertCheck(fired, C.ALERT_FB_STOPPED, ()),),
            ),
        ]


def rule_tests(model: Any, f: Feedback) -> list[RuleTest]:
    return FeedbackCases(model, f).all()
