"""The fairness promtool cases. Counters grow linearly from 0 at t=0, so increase() over the
window is exactly the count since 0 (no extrapolation while t < window) and every expected value
is computed here from the per-minute increments."""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import AlertCheck, AlertRule, ExpAlert, ExprCheck, RuleTest
from mlmon.compiler.units import format_duration, num
from mlmon.monitors.fairness import schema as D
from mlmon.monitors.fairness.alerts import alert_rules, labels
from mlmon.monitors.fairness.compile import Fairness
from mlmon.monitors.testkit import exp_alert, linear_counter, value_check

Groups = dict[str, tuple[float, float]]  # group -> (per minute, rate)


class FairnessCases:
    def __init__(self, model: Any, f: Fairness):
        self.model, self.f = model, f
        self.form = int(f.for_ // 60)
        self.rules: list[AlertRule] = alert_rules(model, f)
        self.min_ratio = f.dp_min_ratio or D.DP_MIN_RATIO  # without the ratio alert: the default

    def _counters(self, metric: str, kinds: tuple[tuple[str, float], ...], g: str, n: int) -> list[tuple[str, str]]:
        lab = f'{C.L_MODEL}="{self.model.id}",{self.f.group_label}="{g}"'
        return [(f"{metric}{{{lab},{k}}}", linear_counter(per_min, n)) for k, per_min in kinds]

    def decisions(self, groups: Groups, n: int) -> list[tuple[str, str]]:
        """groups: name -> (decisions per minute, selection rate)."""
        out = []
        for g, (per_min, sr) in sorted(groups.items()):
            kinds = ((f'{C.L_POSITIVE}="true"', per_min * sr), (f'{C.L_POSITIVE}="false"', per_min * (1 - sr)))
            out += self._counters(C.PREDICTIONS_TOTAL, kinds, g, n)
        return out

    def outcomes(self, groups: Groups, n: int) -> list[tuple[str, str]]:
        """groups: name -> (actual positives per minute, TPR)."""
        out = []
        for g, (per_min, tpr) in sorted(groups.items()):
            kinds = (('outcome="tp"', per_min * tpr), ('outcome="fn"', per_min * (1 - tpr)), ('outcome="tn"', per_min * 2))
            out += self._counters(C.OUTCOMES_TOTAL, kinds, g, n)
        return out

    def groups_for(self, rates: tuple[float, ...]) -> Groups:
        """Named groups (the spec's listed groups first) with enough decisions per minute to pass
        min_samples after a third of the run."""
        names = list(self.f.groups) + [g for g in ("g1", "g2", "g3") if g not in self.f.groups]
        rates = rates + (rates[1],) * (len(names) - len(rates))  # listed groups beyond the third: the middle rate
        per_min = max(10.0, float(self.f.min_samples) / 10)
        return {names[i]: (per_min, r) for i, r in enumerate(rates) if i < len(names)}

    def _exp(self, alert: str, check: str, value: float | None = None, group: str | None = None) -> ExpAlert:
        severity = C.SEVERITY_TICKET if alert == C.ALERT_FAIR_LOW_SAMPLES else None
        lab = labels(self.model, self.f, check, severity)
        if group is not None:
            lab[C.L_GROUP] = group
        return exp_alert(self.rules, alert, lab, value)

    def _low_sample_alerts(self) -> tuple[ExpAlert, ...]:
        exp = [self._exp(C.ALERT_FAIR_LOW_SAMPLES, "demographic_parity")]
        exp += [self._exp(C.ALERT_FAIR_LOW_SAMPLES, "groups", group=g) for g in self.f.groups]
        if self.f.eo_max_difference is not None:
            exp.append(self._exp(C.ALERT_FAIR_LOW_SAMPLES, "equal_opportunity"))
        return tuple(exp)

    def all(self) -> list[RuleTest]:
        return [self.healthy(), self.disparity(), self.low_samples(), self.no_series()]

    def no_series(self) -> RuleTest:
        n = self.form + 2
        return RuleTest(
            f"{self.model.id}/fairness: no decision counters at all: the low-sample alert fires after {format_duration(self.f.for_)}",
            "1m",
            (),
            (AlertCheck(f"{n}m", C.ALERT_FAIR_LOW_SAMPLES, self._low_sample_alerts()),),
        )

    def healthy(self) -> RuleTest:
        f, mid = self.f, self.model.id
        n = self.form + 30
        lo = 0.30 * (1 + self.min_ratio) / 2  # ratio halfway between the threshold and parity
        if f.dp_max_difference is not None:
            lo = max(lo, 0.30 - f.dp_max_difference / 2)
        rates = (0.30, round((0.30 + lo) / 2, 6), round(lo, 6))
        groups = self.groups_for(rates)
        # a tiny group far below min_samples with a very low rate: left out, or the ratio would alert
        tiny = "tiny-group" if "tiny-group" not in groups else "tiny-group-2"
        tiny_per_min = max(0.001, (f.min_samples - 1) / (n * 2.0))
        series = self.decisions(groups, n) + self.decisions({tiny: (tiny_per_min, 0.02)}, n)
        srs = {g: (pm * sr * n) / (pm * n) for g, (pm, sr) in groups.items()}
        srs[tiny] = (tiny_per_min * 0.02 * n) / (tiny_per_min * n)
        assessed = [srs[g] for g in groups]
        ev, m = f"{n}m", f'{C.L_MODEL}="{mid}"'
        checks = [value_check(C.FAIR_SELECTION_RATE, f'{C.L_GROUP}="{g}",{m}', ev, v) for g, v in sorted(srs.items())]
        checks += [
            value_check(C.FAIR_DP_DIFFERENCE, m, ev, max(assessed) - min(assessed)),
            value_check(C.FAIR_DP_RATIO, m, ev, min(assessed) / max(assessed)),
            value_check(C.FAIR_SR_GROUPS, m, ev, float(len(assessed))),
        ]
        if f.eo_max_difference is not None:
            series, more = self._healthy_opportunity(groups, n, series)
            checks += more
        return RuleTest(
            f"{mid}/fairness: selection rates {', '.join(num(r) for r in rates)} (a tiny group at 0.02 below min_samples is left out): exact rates, nothing fires",
            "1m",
            tuple(series),
            tuple(AlertCheck(ev, a, ()) for a in sorted({r.alert for r in self.rules})),
            tuple(checks),
        )

    def _healthy_opportunity(self, groups: Groups, n: int, series: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], list[ExprCheck]]:
        f, ev, m = self.f, f"{n}m", f'{C.L_MODEL}="{self.model.id}"'
        assert f.eo_max_difference is not None
        spread = min(0.05, f.eo_max_difference / 2)
        tprs = {g: 0.9 - spread * i / max(1, len(groups) - 1) for i, g in enumerate(groups)}
        pos_per_min = max(2.0, f.min_positives / 10)
        series = series + self.outcomes({g: (pos_per_min, v) for g, v in tprs.items()}, n)
        checks = [value_check(C.FAIR_TPR, f'{C.L_GROUP}="{g}",{m}', ev, v) for g, v in sorted(tprs.items())]
        checks.append(value_check(C.FAIR_EO_DIFFERENCE, m, ev, max(tprs.values()) - min(tprs.values())))
        return series, checks

    def disparity(self) -> RuleTest:
        """One group's selection rate (and TPR) far below the others: the parity alerts fire after ``for``."""
        f = self.f
        lo = 0.30 * self.min_ratio * 0.8
        if f.dp_max_difference is not None:
            lo = min(lo, 0.30 - f.dp_max_difference * 1.5)
        lo = max(lo, 0.001)
        groups = self.groups_for((0.30, 0.28, lo))
        per_min = next(iter(groups.values()))[0]
        gate = int(-(-f.min_samples // per_min))  # minutes until a group has min_samples decisions
        n = gate + self.form + 10
        series = self.decisions(groups, n)
        ratio = (per_min * lo * n) / (per_min * n) / 0.30
        diff = 0.30 - (per_min * lo * n) / (per_min * n)
        quiet, end = f"{max(1, gate - 2)}m", f"{n}m"
        checks = []
        for alert, value, on in ((C.ALERT_FAIR_DP_RATIO, ratio, f.dp_min_ratio), (C.ALERT_FAIR_DP_DIFFERENCE, diff, f.dp_max_difference)):
            if on is not None:
                checks += [AlertCheck(quiet, alert, ()), AlertCheck(end, alert, (self._exp(alert, "demographic_parity", value),))]
        if f.eo_max_difference is not None:
            pos_per_min = max(2.0, f.min_positives / 10)
            tlo = max(0.0, 0.9 - f.eo_max_difference * 2)
            series += self.outcomes({g: (pos_per_min, 0.9 if i < 2 else tlo) for i, g in enumerate(groups)}, n)
            if int(-(-f.min_positives // pos_per_min)) + self.form + 2 <= n:
                checks.append(AlertCheck(end, C.ALERT_FAIR_EO_DIFFERENCE, (self._exp(C.ALERT_FAIR_EO_DIFFERENCE, "equal_opportunity", 0.9 - tlo),)))
        checks.append(AlertCheck(end, C.ALERT_FAIR_LOW_SAMPLES, ()))
        return RuleTest(
            f"{self.model.id}/fairness: one group selected at {num(round(lo, 4))} vs 0.30: the parity alerts fire after {format_duration(f.for_)}",
            "1m",
            tuple(series),
            tuple(checks),
        )

    def low_samples(self) -> RuleTest:
        """Every group below min_samples: the low-sample alert fires, the parity alerts stay quiet
        (their inputs are absent)."""
        f = self.f
        n = self.form + 10
        per_min = (f.min_samples - 1) / (n * 3.0)
        groups = {g: (per_min, 0.3 if i else 0.01) for i, g in enumerate(self.groups_for((0.3, 0.3, 0.3)))}
        checks = [AlertCheck(f"{n}m", C.ALERT_FAIR_LOW_SAMPLES, self._low_sample_alerts())]
        defined = {r.alert for r in self.rules}
        for a in (C.ALERT_FAIR_DP_RATIO, C.ALERT_FAIR_DP_DIFFERENCE, C.ALERT_FAIR_EO_DIFFERENCE):
            if a in defined:  # only alerts the rule file defines (else promtool passes vacuously)
                checks.append(AlertCheck(f"{n}m", a, ()))
        return RuleTest(
            f"{self.model.id}/fairness: every group below {f.min_samples} decisions (one at 0.01): low-sample alert, no parity alert",
            "1m",
            tuple(self.decisions(groups, n)),
            tuple(checks),
        )


def rule_tests(model: Any, f: Fairness) -> list[RuleTest]:
    return FairnessCases(model, f).all()
