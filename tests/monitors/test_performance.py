"""Performance monitor: spec checks, PromQL that parses, the metric math against independent
implementations, and the generated rules + rule tests under the real promtool (exact values,
alerts that fire, stay quiet and refuse to go blind; concept drift vs data drift)."""

from __future__ import annotations

import dataclasses
import itertools
import random
import shutil
import subprocess
from pathlib import Path

import promql_parser
import pytest

from mlmon import conventions as C
from mlmon import pipeline
from mlmon.artifacts import AlertRule, RecordingRule, RuleGroup
from mlmon.diagnostics import Severity
from mlmon.monitors import performance, quality, registry
from mlmon.monitors.performance.compile import Performance
from mlmon.render import emit, prometheus, rule_tests

REPO = Path(__file__).resolve().parents[2]
BASELINE = REPO / "specs" / "baselines" / "fraud-detector.yaml"

HEAD = """apiVersion: mlmon/v1
kind: MonitoringSpec
metadata: {name: t}
routing:
  teams:
    risk-ml:
      slack: {channel: "#risk", api_url_file: /etc/am/slack}
      retraining: {url: "http://retrain-relay.ml.svc:8080/hooks/risk-ml"}
models:
"""

BINARY = """  - id: fraud-detector
    team: risk-ml
    performance:
      window: 1h
      labels_delay: 30m
      compare_offset: 3h
      min_samples: 50
      min: {recall: 0.8, f1: 0.75}
      max: {fpr: 0.1}
      critical: {recall: 0.6}
      max_drop_vs_previous_version: 0.03
      score_buckets: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
      label_coverage: {min: 0.3, no_labels_for: 30m}
      for: 10m
    drift: {baseline: baselines/fraud-detector.yaml, method: psi, window: 1h, min_samples: 50}
    versions: {stale_after: 30d}
    retraining: {}
"""

MULTICLASS = """  - id: species
    team: risk-ml
    task: multiclass_classification
    labels: {tier: gold}
    serving: {match: {job: species-svc, model: species}}
    performance:
      window: 1h
      compare_offset: 4h
      min_samples: 30
      classes: [cat, dog, bird]
      min: {recall: 0.5, macro_f1: 0.6}
      watch: [macro_f1, recall]
      for: 30m
"""


def read_file(spec_file: str, path: str):
    if path == "baselines/fraud-detector.yaml":
        return BASELINE.read_text(), None
    return None, f"{path}: not found"


def check(body: str):
    return pipeline.check({"t.yaml": HEAD + body}, read_file)


def model_of(body: str):
    spec, diags = check(body)
    assert spec is not None, [f"{d.line}:{d.col} {d.code} {d.message}" for d in diags]
    return spec, spec.models[0]


def codes(body: str) -> list[tuple[str, Severity, str]]:
    _, diags = check(body)
    return [(d.code, d.severity, d.message) for d in diags]


def section(extra: str, task: str = "") -> str:
    return f"  - id: m1\n    team: risk-ml\n{task}    performance:\n" + "".join(f"      {line}\n" for line in extra.strip().splitlines())


# --- spec checks --------------------------------------------------------------------------------------
def test_absent_section_disables_the_monitor_and_empty_section_gets_defaults():
    spec, m = model_of("  - id: m1\n    team: risk-ml\n")
    assert m.section("performance") is None
    assert performance.MONITOR.rule_groups(m, spec) == ()
    spec, m = model_of("  - id: m1\n    team: risk-ml\n    performance: {}\n")
    p = m.section("performance")
    assert p.metrics == ("accuracy", "precision", "recall", "f1", "macro_f1", "fpr")  # no auc without score buckets
    assert p.watched == ("f1",) and p.window == 86400 and p.compare_offset == 7 * 86400 and p.min_samples == 100
    assert p.max_drop == 0.05 and p.max_drop_vs_previous_version == 0.05 and p.min_coverage == 0.2


