"""The drift promtool cases: healthy, one feature shifted, dataset + prediction shift (exact
scores and exact alerts), below the sample gate and no counters at all (no-data alerts)."""

from __future__ import annotations

import math
from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import AlertCheck, AlertRule, ExpAlert, ExprCheck, RuleTest, Sample
from mlmon.artifacts import promql_string as q
from mlmon.compiler.units import fmt_float, format_duration, num
from mlmon.monitors.drift import alerts
from mlmon.monitors.drift.compile import Dist, Drift
from mlmon.monitors.drift.inputs import PREDICTION, concentrated, key, per_minute, reference, series_for, shifted_reference, unknown_series
from mlmon.monitors.drift.promql import contract_selector, model_matcher
from mlmon.monitors.drift.scores import fractions
from mlmon.monitors.steps import Clock
from mlmon.monitors.testkit import exp_alert, expand_all

TEST_TOLERANCE = 1e-6
SCALE = 1000  # observations per minute in the healthy case
UNKNOWN_SHARE = 0.95  # the critical case: share of observations under a bin label the baseline lacks


def _check_score(metric: str, mid: str, name: str | None, value: float, t: str) -> ExprCheck:
    sel = f"{C.L_MODEL}={q(mid)}" + (f",feature={q(name)}" if name is not None else "")
    return ExprCheck(f"abs({metric}{{{sel}}} - {fmt_float(value)}) < bool {fmt_float(TEST_TOLERANCE)}", t, (Sample("{" + sel + "}", 1.0),))


class DriftCases:
    def __init__(self, model: Any, s: Drift):
        self.model, self.s = model, s
        self.rules: list[AlertRule] = alerts.alert_rules(model, s)
        # minutes to the checks, on an evaluation of the model's interval: the score is exact from
        # the 2nd sample on (same timestamps for every bin), the alerts fire within for + margin
        ck = Clock(model)
        self.steps = int(ck.next(int(math.ceil(s.for_ / 60)) + 5 + ck.margin))
        self.nd_steps = int(ck.next(int(math.ceil(s.no_data_for / 60)) + 5 + ck.margin))
        self.dists: list[tuple[Dist, bool]] = [(d, True) for d in s.features] + ([(s.prediction, False)] if s.prediction else [])
        self.m_sel = model_matcher(model)

    def series(self, shift: set[str], rate: float, n: int, odd: frozenset[str] = frozenset()) -> tuple[list[tuple[str, str]], dict[str, list[float]]]:
        """Counters of every distribution (per bin, as the score sees them in ``incs_by``): the
        baseline's shares, ``shift``ed ones, or for ``odd`` ones most observations in a bin label
        the baseline lacks (counters; the score counts them in __other__), else all in one bin."""
        out: list[tuple[str, str]] = []
        incs_by: dict[str, list[float]] = {}
        for d, is_feat in self.dists:
            k = key(d, is_feat)
            if k in odd and d.source is None:
                incs = per_minute([x * (1 - UNKNOWN_SHARE) for x in reference(d)], rate)
                extra = round(UNKNOWN_SHARE * rate, 3)
                out.append(unknown_series(self.model, d, extra, is_feat, n))
                seen = list(incs)
                seen[d.bins.index(C.DRIFT_OTHER_BIN)] += extra
                incs_by[k] = seen
            else:
                incs = per_minute(concentrated(d) if k in odd else shifted_reference(d) if k in shift else reference(d), rate)
                incs_by[k] = incs
            out.extend(series_for(self.model, d, incs, is_feat, n))
        return out, incs_by

    def contract_check(self, t: str, odd: frozenset[str] = frozenset()) -> list[AlertCheck]:
        """The contract alert: one instance per counted distribution in ``odd`` (1 unknown label)."""
        if not alerts.contract_rules(self.model, self.s):
            return []
        exp = []
        for d, is_feat in self.dists:
            if key(d, is_feat) in odd and d.source is None:
                lab = alerts.labels(self.model, C.SEVERITY_TICKET, alerts.CONTRACT_CHECKS[is_feat]) | ({"feature": d.name} if is_feat else {})
                exp.append(exp_alert(self.rules, C.ALERT_DRIFT_CONTRACT, lab, 1.0))
        return [AlertCheck(t, C.ALERT_DRIFT_CONTRACT, tuple(exp))]

    def _feature_alert(self, sev: str, name: str, value: float) -> ExpAlert:
        """The feature alert's labels and annotations are templates on the feature's label."""
        lab = alerts.labels(self.model, sev, name)
        lab["feature"] = name
        (rule,) = [r for r in self.rules if r.alert == C.ALERT_DRIFT_FEATURE and r.labels[C.L_SEVERITY] == sev]
        return ExpAlert(lab, expand_all(rule.annotations, value, lab))

    def scored(self, name: str, shift: set[str], odd: frozenset[str] = frozenset()) -> RuleTest:
        s, model = self.s, self.model
        t_end = f"{self.steps}m"
        fast = float(max(SCALE, 2 * s.min_samples))  # observations per minute: gate passes after one minute
        ser, incs_by = self.series(shift, fast, self.steps, odd)
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
        out.extend(self.contract_check(t_end, odd))
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
        return [*silent, *self.contract_check(nd_t), AlertCheck(nd_t, C.ALERT_DRIFT_NODATA, tuple(exp))]

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
        tests.append(self.critical())
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

    def critical(self) -> RuleTest:
        """Every critical rule fires: a feature (counted, when one is) and the prediction send most
        observations to a bin label the baseline lacks (counted in __other__, the contract alert
        fires), or, from a histogram, all of them to the bin the baseline expects least of."""
        feats = self.s.features
        feat = next((d for d in feats if d.source is None), feats[0])
        chosen = [(feat, feat.name)] + ([(self.s.prediction, "the prediction")] if self.s.prediction is not None else [])
        odd = frozenset(key(d, d is feat) for d, _ in chosen)
        counted = " and ".join(n for d, n in chosen if d.source is None)
        binned = " and ".join(n for d, n in chosen if d.source is not None)
        parts = (
            [
                f"{counted}: {num(UNKNOWN_SHARE * 100)}% of observations under a bin label not in the baseline (counted in {C.DRIFT_OTHER_BIN}; the contract alert fires)"
            ]
            if counted
            else []
        )
        parts += [f"{binned}: every observation in the bin the baseline expects least of"] if binned else []
        return self.scored(f"drift: {'; '.join(parts)}: critical drift fires", set(), odd)


def rule_tests(model: Any, s: Drift) -> list[RuleTest]:
    return DriftCases(model, s).all()
