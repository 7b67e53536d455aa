"""Data-quality monitor: which checks each feature gets from its baseline (old baseline files
included), spec checks with positions, PromQL that parses, and the generated cases under the real
promtool (every alert fires, stays quiet, and shows no-data), including one that catches a rule
without its sample gate."""

from __future__ import annotations

import dataclasses

import promql_parser
import pytest

from mlmon import baseline as B
from mlmon import conventions as C
from mlmon import pipeline
from mlmon.artifacts import AlertRule, RecordingRule
from mlmon.diagnostics import Severity
from mlmon.monitors import data_quality
from tests.helpers.specs import spec
from tests.presets.promtool_util import assert_promtool_passes, assert_tests_name_only_defined_alerts, run_promtool


def make_baseline(*, seen: bool = True, top_k: int = 3) -> str:
    """amount and age numeric, country categorical (5 categories: with top_k 3 two fold into __other__)."""
    n = 200
    cols = {
        "amount": [str(round(1 + (i * 37 % 500) / 10, 1)) for i in range(n)],
        "age": [str(i * 13 % 900) for i in range(n)],
        "country": [("DE", "FR", "NL", "US", "PL")[i % 5] for i in range(n)],
    }
    b, diags = B.compute_baseline(cols, B.Options(model="m1", created_from="ref.csv", top_k=top_k, ranges={"amount": (0.0, None)}), "ref.csv")
    assert b is not None, diags
    if not seen:  # a file written before `seen` and `range` existed
        b = dataclasses.replace(b, features=tuple(dataclasses.replace(f, seen=None, range=None) for f in b.features))
    return B.dump_baseline(b)


def compile_dq(section: str, baseline: str | None = None):
    files = {"baselines/m1.yaml": baseline or make_baseline()}
    text = spec(f"  - id: m1\n    team: risk-ml\n    serving: {{targets: ['m1:8080']}}\n    data_quality: {section}\n")

    def read_file(spec_file: str, ref: str):
        return (files[ref], None) if ref in files else (None, "file not found")

    return pipeline.check({"specs/t.yaml": text}, read_file)


def model_of(section: str, baseline: str | None = None):
    s, diags = compile_dq(section, baseline)
    assert s is not None, [f"{d.line}:{d.col} {d.code} {d.message}" for d in diags]
    return s, s.models[0]


BASIC = "{baseline: baselines/m1.yaml}"
TUNED = (
    "{baseline: baselines/m1.yaml, window: 30m, min_samples: 500, max_missing_ratio: 0.1, for: 5m, no_data_for: 20m, severity: page,"
    " features: {age: {max_missing_ratio: 0.5, max_out_of_range_ratio: 0}, country: {max_unseen_ratio: 1}}}"
)


def test_checks_come_from_the_baseline_and_ceilings_from_the_spec():
    _, m = model_of(TUNED)
    dq = m.section("data_quality")
    got = {f.name: dict(f.ceilings) for f in dq.features}
    assert got == {
        "age": {"missing": 0.5, "out_of_range": 0.0, "schema": 0.0},
        "amount": {"missing": 0.1, "out_of_range": 0.01, "schema": 0.0},
        "country": {"missing": 0.1, "unseen": 1.0, "schema": 0.0},
    }
    valid = {f.name: f.valid for f in dq.features}
    assert valid["amount"] == (0.0, float("inf")) and valid["age"] == (0.0, 897.0) and valid["country"] is None
    assert (dq.window, dq.min_samples, dq.for_, dq.no_data_for, dq.severity) == (1800.0, 500, 300.0, 1200.0, C.SEVERITY_PAGE)


def test_old_baseline_without_seen_categories_warns_and_skips_unseen():
    s, diags = compile_dq(BASIC, make_baseline(seen=False))
    assert s is not None
    (w,) = [d for d in diags if d.code == "MLM255"]
    assert w.severity == Severity.WARNING and "'country'" in w.message and w.line == 15
    dq = s.models[0].section("data_quality")
    assert "unseen" not in next(f for f in dq.features if f.name == "country").ceilings
    # the top-k held every category: the old file knows them all
    s, diags = compile_dq(BASIC, make_baseline(seen=False, top_k=10))
    assert not [d for d in diags if d.code == "MLM255"]
    assert "unseen" in next(f for f in s.models[0].section("data_quality").features if f.name == "country").ceilings


