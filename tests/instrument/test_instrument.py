"""mlmon.instrument: the metric contract, bins that line up with the baseline, bounded labels."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from mlmon import baseline as B
from mlmon import conventions as C
from mlmon.instrument import OTHER, ModelMonitor, multiprocess_registry

ROOT = Path(__file__).resolve().parents[2]
DEMO_BASELINE = ROOT / "examples" / "demo" / "baseline.yaml"
DEMO_CSV = ROOT / "examples" / "demo" / "train.csv"


def samples(mon_or_text) -> dict[tuple[str, tuple], float]:
    text = mon_or_text if isinstance(mon_or_text, str) else mon_or_text.exposition().decode()
    out = {}
    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def value(mon, name: str, **labels) -> float:
    return samples(mon)[(name, tuple(sorted(labels.items())))]


def series(mon, name: str) -> list[dict]:
    return [dict(k[1]) for k in samples(mon) if k[0] == name]


@pytest.fixture(scope="module")
def baseline():
    bl, diags = B.load_baseline(DEMO_BASELINE.read_text(), str(DEMO_BASELINE))
    assert bl is not None, diags
    return bl


def test_every_series_of_the_contract_exists_at_zero(baseline):
    mon = ModelMonitor("demo", version="v1", baseline=baseline)
    s = samples(mon)
    names = {k[0] for k in s}
    for name in (
        C.PREDICTIONS_TOTAL,
        C.PREDICTION_ERRORS_TOTAL,
        C.PREDICTION_LATENCY + "_bucket",
        C.MODEL_INFO,
        C.FEATURE_BIN_TOTAL,
        C.PREDICTION_BIN_TOTAL,
        C.INVALID_OUTPUTS_TOTAL,
        C.OUTCOMES_TOTAL,
        C.LABELS_JOINED_TOTAL,
        C.LABELED_SCORE + "_bucket",
        C.FEEDBACK_TOTAL,
        C.FEEDBACK_RATING + "_bucket",
        C.PREDICTION_SCORE + "_bucket",
    ):
        assert name in names, name
    # every bin of every feature (and __other__, which numeric features get too), at zero
    for fb in baseline.features:
        got = {d["bin"] for d in series(mon, C.FEATURE_BIN_TOTAL) if d["feature"] == fb.name}
        assert got == set(fb.bins) | {OTHER}
        for b in got:
            assert value(mon, C.FEATURE_BIN_TOTAL, model="demo", version="v1", feature=fb.name, bin=b) == 0
    assert {d["bin"] for d in series(mon, C.PREDICTION_BIN_TOTAL)} == set(baseline.prediction.bins) | {OTHER}
    assert {d["outcome"] for d in series(mon, C.OUTCOMES_TOTAL)} == {"tp", "fp", "tn", "fn"}
    assert {d["kind"] for d in series(mon, C.FEEDBACK_TOTAL)} == {"positive", "negative"}
    assert {d["reason"] for d in series(mon, C.PREDICTION_ERRORS_TOTAL)} >= {"exception", OTHER}
    assert {d["actual"] for d in series(mon, C.LABELED_SCORE + "_count")} == {"0", "1"}
    assert value(mon, C.MODEL_INFO, model="demo", version="v1", stage="production") == 1


def test_reference_data_through_the_monitor_reproduces_the_baseline_counts(baseline):
    """Counters line up bin for bin with the baseline (and so with the generated rules)."""
    mon = ModelMonitor("demo", version="v1", baseline=str(DEMO_BASELINE))
    with open(DEMO_CSV, newline="") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        mon.record({k: r[k] for k in ("amount", "account_age_days", "hour", "country")}, score=float(r["score"]), latency=0.001)
    for fb in baseline.features:
        got = [value(mon, C.FEATURE_BIN_TOTAL, model="demo", version="v1", feature=fb.name, bin=b) for b in fb.bins]
        assert got == [float(c) for c in fb.counts], fb.name
    got = [value(mon, C.PREDICTION_BIN_TOTAL, model="demo", version="v1", bin=b) for b in baseline.prediction.bins]
    assert got == [float(c) for c in baseline.prediction.counts]
    assert value(mon, C.PREDICTIONS_TOTAL, model="demo", version="v1") == len(rows)


def test_unknown_categories_fold_into_other_and_labels_stay_bounded(baseline):
    mon = ModelMonitor("demo", baseline=baseline)
    before = len(samples(mon))
    for i in range(200):
        mon.record({"country": f"xx{i}", "amount": "not a number", "hour": None}, score=0.5)
    assert len(samples(mon)) == before
    assert value(mon, C.FEATURE_BIN_TOTAL, model="demo", version="unknown", feature="country", bin=OTHER) == 200
    # a non-number in a numeric feature and a missing value are not counted anywhere
    assert sum(v for k, v in samples(mon).items() if k[0] == C.FEATURE_BIN_TOTAL and ("feature", "amount") in k[1]) == 0
    mon.error("brand-new-reason")
    assert value(mon, C.PREDICTION_ERRORS_TOTAL, model="demo", version="unknown", reason=OTHER) == 1


def test_the_instrument_emits_only_bin_labels_the_generated_rules_know(baseline, monkeypatch):
    """Every bin label the instrument can emit is one the drift rules hold a reference fraction
    for; a label ``bin_index`` should never produce is counted in __other__, numeric or not."""
    from mlmon import baseline as B
    from mlmon import pipeline
    from tests.helpers.specs import spec

    text = spec("  - id: demo\n    team: risk-ml\n    serving: {targets: ['demo:8080']}\n    drift: {baseline: baseline.yaml}\n")
    s, diags = pipeline.check({"specs/demo.yaml": text}, lambda spec_file, ref: (DEMO_BASELINE.read_text(), None))
    assert s is not None, diags
    d = s.models[0].section("drift")
    known = {f.name: set(f.bins) for f in d.features} | {"": set(d.prediction.bins)}
    monkeypatch.setattr(B, "bin_index", lambda fb, value: "99")  # a broken binning: a label no baseline has
    mon = ModelMonitor("demo", baseline=baseline)
    for i in range(20):
        mon.record({"country": f"xx{i}", "amount": 12.5, "account_age_days": 3, "hour": 7}, score=0.5)
    for labels in series(mon, C.FEATURE_BIN_TOTAL):
        assert labels["bin"] in known[labels["feature"]], labels
    assert {x["bin"] for x in series(mon, C.PREDICTION_BIN_TOTAL)} <= known[""]
    assert value(mon, C.FEATURE_BIN_TOTAL, model="demo", version="unknown", feature="amount", bin=OTHER) == 20
    assert value(mon, C.PREDICTION_BIN_TOTAL, model="demo", version="unknown", bin=OTHER) == 20


def test_predict_context_counts_latency_errors_and_scores():
    ticks = iter([10.0, 10.25, 20.0, 20.5])
    mon = ModelMonitor("m", version="v1", clock=lambda: next(ticks))
    with mon.predict({}) as p:
        p.score(0.8)
    with pytest.raises(RuntimeError):
        with mon.predict({}):
            raise RuntimeError("boom")
    assert value(mon, C.PREDICTIONS_TOTAL, model="m", version="v1") == 2
    assert value(mon, C.PREDICTION_ERRORS_TOTAL, model="m", version="v1", reason="exception") == 1
    assert value(mon, C.PREDICTION_LATENCY + "_sum", model="m", version="v1") == pytest.approx(0.75)
    assert value(mon, C.PREDICTION_LATENCY + "_bucket", model="m", version="v1", le="0.25") == 1
    assert value(mon, C.PREDICTION_SCORE + "_count", model="m", version="v1") == 1
    assert not mon.observe_score(float("nan"))
    assert value(mon, C.INVALID_OUTPUTS_TOTAL, model="m", version="v1") == 1


def test_binary_outcomes_and_labelled_score_histogram():
    mon = ModelMonitor("m", version="v1", threshold=0.5)
    for actual, score in [(1, 0.9), (1, 0.2), (0, 0.7), (0, 0.1), (0, 0.3)]:
        mon.outcome(actual, score=score)
    mon.outcome("true", predicted=True)
    got = {o: value(mon, C.OUTCOMES_TOTAL, model="m", version="v1", outcome=o) for o in ("tp", "fp", "tn", "fn")}
    assert got == {"tp": 2, "fp": 1, "tn": 2, "fn": 1}
    assert value(mon, C.LABELS_JOINED_TOTAL, model="m", version="v1") == 6
    assert value(mon, C.LABELED_SCORE + "_count", model="m", version="v1", actual="1") == 2
    assert value(mon, C.LABELED_SCORE + "_bucket", model="m", version="v1", actual="0", le="0.3") == 2


def test_multiclass_confusion_is_complete_and_bounded():
    mon = ModelMonitor("m", task="multiclass_classification", classes=["cat", "dog"])
    cells = series(mon, C.CONFUSION_TOTAL)
    assert len(cells) == 9  # (2 classes + __other__)^2, all at zero
    mon.outcome("dog", predicted="cat")
    mon.outcome("emu", predicted="dog")
    assert value(mon, C.CONFUSION_TOTAL, model="m", version="unknown", predicted="cat", actual="dog") == 1
    assert value(mon, C.CONFUSION_TOTAL, model="m", version="unknown", predicted="dog", actual=OTHER) == 1
    assert len(series(mon, C.CONFUSION_TOTAL)) == 9
    with pytest.raises(ValueError):
        ModelMonitor("m", task="multiclass_classification")


def test_feedback_and_rating():
    mon = ModelMonitor("m")
    mon.feedback(True)
    mon.feedback(False)
    mon.feedback(False)
    mon.rating(4)
    assert value(mon, C.FEEDBACK_TOTAL, model="m", version="unknown", kind="negative") == 2
    assert value(mon, C.FEEDBACK_RATING + "_sum", model="m", version="unknown") == 4


def test_version_switch_moves_the_info_gauge_and_starts_new_series_at_zero(baseline):
    mon = ModelMonitor("m", version="v1", baseline=baseline, trained_at=100.0)
    mon.record({"country": "us"}, score=0.1)
    mon.set_version("v2", stage="canary", trained_at=200.0)
    info = series(mon, C.MODEL_INFO)
    assert info == [{"model": "m", "version": "v2", "stage": "canary"}]
    assert value(mon, C.MODEL_TRAINED_TIMESTAMP, model="m", version="v2") == 200
    assert value(mon, C.FEATURE_BIN_TOTAL, model="m", version="v2", feature="country", bin="us") == 0
    assert value(mon, C.FEATURE_BIN_TOTAL, model="m", version="v1", feature="country", bin="us") == 1
    # a label for a prediction made by v1 is attributed to v1
    mon.outcome(1, score=0.9, version="v1")
    assert value(mon, C.OUTCOMES_TOTAL, model="m", version="v1", outcome="tp") == 1


def test_own_registry_by_default_and_no_global_state():
    before = {m.name for m in REGISTRY.collect()}
    a = ModelMonitor("m")
    b = ModelMonitor("m")  # same names in another registry: no "Duplicated timeseries" error
    assert a.registry is not b.registry
    assert {m.name for m in REGISTRY.collect()} == before
    shared = CollectorRegistry()
    ModelMonitor("x", registry=shared)
    with pytest.raises(ValueError):
        ModelMonitor("y", registry=shared)  # one monitor per registry (metric names are shared)


def test_thread_safe_counts():
    mon = ModelMonitor("m", version="v1")

    def work():
        for i in range(500):
            with mon.predict({}) as p:
                p.score((i % 10) / 10)
            mon.outcome(i % 2, score=(i % 10) / 10)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert value(mon, C.PREDICTIONS_TOTAL, model="m", version="v1") == 4000
    total = sum(value(mon, C.OUTCOMES_TOTAL, model="m", version="v1", outcome=o) for o in ("tp", "fp", "tn", "fn"))
    assert total == 4000


def test_bad_baseline_is_reported(tmp_path):
    p = tmp_path / "b.yaml"
    p.write_text("apiVersion: mlmon/v1\nkind: Baseline\n")
    with pytest.raises(ValueError, match="invalid baseline"):
        ModelMonitor("m", baseline=str(p))
    with pytest.raises(FileNotFoundError):
        ModelMonitor("m", baseline=str(tmp_path / "missing.yaml"))


def test_multiprocess_mode_sums_over_workers(tmp_path):
    """Two worker processes with PROMETHEUS_MULTIPROC_DIR: counters sum, zero series survive."""
    mp = tmp_path / "mp"
    mp.mkdir()
    worker = textwrap.dedent(f"""
        from mlmon.instrument import ModelMonitor
        mon = ModelMonitor("m", version="v1", baseline={str(DEMO_BASELINE)!r})
        for _ in range(3):
            mon.record({{"country": "us"}}, score=0.4, latency=0.01)
        mon.outcome(1, score=0.9)
    """)
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(mp), "PYTHONPATH": str(ROOT / "cli")}
    for _ in range(2):
        subprocess.run([sys.executable, "-c", worker], env=env, check=True, timeout=60)
    collect = "import sys; from prometheus_client import generate_latest; from mlmon.instrument import multiprocess_registry; sys.stdout.write(generate_latest(multiprocess_registry()).decode())"
    out = subprocess.run([sys.executable, "-c", collect], env=env, check=True, capture_output=True, text=True, timeout=60).stdout
    s = samples(out)
    assert s[(C.PREDICTIONS_TOTAL, (("model", "m"), ("version", "v1")))] == 6
    assert s[(C.FEATURE_BIN_TOTAL, (("bin", "us"), ("feature", "country"), ("model", "m"), ("version", "v1")))] == 6
    assert s[(C.FEATURE_BIN_TOTAL, (("bin", "de"), ("feature", "country"), ("model", "m"), ("version", "v1")))] == 0
    assert s[(C.OUTCOMES_TOTAL, (("model", "m"), ("outcome", "fn"), ("version", "v1")))] == 0
    assert s[(C.OUTCOMES_TOTAL, (("model", "m"), ("outcome", "tp"), ("version", "v1")))] == 2
    assert s[(C.MODEL_INFO, (("model", "m"), ("stage", "production"), ("version", "v1")))] == 1
    assert callable(multiprocess_registry)
