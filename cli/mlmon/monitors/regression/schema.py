"""The ``regression:`` field's JSON Schema, its defaults (written here once) and the words for
each metric that the schema, the alerts and the panels share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlmon.compiler import dsl as S
from mlmon.monitors.quality import REGRESSION_METRICS

KEY = "regression"
TASK = "regression"
COMPARED = ("mae", "rmse", "mape")  # bias is two-sided: a ceiling on |bias|, no comparisons
TITLES = {"mae": "MAE", "rmse": "RMSE", "mape": "MAPE", "bias": "Bias"}
MEANING = {
    "mae": "mean absolute error |predicted - actual|, in the target's units",
    "rmse": "root of the mean squared error, in the target's units (large errors weigh more)",
    "mape": "mean of |predicted - actual| / |actual| over the labels whose actual is not 0 (a ratio: 0.1 = 10%)",
    "bias": "mean of predicted - actual: above 0 the model over-predicts, below 0 it under-predicts",
}


@dataclass(frozen=True)
class Defaults:
    window: str = "1d"
    min_samples: int = 100
    max_increase_vs_previous_version: float = 0.1
    max_increase_vs_training: float = 0.2
    for_: str = "1h"
    watched: tuple[str, ...] = ("mae",)  # when no metric has a level and `watch` is not given


DEFAULTS = Defaults()


def _levels(desc: str) -> dict[str, Any]:
    return S.obj({m: S.number(f"{m}: {MEANING[m]}", 0) for m in REGRESSION_METRICS}, (), desc)


def section_schema() -> dict[str, Any]:
    d = DEFAULTS
    return S.obj(
        {
            "window": S.duration("labels that arrived within this window are scored (arrival time, not prediction time)", d.window),
            "labels_delay": S.duration("typical delay from a prediction to its label; the no-data alert counts the predictions made this long ago"),
            "min_samples": S.number("a metric is recorded only when the window holds at least this many scored labels", 1, None, d.min_samples, type="integer"),
            "metrics": S.array(S.enum(list(REGRESSION_METRICS), "metric"), "metrics to record (default: all)", uniqueItems=True, minItems=1),
            "watch": S.array(
                S.enum(list(COMPARED), "metric"),
                f"metrics compared with the previous version and the training figures, and covered by the no-data alert (default: those with a level, else {d.watched[0]})",
                uniqueItems=True,
                minItems=1,
            ),
            "max": _levels("warning when a metric rises above this (bias: when |bias| does)"),
            "critical": _levels("page when a metric rises above this (bias: |bias|); must be above its warning level"),
            "max_increase_vs_previous_version": S.number(
                "warning when the newest version's error is higher than the previous version's by more than this share (0.1 = 10%; versions ordered by "
                "mlmon_model_trained_timestamp_seconds; needs a versions section)",
                None,
                None,
                d.max_increase_vs_previous_version,
                exclusiveMinimum=0,
            ),
            "max_increase_vs_training": S.number(
                "warning when a version's error is higher than its training figure (mlmon_model_training_metric) by more than this share",
                None,
                None,
                d.max_increase_vs_training,
                exclusiveMinimum=0,
            ),
            "for": S.duration("how long a condition must hold before its alert fires", d.for_),
        },
        (),
        "Regression quality from delayed labels: MAE, RMSE, MAPE and bias against levels, the previous version and the training figures",
    )
