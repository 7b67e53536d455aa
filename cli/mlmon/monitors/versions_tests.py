"""promtool rule tests for the versions and retraining monitors.

Versions (rules every minute, a few hours of series):

- a deployment: v1 serves, then v2 replaces it: MLModelVersionChanged fires for v2 right after the
  switch and is gone ``change_event_for`` later; the version-ordering rules name v2 current and v1
  previous (also after v1's series are gone: the lookback keeps it) and the age is exact;
- staleness (when ``stale_after`` is set): a version trained long ago fires MLModelStale, a fresh
  one does not; no training timestamp at all fires MLModelVersionInfoMissing after 1h.

Retraining: each configured trigger fires MLModelRetrainingTriggered with its ``reason`` and
``action="retrain"`` (performance below its level, drift at its level, a stale version), and
healthy data with a fresh model triggers nothing.
"""

from __future__ import annotations

import math
from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import AlertCheck, ExpAlert, ExprCheck, RuleTest, Sample
from mlmon.monitors.performance_tests import (
    V1, V2, _case, _labels_text, alert_rules, base_labels, base_rate, breaches, exp_alert, label_series, pick_healthy, pick_low, quality,
    timing, traffic_series, values,
)  # fmt: skip
from mlmon.compiler.units import fmt_float, format_duration

MIN = 60


def _m(seconds: float) -> int:
    return int(math.ceil(seconds / MIN))


def _d(seconds: float) -> str:
    return format_duration(seconds) if seconds > 0 else "0s"


def _info(model: Any, version: str, values: str) -> tuple[str, str]:
    return (_labels_text(C.MODEL_INFO, {**base_labels(model), C.L_VERSION: version, "stage": "production"}), values)


def _trained(model: Any, version: str, values: str) -> tuple[str, str]:
    return (_labels_text(C.MODEL_TRAINED_TIMESTAMP, {**base_labels(model), C.L_VERSION: version}), values)


def versions_tests(mon: Any, model: Any, v: Any) -> list[RuleTest]:
    out: list[RuleTest] = []
    e = _m(v.change_event_for)  # minutes
    x = 2 * e  # v2 replaces v1 at minute x
    end = x + e + 15
    m = {C.L_MODEL: model.id}
    rules = alert_rules(mon, model)
    changed = exp_alert(rules, C.ALERT_VERSION_CHANGED, {**mon.alert_labels(model, "version", C.SEVERITY_INFO), C.L_VERSION: V2, "stage": "production"})
    series = (
        _info(model, V1, f"1x{x - 1}"),
        _info(model, V2, f"_x{x} 1x{end - x}"),
        _trained(model, V1, f"1000x{x - 1}"),
        _trained(model, V2, f"_x{x} 2000x{end - x}"),
    )
    t_after = (x + e + 10) * MIN
    out.append(RuleTest(
        f"versions {model.id}: v2 replaces v1 at {_d(x * MIN)}: {C.ALERT_VERSION_CHANGED} fires for v2 and clears after {_d(e * MIN)}; v2 is current, v1 previous, age exact",
        "1m", series,
        (
            AlertCheck(_d((x - 1) * MIN), C.ALERT_VERSION_CHANGED),
            AlertCheck(_d((x + 1) * MIN), C.ALERT_VERSION_CHANGED, (changed,)),
            AlertCheck(_d((x + e) * MIN), C.ALERT_VERSION_CHANGED),
        ),
        (
            ExprCheck(_labels_text(C.VERSION_CURRENT, m), _d(t_after), (Sample(_labels_text(C.VERSION_CURRENT, {**m, C.L_VERSION: V2}), 1.0),)),
            ExprCheck(_labels_text(C.VERSION_PREVIOUS, m), _d(t_after), (Sample(_labels_text(C.VERSION_PREVIOUS, {**m, C.L_VERSION: V1}), 1.0),)),
            ExprCheck(_labels_text(C.VERSION_AGE, m), _d(t_after), (Sample(_labels_text(C.VERSION_AGE, m), float(t_after) - 2000.0),)),
        ),
    ))  # fmt: skip
    if v.stale_after is not None:
        old = -(v.stale_after + 3600.0)
        stale = exp_alert(rules, C.ALERT_MODEL_STALE, mon.alert_labels(model, "staleness", C.SEVERITY_TICKET), 300.0 - old)
        out.append(RuleTest(
            f"versions {model.id}: the served version was trained more than {_d(v.stale_after)} ago: {C.ALERT_MODEL_STALE} fires",
            "1m", (_info(model, V1, "1x20"), _trained(model, V1, f"{fmt_float(old)}x20")),
            (AlertCheck("5m", C.ALERT_MODEL_STALE, (stale,)), AlertCheck("5m", C.ALERT_VERSION_INFO_MISSING)),
        ))  # fmt: skip
        out.append(RuleTest(
            f"versions {model.id}: a version trained 5m ago: {C.ALERT_MODEL_STALE} stays quiet",
            "1m", (_info(model, V1, "1x20"), _trained(model, V1, "0x20")),
            (AlertCheck("5m", C.ALERT_MODEL_STALE),),
        ))  # fmt: skip
        out.append(RuleTest(
            f"versions {model.id}: no training timestamp at all: {C.ALERT_VERSION_INFO_MISSING} fires after 1h",
            "1m", (_info(model, V1, "1x90"),),
            (
                AlertCheck("30m", C.ALERT_VERSION_INFO_MISSING),
                AlertCheck("61m", C.ALERT_VERSION_INFO_MISSING, (exp_alert(rules, C.ALERT_VERSION_INFO_MISSING, mon.alert_labels(model, "version_info", C.SEVERITY_TICKET)),)),
            ),
        ))  # fmt: skip
    return out


