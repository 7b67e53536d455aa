"""Ranking monitor: section checks with positions (cut-offs), PromQL that parses, the generated
cases under the real promtool (every alert fires, stays quiet and shows no-data), and NDCG@k,
MRR, hit rate@k and coverage recorded by Prometheus from counters mlmon.instrument filled with
random ranked lists, equal to a numpy reference (scikit-learn's ndcg_score definition) within 1e-6."""

from __future__ import annotations

import numpy as np
import promql_parser
import pytest

from mlmon import conventions as C
from mlmon.artifacts import AlertRule, ExprCheck, RecordingRule, RuleTest, Sample
from mlmon.instrument import ModelMonitor
from mlmon.monitors import ranking, versions
from tests.monitors.delayed_util import all_rules, assert_ordered_passes, compile_model, model_of, proofs
from tests.presets.promtool_util import assert_promtool_passes, assert_tests_name_only_defined_alerts

BASIC = "{}"
TUNED = (
    "{k: [5, 10], window: 1d, labels_delay: 1h, min_samples: 500, min: {ndcg_at_10: 0.3, hit_rate_at_10: 0.5, catalog_coverage: 0.2}, "
    "critical: {ndcg_at_10: 0.2}, watch: [ndcg_at_10, mrr, catalog_coverage]}"
)


def section(text: str):
    return model_of("ranking", text, "ranking")[1].section("ranking")


def test_metrics_per_cut_off_and_watched_defaults():
    r = section(BASIC)
    assert r.k == (10,) and r.metrics == ("ndcg_at_10", "hit_rate_at_10", "mrr", "catalog_coverage") and r.watched == ("ndcg_at_10",)
    t = section(TUNED)
    assert t.metrics == ("ndcg_at_5", "ndcg_at_10", "hit_rate_at_5", "hit_rate_at_10", "mrr", "catalog_coverage")
    assert t.watched == ("ndcg_at_10", "mrr", "catalog_coverage") and t.thresholds("ndcg_at_10") == (0.3, 0.2)
    assert section("{k: [3], metrics: [mrr], min: {hit_rate_at_3: 0.4}}").metrics == ("hit_rate_at_3", "mrr")
    assert (t.max_vs_previous_version, t.max_vs_training) == (0.03, 0.05)


@pytest.mark.parametrize(
    "text, code, fragment",
    [
        ("{k: [5], min: {ndcg_at_10: 0.3}}", "MLM340", "does not include 10"),
        ("{watch: [hit_rate_at_3]}", "MLM340", "does not include 3"),
        ("{min: {mrr: 0.2}, critical: {mrr: 0.3}}", "MLM210", "must be below its warning level min.mrr 0.2"),
        ("{min: {precision_at_5: 0.2}}", "MLM104", ""),
        ("{window: 1m}", "MLM207", "4x the scrape interval"),
    ],
)
def test_bad_sections_are_errors_with_positions(text, code, fragment):
    s, diags = compile_model("ranking", text, "ranking")
    assert s is None
    found = [d for d in diags if d.code == code and fragment in d.message]
    assert found and all(d.line == 16 for d in found), [(d.code, d.line, d.message) for d in diags]


def test_only_ranking_models_take_the_section():
    s, diags = compile_model("regression", BASIC, "ranking")
    assert s is None and any(d.code == "MLM104" and "needs task ranking" in d.message for d in diags)


def test_comparisons_are_off_at_a_margin_of_one():
    s, m = model_of("ranking", "{max_drop_vs_previous_version: 1, max_drop_vs_training: 1}", "ranking")
    names = {r.alert for g in ranking.MONITOR.rule_groups(m, s) for r in g.rules if isinstance(r, AlertRule)}
    assert names == {C.ALERT_RANK_NODATA}
    s, m = model_of("ranking", BASIC, "ranking")
    names = {r.alert for g in ranking.MONITOR.rule_groups(m, s) for r in g.rules if isinstance(r, AlertRule)}
    assert names == {C.ALERT_RANK_NODATA, C.ALERT_RANK_VERSION, C.ALERT_RANK_TRAINING}


@pytest.mark.parametrize("text", [BASIC, TUNED])
def test_rules_parse_and_alerts_carry_the_routing_labels(text):
    s, m = model_of("ranking", text, "ranking")
    (g,) = ranking.MONITOR.rule_groups(m, s)
    for r in g.rules:
        promql_parser.parse(r.expr)
    assert all(r.labels[C.L_MONITOR] == "ranking" for r in g.rules if isinstance(r, AlertRule))
    records = {r.record: r.expr for r in g.rules if isinstance(r, RecordingRule)}
    assert 'k=~"5|10"' in records[C.RANK_VERSION_COUNT.format(kind="ndcg")] if text is TUNED else True
    assert C.RANK_DISTINCT_ITEMS in records[C.RANK_VERSION_METRIC.format(metric="catalog_coverage")]