@pytest.mark.parametrize(
    "body, code, severity, fragment",
    [
        (
            section("classes: [a, b]", "    task: multiclass_classification\n").replace("classes: [a, b]", "min_samples: 10"),
            "MLM102",
            Severity.ERROR,
            "needs 'classes'",
        ),
        (section("metrics: [auc]"), "MLM102", Severity.ERROR, "auc needs score histograms"),
        (section("min: {auc: 0.7}"), "MLM102", Severity.ERROR, "auc needs score histograms"),
        (section("min: {recall: 0.8}\ncritical: {recall: 0.9}"), "MLM210", Severity.ERROR, "critical recall 0.9 must be below its warning level 0.8"),
        (section("max: {fpr: 0.1}\ncritical: {fpr: 0.05}"), "MLM210", Severity.ERROR, "critical fpr 0.05 must be above"),
        (section("min: {fpr: 0.1}"), "MLM210", Severity.ERROR, "better when lower"),
        (section("max: {recall: 0.1}"), "MLM210", Severity.ERROR, "better when higher"),
        (section("window: 1h\nlabels_delay: 1d"), "MLM213", Severity.WARNING, "shorter than labels_delay"),
        (section("window: 1d\ncompare_offset: 12h"), "MLM213", Severity.WARNING, "windows overlap"),
        (section("score_buckets: [0.5, 0.2]\nmetrics: [auc]"), "MLM213", Severity.ERROR, "must be increasing"),
        (
            section("metrics: [auc]\nscore_buckets: [0.5]\nclasses: [a, b]", "    task: multiclass_classification\n"),
            "MLM104",
            Severity.ERROR,
            "'auc' is not available",
        ),
        (section("min: {recall: 0.5}", "    task: regression\n"), "MLM104", Severity.ERROR, "needs task binary_classification or multiclass_classification"),
        (section("window: 1m"), "MLM207", Severity.ERROR, "shorter than 4x the scrape interval"),
        (section("window: 1x"), "MLM203", Severity.ERROR, "invalid duration"),
        (section("min: {recal: 0.5}"), "MLM101", Severity.ERROR, "unknown field 'recal'"),
        (section("min: {recall: 1.5}"), "MLM104", Severity.ERROR, "at most 1"),
    ],
)
def test_lint_findings(body, code, severity, fragment):
    found = codes(body)
    assert any(c == code and s == severity and fragment in msg for c, s, msg in found), found


def test_lint_positions_point_at_the_offending_field():
    body = section("min: {recall: 0.8}\ncritical: {recall: 0.9}")
    _, diags = check(body)
    d = next(d for d in diags if d.code == "MLM210")
    line = (HEAD + body).splitlines()[d.line - 1]
    assert "critical" in line and d.message.startswith("models[0].performance.critical.recall")


def test_binary_classes_are_ignored_with_a_warning():
    found = codes(section("classes: [a, b]"))
    assert ("MLM213", Severity.WARNING) in [(c, s) for c, s, _ in found]


# --- rules ------------------------------------------------------------------------------------------------
def all_rules(body: str):
    spec, m = model_of(body)
    out = []
    for mon in registry.MONITORS:
        if mon.key in ("performance", "versions", "retraining") and m.section(mon.key) is not None:
            for g in mon.rule_groups(m, spec):
                out.extend(g.rules)
    return spec, m, out


@pytest.mark.parametrize("body", [BINARY, MULTICLASS])
def test_every_expression_parses_and_alerts_carry_the_routing_contract(body):
    spec, m, rules = all_rules(body)
    assert rules
    for r in rules:
        promql_parser.parse(r.expr)
        if isinstance(r, AlertRule):
            for k in (C.L_MODEL, C.L_TEAM, C.L_SEVERITY, C.L_MONITOR, C.L_CHECK):
                assert r.labels.get(k), (r.alert, k)
            assert set(m.labels) <= set(r.labels)
            if r.labels[C.L_SEVERITY] != C.SEVERITY_INFO:
                assert {"summary", "description", "dashboard"} <= set(r.annotations), r.alert
        else:
            assert r.labels.get(C.L_MODEL) == m.id and r.record.count(":") == 2, r.record


