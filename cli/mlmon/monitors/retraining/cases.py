"""promtool rule tests for the retraining monitor: each configured trigger fires
MLModelRetrainingTriggered with its ``reason`` and ``action="retrain"`` (a stale version, drift
at its level, performance below its level, on the labelled traffic of ``monitors.quality``), and
healthy data with a fresh model triggers nothing."""

from __future__ import annotations

import math
from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import AlertCheck, ExpAlert, RuleTest
from mlmon.compiler.units import fmt_float
from mlmon.monitors.quality import (
    V1,
    base_labels,
    base_rate,
    breaches,
    info_series,
    label_series,
    pick_healthy,
    pick_low,
    timing,
    traffic,
    traffic_series,
    trained_series,
    values,
)
from mlmon.monitors.retraining.compile import Retraining
from mlmon.monitors.retraining.rules import labels, rule_groups, trigger_exprs
from mlmon.monitors.steps import Clock, case_interval, coarse_step
from mlmon.monitors.testkit import alert_rules, at, exp_alert, series

V0 = "v0"  # an older version, no longer served


class _Cases:
    def __init__(self, model: Any, r: Retraining):
        self.model, self.r = model, r
        self.rules = alert_rules(rule_groups(model, r))
        self.fr = int(math.ceil(r.for_ / 60))  # minutes
        # the firing check, on an evaluation of the case's step; inputs run 8 minutes beyond it.
        # The inputs of these cases are constant, so one longer than COARSE_MINUTE_CASE (a for: of
        # an hour or more) evaluates every 5m when the model's interval is shorter (steps.coarse_step)
        step = coarse_step(model, (self.fr + 2) * 60.0)
        ck = Clock(model, step)
        self.t = int(ck.next(self.fr + 2 + ck.margin))
        self.n = self.t + 8
        self.t_fire = at(self.t * 60)
        self.every = case_interval(model, (self.fr + 2) * 60.0, coarse=True)  # that step, None when the model's
        self.exprs = trigger_exprs(model, r)

    def fired(self, reason: str, value: float) -> tuple[ExpAlert, ...]:
        return (exp_alert(self.rules, C.ALERT_RETRAIN, labels(self.model, reason), value),)

    def scores(self, drift: Any, level: Any, n: int) -> list[tuple[str, str]]:
        """Every feature's drift score at ``level(feature)`` for ``n`` minutes."""
        return [(series(C.DRIFT_FEATURE_SCORE, {C.L_MODEL: self.model.id, "feature": d.name}), f"{fmt_float(level(d))}x{n}") for d in drift.features]

    def staleness(self) -> RuleTest:
        stale = self.model.section("versions").stale_for_retraining
        n = self.n
        return RuleTest(
            f"retraining {self.model.id}: the served version is older than {at(stale)}: {C.ALERT_RETRAIN} fires with reason=staleness",
            "1m",
            (info_series(self.model, V1, f"1x{n}"), trained_series(self.model, V1, f"{fmt_float(-(stale + 3600.0))}x{n}")),
            (AlertCheck(self.t_fire, C.ALERT_RETRAIN, self.fired("staleness", self.t * 60 + stale + 3600.0)),),
            evaluation_interval=self.every,
            uses=(),  # reads the training timestamp itself
        )

    def drift(self, drift: Any) -> RuleTest:
        level = (lambda d: d.critical) if self.r.drift_level == "critical" else (lambda d: d.warn)
        return RuleTest(
            f"retraining {self.model.id}: every feature drifts to its {self.r.drift_level} level: {C.ALERT_RETRAIN} fires with reason=drift",
            "1m",
            tuple(self.scores(drift, level, self.n)),
            (AlertCheck(self.t_fire, C.ALERT_RETRAIN, self.fired("drift", float(len(drift.features)))),),
            evaluation_interval=self.every,
            uses=("drift",),  # the features' levels
        )

    def performance(self, perf: Any, drift: Any, triggered: bool) -> list[RuleTest]:
        """Quality below its level (when that trigger is on), and healthy quality with no drift and a fresh version."""
        model, r = self.model, self.r
        t = timing(perf)
        steps = t.n(t.W)
        b = base_rate(perf, steps)
        t_p = t.up(t.W + t.D + r.for_ + t.unit)
        n = t.n(t_p) + 1
        lab = traffic(perf, 1.0, b).labelled()
        out = []
        if triggered:
            low = traffic(perf, pick_low(perf, b, steps), b)
            level = 1 if r.performance_level == "critical" else 0
            breached = float(sum(1 for (mm, _), v in values(perf, low.scaled(steps)).items() if breaches(mm, v, perf.thresholds(mm)[level])))
            out.append(
                t.case(
                    f"retraining {model.id}: quality below its {r.performance_level} level: {C.ALERT_RETRAIN} fires with reason=performance",
                    traffic_series(model, perf, V1, [(low, n)]) + label_series(model, V1, [(lab * 2, n)], [(lab, n)]),
                    (AlertCheck(at(t_p), C.ALERT_RETRAIN, self.fired("performance", breached)),),
                )
            )
        healthy = traffic(perf, pick_healthy(perf, b, steps), b)
        inputs = traffic_series(model, perf, V1, [(healthy, n)]) + label_series(model, V1, [(lab * 2, n)], [(lab, n)])
        inputs += [info_series(model, V1, f"1x{n}"), trained_series(model, V1, f"{fmt_float(float(t_p))}x{n}")]
        if drift is not None:
            inputs += self.scores(drift, lambda d: 0, n)
        joined = self.labels_firing(lab, t.step, t.unit, t_p) if "new_labels" in self.exprs else None
        what = "no retraining is triggered" if joined is None else f"only the {joined:g} labels joined trigger retraining (new_labels)"
        out.append(
            t.case(
                f"retraining {model.id}: healthy quality, no drift, a fresh version: {what}",
                inputs,
                (AlertCheck(at(t_p), C.ALERT_RETRAIN, () if joined is None else self.fired("new_labels", joined)),),
            )
        )
        return out

    def labels_firing(self, per_step: int, step: int, unit: int, t_end: int) -> float | None:
        """The value of the new_labels trigger at ``t_end`` for labels growing by ``per_step`` from
        0 (None: not firing), evaluated every ``unit`` seconds."""
        lookback = self.r.new_labels_lookback

        def joined(t: int) -> float:
            if lookback < t and lookback % step:
                raise AssertionError("design error: the new_labels lookback is not a multiple of the input step")
            return float(per_step * (min(t, lookback) // step))

        start = next((t for t in range(unit, t_end + 1, unit) if t >= step and joined(t) >= self.r.new_labels_min), None)
        return joined(t_end) if start is not None and t_end - start >= self.r.for_ else None

    def feedback_series(self, ratio: float, mean: float, n: int) -> list[tuple[str, str]]:
        m = {C.L_MODEL: self.model.id}
        return [(series(C.FB_NEGATIVE_RATIO, m), f"{fmt_float(ratio)}x{n}"), (series(C.FB_BASELINE_MEAN, m), f"{fmt_float(mean)}x{n}")]

    def feedback(self) -> RuleTest:
        mean = 0.1
        ratio = round(min(1.0, mean + self.r.feedback_decline + 0.1), 6)
        return RuleTest(
            f"retraining {self.model.id}: negative feedback {fmt_float(ratio)} against a trailing mean of {fmt_float(mean)}: "
            f"{C.ALERT_RETRAIN} fires with reason=feedback",
            "1m",
            tuple(self.feedback_series(ratio, mean, self.n)),
            (AlertCheck(self.t_fire, C.ALERT_RETRAIN, self.fired("feedback", ratio - mean)),),
            evaluation_interval=self.every,
            uses=(),
        )

    def new_labels(self) -> RuleTest:
        """The served version v1 gets ``min`` labels a minute; labels of an older version do not count."""
        ck = Clock(self.model)  # at the model's interval: the counter's value at the check is counted in minutes
        t = int(ck.next(self.fr + 2 + ck.margin))
        n, k = t + 8, self.r.new_labels_min
        joined = [(series(C.LABELS_JOINED_TOTAL, {**base_labels(self.model), C.L_VERSION: v}), f"0+{k}x{n}") for v in (V0, V1)]
        return RuleTest(
            f"retraining {self.model.id}: {k} labels a minute joined to the served version: {C.ALERT_RETRAIN} fires with reason=new_labels",
            "1m",
            (info_series(self.model, V1, f"1x{n}"), *joined),
            (AlertCheck(at(t * 60), C.ALERT_RETRAIN, self.fired("new_labels", float(k * t))),),
            uses=(),
        )

    def quiet(self, drift: Any) -> RuleTest:
        n = self.n
        inputs = [info_series(self.model, V1, f"1x{n}"), trained_series(self.model, V1, f"0x{n}")]
        if drift is not None:
            inputs += self.scores(drift, lambda d: 0, n)
        if "feedback" in self.exprs:
            inputs += self.feedback_series(0.1, 0.1, n)
        if "new_labels" in self.exprs:
            inputs.append((series(C.LABELS_JOINED_TOTAL, {**base_labels(self.model), C.L_VERSION: V1}), f"0x{n}"))
        return RuleTest(
            f"retraining {self.model.id}: no drift and a fresh version: no retraining is triggered",
            "1m",
            tuple(inputs),
            (AlertCheck(self.t_fire, C.ALERT_RETRAIN),),
            evaluation_interval=self.every,
        )


def rule_tests(model: Any, r: Retraining) -> list[RuleTest]:
    exprs = trigger_exprs(model, r)
    if not exprs:
        return []
    c = _Cases(model, r)
    perf, drift = model.section("performance"), model.section("drift")
    out = [c.staleness()] if "staleness" in exprs else []
    if "drift" in exprs:
        out.append(c.drift(drift))
    out += [c.feedback()] if "feedback" in exprs else []
    out += [c.new_labels()] if "new_labels" in exprs else []
    out += c.performance(perf, drift, "performance" in exprs) if perf is not None else [c.quiet(drift)]
    return out
