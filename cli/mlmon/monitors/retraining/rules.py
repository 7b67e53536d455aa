"""The retraining monitor's rule group: one MLModelRetrainingTriggered per trigger whose
monitor has a section on the model (drift, performance, staleness)."""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import AlertRule, RuleGroup
from mlmon.compiler.units import format_duration, num
from mlmon.monitors.base import alert_annotations, alert_labels
from mlmon.monitors.quality import LOWER_IS_BETTER, contract_selector, metric_name
from mlmon.monitors.retraining.compile import Retraining

KEY = "retraining"


def labels(model: Any, reason: str) -> dict[str, str]:
    return alert_labels(model, KEY, C.SEVERITY_TICKET, reason, **{C.L_REASON: reason, C.L_ACTION: C.ACTION_RETRAIN})


def trigger_exprs(model: Any, r: Retraining) -> dict[str, str]:
    """reason -> PromQL (a {model} series while the trigger condition holds)."""
    m = f'{C.L_MODEL}="{model.id}"'
    out: dict[str, str] = {}
    if "drift" in r.triggers and model.section("drift") is not None:
        thr = C.DRIFT_FEATURE_CRITICAL if r.drift_level == "critical" else C.DRIFT_FEATURE_WARN
        out["drift"] = f"count by ({C.L_MODEL}) (\n  {C.DRIFT_FEATURE_SCORE}{{{m}}}\n  >= on ({C.L_MODEL}, feature)\n  {thr}{{{m}}}\n)"
    perf = model.section("performance")
    if "performance" in r.triggers and perf is not None:
        parts = []
        for metric in perf.metrics:
            warn, crit = perf.thresholds(metric)
            bound = crit if r.performance_level == "critical" else warn
            if bound is not None:
                op = ">" if metric in LOWER_IS_BETTER else "<"
                parts.append(f'label_replace({metric_name(metric)}{{{m}}} {op} {num(bound)}, "metric", "{metric}", "", "")')
        if parts:
            out["performance"] = f"count by ({C.L_MODEL}) (\n  " + "\n  or\n  ".join(parts) + "\n)"
    versions = model.section("versions")
    if "staleness" in r.triggers and versions is not None:
        # inline (not mlmon_version:age:seconds) so the value does not lag one evaluation behind
        out["staleness"] = f"time() - max({C.MODEL_TRAINED_TIMESTAMP}{{{contract_selector(model)}}}) > {num(versions.stale_for_retraining)}"
    if "feedback" in r.triggers and model.section("feedback") is not None:
        out["feedback"] = f"{C.FB_NEGATIVE_RATIO}{{{m}}} - {C.FB_BASELINE_MEAN}{{{m}}} > {num(r.feedback_decline)}"
    if "new_labels" in r.triggers:
        out["new_labels"] = new_labels_expr(model, r)
    return out


def new_labels_expr(model: Any, r: Retraining) -> str:
    """Labels joined to predictions of the served version(s) (``mlmon_model_info``) within the
    lookback: the new labelled samples since the served version was deployed."""
    s = contract_selector(model)
    joined = f"sum by ({C.L_VERSION}) (increase({C.LABELS_JOINED_TOTAL}{{{s}}}[{format_duration(r.new_labels_lookback)}]))"
    return f"sum(\n  {joined}\n  and on ({C.L_VERSION})\n  max by ({C.L_VERSION}) ({C.MODEL_INFO}{{{s}}})\n) >= {r.new_labels_min}"


def rule_groups(model: Any, r: Retraining) -> tuple[RuleGroup, ...]:
    what = {
        "drift": "input drift reached its " + r.drift_level + " level on {{ $value }} feature(s)",
        "performance": "{{ $value }} performance metric(s) are worse than their " + r.performance_level + " level",
        "staleness": "the served version is {{ $value | humanizeDuration }} old",
        "feedback": "the negative-feedback share is {{ $value | humanizePercentage }} above its trailing mean",
        "new_labels": '{{ $value | printf "%.0f" }} new labelled samples since the served version was deployed',
    }
    held = format_duration(r.for_)
    rules = [
        AlertRule(
            C.ALERT_RETRAIN,
            expr,
            held,
            labels(model, reason),
            alert_annotations(
                model,
                f"retraining triggered ({reason}): {what[reason]}",
                f"mlmon asks the retraining pipeline of {model.id} to retrain (reason: {reason}; the condition held for {held}). "
                "The alert goes to the team's retraining webhook; Alertmanager's grouping and repeat_interval keep it from re-triggering more often.",
            ),
        )
        for reason, expr in trigger_exprs(model, r).items()
    ]
    return (RuleGroup(f"mlmon-{model.id}-retraining", tuple(rules)),) if rules else ()
