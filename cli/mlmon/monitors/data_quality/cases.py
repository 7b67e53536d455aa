"""The data-quality promtool cases: clean traffic (exact rates, nothing fires) turning bad (every
check's alert fires for every feature), no checked features while serving (no-data), too few
checked requests (no-data; the rate alerts stay quiet however bad the data), and no traffic at all
(nothing fires). Counters grow by whole numbers from 0 every minute, and rates are checked once a
whole window has samples at both ends, so every value is exact."""

from __future__ import annotations

import math
from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import AlertCheck, AlertRule, ExpAlert, RuleTest
from mlmon.compiler.units import format_duration
from mlmon.monitors.data_quality.compile import DataQuality
from mlmon.monitors.data_quality.rules import alert_rules, labels, ratio_name, sel
from mlmon.monitors.quality import base_labels
from mlmon.monitors.testkit import counter_segments, exp_alert, linear_counter, series, value_check


class DataQualityCases:
    def __init__(self, model: Any, dq: DataQuality):
        self.model, self.dq = model, dq
        self.rules: list[AlertRule] = alert_rules(model, dq)
        self.w = int(dq.window // 60)
        self.for_min = int(dq.for_ // 60)
        self.nd_min = int(dq.no_data_for // 60)
        self.rows = 100 * max(1, math.ceil(2 * dq.min_samples / (100 * self.w)))  # checked requests a minute
        self.lab = f'{C.L_MODEL}="{model.id}"'

    def counter(self, check: str, feature: str) -> str:
        extra = {"reason": "absent"} if check == "schema" else {}
        return series(C.DQ_COUNTERS[check], {**base_labels(self.model), C.L_VERSION: "v1", C.L_FEATURE: feature, **extra})

    def rows_series(self, per_min: int, n: int) -> tuple[str, str]:
        return (series(C.FEATURE_ROWS_TOTAL, {**base_labels(self.model), C.L_VERSION: "v1"}), linear_counter(per_min, n))

    def requests(self, rate: float, n: int) -> tuple[str, str]:
        return (f"{C.REQUESTS_RATE}{sel(self.model)}", f"{rate:g}+0x{n}")

    def healthy(self, ceiling: float) -> int:
        return math.floor(ceiling * self.rows / 2)

    def bad(self, ceiling: float) -> int:
        return min(self.rows, math.floor(ceiling * self.rows) + max(1, self.rows // 10))

    def _exp(self, alert: str, check: str, value: float | None, **extra: str) -> ExpAlert:
        severity = C.SEVERITY_TICKET if alert == C.ALERT_DQ_NODATA else None
        return exp_alert(self.rules, alert, {**labels(self.model, self.dq, check, severity), **extra}, value)

    def all(self) -> list[RuleTest]:
        return [self.turning_bad(), self.no_series(), self.too_few(), self.idle()]

    def turning_bad(self) -> RuleTest:
        n1, n2 = self.w + 5, self.w + self.for_min + 10
        inputs = [self.rows_series(self.rows, n1 + n2)]
        exprs, checks = [], []
        end = n1 + self.w + self.for_min + 5
        for check in C.DQ_KINDS:
            firing = []
            for f in self.dq.checked(check):
                c = f.ceilings[check]
                good, bad = self.healthy(c), self.bad(c)
                inputs.append((self.counter(check, f.name), counter_segments([(good, n1), (bad, n2)])))
                exprs.append(value_check(ratio_name(check), f'{self.lab},{C.L_FEATURE}="{f.name}"', f"{n1}m", good / self.rows))
                if bad / self.rows > c:
                    firing.append(self._exp(C.ALERT_DQ[check], check, bad / self.rows, **{C.L_FEATURE: f.name}))
            if self.dq.checked(check):
                checks += [AlertCheck(f"{n1}m", C.ALERT_DQ[check]), AlertCheck(f"{end}m", C.ALERT_DQ[check], tuple(firing))]
        checks.append(AlertCheck(f"{end}m", C.ALERT_DQ_NODATA))
        return RuleTest(
            f"{self.model.id}/data_quality: {self.rows} checked requests a minute, clean (exact rates, nothing fires), then above "
            f"every ceiling: each check's alert fires for each feature within {format_duration(self.dq.window + self.dq.for_)}",
            "1m",
            tuple(inputs),
            tuple(checks),
            tuple(exprs),
        )

    def _quiet_rates(self, t: int) -> list[AlertCheck]:
        return [AlertCheck(f"{t}m", C.ALERT_DQ[c]) for c in C.DQ_KINDS if self.dq.checked(c)]

    def no_series(self) -> RuleTest:
        n = self.nd_min + 5
        t = self.nd_min + 2
        return RuleTest(
            f"{self.model.id}/data_quality: the model serves but no feature is checked: {C.ALERT_DQ_NODATA} fires after "
            f"{format_duration(self.dq.no_data_for)}, the rate alerts stay quiet",
            "1m",
            (self.requests(1, n),),
            (AlertCheck(f"{t}m", C.ALERT_DQ_NODATA, (self._exp(C.ALERT_DQ_NODATA, "no_data", None),)), *self._quiet_rates(t)),
        )

    def too_few(self) -> RuleTest:
        """Fewer checked requests than min_samples, every one of them failing every check."""
        n = max(self.nd_min, self.w + self.for_min) + 5
        per_min = max(0, (self.dq.min_samples - 1) // self.w)
        inputs = [self.requests(1, n), self.rows_series(per_min, n)]
        for check in C.DQ_KINDS:
            inputs += [(self.counter(check, f.name), linear_counter(per_min, n)) for f in self.dq.checked(check)]
        t = n - 2
        return RuleTest(
            f"{self.model.id}/data_quality: {per_min} checked requests a minute (below min_samples), all of them bad: "
            f"{C.ALERT_DQ_NODATA} fires, the rate alerts stay quiet",
            "1m",
            tuple(inputs),
            (AlertCheck(f"{t}m", C.ALERT_DQ_NODATA, (self._exp(C.ALERT_DQ_NODATA, "no_data", None),)), *self._quiet_rates(t)),
        )

    def idle(self) -> RuleTest:
        n = self.nd_min + 5
        return RuleTest(
            f"{self.model.id}/data_quality: no traffic and no checked features: nothing fires",
            "1m",
            (self.requests(0, n),),
            (AlertCheck(f"{self.nd_min + 2}m", C.ALERT_DQ_NODATA), *self._quiet_rates(self.nd_min + 2)),
        )


def rule_tests(model: Any, dq: DataQuality) -> list[RuleTest]:
    return DataQualityCases(model, dq).all()
