"""The ``fairness:`` field's JSON Schema, and its defaults (defined here once; compile reads them)."""

from __future__ import annotations

from typing import Any

from mlmon.compiler import dsl as S

KEY = "fairness"  # the field of a model entry
WINDOW = "1d"
MIN_SAMPLES = 100
DP_MIN_RATIO = 0.8  # the four-fifths rule of thumb
EO_MAX_DIFFERENCE = 0.1
EO_WINDOW = "7d"
MIN_POSITIVES = 30
SEVERITY = "ticket"
FOR = "1h"


def _count(default: int, desc: str) -> dict[str, Any]:
    return {"type": "integer", "minimum": 1, "default": default, "description": desc}


def section_schema() -> dict[str, Any]:
    return S.obj(
        {
            "group_label": S.string("label of mlmon_predictions_total / mlmon_outcomes_total that holds the group (e.g. region)", pattern=S.LABEL_NAME_PATTERN),
            "window": S.duration("counting window of the selection rates", WINDOW),
            "min_samples": _count(MIN_SAMPLES, "decisions a group needs in the window to be assessed (fewer: left out)"),
            "demographic_parity": S.obj(
                {
                    "min_ratio": S.ratio(
                        "alert when min/max selection rate falls below this; 0.8 is the four-fifths rule of thumb, a convention not a law", DP_MIN_RATIO
                    ),
                    "max_difference": S.ratio("alert when max-min selection rate exceeds this (off unless set)"),
                },
                (),
                "Demographic parity thresholds (selection rate = share of positive decisions)",
            ),
            "equal_opportunity": S.obj(
                {
                    "max_difference": S.ratio("alert when max-min true-positive rate across groups exceeds this", EO_MAX_DIFFERENCE),
                    "window": S.duration("counting window of outcomes (labels arrive late: use days)", EO_WINDOW),
                    "min_positives": _count(MIN_POSITIVES, "actual positives (tp+fn) a group needs in the window to be assessed"),
                },
                (),
                "Equal opportunity from per-group outcome counters (mlmon_outcomes_total{outcome=tp|fn})",
            ),
            "groups": S.array(S.string(minLength=1), "groups that must be present with enough samples (optional)", uniqueItems=True),
            "severity": S.enum(["ticket", "page"], "alert class of fairness alerts", SEVERITY),
            "for": S.duration("how long a condition must hold before alerting", FOR),
        },
        ("group_label",),
        "Fairness across the groups of one label: demographic parity and equal opportunity",
    )
