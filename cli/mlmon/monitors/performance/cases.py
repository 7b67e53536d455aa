"""promtool rule tests for the performance monitor, with expected values computed in Python from
the synthetic labelled traffic of ``monitors.quality``.

Cases per model: exact values (every recorded metric at model and version level, label
coverage) on healthy data where no alert fires; a quality breach (MLModelPerformanceLow per
metric, warning and critical); a drop against ``compare_offset`` ago (when the offset leaves room);
a newer version worse than the previous one (and an equally good one: quiet); then the blind spots
and concept drift (``label_cases``, ``concept_cases``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import AlertCheck, AlertRule, ExprCheck, RuleTest, Sample
from mlmon.compiler.units import fmt_float, format_duration
from mlmon.monitors.performance.casekit import Setup, label_sets, low_alerts, pick_worse, setup, sorted_alerts, version_series, worse_alerts
from mlmon.monitors.performance.compile import Performance
from mlmon.monitors.performance.concept_cases import concept_cases
from mlmon.monitors.performance.label_cases import label_cases
from mlmon.monitors.performance.rules import version_lookback
from mlmon.monitors.performance.training_cases import training_cases
from mlmon.monitors.quality import V1, V2, label_series, metric_name, traffic, traffic_series
from mlmon.monitors.testkit import at, series

QUALITY_ALERTS = (C.ALERT_PERF_LOW, C.ALERT_PERF_DROP, C.ALERT_PERF_VERSION, C.ALERT_PERF_NODATA, C.ALERT_LABEL_COVERAGE, C.ALERT_LABELS_MISSING)


def healthy_case(s: Setup) -> RuleTest:
    """Exact values on healthy data; nothing fires."""
    model, p, t = s.model, s.p, s.t
    lab = s.healthy.labelled()
    inputs = traffic_series(model, p, V1, [(s.healthy, s.total)]) + label_series(model, V1, [(s.preds, s.total)], [(lab, s.total)])
    inputs += version_series(model, [(V1, 1000.0)], s.total)
    vals = s.window_values(s.q_h)
    checks = []
    for metric in p.metrics:
        for version in (False, True):
            name = metric_name(metric, version)
            samples = []
            for extra in label_sets(p, metric):
                v = vals.get((metric, extra.get("class")))
                if v is not None:
                    samples.append(Sample(series(name, {C.L_MODEL: model.id, **extra, **({C.L_VERSION: V1} if version else {})}), v))
            checks.append(ExprCheck(series(name, {C.L_MODEL: model.id}), at(s.t_full), tuple(samples)))
    cov = series(C.LABEL_COVERAGE, {C.L_MODEL: model.id})
    checks.append(ExprCheck(cov, at(s.t_full), (Sample(cov, float(lab * s.steps) / float(s.preds * s.steps)),)))
    concept = (C.ALERT_CONCEPT_DRIFT,) if p.concept_drift and model.section("drift") is not None else ()
    return t.case(
        f"performance {model.id}: exact metric values on healthy labelled traffic (q={s.q_h}); no performance or label alert fires",
        inputs,
        tuple(AlertCheck(at(s.t_quiet), name) for name in (*QUALITY_ALERTS, *concept) if any(r.alert == name for r in s.rules)),  # only alerts the section has
        checks,
    )


def low_case(s: Setup) -> RuleTest | None:
    """Quality below its levels: MLModelPerformanceLow per metric and severity."""
    if not any(x is not None for m in s.p.metrics for x in s.p.thresholds(m)):
        return None
    model, lab = s.model, s.healthy.labelled()
    inputs = traffic_series(model, s.p, V1, [(s.low, s.total)]) + label_series(model, V1, [(s.preds, s.total)], [(lab, s.total)])
    return s.t.case(
        f"performance {model.id}: quality q={s.q_l} breaches the levels: {C.ALERT_PERF_LOW} fires per metric and severity",
        inputs,
        (AlertCheck(at(s.t_quiet), C.ALERT_PERF_LOW, sorted_alerts(low_alerts(s, s.window_values(s.q_l)))),),
    )


def drop_case(s: Setup) -> RuleTest | None:
    """Quality falls against ``compare_offset`` ago (when the offset leaves room for it)."""
    model, p, t = s.model, s.p, s.t
    switch = t.up(max(t.W + t.D, t.O))
    t_drop = t.up(switch + t.W + t.F + t.unit)
    q_d = pick_worse(s, p.max_drop) if p.max_drop < 1 else None
    if q_d is None or t_drop - t.O > switch:
        return None
    n1 = t.n(switch)
    n2 = t.n(t_drop) - n1 + 1
    lab = s.healthy.labelled()
    inputs = traffic_series(model, p, V1, [(s.healthy, n1), (traffic(p, q_d, s.b), n2)]) + label_series(model, V1, [(s.preds, n1 + n2)], [(lab, n1 + n2)])
    exp = worse_alerts(s, C.ALERT_PERF_DROP, s.window_values(q_d), s.window_values(s.q_h), p.max_drop)
    return t.case(
        f"performance {model.id}: quality falls from q={s.q_h} to q={q_d}, more than max_drop {fmt_float(p.max_drop)} below {format_duration(t.O)} ago: {C.ALERT_PERF_DROP} fires",
        inputs,
        (AlertCheck(at(switch), C.ALERT_PERF_DROP), AlertCheck(at(t_drop), C.ALERT_PERF_DROP, sorted_alerts(exp))),
    )


def version_cases(s: Setup) -> list[RuleTest]:
    """A newer version worse than the previous one fires MLModelVersionRegression; an equally good one is quiet."""
    model, p, t = s.model, s.p, s.t
    if version_lookback(model, p) is None:
        return []
    by = p.max_drop_vs_previous_version
    q_v = pick_worse(s, by)
    t_v = t.up(t.W + t.F + t.unit)
    nv = t.n(t_v) + 1
    out = []
    for q2, fires in ((q_v, True), (s.q_h, False)):
        if q2 is None:
            continue
        inputs = traffic_series(model, p, V1, [(s.healthy, nv)]) + traffic_series(model, p, V2, [(traffic(p, q2, s.b), nv)])
        inputs += version_series(model, [(V1, 1000.0), (V2, 2000.0)], nv)
        exp = (
            worse_alerts(s, C.ALERT_PERF_VERSION, s.window_values(q2), s.window_values(s.q_h), by, **{C.L_VERSION: V2, "previous_version": V1}) if fires else []
        )
        what = f"q={q2}, worse than {V1} (q={s.q_h}) by more than {fmt_float(by)}: {C.ALERT_PERF_VERSION} fires" if fires else f"as good as {V1}: quiet"
        out.append(
            t.case(
                f"performance {model.id}: version {V2} (trained after {V1}) serves at {what}",
                inputs,
                (AlertCheck(at(t_v), C.ALERT_PERF_VERSION, sorted_alerts(exp)),),
            )
        )
    return out


def rule_tests(model: Any, p: Performance, alerts: Sequence[AlertRule]) -> list[RuleTest]:
    """Every case of one model; ``alerts`` (all the model's alert rules) give the expected
    feature-drift alerts of the data-drift case."""
    s = setup(model, p)
    out = [healthy_case(s)]
    out += [c for c in (low_case(s), drop_case(s)) if c is not None]
    out += training_cases(s)
    out += label_cases(s)
    # each case loads only the groups it reads (promtool evaluates every loaded rule at every step):
    # the version cases the version ordering, the concept-drift cases the drift scores and levels
    # (whose reference group alone, over a week of simulated time, cost most of a file), the
    # others neither
    out = [replace(c, uses=()) for c in out]
    out += [replace(c, uses=("versions",)) for c in version_cases(s)]
    drift = model.section("drift")
    if p.concept_drift and drift is not None:
        out += [replace(c, uses=("drift",)) for c in concept_cases(s, drift, alerts)]
    return out
