"""promtool rule tests for the versions monitor (rules at the model's evaluation interval, a few hours of series).

- a deployment: v1 serves, then v2 replaces it: MLModelVersionChanged fires for v2 right after the
  switch and is gone ``change_event_for`` later; the version-ordering rules name v2 current and v1
  previous (also after v1's series are gone: the lookback keeps it) and the age is exact;
- staleness (when ``stale_after`` is set): a version trained long ago fires MLModelStale, a fresh
  one does not; no training timestamp at all fires MLModelVersionInfoMissing after 1h.
"""

from __future__ import annotations

import math
from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import AlertCheck, ExprCheck, RuleTest, Sample
from mlmon.compiler.units import fmt_float, parse_duration
from mlmon.monitors.quality import V1, V2, info_series, trained_series
from mlmon.monitors.steps import Clock
from mlmon.monitors.testkit import alert_rules, at, exp_alert, minutes, series
from mlmon.monitors.versions import registry_file
from mlmon.monitors.versions.compile import Versions
from mlmon.monitors.versions.rules import INFO_MISSING_FOR, labels, rule_groups


def deployment_case(model: Any, v: Versions) -> RuleTest:
    rules = alert_rules(rule_groups(model, v))
    ck = Clock(model)
    e = int(math.ceil(v.change_event_for / 60))  # minutes
    x = 2 * e  # v2 replaces v1 at minute x
    end = x + e + 15 + ck.late
    m = {C.L_MODEL: model.id}
    changed = exp_alert(rules, C.ALERT_VERSION_CHANGED, {**labels(model, "version", C.SEVERITY_INFO), C.L_VERSION: V2, "stage": "production"})
    inputs = (
        info_series(model, V1, f"1x{x - 1}"),
        info_series(model, V2, f"_x{x} 1x{end - x}"),
        trained_series(model, V1, f"1000x{x - 1}"),
        trained_series(model, V2, f"_x{x} 2000x{end - x}"),
    )
    t_after = ck.next_s((x + e + 10) * 60)
    return RuleTest(
        f"versions {model.id}: v2 replaces v1 at {minutes(x)}: {C.ALERT_VERSION_CHANGED} fires for v2 and clears after {minutes(e)}; v2 is current, v1 previous, age exact",
        "1m",
        inputs,
        (
            AlertCheck(minutes(x - 1), C.ALERT_VERSION_CHANGED),
            AlertCheck(ck.at(x + 1), C.ALERT_VERSION_CHANGED, (changed,)),
            AlertCheck(ck.at(x + e), C.ALERT_VERSION_CHANGED),
        ),
        (
            ExprCheck(series(C.VERSION_CURRENT, m), at(t_after), (Sample(series(C.VERSION_CURRENT, {**m, C.L_VERSION: V2}), 1.0),)),
            ExprCheck(series(C.VERSION_PREVIOUS, m), at(t_after), (Sample(series(C.VERSION_PREVIOUS, {**m, C.L_VERSION: V1}), 1.0),)),
            ExprCheck(series(C.VERSION_AGE, m), at(t_after), (Sample(series(C.VERSION_AGE, m), float(t_after) - 2000.0),)),
        ),
    )


def staleness_cases(model: Any, v: Versions, stale_after: float) -> list[RuleTest]:
    rules = alert_rules(rule_groups(model, v))
    ck = Clock(model)
    old = -(stale_after + 3600.0)
    check = ck.next_s(300.0)
    stale = exp_alert(rules, C.ALERT_MODEL_STALE, labels(model, "staleness", C.SEVERITY_TICKET), check - old)
    # the missing-timestamp alert exists only without a registry file giving the training time
    quiet = (AlertCheck(at(check), C.ALERT_VERSION_INFO_MISSING),) if registry_file.file_link(model) is None else ()
    out = [
        RuleTest(
            f"versions {model.id}: the served version was trained more than {at(stale_after)} ago: {C.ALERT_MODEL_STALE} fires",
            "1m",
            (info_series(model, V1, "1x20"), trained_series(model, V1, f"{fmt_float(old)}x20")),
            (AlertCheck(at(check), C.ALERT_MODEL_STALE, (stale,)), *quiet),
        ),
        RuleTest(
            f"versions {model.id}: a version trained 5m ago: {C.ALERT_MODEL_STALE} stays quiet",
            "1m",
            (info_series(model, V1, "1x20"), trained_series(model, V1, "0x20")),
            (AlertCheck(at(check), C.ALERT_MODEL_STALE),),
        ),
    ]
    if registry_file.file_link(model) is not None:  # the registry file gives the training time: no missing-timestamp alert
        return out
    missing = exp_alert(rules, C.ALERT_VERSION_INFO_MISSING, labels(model, "version_info", C.SEVERITY_TICKET))
    pending = int(parse_duration(INFO_MISSING_FOR) // 60)
    return out + [
        RuleTest(
            f"versions {model.id}: no training timestamp at all: {C.ALERT_VERSION_INFO_MISSING} fires after {INFO_MISSING_FOR}",
            "1m",
            (info_series(model, V1, f"1x{pending + 30}"),),
            (AlertCheck(f"{pending // 2}m", C.ALERT_VERSION_INFO_MISSING), AlertCheck(ck.at(pending + 1 + ck.late), C.ALERT_VERSION_INFO_MISSING, (missing,))),
        ),
    ]


def rule_tests(model: Any, v: Versions) -> list[RuleTest]:
    out = [deployment_case(model, v)]
    if v.stale_after is not None:
        out += staleness_cases(model, v, v.stale_after)
    return out + registry_file.cases(model)