def test_multiclass_uses_the_serving_match_and_records_per_class():
    spec, m, rules = all_rules(MULTICLASS)
    rec = {r.record: r for r in rules if isinstance(r, RecordingRule)}
    assert 'job="species-svc",model="species"' in rec[C.PERF_VERSION_CONFUSION].expr
    per_class = [r for r in rules if isinstance(r, RecordingRule) and r.record == C.PERF_VERSION_CLASS.format(kind="tp")]
    assert sorted(r.labels["class"] for r in per_class) == ["bird", "cat", "dog"]
    assert all(r.labels.get("tier") == "gold" for r in rules if isinstance(r, AlertRule))


def test_concept_drift_only_with_a_drift_section_and_distinct_from_data_drift():
    _, _, rules = all_rules(BINARY)
    concept = [r for r in rules if isinstance(r, AlertRule) and r.alert == C.ALERT_CONCEPT_DRIFT]
    assert concept and all(r.labels[C.L_MONITOR] == "concept_drift" for r in concept)
    assert all(C.DRIFT_FEATURE_WARN in r.expr and C.DRIFT_FEATURE_SCORE in r.expr for r in concept)
    _, _, rules = all_rules(MULTICLASS)
    assert not [r for r in rules if isinstance(r, AlertRule) and r.alert == C.ALERT_CONCEPT_DRIFT]


def test_window_offset_and_label_delay_appear_in_the_rules():
    _, _, rules = all_rules(BINARY)
    rec = {r.record: r.expr for r in rules if isinstance(r, RecordingRule)}
    assert "[1h] offset 30m" in rec[C.LABELS_DUE]
    drop = [r for r in rules if isinstance(r, AlertRule) and r.alert == C.ALERT_PERF_DROP]
    assert drop and all("offset 3h" in r.expr for r in drop)
    missing = next(r for r in rules if isinstance(r, AlertRule) and r.alert == C.ALERT_LABELS_MISSING)
    assert "[30m] offset 30m" in missing.expr and f"increase({C.LABELS_JOINED_TOTAL}" in missing.expr


# --- the math against independent implementations ---------------------------------------------------------------
def _expand_binary(tp: int, fp: int, tn: int, fn: int) -> tuple[list[int], list[int]]:
    y = [1] * tp + [0] * fp + [0] * tn + [1] * fn
    yhat = [1] * tp + [1] * fp + [0] * tn + [0] * fn
    return y, yhat


def _ref_f1(y, yhat, c):
    tp = sum(1 for a, b in zip(y, yhat) if a == c and b == c)
    pp = sum(1 for b in yhat if b == c)
    ap = sum(1 for a in y if a == c)
    prec = tp / pp if pp else 0.0
    rec = tp / ap if ap else 0.0
    return 2 * prec * rec / (prec + rec) if prec + rec else 0.0


def test_binary_metrics_match_a_per_sample_reference():
    rnd = random.Random(7)
    p = Performance(
        task=quality.BINARY,
        window=3600,
        labels_delay=0,
        compare_offset=7200,
        min_samples=1,
        metrics=quality.BINARY_METRICS,
        watched=("f1",),
        score_buckets=(0.25, 0.5, 0.75),
    )
    for _ in range(200):
        tp, fp, tn, fn = (rnd.randint(1, 400) for _ in range(4))
        y, yhat = _expand_binary(tp, fp, tn, fn)
        got = quality.binary_values(p, quality.Counts({"tp": tp, "fp": fp, "tn": tn, "fn": fn}))
        n = len(y)
        assert got["accuracy"] == pytest.approx(sum(a == b for a, b in zip(y, yhat)) / n, abs=1e-12)
        assert got["precision"] == pytest.approx(sum(a and b for a, b in zip(y, yhat)) / sum(yhat), abs=1e-12)
        assert got["recall"] == pytest.approx(sum(a and b for a, b in zip(y, yhat)) / sum(y), abs=1e-12)
        assert got["fpr"] == pytest.approx(sum((not a) and b for a, b in zip(y, yhat)) / (n - sum(y)), abs=1e-12)
        assert got["f1"] == pytest.approx(_ref_f1(y, yhat, 1), abs=1e-12)
        assert got["macro_f1"] == pytest.approx((_ref_f1(y, yhat, 1) + _ref_f1(y, yhat, 0)) / 2, abs=1e-12)


