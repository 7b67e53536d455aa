"""The ``retraining`` section's schema, its reasons and its defaults (written here once)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlmon import conventions as C
from mlmon.compiler import dsl as S

REASONS = ("drift", "performance", "staleness", "feedback", "new_labels")
DRIFT_LEVELS = ("warn", "critical")
PERFORMANCE_LEVELS = ("warning", "critical")


@dataclass(frozen=True)
class Defaults:
    triggers: tuple[str, ...] = ("drift", "performance", "staleness")
    drift_level: str = "critical"
    performance_level: str = "warning"
    for_: str = "1h"
    feedback_decline: float = 0.1
    new_labels_min: int = 10000
    new_labels_lookback: str = "30d"


DEFAULTS = Defaults()


def schema() -> dict[str, Any]:
    d = DEFAULTS
    every = ", ".join(d.triggers)
    return S.obj(
        {
            "triggers": S.array(S.enum(list(REASONS), "reason"), f"what triggers retraining (default: {every})", uniqueItems=True, minItems=1),
            "drift_level": S.enum(list(DRIFT_LEVELS), "a feature whose drift score reaches this level triggers (drift section)", d.drift_level),
            "performance_level": S.enum(
                list(PERFORMANCE_LEVELS), "a metric worse than its warning (min/max) or critical level triggers (performance section)", d.performance_level
            ),
            "for": S.duration("the condition must hold this long before retraining is requested", d.for_),
            "feedback_decline": S.ratio(
                "trigger feedback: the negative-feedback share is this much above its trailing mean (feedback section's spike baseline)", d.feedback_decline
            ),
            "new_labels": S.obj(
                {
                    "min": {
                        "type": "integer",
                        "minimum": 1,
                        "default": d.new_labels_min,
                        "description": "trigger new_labels: at least this many labels joined to predictions of the served version(s)",
                    },
                    "lookback": S.duration("labels are counted over at most this long (PromQL needs a fixed range)", d.new_labels_lookback),
                },
                (),
                "New labelled samples since the served version was deployed",
            ),
        },
        (),
        f"Retraining triggers: {C.ALERT_RETRAIN}{{reason, action={C.ACTION_RETRAIN}}} to the team's retraining webhook",
    )
