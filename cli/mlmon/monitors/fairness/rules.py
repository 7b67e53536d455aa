"""The fairness recording rules: decisions, selection rates, demographic parity per model; true
positive rates and equal opportunity when configured."""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import AlertRule, RecordingRule, RuleGroup
from mlmon.monitors.fairness.alerts import alert_rules
from mlmon.monitors.fairness.compile import Fairness
from mlmon.monitors.fairness.promql import by_group, counter, sel


def _parity(model: Any, f: Fairness) -> list[RecordingRule]:
    lab = {C.L_MODEL: model.id}
    s = sel(model)
    decided = by_group(f, counter(model, f, C.PREDICTIONS_TOTAL, f'{C.L_POSITIVE}=~"true|false"', f.window))
    positive = by_group(f, counter(model, f, C.PREDICTIONS_TOTAL, f'{C.L_POSITIVE}="true"', f.window))
    n = str(f.min_samples)
    eligible = f"{C.FAIR_SELECTION_RATE}{s} and {C.FAIR_PREDICTIONS}{s} >= {n}"
    enough = f"on() {C.FAIR_SR_GROUPS}{s} >= 2"
    return [
        RecordingRule(C.FAIR_PREDICTIONS, decided, lab),
        RecordingRule(C.FAIR_POSITIVES, f"{positive}\nor\n{decided} * 0", lab),
        RecordingRule(C.FAIR_SELECTION_RATE, f"{C.FAIR_POSITIVES}{s} / ({C.FAIR_PREDICTIONS}{s} > 0)", lab),
        RecordingRule(C.FAIR_SR_GROUPS, f"count({C.FAIR_PREDICTIONS}{s} >= {n}) or on() vector(0)", lab),
        RecordingRule(C.FAIR_DP_DIFFERENCE, f"(max({eligible}) - min({eligible}))\nand {enough}", lab),
        RecordingRule(C.FAIR_DP_RATIO, f"min({eligible}) / (max({eligible}) > 0)\nand {enough}", lab),
    ]


def _opportunity(model: Any, f: Fairness) -> list[RecordingRule]:
    lab = {C.L_MODEL: model.id}
    s = sel(model)
    tp = by_group(f, counter(model, f, C.OUTCOMES_TOTAL, 'outcome="tp"', f.eo_window))
    fn = by_group(f, counter(model, f, C.OUTCOMES_TOTAL, 'outcome="fn"', f.eo_window))
    actual = by_group(f, counter(model, f, C.OUTCOMES_TOTAL, 'outcome=~"tp|fn"', f.eo_window))
    m = str(f.min_positives)
    el = f"{C.FAIR_TPR}{s} and {C.FAIR_ACTUAL_POSITIVES}{s} >= {m}"
    return [
        RecordingRule(C.FAIR_ACTUAL_POSITIVES, actual, lab),
        RecordingRule(C.FAIR_TPR, f"(\n{tp}\nor\n{fn} * 0\n)\n/ ignoring({C.L_MODEL})\n({C.FAIR_ACTUAL_POSITIVES}{s} > 0)", lab),
        RecordingRule(C.FAIR_TPR_GROUPS, f"count({C.FAIR_ACTUAL_POSITIVES}{s} >= {m}) or on() vector(0)", lab),
        RecordingRule(C.FAIR_EO_DIFFERENCE, f"(max({el}) - min({el}))\nand on() {C.FAIR_TPR_GROUPS}{s} >= 2", lab),
    ]


def rule_groups(model: Any, f: Fairness) -> list[RuleGroup]:
    rules: list[RecordingRule | AlertRule] = [*_parity(model, f)]
    if f.eo_max_difference is not None:
        rules += _opportunity(model, f)
    rules += alert_rules(model, f)
    return [RuleGroup(f"mlmon-{model.id}-fairness", tuple(rules))]