def retraining_tests(mon: Any, model: Any, r: Any) -> list[RuleTest]:
    exprs = mon.trigger_exprs(model, r)
    if not exprs:
        return []
    out: list[RuleTest] = []
    fr = _m(r.for_)
    perf = model.section("performance")
    drift = model.section("drift")

    rules = alert_rules(mon, model)

    def fired(reason: str, value: float) -> tuple[ExpAlert, ...]:
        return (exp_alert(rules, C.ALERT_RETRAIN, mon.labels(model, reason), value),)

    if "staleness" in exprs:
        from mlmon.monitors.versions import DEFAULT_STALE_FOR_RETRAINING

        v = model.section("versions")
        stale = (v.stale_after if v is not None else None) or DEFAULT_STALE_FOR_RETRAINING
        n = fr + 10
        out.append(RuleTest(
            f"retraining {model.id}: the served version is older than {_d(stale)}: {C.ALERT_RETRAIN} fires with reason=staleness",
            "1m", (_info(model, V1, f"1x{n}"), _trained(model, V1, f"{fmt_float(-(stale + 3600.0))}x{n}")),
            (AlertCheck(_d((fr + 2) * MIN), C.ALERT_RETRAIN, fired("staleness", (fr + 2) * MIN + stale + 3600.0)),),
        ))  # fmt: skip
    if "drift" in exprs:
        n = fr + 10
        series = []
        for d in drift.features:
            level = d.critical if r.drift_level == "critical" else d.warn
            series.append((_labels_text(C.DRIFT_FEATURE_SCORE, {C.L_MODEL: model.id, "feature": d.name}), f"{fmt_float(level)}x{n}"))
        out.append(RuleTest(
            f"retraining {model.id}: every feature drifts to its {r.drift_level} level: {C.ALERT_RETRAIN} fires with reason=drift",
            "1m", tuple(series), (AlertCheck(_d((fr + 2) * MIN), C.ALERT_RETRAIN, fired("drift", float(len(drift.features)))),),
        ))  # fmt: skip
    if perf is not None:
        t = timing(perf)
        steps = t.n(t.W)
        b = base_rate(perf, steps)
        t_p = t.up(t.W + t.D + r.for_ + t.unit)
        n = t.n(t_p) + 1
        lab = quality(perf, 1.0, b).labelled()
        if "performance" in exprs:
            low = quality(perf, pick_low(perf, b, steps), b)
            vals = values(perf, low.scaled(steps))
            level = 1 if r.performance_level == "critical" else 0
            breached = float(sum(1 for (mm, _), v in vals.items() if breaches(mm, v, perf.thresholds(mm)[level])))
            series = traffic_series(model, perf, V1, [(low, n)]) + label_series(model, V1, [(lab * 2, n)], [(lab, n)])
            out.append(_case(
                t, f"retraining {model.id}: quality below its {r.performance_level} level: {C.ALERT_RETRAIN} fires with reason=performance",
                tuple(series), (AlertCheck(_d(t_p), C.ALERT_RETRAIN, fired("performance", breached)),),
            ))  # fmt: skip
        healthy = quality(perf, pick_healthy(perf, b, steps), b)
        series = traffic_series(model, perf, V1, [(healthy, n)]) + label_series(model, V1, [(lab * 2, n)], [(lab, n)])
        series += [_info(model, V1, f"1x{n}"), _trained(model, V1, f"{fmt_float(float(t_p))}x{n}")]
        if drift is not None:
            series += [(_labels_text(C.DRIFT_FEATURE_SCORE, {C.L_MODEL: model.id, "feature": d.name}), f"0x{n}") for d in drift.features]
        out.append(_case(
            t, f"retraining {model.id}: healthy quality, no drift, a fresh version: no retraining is triggered",
            tuple(series), (AlertCheck(_d(t_p), C.ALERT_RETRAIN),),
        ))  # fmt: skip
    else:
        series = [_info(model, V1, f"1x{fr + 10}"), _trained(model, V1, "0x" + str(fr + 10))]
        if drift is not None:
            series += [(_labels_text(C.DRIFT_FEATURE_SCORE, {C.L_MODEL: model.id, "feature": d.name}), f"0x{fr + 10}") for d in drift.features]
        out.append(RuleTest(
            f"retraining {model.id}: no drift and a fresh version: no retraining is triggered",
            "1m", tuple(series), (AlertCheck(_d((fr + 2) * MIN), C.ALERT_RETRAIN),),
        ))  # fmt: skip
    return out
