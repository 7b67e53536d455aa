"""mlmon.instrument for regression and ranking models: what each label adds to which counter,
what is left out (non-finite values, lists without a relevant item), cut-offs, the coverage
estimate over a sliding window in fixed memory, and the training figures."""

from __future__ import annotations

import math

import pytest

from mlmon import conventions as C
from mlmon.instrument import ModelMonitor
from mlmon.instrument.coverage import DistinctItems, default_bits
from mlmon.instrument.tasks import ranking_scores


def values(mon: ModelMonitor, name: str) -> dict[tuple, float]:
    return {tuple(sorted(s.labels.items())): s.value for f in mon.registry.collect() for s in f.samples if s.name == name}


def one(mon: ModelMonitor, name: str) -> float:
    (v,) = values(mon, name).values()
    return v


def test_regression_label_sums_and_what_is_left_out():
    mon = ModelMonitor("m", version="v1", task="regression")
    for a, p in [(0, 1), (8, 9), (16, 14), (32, 34), (64, 60)]:
        mon.outcome(a, predicted=p)
    mon.outcome(float("inf"), predicted=3.0)
    mon.outcome(2.0, predicted=float("nan"))
    got = {k: one(mon, name) for k, name in C.REG_COUNTERS.items()}
    assert got == {"samples": 5, "over_prediction": 4, "under_prediction": 6, "squared_error": 26, "absolute_percentage_error": 0.375, "zero_actuals": 1}
    assert one(mon, C.LABELS_JOINED_TOTAL) == 7  # every label is joined, scored or not
    with pytest.raises(ValueError, match="needs predicted"):
        mon.outcome(1.0)


def test_every_task_counter_starts_at_zero_per_version():
    mon = ModelMonitor("m", version="v1", task="ranking", k=(10, 5))
    mon.set_version("v2")
    assert {dict(k)["version"] for k in values(mon, C.RANK_COUNTERS["requests"])} == {"v1", "v2"}
    assert sorted(dict(k)[C.L_K] for k in values(mon, C.RANK_COUNTERS["ndcg"]) if dict(k)["version"] == "v1") == ["10", "5"]
    plain = ModelMonitor("c", version="v1")
    assert not values(plain, C.REG_COUNTERS["samples"]) and not values(plain, C.RANK_COUNTERS["requests"])


def test_ranking_scores_follow_the_definitions():
    ndcg, rr, hit = ranking_scores(["x", "a", "b"], {"a": 3.0, "b": 1.0, "z": 2.0}, (1, 3))
    ideal3 = 3 + 2 / math.log2(3) + 1 / 2
    assert ndcg[1] == 0.0 and ndcg[3] == pytest.approx((3 / math.log2(3) + 1 / 2) / ideal3)
    assert rr == 0.5 and hit == {1: False, 3: True}
    assert ranking_scores(["x", "y"], {"a": 1.0}, (2,))[1:] == (0.0, {2: False})


def test_ranking_lists_without_a_relevant_item_are_counted_apart():
    mon = ModelMonitor("m", version="v1", task="ranking", k=(2,))
    mon.outcome(["b"], predicted=["a", "b"])
    mon.outcome([], predicted=["a"])
    mon.outcome({"a": 0}, predicted=["a"])
    assert one(mon, C.RANK_COUNTERS["requests"]) == 1 and one(mon, C.RANK_COUNTERS["no_relevant"]) == 2
    assert one(mon, C.RANK_COUNTERS["reciprocal_rank"]) == 0.5 and one(mon, C.RANK_COUNTERS["hits"]) == 1
    with pytest.raises(ValueError, match="not negative"):
        mon.outcome({"a": -1}, predicted=["a"])
    with pytest.raises(ValueError, match="cut-off"):
        ModelMonitor("m", task="ranking", k=(0,))
    with pytest.raises(ValueError, match="task='ranking'"):
        ModelMonitor("m", task="regression").recommended(["a"])


def test_coverage_gauges_from_served_lists():
    mon = ModelMonitor("m", version="v1", task="ranking", catalog_size=50)
    for i in range(20):
        mon.recommended([f"i{i}", f"i{i + 1}"])
    assert one(mon, C.RANK_CATALOG_ITEMS) == 50
    assert one(mon, C.RANK_DISTINCT_ITEMS) == pytest.approx(21, rel=0.01)
    mon.set_catalog_size(80)
    assert one(mon, C.RANK_CATALOG_ITEMS) == 80


def test_distinct_items_slide_out_of_the_window_in_fixed_memory():
    now = [0.0]
    d = DistinctItems(60.0, slices=6, bits=2**12, clock=lambda: now[0])
    for i in range(100):
        d.add(i)
    now[0] = 30.0
    for i in range(50, 150):
        d.add(i)
    assert d.estimate() == pytest.approx(150, rel=0.03)
    now[0] = 65.0  # the first slice left the window; items 50-149 were seen again within it
    assert d.estimate() == pytest.approx(100, rel=0.03)
    now[0] = 200.0
    assert d.estimate() == 0.0 and len(d._last) == 2**12
    assert default_bits(10) == 2**16 and default_bits(3_000_000) == 2**20 and default_bits(100_000) == 2**18


def test_distinct_items_estimate_is_close_for_many_items():
    d = DistinctItems(3600.0, bits=2**16, clock=lambda: 0.0)
    for i in range(40_000):
        d.add(f"sku-{i}")
    assert d.estimate() == pytest.approx(40_000, rel=0.02)


def test_training_figures_per_version():
    mon = ModelMonitor("m", version="v1", task="regression")
    mon.set_training_metrics({"mae": 3.5, "rmse": 5.0})
    mon.set_version("v2")
    mon.set_training_metrics({"mae": 3.0})
    got = {(dict(k)["version"], dict(k)[C.L_METRIC]): v for k, v in values(mon, C.MODEL_TRAINING_METRIC).items()}
    assert got == {("v1", "mae"): 3.5, ("v1", "rmse"): 5.0, ("v2", "mae"): 3.0}