@pytest.mark.parametrize(
    "section, code, fragment",
    [
        ("{baseline: baselines/m1.yaml, features: {amont: {enabled: false}}}", "MLM211", "'amont' is not in baseline"),
        ("{baseline: baselines/nope.yaml}", "MLM211", "file not found"),
        ("{baseline: baselines/m1.yaml, window: 30s}", "MLM207", "shorter than 4x"),
        ("{baseline: baselines/m1.yaml, for: soon}", "MLM203", "invalid duration"),
        ("{baseline: baselines/m1.yaml, max_missing_ratio: 2}", "MLM104", ""),
        ("{baseline: baselines/m1.yaml, features: {age: {enabled: false}, amount: {enabled: false}, country: {enabled: false}}}", "MLM213", "disabled"),
    ],
)
def test_bad_sections_are_errors_with_positions(section, code, fragment):
    s, diags = compile_dq(section)
    assert s is None
    found = [d for d in diags if d.code == code and fragment in d.message]
    assert found and all(d.line == 15 for d in found), [(d.code, d.line, d.message) for d in diags]


def test_no_section_generates_nothing():
    text = spec("  - id: m1\n    team: risk-ml\n    serving: {targets: ['m1:8080']}\n")
    s, _ = pipeline.check({"specs/t.yaml": text})
    m = s.models[0]
    assert m.section("data_quality") is None
    assert not data_quality.MONITOR.rule_groups(m, s) and not data_quality.MONITOR.rule_tests(m, s, ()) and not data_quality.MONITOR.dashboard_rows(m, s)


@pytest.mark.parametrize("section", [BASIC, TUNED], ids=["basic", "tuned"])
def test_rules_parse_and_alerts_carry_the_routing_labels(section):
    s, m = model_of(section)
    (g,) = data_quality.MONITOR.rule_groups(m, s)
    for r in g.rules:
        promql_parser.parse(r.expr)
    alerts = [r for r in g.rules if isinstance(r, AlertRule)]
    assert [a.alert for a in alerts] == [*C.ALERT_DQ.values(), C.ALERT_DQ_NODATA]
    for a in alerts:
        assert a.labels[C.L_MONITOR] == "data_quality" and a.labels[C.L_MODEL] == "m1" and a.labels[C.L_CHECK]
    records = {r.record: r.expr for r in g.rules if isinstance(r, RecordingRule)}
    unseen = records[C.DQ_RATIO.format(kind="unseen")]
    assert 'feature=~"country"' in unseen and C.FEATURE_UNSEEN_TOTAL in unseen
    assert 'feature=~"age|amount"' in records[C.DQ_RATIO.format(kind="out_of_range")]


@pytest.mark.parametrize("section", [BASIC, TUNED], ids=["basic", "tuned"])
def test_generated_cases_pass_promtool_and_every_alert_fires(section, tmp_path):
    s, m = model_of(section)
    groups = data_quality.MONITOR.rule_groups(m, s)
    tests = data_quality.MONITOR.rule_tests(m, s, ())
    fired = {(c.alertname, a.labels.get(C.L_FEATURE)) for t in tests for c in t.alert_checks for a in c.exp_alerts}
    quiet = {c.alertname for t in tests for c in t.alert_checks if not c.exp_alerts}
    # a ceiling of 1 can never be exceeded: that feature's unseen alert is not expected to fire
    unseen = set() if section is TUNED else {(C.ALERT_DQ["unseen"], "country")}
    expected = {(C.ALERT_DQ[k], f) for k in ("missing", "schema") for f in ("age", "amount", "country")}
    expected |= {(C.ALERT_DQ["out_of_range"], f) for f in ("age", "amount")} | unseen | {(C.ALERT_DQ_NODATA, None)}
    assert fired == expected
    assert quiet == {*C.ALERT_DQ.values(), C.ALERT_DQ_NODATA}
    assert_promtool_passes(tmp_path, groups, tests)
    assert_tests_name_only_defined_alerts(data_quality.MONITOR, s, m)


def test_generated_cases_catch_a_rate_without_its_sample_gate(tmp_path):
    """Without the min_samples gate, the too-few-requests case sees rates of 100% and alerts."""
    s, m = model_of(BASIC)
    (g,) = data_quality.MONITOR.rule_groups(m, s)
    rules = tuple(dataclasses.replace(r, expr=r.expr.replace(" >= 100)", ")")) if isinstance(r, RecordingRule) else r for r in g.rules)
    tests = [t for t in data_quality.MONITOR.rule_tests(m, s, ()) if "below min_samples" in t.name]
    res = run_promtool(tmp_path, [dataclasses.replace(g, rules=rules)], tests)
    assert res.returncode != 0 and C.ALERT_DQ["missing"] in res.stdout + res.stderr


def test_dashboard_row():
    s, m = model_of(TUNED)
    (row,) = data_quality.MONITOR.dashboard_rows(m, s)
    assert row.title == "Data quality"
    assert [p.title for p in row.panels] == [
        "Checked requests (30m)",
        "Missing values by feature (30m)",
        "Out of range by feature (30m)",
        "Unseen categories by feature (30m)",
        "Absent or wrong type by feature (30m)",
    ]
    assert "amount [0, +Inf]" in row.panels[2].description
