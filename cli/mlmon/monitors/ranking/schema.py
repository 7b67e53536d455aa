"""The ``ranking:`` field's JSON Schema, its defaults (written here once) and the words for each
metric that the schema, the alerts and the panels share."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from mlmon.compiler import dsl as S

KEY = "ranking"
TASK = "ranking"
AT_K = ("ndcg", "hit_rate")  # metric families with a cut-off: <family>_at_<k>
PLAIN = ("mrr", "catalog_coverage")
FAMILIES = (*AT_K, *PLAIN)
METRIC_PATTERN = r"^((ndcg|hit_rate)_at_[1-9][0-9]{0,3}|mrr|catalog_coverage)$"
TITLES = {"ndcg": "NDCG@{k}", "hit_rate": "Hit rate@{k}", "mrr": "MRR", "catalog_coverage": "Catalogue coverage"}
MEANING = {
    "ndcg": "normalised discounted cumulative gain of the top {k}: 1 when the relevant items lead the list in the ideal order",
    "hit_rate": "share of the labelled lists with a relevant item in the top {k}",
    "mrr": "mean reciprocal rank of the first relevant item (0 for a list without one)",
    "catalog_coverage": "distinct items recommended in the instrument's coverage window, over the catalogue size",
}


def split(metric: str) -> tuple[str, int | None]:
    """``ndcg_at_10`` -> (``ndcg``, 10); ``mrr`` -> (``mrr``, None)."""
    m = re.fullmatch(r"(ndcg|hit_rate)_at_([0-9]+)", metric)
    return (m.group(1), int(m.group(2))) if m else (metric, None)


def title(metric: str) -> str:
    family, k = split(metric)
    return TITLES[family].format(k=k)


def meaning(metric: str) -> str:
    family, k = split(metric)
    return MEANING[family].format(k=k)


@dataclass(frozen=True)
class Defaults:
    k: tuple[int, ...] = (10,)
    window: str = "1d"
    min_samples: int = 100
    max_drop_vs_previous_version: float = 0.03
    max_drop_vs_training: float = 0.05
    for_: str = "1h"

    def watched(self, ks: tuple[int, ...]) -> tuple[str, ...]:
        """Watched metrics when none has a level and `watch` is not given."""
        return (f"ndcg_at_{max(ks)}",)


DEFAULTS = Defaults()


def _levels(desc: str) -> dict[str, Any]:
    return {"type": "object", "description": desc, "propertyNames": {"pattern": METRIC_PATTERN}, "additionalProperties": S.ratio("level")}


def section_schema() -> dict[str, Any]:
    d = DEFAULTS
    metric = S.string("metric: ndcg_at_<k>, hit_rate_at_<k>, mrr or catalog_coverage", pattern=METRIC_PATTERN)
    return S.obj(
        {
            "k": S.array(
                S.number("cut-off", 1, 1000, type="integer"),
                f"cut-offs of NDCG@k and hit rate@k; the service's ModelMonitor(k=...) must count the same (default: {', '.join(map(str, d.k))})",
                minItems=1,
                uniqueItems=True,
            ),
            "window": S.duration("labels that arrived within this window are scored (arrival time, not prediction time)", d.window),
            "labels_delay": S.duration(
                "typical delay from a served list to its label (clicks, purchases); the no-data alert counts the lists served this long ago"
            ),
            "min_samples": S.number(
                "a metric is recorded only when the window holds at least this many labelled lists", 1, None, d.min_samples, type="integer"
            ),
            "metrics": S.array(
                S.enum(list(FAMILIES), "metric family"), "metric families to record, ndcg and hit_rate at every k (default: all)", uniqueItems=True, minItems=1
            ),
            "watch": S.array(
                metric,
                "metrics compared with the previous version and the training figures, and covered by the no-data alert (default: those with a level, else ndcg at the largest k)",
                uniqueItems=True,
                minItems=1,
            ),
            "min": _levels("warning when a metric falls below this, by metric name (ndcg_at_10, hit_rate_at_5, mrr, catalog_coverage)"),
            "critical": _levels("page when a metric falls below this; must be below its warning level"),
            "max_drop_vs_previous_version": S.number(
                "warning when the newest version scores lower than the previous one by more than this (absolute; 1 = off; versions ordered by "
                "mlmon_model_trained_timestamp_seconds; needs a versions section)",
                None,
                1,
                d.max_drop_vs_previous_version,
                exclusiveMinimum=0,
            ),
            "max_drop_vs_training": S.number(
                "warning when a version scores lower than its training figure (mlmon_model_training_metric) by more than this (absolute; 1 = off)",
                None,
                1,
                d.max_drop_vs_training,
                exclusiveMinimum=0,
            ),
            "for": S.duration("how long a condition must hold before its alert fires", d.for_),
        },
        (),
        "Ranking and recommendation quality from delayed labels: NDCG@k, MRR, hit rate@k and catalogue coverage",
    )
