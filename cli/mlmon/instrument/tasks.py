"""The counters of regression and ranking models, added to when a label arrives
(:meth:`ModelMonitor.outcome`), and the training figures of a version.

Regression (``task="regression"``), per label with a finite actual and prediction: the
over- and under-prediction (both only grow, so ``increase()`` reads them), the squared error, the
absolute percentage error when the actual is not 0, and a count of actuals of 0 (left out of MAPE).

Ranking (``task="ranking"``), per ranked list whose label names at least one relevant item (a
list without one is only counted in ``mlmon_ranking_no_relevant_total``): NDCG@k at each
configured ``k`` (linear gains, discount 1/log2(rank + 1), the ideal order of every relevant item
known: scikit-learn's ``ndcg_score``), the reciprocal rank of the first relevant item (0 when
none is listed), and whether a relevant item is in the top k. Served lists feed the catalogue
coverage (:mod:`mlmon.instrument.coverage`).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge

from mlmon import conventions as C
from mlmon.instrument.coverage import DistinctItems

REGRESSION, RANKING = "regression", "ranking"
DEFAULT_K: tuple[int, ...] = (10,)


def _base(name: str) -> str:
    return name[: -len("_total")] if name.endswith("_total") else name


def training_gauge(registry: CollectorRegistry) -> Gauge:
    return Gauge(
        C.MODEL_TRAINING_METRIC,
        "The version's figure of a metric at training time.",
        (C.L_MODEL, C.L_VERSION, C.L_METRIC),
        registry=registry,
        multiprocess_mode="max",
    )


class RegressionCounters:
    def __init__(self, registry: CollectorRegistry):
        mv = (C.L_MODEL, C.L_VERSION)
        help_ = {
            "samples": "Labelled predictions scored (finite actual and prediction).",
            "over_prediction": "Sum of predicted - actual where the prediction was above the actual.",
            "under_prediction": "Sum of actual - predicted where the prediction was below the actual.",
            "squared_error": "Sum of (predicted - actual)^2.",
            "absolute_percentage_error": "Sum of |predicted - actual| / |actual| over actuals other than 0.",
            "zero_actuals": "Labelled predictions whose actual was 0 (left out of MAPE).",
        }
        self.families = {k: Counter(_base(name), help_[k], mv, registry=registry) for k, name in C.REG_COUNTERS.items()}

    def children(self, model: str, version: str) -> dict[str, Any]:
        return {k: f.labels(model, version) for k, f in self.families.items()}

    @staticmethod
    def observe(ch: Mapping[str, Any], actual: Any, predicted: Any) -> bool:
        """Score one label; False (nothing counted) when the actual or the prediction is not finite."""
        a, p = float(actual), float(predicted)
        if not (math.isfinite(a) and math.isfinite(p)):
            return False
        e = p - a
        ch["samples"].inc()
        if e > 0:
            ch["over_prediction"].inc(e)
        elif e < 0:
            ch["under_prediction"].inc(-e)
        ch["squared_error"].inc(e * e)
        if a == 0:
            ch["zero_actuals"].inc()
        else:
            ch["absolute_percentage_error"].inc(abs(e) / abs(a))
        return True


def gains(actual: Any) -> dict[Hashable, float]:
    """Relevance by item: a mapping item -> gain (graded), or an iterable of relevant items (gain 1)."""
    rel = {item: float(g) for item, g in actual.items()} if isinstance(actual, Mapping) else {item: 1.0 for item in actual}
    if any(g < 0 or not math.isfinite(g) for g in rel.values()):
        raise ValueError("relevance gains must be finite and not negative")
    return {item: g for item, g in rel.items() if g > 0}


def dcg(values: Sequence[float], k: int) -> float:
    return math.fsum(g / math.log2(i + 2) for i, g in enumerate(values[:k]))


def ranking_scores(ranked: Sequence[Hashable], rel: Mapping[Hashable, float], ks: Sequence[int]) -> tuple[dict[int, float], float, dict[int, bool]]:
    """NDCG@k and hit@k per k, and the reciprocal rank, of one ranked list with at least one relevant item."""
    listed = [rel.get(item, 0.0) for item in ranked]
    ideal = sorted(rel.values(), reverse=True)
    first = next((i for i, g in enumerate(listed) if g > 0), None)
    ndcg = {k: dcg(listed, k) / dcg(ideal, k) for k in ks}
    return ndcg, 0.0 if first is None else 1.0 / (first + 1), {k: first is not None and first < k for k in ks}


class RankingCounters:
    def __init__(self, registry: CollectorRegistry, ks: Sequence[int] = DEFAULT_K, catalog_size: int | None = None, window: float = 86400.0, clock: Any = None):
        if not ks or any(int(k) < 1 for k in ks):
            raise ValueError("k: give at least one cut-off, each 1 or more")
        self.ks = tuple(sorted({int(k) for k in ks}))
        self.catalog_size, self.window, self.clock = catalog_size, float(window), clock
        mv = (C.L_MODEL, C.L_VERSION)
        rc = C.RANK_COUNTERS
        self.requests = Counter(_base(rc["requests"]), "Labelled ranked lists with at least one relevant item.", mv, registry=registry)
        self.no_relevant = Counter(_base(rc["no_relevant"]), "Labelled ranked lists without a relevant item (not scored).", mv, registry=registry)
        self.ndcg = Counter(_base(rc["ndcg"]), "Sum of NDCG@k over the scored lists.", (*mv, C.L_K), registry=registry)
        self.rr = Counter(_base(rc["reciprocal_rank"]), "Sum of 1/rank of the first relevant item (0 when none is listed).", mv, registry=registry)
        self.hits = Counter(_base(rc["hits"]), "Scored lists with a relevant item in the top k.", (*mv, C.L_K), registry=registry)
        self.distinct = Gauge(
            C.RANK_DISTINCT_ITEMS, "Distinct items recommended within the coverage window (estimate).", mv, registry=registry, multiprocess_mode="max"
        )
        self.catalog = Gauge(C.RANK_CATALOG_ITEMS, "Items that could be recommended.", mv, registry=registry, multiprocess_mode="max")

    def children(self, model: str, version: str) -> dict[str, Any]:
        kw = {} if self.clock is None else {"clock": self.clock}
        ch: dict[str, Any] = {
            "requests": self.requests.labels(model, version),
            "no_relevant": self.no_relevant.labels(model, version),
            "ndcg": {k: self.ndcg.labels(model, version, str(k)) for k in self.ks},
            "rr": self.rr.labels(model, version),
            "hits": {k: self.hits.labels(model, version, str(k)) for k in self.ks},
            "distinct": self.distinct.labels(model, version),
            "catalog": self.catalog.labels(model, version),
            "items": DistinctItems(self.window, catalog=self.catalog_size, **kw),
        }
        if self.catalog_size is not None:
            ch["catalog"].set(self.catalog_size)
        return ch

    def observe(self, ch: Mapping[str, Any], actual: Any, predicted: Any) -> bool:
        """Score one labelled list; False when its label names no relevant item."""
        rel = gains(actual)
        if not rel:
            ch["no_relevant"].inc()
            return False
        ndcg, rr, hit = ranking_scores(list(predicted), rel, self.ks)
        ch["requests"].inc()
        for k in self.ks:
            ch["ndcg"][k].inc(ndcg[k])
            ch["hits"][k].inc(1.0 if hit[k] else 0.0)
        ch["rr"].inc(rr)
        return True

    @staticmethod
    def served(ch: Mapping[str, Any], items: Iterable[Hashable]) -> None:
        """Count a served list's items for the coverage, and refresh the gauge."""
        est = ch["items"]
        for item in items:
            est.add(item)
        ch["distinct"].set(est.estimate())


def task_counters(task: str, registry: CollectorRegistry, ks: Sequence[int], catalog_size: int | None, window: float, clock: Any) -> Any:
    """The task's counters, or None for tasks without any of their own."""
    if task == REGRESSION:
        return RegressionCounters(registry)
    if task == RANKING:
        return RankingCounters(registry, ks, catalog_size, window, clock)
    return None
