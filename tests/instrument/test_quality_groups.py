"""mlmon.instrument's data-quality counters, opt-in bounded group labels and label delay; and,
under the real promtool, that what the instrument emits is what the generated data-quality and
fairness rules read: its own counters, minute by minute, raise their alerts."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from mlmon import conventions as C
from mlmon import pipeline
from mlmon.artifacts import AlertCheck, RuleTest
from mlmon.instrument import OTHER, ModelMonitor
from mlmon.monitors import data_quality, fairness
from mlmon.monitors.testkit import alert_rules, exp_alert
from tests.helpers.specs import spec
from tests.presets.promtool_util import assert_promtool_passes

ROOT = Path(__file__).resolve().parents[2]
DEMO_BASELINE = ROOT / "examples" / "demo" / "baseline.yaml"
ROW = {"amount": 20.0, "account_age_days": 300, "country": "de", "hour": 12}


def samples(mon: ModelMonitor, name: str) -> dict[tuple, float]:
    out = {}
    for fam in text_string_to_metric_families(mon.exposition().decode()):
        for s in fam.samples:
            if s.name == name:
                out[tuple(sorted((k, v) for k, v in s.labels.items() if k not in ("model", "version")))] = s.value
    return out


def one(mon: ModelMonitor, name: str, **labels: str) -> float:
    return samples(mon, name)[tuple(sorted(labels.items()))]


def test_data_quality_counters_exist_at_zero_and_count_each_problem():
    mon = ModelMonitor("demo", version="v1", baseline=str(DEMO_BASELINE))
    assert set(samples(mon, C.FEATURE_MISSING_TOTAL)) == {((C.L_FEATURE, f),) for f in mon.features}
    assert set(samples(mon, C.FEATURE_OUT_OF_RANGE_TOTAL)) == {((C.L_FEATURE, f),) for f in ("account_age_days", "amount", "hour")}
    assert set(samples(mon, C.FEATURE_UNSEEN_TOTAL)) == {((C.L_FEATURE, "country"),)}
    assert len(samples(mon, C.FEATURE_SCHEMA_TOTAL)) == 2 * len(mon.features)
    assert all(v == 0 for n in (*C.DQ_COUNTERS.values(), C.FEATURE_ROWS_TOTAL) for v in samples(mon, n).values())

    mon.record({**ROW}, score=0.5)  # clean
    mon.record({**ROW, "hour": None, "amount": math.nan, "country": ""}, score=0.5)  # three missing values
    mon.record({**ROW, "amount": "lots"}, score=0.5)  # wrong type
    mon.record({**ROW, "amount": 1e9, "account_age_days": -1, "hour": math.inf}, score=0.5)  # out of range (inf too)
    mon.record({"amount": 20.0, "country": "xx"}, score=0.5)  # unseen category, two absent features
    with mon.predict({**ROW, "country": "zz"}) as p:
        p.score(0.9)
    mon.predict(None)  # no features: nothing is checked
    assert one(mon, C.FEATURE_ROWS_TOTAL) == 6
    assert {k[0][1]: v for k, v in samples(mon, C.FEATURE_MISSING_TOTAL).items() if v} == {"hour": 1, "amount": 1, "country": 1}
    assert one(mon, C.FEATURE_SCHEMA_TOTAL, feature="amount", reason="type") == 1
    assert one(mon, C.FEATURE_SCHEMA_TOTAL, feature="hour", reason="absent") == 1
    assert one(mon, C.FEATURE_SCHEMA_TOTAL, feature="account_age_days", reason="absent") == 1
    assert {k[0][1]: v for k, v in samples(mon, C.FEATURE_OUT_OF_RANGE_TOTAL).items() if v} == {"amount": 1, "account_age_days": 1, "hour": 1}
    assert one(mon, C.FEATURE_UNSEEN_TOTAL, feature="country") == 2
    # unseen categories still fold into __other__ for drift (the drift contract), in-range values bin as before
    assert one(mon, C.FEATURE_BIN_TOTAL, feature="country", bin=OTHER) == 2
    assert sum(v for k, v in samples(mon, C.FEATURE_BIN_TOTAL).items() if ("feature", "amount") in k) == 4


def test_declared_range_and_old_baseline_files():
    from mlmon import baseline as B

    bl, _ = B.load_baseline(DEMO_BASELINE.read_text(), str(DEMO_BASELINE))
    amount = bl.feature("amount")
    declared = B.FeatureBaseline(**{**amount.__dict__, "range": (0.0, None)})
    country = bl.feature("country")
    # as written before `seen` existed, by a top-k that left some reference categories out
    old_country = B.FeatureBaseline(**{**country.__dict__, "seen": None, "counts": (*country.counts[:-1], 5)})
    old = B.Baseline(bl.model, bl.created_from, bl.rows, (declared, old_country), bl.prediction)
    mon = ModelMonitor("demo", baseline=old)
    mon.record({"amount": 1e9, "country": "de"})  # above the reference max, inside the declared range
    mon.record({"amount": -5, "country": "zz"})
    assert one(mon, C.FEATURE_OUT_OF_RANGE_TOTAL, feature="amount") == 1
    # an old file whose top-k did not hold every category: unseen categories cannot be told apart
    assert old_country.counts[-1] > 0 and samples(mon, C.FEATURE_UNSEEN_TOTAL) == {}


def test_groups_label_decisions_and_outcomes_and_stay_bounded():
    mon = ModelMonitor("fd", version="v1", groups={"region": ["eu", "us"]})
    keys = set(samples(mon, C.PREDICTIONS_TOTAL))
    assert keys == {(("positive", p), ("region", r)) for p in ("true", "false", "") for r in ("eu", "us", OTHER)}
    assert len(samples(mon, C.OUTCOMES_TOTAL)) == 12
    with mon.predict({"x": 1}, groups={"region": "eu"}) as p:
        p.score(0.7)
    mon.record({"region": "us"}, score=0.2)  # the group from a feature of that name
    for i in range(50):
        mon.record(score=0.9, groups={"region": f"mars-{i}"})  # unlisted: __other__, no new series
    mon.error("timeout", groups={"region": "eu"})
    with pytest.raises(RuntimeError), mon.predict(groups={"region": "us"}):
        raise RuntimeError
    assert one(mon, C.PREDICTIONS_TOTAL, positive="true", region="eu") == 1
    assert one(mon, C.PREDICTIONS_TOTAL, positive="false", region="us") == 1
    assert one(mon, C.PREDICTIONS_TOTAL, positive="true", region=OTHER) == 50
    assert one(mon, C.PREDICTIONS_TOTAL, positive="", region="eu") == 1 and one(mon, C.PREDICTIONS_TOTAL, positive="", region="us") == 1
    assert set(samples(mon, C.PREDICTIONS_TOTAL)) == keys
    mon.outcome(1, score=0.3, groups={"region": "us"})
    assert one(mon, C.OUTCOMES_TOTAL, outcome="fn", region="us") == 1
    # without groups the counters keep their plain labels
    plain = ModelMonitor("fd")
    assert set(samples(plain, C.PREDICTIONS_TOTAL)) == {()}


@pytest.mark.parametrize(
    "groups, fragment",
    [
        ({"version": ["a"]}, "already uses"),
        ({"bad-label": ["a"]}, "not a Prometheus label name"),
        ({"region": []}, "needs its values"),
        ({"a": [str(i) for i in range(10)], "b": [str(i) for i in range(10)]}, "exceed 100"),
    ],
)
def test_group_labels_are_checked(groups, fragment):
    with pytest.raises(ValueError, match=fragment):
        ModelMonitor("fd", groups=groups)


def test_label_delay_histogram():
    mon = ModelMonitor("fd")
    mon.outcome(1, score=0.9, delay=120)
    mon.outcome(0, score=0.1, predicted_at=0)  # decades late: the +Inf bucket
    mon.outcome(0, score=0.2)  # no delay given: not observed
    assert one(mon, C.LABEL_DELAY + "_count") == 2
    assert one(mon, C.LABEL_DELAY + "_bucket", le="300.0") == 1 and one(mon, C.LABEL_DELAY + "_bucket", le="+Inf") == 2


# --- the instrument's own output through the generated rules (real promtool) ---------------------------
def scrape_every_minute(mon: ModelMonitor, minutes: int, traffic: Callable[[int], None], names: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """Run ``traffic(minute)`` and scrape after each minute: promtool input series of ``names``."""
    values: dict[str, list[str]] = {}
    for t in range(minutes + 1):
        if t:
            traffic(t)
        for fam in text_string_to_metric_families(mon.exposition().decode()):
            for s in fam.samples:
                if s.name in names:
                    key = s.name + "{" + ",".join(f'{k}="{v}"' for k, v in sorted(s.labels.items())) + "}"
                    values.setdefault(key, []).append(f"{s.value:g}")
    return tuple((k, " ".join(v)) for k, v in sorted(values.items()))


def compiled(section: str, read_file=None):
    text = spec(f"  - id: fd\n    team: risk-ml\n    task: binary_classification\n    serving: {{targets: ['fd:8080']}}\n{section}")
    s, diags = pipeline.check({"specs/t.yaml": text}, read_file)
    assert s is not None, [d.message for d in diags]
    return s, s.models[0]


def test_instrument_decisions_raise_the_generated_fairness_alert(tmp_path):
    s, m = compiled("    fairness: {group_label: region, groups: [eu, us], window: 10m, min_samples: 50, for: 5m}\n")
    f = m.section("fairness")
    mon = ModelMonitor("fd", version="v1", groups={"region": ["eu", "us"]})

    def traffic(t: int) -> None:
        for i in range(20):
            mon.record({"amount": 1}, score=0.9 if i < 10 else 0.1, groups={"region": "eu"})  # selected half the time
            mon.record({"amount": 1}, score=0.9 if i < 2 else 0.1, groups={"region": "us"})  # a tenth of the time

    inputs = scrape_every_minute(mon, 30, traffic, (C.PREDICTIONS_TOTAL,))
    rules = alert_rules(fairness.MONITOR.rule_groups(m, s))
    expected = exp_alert(rules, C.ALERT_FAIR_DP_RATIO, fairness.alerts.labels(m, f, "demographic_parity"), 0.2)
    case = RuleTest(
        "mlmon.instrument: eu selected at 0.5, us at 0.1: the parity ratio alert fires",
        "1m",
        inputs,
        (AlertCheck("5m", C.ALERT_FAIR_DP_RATIO), AlertCheck("25m", C.ALERT_FAIR_DP_RATIO, (expected,)), AlertCheck("25m", C.ALERT_FAIR_LOW_SAMPLES)),
    )
    assert_promtool_passes(tmp_path, fairness.MONITOR.rule_groups(m, s), [case])


def test_instrument_quality_counters_raise_the_generated_data_quality_alert(tmp_path):
    def read_file(spec_file: str, ref: str):
        return (DEMO_BASELINE.read_text(), None) if ref == "baseline.yaml" else (None, "file not found")

    s, m = compiled("    data_quality: {baseline: baseline.yaml, window: 10m, min_samples: 100, for: 5m}\n", read_file)
    dq = m.section("data_quality")
    mon = ModelMonitor("fd", version="v1", baseline=str(DEMO_BASELINE))

    def traffic(t: int) -> None:
        for i in range(20):
            mon.record({**ROW, "hour": None if t > 10 and i < 4 else 12}, score=0.5)  # a fifth missing after 10m

    inputs = scrape_every_minute(mon, 30, traffic, (C.FEATURE_ROWS_TOTAL, *C.DQ_COUNTERS.values()))
    rules = alert_rules(data_quality.MONITOR.rule_groups(m, s))
    expected = exp_alert(rules, C.ALERT_DQ["missing"], {**data_quality.rules.labels(m, dq, "missing"), C.L_FEATURE: "hour"}, 0.2)
    checks = [AlertCheck("10m", C.ALERT_DQ["missing"]), AlertCheck("28m", C.ALERT_DQ["missing"], (expected,))]
    checks += [AlertCheck("28m", C.ALERT_DQ[k]) for k in ("out_of_range", "unseen", "schema")]
    case = RuleTest("mlmon.instrument: a fifth of the requests lose their hour: the missing-values alert fires", "1m", inputs, tuple(checks))
    assert_promtool_passes(tmp_path, data_quality.MONITOR.rule_groups(m, s), [case])