@pytest.mark.tools
@pytest.mark.parametrize("text", [BASIC, TUNED], ids=["basic", "tuned"])
def test_generated_cases_pass_promtool_and_prove_every_alert(text, tmp_path):
    s, m = model_of("ranking", text, "ranking")
    tests = ranking.MONITOR.rule_tests(m, s, ())
    alerts = [r for g in ranking.MONITOR.rule_groups(m, s) for r in g.rules if isinstance(r, AlertRule)]
    got = proofs(tests, alerts, C.ALERT_RANK_NODATA)
    assert got and all(p >= {"fires", "quiet", "nodata"} for p in got.values()), got
    assert_ordered_passes(tmp_path, all_rules(s, m, versions.MONITOR, ranking.MONITOR), tests)
    assert_tests_name_only_defined_alerts(ranking.MONITOR, s, m)


# --- real counters from mlmon.instrument, real Prometheus arithmetic -----------------------------------
def numpy_reference(lists, labels, ks):
    """Mean NDCG@k (scikit-learn's ndcg_score: linear gains, 1/log2(rank + 1), ideal order of the
    true relevances), MRR and hit rate@k over the lists whose label has a relevant item."""
    ndcg = {k: [] for k in ks}
    rr, hits = [], {k: [] for k in ks}
    for ranked, rel in zip(lists, labels):
        if not rel:
            continue
        gains = np.array([rel.get(i, 0.0) for i in ranked])
        ideal = np.sort(np.array(list(rel.values())))[::-1]
        for k in ks:
            disc = 1.0 / np.log2(np.arange(2, k + 2))
            ndcg[k].append(float(np.sum(gains[:k] * disc[: len(gains[:k])]) / np.sum(ideal[:k] * disc[: len(ideal[:k])])))
            hits[k].append(float(np.any(gains[:k] > 0)))
        pos = np.flatnonzero(gains > 0)
        rr.append(1.0 / (pos[0] + 1) if pos.size else 0.0)
    out = {f"ndcg_at_{k}": np.mean(ndcg[k]) for k in ks} | {f"hit_rate_at_{k}": np.mean(hits[k]) for k in ks}
    return out | {"mrr": np.mean(rr)}


@pytest.mark.tools
def test_prometheus_computes_the_metrics_of_instrumented_lists_as_numpy_does(tmp_path):
    rng = np.random.default_rng(21)
    items = [f"sku-{i}" for i in range(300)]
    mon = ModelMonitor("m1", version="v1", task="ranking", k=(3, 10), catalog_size=len(items))
    lists, labels = [], []
    for _ in range(400):
        ranked = list(rng.choice(items, 12, replace=False))
        pool = ranked[:8] + list(rng.choice(items, 2))
        rel = {i: float(rng.integers(1, 4)) for i in pool if rng.random() < 0.15}
        lists.append(ranked)
        labels.append(rel)
        mon.recommended(ranked)
        mon.outcome(rel, predicted=ranked)
    ref = numpy_reference(lists, labels, (3, 10))
    distinct = len({i for lst in lists for i in lst})
    s, m = model_of("ranking", "{k: [3, 10], window: 1h, min_samples: 50}", "ranking")
    inputs = []
    for fam in mon.registry.collect():
        for smp in fam.samples:
            if smp.name in C.RANK_COUNTERS.values() or smp.name in (C.RANK_DISTINCT_ITEMS, C.RANK_CATALOG_ITEMS):
                lab = ",".join(f'{k}="{v}"' for k, v in sorted(smp.labels.items()))
                counter = smp.name.endswith("_total")
                inputs.append((f"{smp.name}{{{lab}}}", f"0 {smp.value!r}" if counter else f"{smp.value!r} {smp.value!r}"))
    checks = [
        ExprCheck(f'abs({C.RANK_METRIC.format(metric=k)}{{model="m1"}} - {float(v)!r}) < bool 0.000001', "1h", (Sample('{model="m1"}', 1.0),))
        for k, v in ref.items()
    ]
    est = [s_.value for f in mon.registry.collect() for s_ in f.samples if s_.name == C.RANK_DISTINCT_ITEMS][0]
    assert abs(est - distinct) / distinct < 0.01  # linear counting: 65,536 positions for 300 items
    checks.append(
        ExprCheck(
            f'abs({C.RANK_METRIC.format(metric="catalog_coverage")}{{model="m1"}} - {est / len(items)!r}) < bool 0.000001', "1h", (Sample('{model="m1"}', 1.0),)
        )
    )
    case = RuleTest("instrument counters one window apart", "1h", tuple(sorted(inputs)), (), tuple(checks))
    assert_promtool_passes(tmp_path, ranking.MONITOR.rule_groups(m, s), [case])
    assert sum(1 for r in labels if not r) > 0  # lists without a relevant item were left out
