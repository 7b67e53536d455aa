"""promtool rule tests of ``drift_scores``, with input series in the library's own dialect:
healthy values raise nothing (and are recorded exactly), one drifted feature (or a high share of
flagged detector runs) fires both levels, enough drifted features fire the dataset alert, and no values at all raise the no-data alert."""

from __future__ import annotations

import math
from typing import Any

from mlmon import conventions as C
from mlmon import presets as P
from mlmon.artifacts import AlertCheck, ExpAlert, RuleTest
from mlmon.compiler.units import format_duration
from mlmon.monitors.drift_scores import rules as R
from mlmon.monitors.drift_scores import schema as D
from mlmon.monitors.drift_scores.compile import DriftScores
from mlmon.monitors.steps import coarse_length, coarse_margin, minute_built
from mlmon.monitors.testkit import exp_alert, expand_all, minutes, series, value_check
from mlmon.presets import signals as S

RUNS_PER_MIN = 10.0  # synthetic detector runs per minute (share presets)


def _minutes(seconds: float) -> int:
    return int(round(seconds / 60))


class Cases:
    def __init__(self, model: Any, s: DriftScores):
        self.model, self.s = model, s
        self.rules = R.alerts(model, s)
        self.preset = P.get(s.preset)
        assert self.preset is not None
        self.features = s.features or ("feature-a", "feature-b")
        self.lab = f'{C.L_MODEL}="{model.id}"'

    def healthy_value(self) -> float:
        s = self.s
        return min(1.0, s.warn * 4) if s.compared == "p_value" else (0.0 if s.compared == "share" else s.warn / 2)

    def drifted_value(self) -> float:
        s = self.s
        return s.critical / 2 if s.compared == "p_value" else min(1.0, s.critical * 1.1) if s.compared == "share" else s.critical * 1.5

    def inputs(self, values: dict[str, float], n: int) -> tuple[tuple[str, str], ...]:
        """``n`` minutes of the library's series giving each feature (or the share) its value."""
        assert self.preset is not None
        src = self.preset.signal(D.SIGNAL[self.s.compared])
        assert isinstance(src, P.Expr)
        labels = R.model_labels(self.model, self.s)
        if not self.s.per_feature:
            total, flagged = src.metrics[1], src.metrics[0]
            share = values["share"]
            return (
                (series(total, labels), S.counter_values([(RUNS_PER_MIN, n)])),
                (series(flagged, labels), S.counter_values([(RUNS_PER_MIN * share, n)])),
            )
        feature_label = self.preset.labels.get("feature", "feature")
        return tuple((series(src.metrics[0], {**labels, feature_label: f}), S.gauge_values([(v, n)])) for f, v in sorted(values.items()))

    def _feature_alert(self, sev: str, feature: str, value: float) -> ExpAlert:
        lab = R.labels(self.model, sev, feature)
        lab["feature"] = feature
        (rule,) = [r for r in self.rules if r.alert == C.ALERT_DRIFT_FEATURE and r.labels[C.L_SEVERITY] == sev]
        return ExpAlert(lab, expand_all(rule.annotations, value, lab))

    def healthy(self) -> RuleTest:
        s, n = self.s, _minutes(self.s.for_) + 20
        keys = self.features if s.per_feature else ("share",)
        checks = tuple(AlertCheck(minutes(n), a, ()) for a in sorted({r.alert for r in self.rules}))
        if s.per_feature:
            expr = value_check(C.DRIFT_FEATURE_SCORE, self.lab + f',feature="{self.features[0]}"', minutes(n), self.healthy_value())
        else:
            expr = value_check(C.DRIFT_DRIFTED_SHARE, self.lab, minutes(n), 0.0)
        return RuleTest(
            f"{self.model.id}/drift_scores: healthy {s.preset} values for {n}m raise nothing",
            "1m",
            self.inputs({k: self.healthy_value() for k in keys}, n),
            checks,
            (expr,),
        )

    def drifted(self) -> RuleTest:
        s = self.s
        n = coarse_length(self.model, _minutes(s.for_) + 5)
        bad = self.drifted_value()
        if not s.per_feature:
            exp = tuple(exp_alert(self.rules, C.ALERT_DRIFT_DATASET, R.labels(self.model, sev, "dataset"), bad) for sev, _ in R.LEVELS)
            quiet_then_firing = (AlertCheck(minutes(n), C.ALERT_DRIFT_DATASET, exp), AlertCheck(minutes(1), C.ALERT_DRIFT_DATASET, ()))
            return RuleTest(
                f"{self.model.id}/drift_scores: {bad:.0%} of the detector runs flag drift: both levels fire",
                "1m",
                self.inputs({"share": bad}, n),
                quiet_then_firing,
            )
        first = self.features[0]
        values = {f: (bad if f == first else self.healthy_value()) for f in self.features}
        checks = [
            AlertCheck(minutes(n), C.ALERT_DRIFT_FEATURE, tuple(self._feature_alert(sev, first, bad) for sev, _ in R.LEVELS)),
            AlertCheck(minutes(1), C.ALERT_DRIFT_FEATURE, ()),
        ]
        share = 1 / len(self.features)
        if s.drifted_share is not None:
            sev = C.SEVERITY_PAGE if s.dataset_severity == "critical" else C.SEVERITY_TICKET
            ds = (exp_alert(self.rules, C.ALERT_DRIFT_DATASET, R.labels(self.model, sev, "dataset"), share),) if share >= s.drifted_share else ()
            checks.append(AlertCheck(minutes(n), C.ALERT_DRIFT_DATASET, ds))
        return RuleTest(
            f"{self.model.id}/drift_scores: feature {first} at {s.preset} {R.what(s)} {bad:g} fires warning and critical after {format_duration(s.for_)}",
            "1m",
            self.inputs(values, n),
            tuple(checks),
        )

    def dataset(self) -> RuleTest | None:
        """Enough drifted features for the dataset share (when one feature is not enough):
        the dataset alert fires."""
        s = self.s
        if not s.per_feature or s.drifted_share is None:
            return None
        k = min(len(self.features), math.ceil(s.drifted_share * len(self.features) - 1e-9))
        if k <= 1:
            return None  # the one-feature case fires it already
        n, bad = coarse_length(self.model, _minutes(s.for_) + 5), self.drifted_value()
        values = {f: (bad if i < k else self.healthy_value()) for i, f in enumerate(self.features)}
        share = k / len(self.features)
        sev = C.SEVERITY_PAGE if s.dataset_severity == "critical" else C.SEVERITY_TICKET
        exp = exp_alert(self.rules, C.ALERT_DRIFT_DATASET, R.labels(self.model, sev, "dataset"), share)
        return RuleTest(
            f"{self.model.id}/drift_scores: {k} of {len(self.features)} features drifted (share {share:g} >= {s.drifted_share:g}): "
            f"the dataset alert fires after {format_duration(s.for_)}",
            "1m",
            self.inputs(values, n),
            (AlertCheck(minutes(1), C.ALERT_DRIFT_DATASET, ()), AlertCheck(minutes(n), C.ALERT_DRIFT_DATASET, (exp,))),
        )

    def no_data(self) -> RuleTest:
        s = self.s
        t = _minutes(s.no_data_for) + 2
        t += coarse_margin(self.model, t * 60.0)  # a long case evaluates every 5m
        exp = exp_alert(self.rules, C.ALERT_DRIFT_NODATA, R.labels(self.model, C.SEVERITY_TICKET, "features"), float(len(s.features)) if s.features else None)
        return RuleTest(
            f"{self.model.id}/drift_scores: no {s.preset} values: the no-data alert fires after {format_duration(s.no_data_for)}",
            "1m",
            (),
            (AlertCheck(minutes(t), C.ALERT_DRIFT_NODATA, (exp,)),),
        )


def rule_tests(model: Any, s: DriftScores) -> list[RuleTest]:
    c = Cases(model, s)
    return minute_built(model, [t for t in (c.healthy(), c.drifted(), c.dataset(), c.no_data()) if t is not None], coarse=True)
