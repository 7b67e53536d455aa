"""The ``retraining`` section's schema, its reasons and its defaults (written here once)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlmon import conventions as C
from mlmon.compiler import dsl as S

REASONS = ("drift", "performance", "staleness")
DRIFT_LEVELS = ("warn", "critical")
PERFORMANCE_LEVELS = ("warning", "critical")


@dataclass(frozen=True)
class Defaults:
    triggers: tuple[str, ...] = REASONS
    drift_level: str = "critical"
    performance_level: str = "warning"
    for_: str = "1h"


DEFAULTS = Defaults()


def schema() -> dict[str, Any]:
    d = DEFAULTS
    every = "all three" if d.triggers == REASONS else ", ".join(d.triggers)
    return S.obj(
        {
            "triggers": S.array(S.enum(list(REASONS), "reason"), f"what triggers retraining (default: {every})", uniqueItems=True, minItems=1),
            "drift_level": S.enum(list(DRIFT_LEVELS), "a feature whose drift score reaches this level triggers (drift section)", d.drift_level),
            "performance_level": S.enum(
                list(PERFORMANCE_LEVELS), "a metric worse than its warning (min/max) or critical level triggers (performance section)", d.performance_level
            ),
            "for": S.duration("the condition must hold this long before retraining is requested", d.for_),
        },
        (),
        f"Retraining triggers: {C.ALERT_RETRAIN}{{reason, action={C.ACTION_RETRAIN}}} to the team's retraining webhook",
    )
