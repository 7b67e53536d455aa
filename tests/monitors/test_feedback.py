"""Feedback monitor: spec checks, PromQL that parses, expected baseline values computed in plain
Python, and the generated rules + rule tests under the real promtool."""

from __future__ import annotations

import dataclasses
import statistics

import promql_parser
import pytest

from mlmon import conventions as C
from mlmon import pipeline
from mlmon.artifacts import AlertRule, RecordingRule
from mlmon.monitors import feedback
from mlmon.monitors.feedback.sim import FeedbackSim
from mlmon.monitors.steps import Clock
from tests.presets.promtool_util import assert_promtool_passes, assert_tests_name_only_defined_alerts, run_promtool

HEAD = """apiVersion: mlmon/v1
kind: MonitoringSpec
metadata: {name: t}
routing:
  teams:
    ml: {slack: {channel: "#ml", api_url_file: /etc/am/slack}}
models:
  - id: m1
    team: ml
    serving: {preset: mlmon, targets: ['m1:8080']}
"""

DEFAULT = "    feedback: {}\n"
FULL = (
    "    feedback:\n      window: 30m\n      min_feedback: 50\n      max_negative_ratio: 0.3\n      min_rating: 3.5\n"
    "      spike: {k: 2.5, min_increase: 0.1, min_history: 12h, baseline: 3d}\n      stopped_for: 45m\n      severity: page\n"
)


def compile_one(body: str):
    return pipeline.check({"t.yaml": HEAD + body})


def model_of(body: str):
    spec, diags = compile_one(body)
    assert spec is not None, [str(d) for d in diags]
    return spec, spec.models[0]


def test_empty_section_enables_defaults():
    _, m = model_of(DEFAULT)
    f = m.section("feedback")
    assert (f.window, f.min_feedback, f.spike, f.k, f.baseline, f.min_history, f.stopped_for) == (3600.0, 20, True, 3.0, 7 * 86400.0, 86400.0, 3600.0)
    assert f.history_samples == 1440


def test_inconsistent_history_is_an_error_with_position():
    spec, diags = compile_one("    feedback: {spike: {baseline: 1d, min_history: 2d}}\n")
    assert spec is None
    (d,) = [x for x in diags if x.code == "MLM210"]
    assert d.line == 11 and "min_history" in d.message


def test_bad_duration_and_unknown_field():
    _, diags = compile_one("    feedback: {window: 1hour, thumbs: true}\n")
    assert {"MLM203", "MLM101"} <= {d.code for d in diags}


@pytest.mark.parametrize("body", [DEFAULT, FULL], ids=["default", "full"])
def test_every_expression_parses_and_the_baseline_excludes_the_current_window(body):
    spec, m = model_of(body)
    (g,) = feedback.MONITOR.rule_groups(m, spec)
    for r in g.rules:
        promql_parser.parse(r.expr)
        if isinstance(r, AlertRule):
            assert r.labels["model"] == "m1" and r.labels["monitor"] == "feedback" and r.labels["check"]
    exprs = {r.record: r.expr for r in g.rules if isinstance(r, RecordingRule)}
    w = "1h" if body is DEFAULT else "30m"
    assert f"offset {w}" in exprs[C.FB_BASELINE_MEAN] and f"offset {w}" in exprs[C.FB_BASELINE_STDDEV]
    stopped = [r for r in g.rules if isinstance(r, AlertRule) and r.alert == C.ALERT_FB_STOPPED][0]
    assert stopped.labels["severity"] == "warning" and C.REQUESTS_RATE in stopped.expr


def test_sim_baseline_matches_python_statistics():
    _, m = model_of(FULL)
    f = m.section("feedback")
    pos = [float(i * 9) for i in range(2000)]
    neg = [float(i) if i < 900 else 900 + (i - 900) * 3.0 for i in range(2000)]
    sim = FeedbackSim(f, pos, neg, Clock(m))
    t = 1990
    hist = []
    for s in range(max(0, t - 30 - 3 * 1440), t - 30 + 1):
        lo = max(0, s - 30)
        e = (pos[s] - pos[lo]) + (neg[s] - neg[lo])
        if e >= 50:
            hist.append((neg[s] - neg[lo]) / e)
    base = sim.baseline(t * 60.0)
    assert base is not None
    mean, sd = base
    assert mean == pytest.approx(statistics.fmean(hist)) and sd == pytest.approx(statistics.pstdev(hist))


@pytest.mark.parametrize("body", [DEFAULT, FULL], ids=["default", "full"])
def test_generated_rule_tests_pass_promtool(body, tmp_path):
    spec, m = model_of(body)
    groups = feedback.MONITOR.rule_groups(m, spec)
    tests = feedback.MONITOR.rule_tests(m, spec)
    alerts = {c.alertname for t in tests for c in t.alert_checks if c.exp_alerts}
    expected = {C.ALERT_FB_SPIKE, C.ALERT_FB_STOPPED} | ({C.ALERT_FB_HIGH, C.ALERT_FB_RATING} if body is FULL else set())
    assert alerts == expected  # every alert is proven to fire
    assert_promtool_passes(tmp_path, groups, tests)


