"""The drift promtool cases: healthy, one feature shifted, dataset + prediction shift (exact
scores and exact alerts), below the sample gate and no counters at all (no-data alerts)."""

from __future__ import annotations

import math
from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import AlertCheck, AlertRule, ExpAlert, ExprCheck, RuleTest, Sample
from mlmon.artifacts import promql_string as q
from mlmon.compiler.units import fmt_float, format_duration
from mlmon.monitors.drift import alerts
from mlmon.monitors.drift.compile import Dist, Drift
from mlmon.monitors.drift.inputs import PREDICTION, key, per_minute, series_for, shifted
from mlmon.monitors.drift.promql import contract_selector, model_matcher
from mlmon.monitors.drift.scores import fractions
from mlmon.monitors.testkit import exp_alert, expand_all

TEST_TOLERANCE = 1e-6
SCALE = 1000  # observations per minute in the healthy case


def _check_score(metric: str, mid: str, name: str | None, value: float, t: str) -> ExprCheck:
    sel = f"{C.L_MODEL}={q(mid)}" + (f",feature={q(name)}" if name is not None else "")
    return ExprCheck(f"abs({metric}{{{sel}}} - {fmt_float(value)}) < bool {fmt_float(TEST_TOLERANCE)}", t, (Sample("{" + sel + "}", 1.0),))