def test_auc_matches_mann_whitney_on_expanded_scores():
    rnd = random.Random(11)
    edges = (0.1, 0.3, 0.5, 0.7, 0.9)
    p = Performance(
        task=quality.BINARY,
        window=3600,
        labels_delay=0,
        compare_offset=7200,
        min_samples=1,
        metrics=("auc",),
        watched=("auc",),
        score_buckets=edges,
    )
    for _ in range(100):
        pos = tuple(rnd.randint(0, 30) for _ in range(len(edges) + 1))
        neg = tuple(rnd.randint(0, 30) for _ in range(len(edges) + 1))
        if not sum(pos) or not sum(neg):
            continue
        got = quality.auc_value(p, quality.Counts(pos_bins=pos, neg_bins=neg))
        # every (positive, negative) pair: 1 if the positive's bucket is higher, 1/2 if the same
        wins = sum(pi * nj * (1.0 if i > j else 0.5 if i == j else 0.0) for (i, pi), (j, nj) in itertools.product(enumerate(pos), enumerate(neg)))
        assert got == pytest.approx(wins / (sum(pos) * sum(neg)), abs=1e-12)


def test_multiclass_metrics_match_a_per_sample_reference():
    rnd = random.Random(3)
    classes = ("a", "b", "c", "d")
    p = Performance(
        task=quality.MULTICLASS,
        window=3600,
        labels_delay=0,
        compare_offset=7200,
        min_samples=1,
        metrics=quality.MULTICLASS_METRICS,
        watched=("macro_f1",),
        classes=classes,
    )
    for _ in range(100):
        conf = {(pr, ac): rnd.choice((0, 0, rnd.randint(1, 50))) for pr in classes for ac in classes}
        conf = {k: v for k, v in conf.items() if v}
        if not conf:
            continue
        y = [ac for (pr, ac), v in conf.items() for _ in range(v)]
        yhat = [pr for (pr, ac), v in conf.items() for _ in range(v)]
        got = quality.multiclass_values(p, quality.Counts(confusion=conf))
        assert got[("accuracy", None)] == pytest.approx(sum(a == b for a, b in zip(y, yhat)) / len(y), abs=1e-12)
        present = [c for c in classes if c in y or c in yhat]  # sklearn's default labels: those seen
        assert got[("macro_f1", None)] == pytest.approx(sum(_ref_f1(y, yhat, c) for c in present) / len(present), abs=1e-12)
        for c in classes:
            tp = sum(1 for a, b in zip(y, yhat) if a == c and b == c)
            if c in yhat:
                assert got[("precision", c)] == pytest.approx(tp / yhat.count(c), abs=1e-12)
            else:
                assert got[("precision", c)] is None
            if c in y:
                assert got[("recall", c)] == pytest.approx(tp / y.count(c), abs=1e-12)
            neg = len(y) - y.count(c)
            if neg:
                assert got[("fpr", c)] == pytest.approx((yhat.count(c) - tp) / neg, abs=1e-12)


def test_min_sample_gate_makes_ratios_absent():
    p = Performance(
        task=quality.BINARY,
        window=3600,
        labels_delay=0,
        compare_offset=7200,
        min_samples=100,
        metrics=("recall", "precision", "accuracy"),
        watched=("recall",),
    )
    got = quality.binary_values(p, quality.Counts({"tp": 5, "fn": 5, "tn": 500, "fp": 0}))
    assert got["recall"] is None and got["precision"] is None and got["accuracy"] == 505 / 510


