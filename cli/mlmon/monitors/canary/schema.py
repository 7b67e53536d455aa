"""The ``canary`` section's JSON Schema and its defaults (written here once; compile reads them)."""

from __future__ import annotations

from typing import Any

from mlmon.compiler import dsl as S

KEY = "canary"
MODES = ("canary", "shadow")
QUALITY_METRICS = ("accuracy", "precision", "recall", "f1", "fpr")
MODE = "canary"
LABEL = "role"
BASELINE = "stable"
CANDIDATE = "canary"
WINDOW = "10m"
MIN_SAMPLES = 100
MAX_ERROR_INCREASE = 0.01
QUANTILE = 0.99
MAX_LATENCY_RATIO = 1.2
MAX_DISTANCE = 0.1
QUALITY_METRIC = "accuracy"
MAX_QUALITY_DROP = 0.02
QUALITY_WINDOW = "1h"
MIN_LABELS = 200
STARVED_FOR = "30m"
SEVERITY = "ticket"
FOR = "5m"


def _check(props: dict[str, Any], desc: str) -> dict[str, Any]:
    return S.obj({"enabled": S.boolean("compare this (default: on when the model's metrics allow it)"), **props}, (), desc)


def section_schema() -> dict[str, Any]:
    value = "its value on the {} version; a leading ~ makes it a regular expression (e.g. ~v2.*)"
    return S.obj(
        {
            "mode": S.enum(list(MODES), "canary: the candidate serves a share of users; shadow: it gets a copy of the traffic", MODE),
            "label": S.string("the label that tells the two versions apart (on every series compared)", pattern=S.LABEL_NAME_PATTERN, default=LABEL),
            "baseline": S.string(value.format("serving (stable)"), minLength=1, default=BASELINE),
            "candidate": S.string(value.format("candidate (canary or shadow)"), minLength=1, default=CANDIDATE),
            "window": S.duration("comparison window", WINDOW),
            "min_samples": {
                "type": "integer",
                "minimum": 1,
                "default": MIN_SAMPLES,
                "description": "requests each version needs in the window before anything is compared (the sample gate)",
            },
            "error_ratio": _check(
                {"max_increase": S.ratio("alert when the candidate's error ratio exceeds the baseline's by more than this", MAX_ERROR_INCREASE)},
                "Error ratio, candidate against baseline",
            ),
            "latency": _check(
                {
                    "quantile": S.number(
                        "latency quantile compared (the mean for presets without a histogram)", exclusiveMinimum=0, exclusiveMaximum=1, default=QUANTILE
                    ),
                    "max_ratio": S.number("alert when the candidate's latency exceeds this x the baseline's", exclusiveMinimum=1, default=MAX_LATENCY_RATIO),
                },
                "Latency, candidate against baseline",
            ),
            "prediction": _check(
                {
                    "histogram": S.string(
                        "histogram of the model's output (a metric name, selected like the preset's series, or a full selector); default: mlmon_prediction_score of the mlmon preset"
                    ),
                    "max_distance": S.ratio("alert when the largest gap between the two versions' output CDFs (Kolmogorov-Smirnov) exceeds this", MAX_DISTANCE),
                },
                "Prediction drift between the versions",
            ),
            "quality": S.obj(
                {
                    "metric": S.enum(list(QUALITY_METRICS), "quality metric from the binary outcome counters", QUALITY_METRIC),
                    "max_drop": S.ratio("alert when the candidate is worse than the baseline by more than this", MAX_QUALITY_DROP),
                    "window": S.duration("window of labelled outcomes (labels arrive late)", QUALITY_WINDOW),
                    "min_labels": {"type": "integer", "minimum": 1, "default": MIN_LABELS, "description": "labelled outcomes each version needs in the window"},
                },
                (),
                "Quality delta once labels arrive (binary classification; off unless set)",
            ),
            "starved_for": S.duration("ticket when the candidate serves but stays under min_samples this long", STARVED_FOR),
            "severity": S.enum(["ticket", "page"], "alert class of the comparison alerts", SEVERITY),
            "for": S.duration("how long a comparison must fail before it alerts", FOR),
        },
        (),
        "Canary or shadow comparison of two versions of the model",
    )