def test_generated_tests_catch_a_baseline_that_includes_the_spike(tmp_path):
    """Without the offset the spike raises its own baseline: the exact baseline values no longer match."""
    spec, m = model_of(FULL)
    (g,) = feedback.MONITOR.rule_groups(m, spec)
    rules = tuple(dataclasses.replace(r, expr=r.expr.replace(" offset 30m", "")) for r in g.rules)
    tests = [t for t in feedback.MONITOR.rule_tests(m, spec) if "spike" in t.name]
    res = run_promtool(tmp_path, [dataclasses.replace(g, rules=rules)], tests)
    assert res.returncode != 0 and C.FB_BASELINE_MEAN in res.stderr + res.stdout


ODD = {
    "no-spike": "    feedback: {spike: {enabled: false}, min_feedback: 1, window: 5m, stopped_for: 10m}\n",
    "big-volume-short-history": "    feedback: {min_feedback: 2000, max_negative_ratio: 0.9, spike: {min_history: 2h, baseline: 6h, k: 1, min_increase: 0.01}, for: 5m}\n",
}


UNREACHABLE_BY_DEFAULT_HISTORY = {
    # 8-12% history: mean + 0.9 > 1, and mean + 100 x stddev > 1; lint-clean, so generate must work
    "large-min-increase": "    feedback: {spike: {min_increase: 0.9}}\n",
    "large-k": "    feedback: {spike: {k: 100}}\n",
}
ODD.update(UNREACHABLE_BY_DEFAULT_HISTORY)


@pytest.mark.parametrize("case", sorted(UNREACHABLE_BY_DEFAULT_HISTORY))
def test_a_spike_the_usual_history_cannot_reach_still_gets_a_firing_case(case):
    spec, m = model_of(UNREACHABLE_BY_DEFAULT_HISTORY[case])
    tests = feedback.MONITOR.rule_tests(m, spec)  # raised "design error: feedback spike ... does not fire"
    (spike,) = [t for t in tests if "spike alert" in t.name]
    assert any(c.alertname == C.ALERT_FB_SPIKE and c.exp_alerts for c in spike.alert_checks)


def test_a_min_increase_of_one_can_never_fire_and_is_a_lint_error():
    spec, diags = compile_one("    feedback: {spike: {min_increase: 1}}\n")
    assert spec is None
    (d,) = diags
    assert d.code == "MLM350" and d.line == 11 and "models[0].feedback.spike.min_increase: min_increase 1 can never be met" in d.message
    ok, diags = compile_one("    feedback: {spike: {enabled: false, min_increase: 1}}\n")
    assert ok is not None and diags == []


@pytest.mark.parametrize("case", sorted(ODD))
def test_generated_tests_hold_for_unusual_configs(case, tmp_path):
    spec, m = model_of(ODD[case])
    assert_promtool_passes(tmp_path, feedback.MONITOR.rule_groups(m, spec), feedback.MONITOR.rule_tests(m, spec))


@pytest.mark.parametrize("case", sorted(ODD))
def test_generated_tests_only_name_alerts_the_rules_define(case):
    spec, m = model_of(ODD[case])
    assert_tests_name_only_defined_alerts(feedback.MONITOR, spec, m)


def test_the_generated_case_expects_this_exact_spike_text():
    """The expected annotations of the generated cases come from the rules' templates; here the text
    Prometheus must render for the spike (36% negative after a day of 8-12%) is written out."""
    spec, m = model_of(FULL)
    case = next(t for t in feedback.MONITOR.rule_tests(m, spec) if "spike" in t.name)
    (exp,) = [a for c in case.alert_checks if c.alertname == C.ALERT_FB_SPIKE for a in c.exp_alerts]
    assert dict(exp.labels) == {"model": "m1", "team": "ml", "severity": "critical", "monitor": "feedback", "check": "negative_ratio"}
    assert dict(exp.annotations) == {
        "summary": "m1: negative feedback at 36% of feedback, far above its usual share",
        "description": "The share of negative feedback over the last 30m is more than 2.5 standard deviations (and 0.1) above its mean "
        "over the previous 3d. Users dislike recent answers: check recent deployments, input changes and the negative examples.",
        "dashboard": "/d/mlmon-model-m1-386c587945",
    }


@pytest.mark.parametrize("every", ["30s", "2m"])
def test_rule_tests_evaluate_at_the_specs_evaluation_interval(every, tmp_path):
    """At 30s the baseline needs twice as many recorded ratios (one per evaluation), at 2m half
    as many, and a change shows up to one interval late: every case runs at the spec's interval
    (inputs sampled so each evaluation falls on a sample) and passes promtool there."""
    spec, diags = pipeline.check({"t.yaml": HEAD.replace("routing:", f"defaults: {{evaluation_interval: {every}}}\nrouting:", 1) + FULL})
    assert spec is not None, [str(d) for d in diags]
    m = spec.models[0]
    tests = feedback.MONITOR.rule_tests(m, spec)
    assert {c.alertname for t in tests for c in t.alert_checks if c.exp_alerts} == {C.ALERT_FB_SPIKE, C.ALERT_FB_STOPPED, C.ALERT_FB_HIGH, C.ALERT_FB_RATING}
    assert all(t.every(m) == every for t in tests)
    assert_promtool_passes(tmp_path, feedback.MONITOR.rule_groups(m, spec), tests, every)