# --- promtool ---------------------------------------------------------------------------------------------------------
def promtool() -> str:
    exe = shutil.which("promtool")
    if exe is None:
        pytest.skip("promtool not installed")
    return exe


MINE = ("versions", "performance", "retraining")


def model_alerts(spec, m) -> list[AlertRule]:
    """Every alert rule of the model (all monitors), as the pipeline passes them to rule_tests."""
    return [r for mon in registry.MONITORS if m.section(mon.key) is not None for g in mon.rule_groups(m, spec) for r in g.rules if isinstance(r, AlertRule)]


def run_generated(tmp: Path, body: str, keys=MINE, mutate=None, only: str = "") -> list[subprocess.CompletedProcess]:
    """Write each monitor's rules (deps first, as Prometheus evaluates groups in file order) and run
    its generated tests, one file per evaluation interval the cases ask for."""
    spec, m = model_of(body)
    mons = {mon.key: mon for mon in registry.MONITORS}
    files = {}
    order: list[str] = []  # promtool evaluates groups in random order unless told (group_eval_order)
    for key in ("drift", "versions", "performance", "retraining"):
        if m.section(key) is None:
            continue
        groups = list(mons[key].rule_groups(m, spec))
        if mutate is not None:
            groups = [mutate(g) for g in groups]
        order.extend(g.name for g in groups)
        path = tmp / f"{key}.rules.yml"
        path.write_text(prometheus.rules_file(groups, "# test"))
        chk = subprocess.run([promtool(), "check", "rules", str(path)], capture_output=True, text=True, timeout=120)
        assert chk.returncode == 0, chk.stdout + chk.stderr
        files[key] = path.name
    results = []
    alerts = model_alerts(spec, m)
    for key in keys:
        mon = mons[key]
        if m.section(key) is None:
            continue
        deps = [k for k in ("drift", "versions", "performance") if k in getattr(mon, "depends_on", ()) and k in files]
        by: dict[str, list] = {}
        for t in mon.rule_tests(m, spec, alerts):
            if only not in t.name:
                continue
            by.setdefault(t.every(m), []).append(t)
        for ev, tests in sorted(by.items()):
            f = tmp / f"{key}.{ev}.test.yml"
            data = rule_tests.tests_data([files[k] for k in deps] + [files[key]], tests, ev)
            data["group_eval_order"] = order
            f.write_text(emit.to_yaml(data, "# test"))
            results.append(subprocess.run([promtool(), "test", "rules", f.name], capture_output=True, text=True, timeout=300, cwd=tmp))
    return results


# ``for: 25m`` lies between one and two of the cases' 15m evaluations: pending at one, firing two later
@pytest.mark.parametrize("body", [BINARY, MULTICLASS, BINARY.replace("for: 10m", "for: 25m")], ids=["binary", "multiclass", "for-between-intervals"])
def test_generated_rule_tests_pass_promtool(body, tmp_path):
    results = run_generated(tmp_path, body)
    assert results
    for r in results:
        assert r.returncode == 0, r.stdout + r.stderr


def test_generated_cases_cover_every_alert(tmp_path):
    spec, m = model_of(BINARY)
    tests = performance.MONITOR.rule_tests(m, spec, model_alerts(spec, m))
    fired = {c.alertname for t in tests for c in t.alert_checks if c.exp_alerts}
    quiet = {c.alertname for t in tests for c in t.alert_checks if not c.exp_alerts}
    names = {
        C.ALERT_PERF_LOW,
        C.ALERT_PERF_DROP,
        C.ALERT_PERF_VERSION,
        C.ALERT_PERF_NODATA,
        C.ALERT_LABEL_COVERAGE,
        C.ALERT_LABELS_MISSING,
        C.ALERT_CONCEPT_DRIFT,
    }
    assert names <= fired and names <= quiet
    exact = {c.expr.split("{")[0] for t in tests for c in t.expr_checks if c.exp_samples}
    assert {quality.metric_name(x) for x in quality.BINARY_METRICS} <= exact
    assert {quality.metric_name(x, True) for x in quality.BINARY_METRICS} <= exact and C.LABEL_COVERAGE in exact


