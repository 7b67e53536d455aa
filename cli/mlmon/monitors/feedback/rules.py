"""The feedback recording rules: events and the negative ratio over the window, the ratio's
trailing baseline (ending one window ago, so a spike does not raise its own baseline), the mean
rating."""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import AlertRule, RecordingRule, RuleGroup
from mlmon.compiler.units import format_duration
from mlmon.monitors.feedback.alerts import alert_rules, sel
from mlmon.monitors.feedback.compile import Feedback

RATING_SUM = C.FEEDBACK_RATING + "_sum"
RATING_COUNT = C.FEEDBACK_RATING + "_count"


def recording_rules(model: Any, f: Feedback) -> list[RecordingRule]:
    lab = {C.L_MODEL: model.id}
    s = sel(model)
    w = format_duration(f.window)
    events_sel, neg_sel = sel(model, 'kind=~"positive|negative"'), sel(model, 'kind="negative"')
    events = f"sum(increase({C.FEEDBACK_TOTAL}{events_sel}[{w}]))\nor on() vector(0)"
    neg = f"sum(increase({C.FEEDBACK_TOTAL}{neg_sel}[{w}]))"
    hist = f"{C.FB_NEGATIVE_RATIO}{s}[{format_duration(f.baseline)}] offset {w}"
    enough_history = f"\nand on()\ncount_over_time({hist}) >= {f.history_samples}"
    rating = f"sum(increase({RATING_SUM}{s}[{w}]))\n/\n(sum(increase({RATING_COUNT}{s}[{w}])) >= {f.min_feedback})"
    return [
        RecordingRule(C.FB_EVENTS, events, lab),
        RecordingRule(C.FB_NEGATIVE_RATIO, f"({neg} or on() vector(0))\n/ on()\n({C.FB_EVENTS}{s} >= {f.min_feedback})", lab),
        RecordingRule(C.FB_BASELINE_MEAN, f"avg_over_time({hist}){enough_history}", lab),
        RecordingRule(C.FB_BASELINE_STDDEV, f"stddev_over_time({hist}){enough_history}", lab),
        RecordingRule(C.FB_RATING_MEAN, rating, lab),
    ]


def rule_groups(model: Any, f: Feedback) -> list[RuleGroup]:
    rules: list[RecordingRule | AlertRule] = [*recording_rules(model, f), *alert_rules(model, f)]
    return [RuleGroup(f"mlmon-{model.id}-feedback", tuple(rules))]
