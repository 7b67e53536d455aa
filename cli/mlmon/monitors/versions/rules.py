"""The versions monitor's rule group: the version ordering (trained time, current, previous,
age) and the version-change, staleness and missing-timestamp alerts; the deployment annotation."""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import AlertRule, RecordingRule, RuleGroup
from mlmon.compiler.units import format_duration, num
from mlmon.monitors.base import alert_annotations, alert_labels
from mlmon.monitors.quality import contract_selector
from mlmon.monitors.versions import registry_file
from mlmon.monitors.versions.compile import Versions

KEY = "versions"
INFO_MISSING_FOR = "1h"


def labels(model: Any, check: str, severity: str) -> dict[str, str]:
    return alert_labels(model, KEY, severity, check)


def change_event_expr(model: Any, v: Versions) -> str:
    """Series {version, stage} present while a version is new (seen now, not in the window before)."""
    sel = contract_selector(model)
    e = format_duration(v.change_event_for)
    return (
        f"max by ({C.L_VERSION}, stage) ({C.MODEL_INFO}{{{sel}}})\n"
        f"unless on ({C.L_VERSION})\n"
        f"max by ({C.L_VERSION}) (max_over_time({C.MODEL_INFO}{{{sel}}}[{e}] offset {e}))"
    )


def deployment_annotations(model: Any) -> list[tuple[str, str]]:
    """Grafana annotation queries (name, PromQL) for the model dashboard: deployments."""
    v = model.section(KEY) or Versions()
    return [("Deployments", change_event_expr(model, v))]


def ordering_rules(model: Any, v: Versions) -> list[RecordingRule]:
    """Versions ordered by training time: the current one is the newest-trained one exported now,
    the previous one the newest-trained older one seen within the lookback."""
    sel = contract_selector(model)
    m = f'{C.L_MODEL}="{model.id}"'
    lab = {C.L_MODEL: model.id}
    res = max(60.0, min(3600.0, round(v.previous_lookback / 24 / 60) * 60.0))
    lb = f"{format_duration(v.previous_lookback)}:{format_duration(res)}"  # subquery: cheap lookback (336 points for 14d)
    t = f"{C.VERSION_TRAINED}{{{m}}}"
    seen = f"last_over_time({t}[{lb}])"
    return [
        *registry_file.constant_rules(model),
        RecordingRule(C.VERSION_TRAINED, registry_file.trained_expr(model, sel), lab),
        RecordingRule(C.VERSION_CURRENT, f"0 * (\n  {t}\n  == on ({C.L_MODEL}) group_left\n  max by ({C.L_MODEL}) ({t})\n) + 1", lab),
        RecordingRule(
            C.VERSION_PREVIOUS,
            f"0 * (\n  {seen}\n  == on ({C.L_MODEL}) group_left\n  max by ({C.L_MODEL}) (\n    {seen}\n    < on ({C.L_MODEL}) group_left\n    max by ({C.L_MODEL}) ({t})\n  )\n) + 1",
            lab,
        ),
        RecordingRule(C.VERSION_AGE, f"time() - max by ({C.L_MODEL}) ({t})", lab),
    ]


def alerts(model: Any, v: Versions) -> list[AlertRule]:
    m = f'{C.L_MODEL}="{model.id}"'
    out = [
        AlertRule(
            C.ALERT_VERSION_CHANGED,
            change_event_expr(model, v),
            None,
            labels(model, "version", C.SEVERITY_INFO),
            alert_annotations(
                model,
                "version {{ $labels.version }} ({{ $labels.stage }}) is now served",
                f"mlmon_model_info of {model.id} shows a version that was not served {format_duration(v.change_event_for)} earlier. "
                "This event resolves by itself; watch the version-regression and performance alerts once labels arrive.",
            ),
        )
    ]
    if v.stale_after is None:
        return out
    limit = format_duration(v.stale_after)
    out.append(
        AlertRule(
            C.ALERT_MODEL_STALE,
            f"{C.VERSION_AGE}{{{m}}} > {num(v.stale_after)}",
            None,
            labels(model, "staleness", C.SEVERITY_TICKET),
            alert_annotations(
                model,
                f"the served version was trained {{{{ $value | humanizeDuration }}}} ago (limit {limit})",
                f"The newest served version of {model.id} is older than stale_after ({limit}). Retrain on recent data or raise the limit.",
            ),
        )
    )
    if registry_file.file_link(model) is not None:  # the registry file gives the training time
        return out
    out.append(
        AlertRule(
            C.ALERT_VERSION_INFO_MISSING,
            f"absent({C.MODEL_TRAINED_TIMESTAMP}{{{contract_selector(model)}}})",
            INFO_MISSING_FOR,
            labels(model, "version_info", C.SEVERITY_TICKET),
            alert_annotations(
                model,
                f"{C.MODEL_TRAINED_TIMESTAMP} is missing, so staleness cannot be checked",
                f"stale_after is set for {model.id} but the model exports no training timestamp. Call ModelMonitor.set_trained() (or export the gauge).",
            ),
        )
    )
    return out


def rule_groups(model: Any, v: Versions) -> tuple[RuleGroup, ...]:
    rules: list[RecordingRule | AlertRule] = [*ordering_rules(model, v), *alerts(model, v)]
    return (RuleGroup(f"mlmon-{model.id}-versions", tuple(rules)),)