def _drop_rule(alert: str, pred):
    def mutate(g: RuleGroup) -> RuleGroup:
        rules = []
        for r in g.rules:
            if isinstance(r, AlertRule) and r.alert == alert:
                r = pred(r)
            rules.append(r)
        return dataclasses.replace(g, rules=tuple(rules))

    return mutate


def _failed(results) -> str:
    return "".join(r.stdout + r.stderr for r in results if r.returncode != 0)


def test_mutation_concept_drift_without_the_drift_condition_is_caught(tmp_path):
    """Concept drift that ignores input drift would fire in the data-drift case: the test sees it."""
    mutate = _drop_rule(C.ALERT_CONCEPT_DRIFT, lambda r: dataclasses.replace(r, expr=r.expr.split("\nand on (model)\n")[0]))
    out = _failed(run_generated(tmp_path, BINARY, keys=("performance",), mutate=mutate, only="drift"))
    assert "not concept drift" in out and C.ALERT_CONCEPT_DRIFT in out


def test_mutation_coverage_without_label_delay_is_caught(tmp_path):
    def mutate(g: RuleGroup) -> RuleGroup:
        return dataclasses.replace(
            g,
            rules=tuple(
                dataclasses.replace(r, expr=r.expr.replace(" offset 30m", "")) if isinstance(r, RecordingRule) and r.record == C.LABELS_DUE else r
                for r in g.rules
            ),
        )

    # predictions are constant, so dropping the offset changes nothing at steady state: remove the gate instead
    def mutate_gate(g: RuleGroup) -> RuleGroup:
        return dataclasses.replace(
            g,
            rules=tuple(
                dataclasses.replace(r, expr=r.expr.replace(" or vector(0)", "")) if isinstance(r, RecordingRule) and r.record == C.LABELS_JOINED else r
                for r in g.rules
            ),
        )

    out = _failed(run_generated(tmp_path, BINARY, keys=("performance",), mutate=lambda g: mutate_gate(mutate(g)), only="no label counter"))
    assert C.ALERT_LABEL_COVERAGE in out  # no labels at all must still read as coverage 0


def test_mutation_f1_formula_is_caught(tmp_path):
    def mutate(g: RuleGroup) -> RuleGroup:
        return dataclasses.replace(
            g,
            rules=tuple(
                dataclasses.replace(r, expr=r.expr.replace("2 * ", "1.9 * ", 1))
                if isinstance(r, RecordingRule) and r.record == quality.metric_name("f1")
                else r
                for r in g.rules
            ),
        )

    out = _failed(run_generated(tmp_path, BINARY, keys=("performance",), mutate=mutate, only="exact"))
    assert quality.metric_name("f1") in out


def _expected_annotations(tests, case: str, alertname: str, **labels: str) -> dict:
    """The annotations a generated case expects of one firing alert (found by case name and labels)."""
    (t,) = [t for t in tests if case in t.name]
    found = [a for c in t.alert_checks if c.alertname == alertname for a in c.exp_alerts if all(a.labels.get(k) == v for k, v in labels.items())]
    assert len(found) == 1, found
    return dict(found[0].annotations)


