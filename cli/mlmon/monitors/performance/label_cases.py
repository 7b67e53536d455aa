"""Performance cases of the blind spots: outcome counters or all contract metrics missing
(MLModelPerformanceNoData), labels stopping or never existing (MLModelLabelsMissing), and low
label coverage with its exact value (MLModelLabelCoverageLow)."""

from __future__ import annotations

import math

from mlmon import conventions as C
from mlmon.artifacts import AlertCheck, ExprCheck, RuleTest, Sample
from mlmon.compiler.units import fmt_float, format_duration
from mlmon.monitors.performance.casekit import Setup, label_sets, sorted_alerts, version_series
from mlmon.monitors.performance.names import COVERAGE_CHECK, LABELS_CHECK, labels
from mlmon.monitors.quality import V1, label_series
from mlmon.monitors.testkit import at, exp_alert, series


def nodata_cases(s: Setup) -> list[RuleTest]:
    model, p, t = s.model, s.p, s.t
    exp = sorted_alerts(
        [
            exp_alert(s.rules, C.ALERT_PERF_NODATA, {**labels(model, metric, C.SEVERITY_TICKET), **extra}, 1.0)
            for metric in p.watched
            for extra in label_sets(p, metric)
        ]
    )
    lab = s.healthy.labelled()
    t_none = t.up(t.F + t.unit)
    return [
        t.case(
            f"performance {model.id}: labels arrive but no outcome counters exist: {C.ALERT_PERF_NODATA} fires for every watched metric",
            label_series(model, V1, [(s.preds, s.total)], [(lab, s.total)]),
            (AlertCheck(at(s.t_quiet), C.ALERT_PERF_NODATA, exp), AlertCheck(at(s.t_quiet), C.ALERT_LABELS_MISSING)),
        ),
        t.case(
            f"performance {model.id}: no contract metrics at all (instrumentation missing): {C.ALERT_PERF_NODATA} fires for every watched metric",
            version_series(model, [(V1, 1000.0)], t.n(t_none) + 1),
            (AlertCheck(at(t_none), C.ALERT_PERF_NODATA, exp),),
        ),
    ]


def missing_cases(s: Setup) -> list[RuleTest]:
    """Labels stop (the counter stays flat), and labels never existed."""
    model, p, t = s.model, s.p, s.t
    stop = t.up(t.D + t.S)
    t_stop = t.up(stop + t.S + t.unit)
    ns = t.n(t_stop) + 1
    preds = max(s.preds, math.ceil(p.min_samples / max(1, t.n(t.S))))
    missing = (exp_alert(s.rules, C.ALERT_LABELS_MISSING, labels(model, LABELS_CHECK, C.SEVERITY_TICKET)),)
    lab = s.healthy.labelled()
    stopped = t.case(
        f"performance {model.id}: labels stop arriving at {format_duration(stop)}; {format_duration(t.S)} later {C.ALERT_LABELS_MISSING} fires",
        label_series(model, V1, [(preds, ns)], [(lab, t.n(stop) + 1), (0, ns - t.n(stop) - 1)]),
        (AlertCheck(at(stop), C.ALERT_LABELS_MISSING), AlertCheck(at(t_stop), C.ALERT_LABELS_MISSING, missing)),
    )
    t_abs = t.up(max(t.D + t.S, t.W + t.D + t.F) + t.unit)
    checks = [AlertCheck(at(t_abs), C.ALERT_LABELS_MISSING, missing)]
    if p.min_coverage > 0:
        checks.append(
            AlertCheck(at(t_abs), C.ALERT_LABEL_COVERAGE, (exp_alert(s.rules, C.ALERT_LABEL_COVERAGE, labels(model, COVERAGE_CHECK, C.SEVERITY_TICKET), 0.0),))
        )
    never = t.case(
        f"performance {model.id}: predictions but no label counter at all: {C.ALERT_LABELS_MISSING} and {C.ALERT_LABEL_COVERAGE} (coverage 0) fire",
        label_series(model, V1, [(preds, t.n(t_abs) + 1)], None),
        checks,
    )
    return [stopped, never]


def coverage_case(s: Setup) -> RuleTest:
    model, p = s.model, s.p
    lab_low = max(1, math.floor(s.preds * p.min_coverage / 2))
    cov = float(lab_low * s.steps) / float(s.preds * s.steps)
    sel = series(C.LABEL_COVERAGE, {C.L_MODEL: model.id})
    fired = exp_alert(s.rules, C.ALERT_LABEL_COVERAGE, labels(model, COVERAGE_CHECK, C.SEVERITY_TICKET), cov)
    return s.t.case(
        f"performance {model.id}: labels cover {fmt_float(round(cov, 6))} of the predictions, below {fmt_float(p.min_coverage)}: {C.ALERT_LABEL_COVERAGE} fires",
        label_series(model, V1, [(s.preds, s.total)], [(lab_low, s.total)]),
        (AlertCheck(at(s.t_quiet), C.ALERT_LABEL_COVERAGE, (fired,)),),
        (ExprCheck(sel, at(s.t_full), (Sample(sel, cov),)),),
    )


def label_cases(s: Setup) -> list[RuleTest]:
    return [*nodata_cases(s), *missing_cases(s), *([coverage_case(s)] if s.p.min_coverage > 0 else [])]
