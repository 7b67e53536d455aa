"""The ``performance`` section's schema, its defaults (written here once) and the words for each
metric that the schema, the alerts and the panels share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlmon.compiler import dsl as S
from mlmon.monitors.quality import ALL_METRICS, BINARY, MULTICLASS

TITLES = {
    "accuracy": "Accuracy",
    "precision": "Precision",
    "recall": "Recall",
    "f1": "F1",
    "macro_f1": "Macro-F1",
    "fpr": "False-positive rate",
    "auc": "ROC AUC",
}
MEANING = {
    "accuracy": "share of labelled predictions that were right",
    "precision": "of the predicted positives, the share that were positive",
    "recall": "of the actual positives, the share the model caught",
    "f1": "harmonic mean of precision and recall",
    "macro_f1": "unweighted mean of the per-class F1 scores",
    "fpr": "of the actual negatives, the share flagged positive",
    "auc": "probability that a positive scores above a negative (trapezoid over the score buckets)",
}


@dataclass(frozen=True)
class Defaults:
    window: str = "1d"
    compare_offset: str = "7d"
    min_samples: int = 100
    max_drop: float = 0.05
    max_drop_vs_previous_version: float = 0.05
    max_drop_vs_training: float = 0.05  # needs a registry: block (training metrics from the model registry)
    min_coverage: float = 0.2  # label_coverage.min
    no_labels_for: str = "6h"  # label_coverage.no_labels_for
    concept_drift: bool = True
    for_: str = "1h"

    @staticmethod
    def watched(task: str) -> tuple[str, ...]:
        """Watched metrics when none has a threshold and ``watch`` is not given."""
        return ("macro_f1",) if task == MULTICLASS else ("f1",)


DEFAULTS = Defaults()


def _metric_map(desc: str) -> dict[str, Any]:
    return S.obj({m: S.ratio(f"{m}: {MEANING[m]}") for m in ALL_METRICS}, (), desc)


def schema() -> dict[str, Any]:
    d = DEFAULTS
    metric = S.enum(list(ALL_METRICS), "metric")
    return S.obj(
        {
            "window": S.duration("labels that arrived within this window are scored (arrival time, not prediction time)", d.window),
            "labels_delay": S.duration("typical delay from a prediction to its ground-truth label; the coverage denominator counts predictions this long ago"),
            "compare_offset": S.duration("the drop alert compares with the same window this long ago", d.compare_offset),
            "min_samples": S.number(
                "a ratio is recorded only when its denominator holds at least this many labelled predictions", 1, None, d.min_samples, type="integer"
            ),
            "metrics": S.array(metric, "metrics to record (default: every one the task and metrics allow)", uniqueItems=True, minItems=1),
            "watch": S.array(
                metric,
                f"metrics watched for drops, version regressions, no-data and concept drift (default: those with a threshold, else {d.watched(BINARY)[0]} / {d.watched(MULTICLASS)[0]})",
                uniqueItems=True,
                minItems=1,
            ),
            "min": _metric_map("warning when a metric falls below this (higher-is-better metrics)"),
            "max": _metric_map("warning when a metric rises above this (fpr)"),
            "critical": _metric_map("page when a metric is worse than this (below for most metrics, above for fpr); must be worse than min/max"),
            "max_drop": S.number(
                "warning when a watched metric is worse than `compare_offset` ago by more than this (absolute; 1 = off)", 0, 1, d.max_drop, exclusiveMinimum=0
            ),
            "max_drop_vs_previous_version": S.number(
                "warning when the newest version is worse than the previous one by more than this (absolute; 1 = off; versions ordered by mlmon_model_trained_timestamp_seconds)",
                None,
                1,
                d.max_drop_vs_previous_version,
                exclusiveMinimum=0,
            ),
            "max_drop_vs_training": S.number(
                "warning when a version scores worse than its training metric in the model registry by more than this "
                "(absolute; 1 = off; needs the spec's registry block)",
                None,
                1,
                d.max_drop_vs_training,
                exclusiveMinimum=0,
            ),
            "score_buckets": S.array(
                S.number("bucket upper bound (le)"), "le edges of mlmon_labeled_score_bucket (without +Inf); required for auc", minItems=1, uniqueItems=True
            ),
            "classes": S.array(
                S.string("class name", minLength=1), "multiclass: the classes to score (every class the model predicts)", minItems=2, uniqueItems=True
            ),
            "label_coverage": S.obj(
                {
                    "min": S.ratio("warning when labelled / predicted (labels_delay ago) falls below this; 0 = off", d.min_coverage),
                    "no_labels_for": S.duration("warning when no label at all arrived for this long although predictions were due", d.no_labels_for),
                },
                (),
                "Ground-truth arrival checks",
            ),
            "concept_drift": S.boolean(
                "alert when a watched metric degrades while input drift stays below its warn level (needs a drift section)", d.concept_drift
            ),
            "for": S.duration("how long a quality condition must hold before its alert fires", d.for_),
        },
        (),
        "Quality from delayed ground truth: classification metrics, label coverage, concept drift",
    )