def test_low_quality_case_expects_the_annotation_text_prometheus_renders():
    """Written out by hand: at q=0.3 the synthetic traffic has tp = 30% of the positives, so recall
    is 0.3; the critical level of BINARY is 0.6 over a 1h window."""
    spec, m = model_of(BINARY)
    tests = performance.MONITOR.rule_tests(m, spec, model_alerts(spec, m))
    got = _expected_annotations(tests, "breaches the levels", C.ALERT_PERF_LOW, check="recall", severity="critical")
    assert got == {
        "summary": "fraud-detector: recall is 0.300, below 0.6 (labels of the last 1h)",
        "description": (
            "Recall (of the actual positives, the share the model caught) of model fraud-detector, computed from ground-truth labels "
            "that arrived in the last 1h, is below its critical level 0.6. Compare with input drift on the dashboard: with drift, "
            "the data changed (retrain on recent data); without it, the concept changed. Check the label pipeline first if coverage moved too."
        ),
        "dashboard": "/d/mlmon-model-fraud-detector-9ff5f7f41d",
    }


def test_case_interval_divides_the_windows_not_for():
    """The cases evaluate at an interval dividing the window, label delay, offset and half the
    shorter window, so every evaluation sees whole windows; ``for`` is left out (a firing check
    comes ``for`` plus one interval after the condition holds), so a 1h ``for`` on daily windows
    does not force 24 evaluations a day on a week-long case."""
    from mlmon.monitors import delayed_cases

    _, m = model_of(BINARY)  # window 1h, delay 30m, offset 3h, no_labels_for 30m, for 10m
    assert quality.timing(m.section("performance")).unit == 900
    daily = BINARY.replace("window: 1h\n      labels_delay: 30m\n      compare_offset: 3h", "window: 1d\n      labels_delay: 1d\n      compare_offset: 7d")
    daily = daily.replace("no_labels_for: 30m}\n      for: 10m", "no_labels_for: 12h}\n      for: 1h")
    _, m = model_of(daily)
    t = quality.timing(m.section("performance"))
    assert (t.unit, t.F, t.step) == (6 * 3600, 3600, 6 * 3600)  # inputs at the divisor too: 2 samples per 12h window
    assert delayed_cases.timing(14 * 86400, 14 * 86400, 3600).unit == 7 * 86400
    assert delayed_cases.timing(86400, 3600, 1800).unit == 3600


def test_cases_load_only_the_rule_groups_they_read():
    """promtool evaluates every loaded group at every step: the version cases load the version
    ordering, the concept-drift cases the drift groups, and the other performance and regression
    cases neither (the version groups hold subqueries over 14d, the drift reference group a week of
    simulated evaluations)."""
    import yaml

    tests_dir = Path(__file__).resolve().parents[2] / "generated" / "prometheus" / "tests"

    def load(name: str) -> dict:
        return yaml.safe_load((tests_dir / name).read_text())

    rules = "../rules/fraud-detector.{}.rules.yml".format
    lean = load("fraud-detector.performance.without-drift-versions.every-6h.test.yml")
    versions = load("fraud-detector.performance.without-drift.every-6h.test.yml")
    concept = load("fraud-detector.performance.without-versions.every-6h.test.yml")
    assert lean["rule_files"] == [rules("performance")] and lean["group_eval_order"] == ["mlmon-fraud-detector-performance"]
    assert versions["rule_files"] == [rules("versions"), rules("performance")]
    assert concept["rule_files"] == [rules("drift"), rules("performance")]
    assert versions["tests"] and all("version v2" in t["name"] for t in versions["tests"])
    assert concept["tests"] and all("drift" in t["name"].lower() for t in concept["tests"])
    assert lean["tests"] and not any("drift" in t["name"].lower() or "version v2" in t["name"] for t in lean["tests"])
    regression = load("chargeback-loss.regression.every-7d.test.yml")
    assert regression["rule_files"] == ["../rules/chargeback-loss.versions.rules.yml", "../rules/chargeback-loss.regression.rules.yml"]
    assert regression["tests"] and all("version v2" in t["name"] for t in regression["tests"])
    assert load("chargeback-loss.regression.without-versions.every-7d.test.yml")["rule_files"] == ["../rules/chargeback-loss.regression.rules.yml"]