class DriftCases:
    def __init__(self, model: Any, s: Drift):
        self.model, self.s = model, s
        self.rules: list[AlertRule] = alerts.alert_rules(model, s)
        self.steps = int(math.ceil(s.for_ / 60)) + 5  # the score is exact from the 2nd sample on (same timestamps for every bin)
        self.nd_steps = int(math.ceil(s.no_data_for / 60)) + 5
        self.dists: list[tuple[Dist, bool]] = [(d, True) for d in s.features] + ([(s.prediction, False)] if s.prediction else [])
        self.m_sel = model_matcher(model)

    def series(self, shift: set[str], rate: float, n: int) -> tuple[list[tuple[str, str]], dict[str, list[float]]]:
        out: list[tuple[str, str]] = []
        incs_by: dict[str, list[float]] = {}
        for d, is_feat in self.dists:
            k = key(d, is_feat)
            incs = per_minute(shifted(d.fractions) if k in shift else list(d.fractions), rate)
            incs_by[k] = incs
            out.extend(series_for(self.model, d, incs, is_feat, n))
        return out, incs_by

    def _feature_alert(self, sev: str, name: str, value: float) -> ExpAlert:
        """The feature alert's labels and annotations are templates on the feature's label."""
        lab = alerts.labels(self.model, sev, name)
        lab["feature"] = name
        (rule,) = [r for r in self.rules if r.alert == C.ALERT_DRIFT_FEATURE and r.labels[C.L_SEVERITY] == sev]
        return ExpAlert(lab, expand_all(rule.annotations, value, lab))

    def scored(self, name: str, shift: set[str]) -> RuleTest:
        s, model = self.s, self.model
        t_end = f"{self.steps}m"
        fast = float(max(SCALE, 2 * s.min_samples))  # observations per minute: gate passes after one minute
        ser, incs_by = self.series(shift, fast, self.steps)
        checks: list[ExprCheck] = []
        exp_feature: list[ExpAlert] = []
        exp_pred: list[ExpAlert] = []
        drifted = 0
        for d, is_feat in self.dists:
            val = s.score(fractions(incs_by[key(d, is_feat)]), d.fractions)
            checks.append(_check_score(C.DRIFT_FEATURE_SCORE if is_feat else C.DRIFT_PREDICTION_SCORE, model.id, d.name if is_feat else None, val, t_end))
            drifted += is_feat and val >= d.warn
            for sev, level in alerts.LEVELS:
                if val >= (d.critical if level == "critical" else d.warn):
                    if is_feat:
                        exp_feature.append(self._feature_alert(sev, d.name, val))
                    else:
                        exp_pred.append(exp_alert(self.rules, C.ALERT_DRIFT_PREDICTION, alerts.labels(model, sev, "prediction"), val))
        share = drifted / len(s.features)
        checks.append(ExprCheck(f"{C.DRIFT_DRIFTED_SHARE}{self.m_sel}", t_end, (Sample(f"{C.DRIFT_DRIFTED_SHARE}{self.m_sel}", share),)))
        out = [AlertCheck(t_end, C.ALERT_DRIFT_FEATURE, tuple(exp_feature))]
        if s.prediction is not None:
            out.append(AlertCheck(t_end, C.ALERT_DRIFT_PREDICTION, tuple(exp_pred)))
        if s.drifted_share is not None:
            exp_ds: tuple[ExpAlert, ...] = ()
            if share >= s.drifted_share:
                exp_ds = (exp_alert(self.rules, C.ALERT_DRIFT_DATASET, alerts.labels(model, alerts.dataset_severity(s), "dataset"), share),)
            out.append(AlertCheck(t_end, C.ALERT_DRIFT_DATASET, exp_ds))
        out.append(AlertCheck(t_end, C.ALERT_DRIFT_NODATA, ()))
        return RuleTest(name, "1m", tuple(ser), tuple(out), tuple(checks))

    def nodata(self) -> list[AlertCheck]:
        """At the no-data time: no drift alert, the no-data alerts of the features and the prediction."""
        s, model, nd_t = self.s, self.model, f"{self.nd_steps}m"
        labels = alerts.labels(model, C.SEVERITY_TICKET, "features")
        exp = [exp_alert(self.rules, C.ALERT_DRIFT_NODATA, labels, None if model.idle_ok else float(len(s.features)))]
        silent = [AlertCheck(nd_t, C.ALERT_DRIFT_FEATURE, ())]
        if s.prediction is not None:
            exp.append(exp_alert(self.rules, C.ALERT_DRIFT_NODATA, alerts.labels(model, C.SEVERITY_TICKET, "prediction")))
            silent.append(AlertCheck(nd_t, C.ALERT_DRIFT_PREDICTION, ()))
        if s.drifted_share is not None:
            silent.append(AlertCheck(nd_t, C.ALERT_DRIFT_DATASET, ()))
        return [*silent, AlertCheck(nd_t, C.ALERT_DRIFT_NODATA, tuple(exp))]

    def all(self) -> list[RuleTest]:
        s, model = self.s, self.model
        feats = s.features
        first = feats[0].name
        n_ds = len(feats) if s.drifted_share is None else max(1, math.ceil(s.drifted_share * len(feats)))
        tests = [
            self.scored("drift: current bins match the baseline: exact scores, no drift alert", set()),
            self.scored(f"drift: feature {first} shifts by one bin: its drift alerts fire with exact labels and scores", {first}),
            self.scored(
                f"drift: {n_ds} of {len(feats)} features and the prediction shift: dataset and prediction drift fire",
                {d.name for d in feats[:n_ds]} | {PREDICTION},
            ),
        ]
        nd_t = f"{self.nd_steps}m"
        if not model.idle_ok:
            slow = s.min_samples / (2.0 * int(math.ceil(s.window / 60)))  # half the gate over a full window
            ser, _ = self.series({d.name for d in feats} | {PREDICTION}, slow, self.nd_steps)
            tests.append(
                RuleTest(
                    f"drift: shifted data but fewer than {s.min_samples} observations per {format_duration(s.window)}: no score, no drift alert, the no-data alert fires",
                    "1m",
                    tuple(ser),
                    tuple(self.nodata()),
                    (ExprCheck(f"{C.DRIFT_FEATURE_SCORE}{self.m_sel}", nd_t, ()),),
                )
            )
        other = f"{C.PREDICTIONS_TOTAL}{{{contract_selector(model)}}}"
        tests.append(
            RuleTest(
                "drift: no bin counters at all: the drift no-data alerts fire instead of going blind",
                "1m",
                ((other, f"0+10x{self.nd_steps}"),),
                tuple(self.nodata()),
            )
        )
        return tests


def rule_tests(model: Any, s: Drift) -> list[RuleTest]:
    return DriftCases(model, s).all()
