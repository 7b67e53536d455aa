"""The ``feedback:`` field's JSON Schema, and its defaults (defined here once; compile reads them)."""

from __future__ import annotations

from typing import Any

from mlmon.compiler import dsl as S

KEY = "feedback"  # the field of a model entry
WINDOW = "1h"
MIN_FEEDBACK = 20
SPIKE = True
BASELINE = "7d"
K = 3
MIN_INCREASE = 0.05
MIN_HISTORY = "1d"
STOPPED_FOR = "1h"
SEVERITY = "ticket"
FOR = "15m"


def section_schema() -> dict[str, Any]:
    return S.obj(
        {
            "window": S.duration("counting window of the ratio, volume and rating mean", WINDOW),
            "min_feedback": {
                "type": "integer",
                "minimum": 1,
                "default": MIN_FEEDBACK,
                "description": "feedback events a window needs before its negative ratio is assessed",
            },
            "spike": S.obj(
                {
                    "enabled": S.boolean("alert on a spike of the negative ratio against its own history", SPIKE),
                    "baseline": S.duration("trailing history the spike is measured against", BASELINE),
                    "k": S.number("standard deviations above the trailing mean", exclusiveMinimum=0, default=K),
                    "min_increase": S.ratio("and at least this much above the trailing mean", MIN_INCREASE),
                    "min_history": S.duration("history (of assessed windows) needed before spikes alert", MIN_HISTORY),
                },
                (),
                "Negative-feedback spike detection",
            ),
            "max_negative_ratio": S.ratio("alert when the negative share of feedback exceeds this (off unless set)"),
            "min_rating": S.number("alert when the mean rating in the window falls below this (off unless set)"),
            "stopped_for": S.duration("ticket when feedback stays below min_feedback per window this long while the model serves", STOPPED_FOR),
            "severity": S.enum(["ticket", "page"], "alert class of the spike, ceiling and rating alerts", SEVERITY),
            "for": S.duration("how long a spike / ceiling / rating condition must hold", FOR),
        },
        (),
        "User feedback: thumbs up/down ratio, rating mean and volume",
    )
