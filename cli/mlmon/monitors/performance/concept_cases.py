"""Performance cases of concept drift against data drift: quality falls while input drift stays
at 0 (MLModelConceptDrift fires), and while every feature drifts past its warn level (quiet:
the drift monitor's MLModelFeatureDrift fires instead, expected from its own rules)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import AlertCheck, AlertRule, ExpAlert, RuleTest
from mlmon.compiler.units import fmt_float
from mlmon.monitors.performance.casekit import Setup, label_sets, sorted_alerts
from mlmon.monitors.performance.names import CONCEPT_MONITOR, labels
from mlmon.monitors.quality import V1, breaches, label_series, traffic_series, worse
from mlmon.monitors.testkit import at, exp_alert, expand, expand_all, series


def feature_drift_alert(alerts: Sequence[AlertRule], severity: str, feature: str, score: float) -> ExpAlert:
    """MLModelFeatureDrift of one feature as Prometheus fires it, from the drift monitor's rule of
    this severity (its labels and annotations are templates over ``$labels.feature``)."""
    (rule,) = [r for r in alerts if r.alert == C.ALERT_DRIFT_FEATURE and r.labels.get(C.L_SEVERITY) == severity]
    lab = {**{k: expand(v, None, {"feature": feature}) for k, v in rule.labels.items()}, "feature": feature}
    return ExpAlert(lab, expand_all(rule.annotations, score, lab))


def concept_cases(s: Setup, drift: Any, alerts: Sequence[AlertRule]) -> list[RuleTest]:
    model, p, t = s.model, s.p, s.t
    switch = t.up(max(t.W + t.D, t.O))
    t_c = t.up(switch + t.W + max(t.F, int(drift.for_)) + t.unit)
    n1 = t.n(switch)
    n2 = t.n(t_c) - n1 + 1
    now, before = s.window_values(s.q_l), s.window_values(s.q_h)
    drop_ok = t_c - t.O <= switch and p.max_drop < 1
    exp = []
    for metric in p.watched:
        warn, _ = p.thresholds(metric)
        for extra in label_sets(p, metric):
            a, b = now.get((metric, extra.get("class"))), before.get((metric, extra.get("class")))
            if breaches(metric, a, warn) or (drop_ok and a is not None and b is not None and worse(metric, a, b, p.max_drop)):
                exp.append(exp_alert(s.rules, C.ALERT_CONCEPT_DRIFT, {**labels(model, metric, C.SEVERITY_TICKET, monitor=CONCEPT_MONITOR), **extra}))
    lab = s.healthy.labelled()
    base = traffic_series(model, p, V1, [(s.healthy, n1), (s.low, n2)]) + label_series(model, V1, [(lab * 2, n1 + n2)], [(lab, n1 + n2)])
    has_feature_rules = any(r.alert == C.ALERT_DRIFT_FEATURE for r in alerts)
    out = []
    for high in (False, True):
        scores, feature_alerts = [], []
        for d in drift.features:
            score = (d.warn + d.critical) / 2 if high else 0.0
            scores.append((series(C.DRIFT_FEATURE_SCORE, {C.L_MODEL: model.id, "feature": d.name}), f"{fmt_float(score)}x{n1 + n2}"))
            if high and has_feature_rules:
                feature_alerts += [
                    feature_drift_alert(alerts, sev, d.name, score) for thr, sev in ((d.warn, C.SEVERITY_TICKET), (d.critical, C.SEVERITY_PAGE)) if score >= thr
                ]
        checks = [AlertCheck(at(t_c), C.ALERT_CONCEPT_DRIFT, () if high else sorted_alerts(exp))]
        if high and has_feature_rules:
            checks.append(AlertCheck(at(t_c), C.ALERT_DRIFT_FEATURE, sorted_alerts(feature_alerts)))
        if high:
            name = f"performance {model.id}: quality falls to q={s.q_l} while every feature drifts past its warn level: data drift ({C.ALERT_DRIFT_FEATURE}), not concept drift"
        else:
            name = f"performance {model.id}: quality falls to q={s.q_l} while input drift stays at 0: {C.ALERT_CONCEPT_DRIFT} fires"
        out.append(t.case(name, base + scores, checks))
    return out
