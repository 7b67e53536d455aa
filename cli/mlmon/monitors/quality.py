"""Facts about model-quality metrics that several monitors share (performance, versions,
retraining, concept drift): which metrics exist, which are better when lower, and the names of
their recorded series. A leaf module: conventions only."""

from __future__ import annotations

from mlmon import conventions as C

BINARY = "binary_classification"
MULTICLASS = "multiclass_classification"

BINARY_METRICS = ("accuracy", "precision", "recall", "f1", "macro_f1", "fpr", "auc")
MULTICLASS_METRICS = ("accuracy", "precision", "recall", "f1", "macro_f1", "fpr")
PER_CLASS = frozenset({"precision", "recall", "f1", "fpr"})  # multiclass: one series per class
LOWER_IS_BETTER = frozenset({"fpr"})
ALL_METRICS = tuple(dict.fromkeys(BINARY_METRICS + MULTICLASS_METRICS))


def metric_name(metric: str, version: bool = False) -> str:
    """The recorded series of a quality metric, per model or per model version."""
    return (C.PERF_VERSION_METRIC if version else C.PERF_METRIC).format(metric=metric)
