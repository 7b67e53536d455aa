"""Canary monitor: spec checks with positions, the arm split of every preset source, the gate's
verdict, and the generated rules + rule tests under the real promtool (every alert proven to fire,
nothing without a candidate)."""

from __future__ import annotations

import dataclasses

import promql_parser
import pytest

from mlmon import conventions as C
from mlmon.artifacts import AlertRule, RecordingRule
from mlmon.monitors import canary
from mlmon.monitors.canary import gate
from tests.helpers.specs import compile_text, first_model, spec
from tests.presets.promtool_util import assert_promtool_passes, assert_tests_name_only_defined_alerts, run_promtool

HEAD = "  - id: fraud\n    team: risk-ml\n"
NATIVE = "    serving: {preset: mlmon, targets: ['fraud:8080']}\n"
FULL = (
    NATIVE + "    canary:\n      label: version\n      baseline: v3\n      candidate: '~v4.*'\n      min_samples: 200\n      severity: page\n"
    "      quality: {metric: fpr, max_drop: 0.03, window: 30m, min_labels: 500}\n"
)
VLLM = (
    "    task: llm\n    serving: {preset: vllm, targets: ['chat:8000'], scrape_interval: 15s}\n"
    "    canary: {mode: shadow, prediction: {histogram: 'vllm:request_generation_tokens', max_distance: 0.2}}\n"
)
EXTREME = NATIVE + "    canary: {quality: {metric: precision, max_drop: 0.9, min_labels: 20000}, prediction: {max_distance: 0.95}}\n"
TRITON = "    serving: {preset: triton, targets: ['t:8002']}\n    canary: {window: 15m, latency: {max_ratio: 1.5}}\n"


def compile_one(body: str):
    return compile_text(spec(HEAD + body))


def model_of(body: str):
    return first_model(spec(HEAD + body))


def test_defaults_compare_what_the_preset_allows():
    _, m = model_of(NATIVE + "    canary: {}\n")
    c = m.section("canary")
    assert (c.mode, c.label, c.baseline, c.candidate, c.window, c.min_samples) == ("canary", "role", "stable", "canary", 600.0, 100)
    assert c.max_error_increase == 0.01 and c.latency.quantile == 0.99 and c.prediction.histogram == C.PREDICTION_SCORE and c.quality is None
    _, k = model_of("    serving: {preset: kserve, targets: ['x:1']}\n    canary: {}\n")
    assert k.section("canary").max_error_increase is None and k.section("canary").prediction is None  # KServe counts no failures


@pytest.mark.parametrize(
    "body, code, where",
    [
        (NATIVE + "    canary: {baseline: v1, candidate: v1}\n", "MLM265", "models[0].canary.candidate"),
        (NATIVE + "    canary: {label: model}\n", "MLM265", "models[0].canary.label"),
        (NATIVE + "    task: multiclass_classification\n    canary: {quality: {metric: recall}}\n", "MLM266", "models[0].canary.quality"),
        ("    serving: {preset: kserve, targets: ['x:1']}\n    canary: {error_ratio: {max_increase: 0.02}}\n", "MLM212", "models[0].canary.error_ratio"),
        ("    serving: {preset: vllm, targets: ['x:1']}\n    canary: {prediction: {max_distance: 0.2}}\n", "MLM212", "models[0].canary.prediction"),
        (NATIVE + "    canary: {window: 1m}\n", "MLM207", "models[0].canary.window"),
        (NATIVE + "    canary: {quality: {window: 1hour}}\n", "MLM203", "models[0].canary.quality.window"),
    ],
)
def test_bad_sections_are_reported_at_their_field(body, code, where):
    spec, diags = compile_one(body)
    assert spec is None
    assert any(d.code == code and d.message.startswith(where) and d.line > 8 for d in diags), [str(d) for d in diags]


def test_limits_that_can_never_be_exceeded_are_warned_about():
    spec, diags = compile_one(NATIVE + "    canary: {prediction: {max_distance: 1}, quality: {max_drop: 1}}\n")
    assert spec is not None
    assert sorted((d.code, d.message.split(":")[0]) for d in diags) == [
        ("MLM210", "models[0].canary.prediction.max_distance"),
        ("MLM210", "models[0].canary.quality.max_drop"),
    ]


def test_every_source_is_split_by_the_arm_label():
    spec, m = model_of(VLLM)
    (g,) = canary.MONITOR.rule_groups(m, spec)
    exprs = {(r.record, r.labels.get("arm")): r.expr for r in g.rules if isinstance(r, RecordingRule)}
    for r in g.rules:
        promql_parser.parse(r.expr)
    # vLLM's HTTP counters are server-wide (selected by job): the arm matcher reaches them too
    assert 'http_requests_total{job="mlmon-fraud",handler=~"/v1/.*",role="canary"}' in exprs[(C.CANARY_REQUESTS, "candidate")]
    assert 'model_name="fraud",role="stable"' in exprs[(C.CANARY_LATENCY, "baseline")]
    assert 'vllm:request_generation_tokens_bucket{model_name="fraud",role="canary",le="+Inf"}' in exprs[(C.CANARY_DIVERGENCE, None)]
    _, f = model_of(FULL)
    (g,) = canary.MONITOR.rule_groups(f, spec)
    assert 'version=~"v4.*"' in next(r.expr for r in g.rules if getattr(r, "record", "") == C.CANARY_REQUESTS and r.labels["arm"] == "candidate")


def test_quality_direction_follows_the_metric():
    spec, m = model_of(FULL)
    (rule,) = [r for g in canary.MONITOR.rule_groups(m, spec) for r in g.rules if isinstance(r, AlertRule) and r.alert == C.ALERT_CANARY_QUALITY]
    assert rule.expr.endswith("> 0.03") and rule.labels["severity"] == "critical"  # fpr: higher is worse


def _values(c, **kw):
    base = {"requests:baseline": 1000.0, "requests:candidate": 900.0, "error_ratio:baseline": 0.01, "error_ratio:candidate": 0.012}
    base |= {"latency:baseline": 0.2, "latency:candidate": 0.22, "prediction": 0.05}
    return {**base, **kw}


def test_gate_verdicts():
    _, m = model_of(NATIVE + "    canary: {quality: {min_labels: 100}}\n")
    c = m.section("canary")
    v = gate.verdict(c, _values(c))
    assert v.outcome == gate.PASS and [r.verdict for r in v.rows] == ["pass", "pass", "pass", "pass", "pending"]
    assert gate.verdict(c, _values(c, **{"error_ratio:candidate": 0.03})).outcome == gate.FAIL
    assert gate.verdict(c, _values(c, **{"latency:candidate": 0.25})).outcome == gate.FAIL  # 1.25 > 1.2
    thin = gate.verdict(c, _values(c, **{"requests:candidate": 99.0, "error_ratio:candidate": 0.5}))
    assert thin.outcome == gate.INCONCLUSIVE and thin.rows[1].verdict == "too few samples"  # noise is never judged
    assert gate.verdict(c, _values(c, prediction=None)).outcome == gate.INCONCLUSIVE  # a comparison without data
    labelled = {"labels:baseline": 500.0, "labels:candidate": 400.0, "quality:baseline": 0.9, "quality:candidate": 0.85}
    assert gate.verdict(c, _values(c, **labelled)).outcome == gate.FAIL  # accuracy 0.05 worse than 0.02 allowed
    assert set(gate.queries(m, c)) == {f"{k}:{a}" for k in ("requests", "error_ratio", "latency", "labels", "quality") for a in ("baseline", "candidate")} | {
        "prediction"
    }


def test_gate_overrides_only_the_label_values():
    _, m = model_of(FULL)
    c = m.section("canary").with_arms(candidate="7d9f8c")
    assert (c.label, c.baseline, c.candidate) == ("version", "v3", "7d9f8c")
    assert 'version="7d9f8c"' in gate.queries(m, c)["requests:candidate"]


@pytest.mark.tools
@pytest.mark.parametrize("body", [FULL, VLLM, TRITON, EXTREME], ids=["mlmon", "vllm-shadow", "triton-mean-latency", "extreme-limits"])
def test_generated_rule_tests_pass_promtool_and_prove_every_alert_fires(body, tmp_path):
    spec, m = model_of(body)
    groups = canary.MONITOR.rule_groups(m, spec)
    tests = canary.MONITOR.rule_tests(m, spec)
    fired = {c.alertname for t in tests for c in t.alert_checks if c.exp_alerts}
    defined = {r.alert for g in groups for r in g.rules if isinstance(r, AlertRule)}
    assert fired == defined
    assert any("no candidate" in t.name for t in tests) and any("no series at all" in t.name for t in tests)
    assert_promtool_passes(tmp_path, groups, tests)
    assert_tests_name_only_defined_alerts(canary.MONITOR, spec, m)


@pytest.mark.tools
def test_the_cases_catch_an_ungated_comparison(tmp_path):
    """Without the sample gate the starved candidate's comparisons exist: the exact gate check and the
    quiet checks of the starved case must fail."""
    spec, m = model_of(NATIVE + "    canary: {}\n")
    (g,) = canary.MONITOR.rule_groups(m, spec)
    rules = tuple(dataclasses.replace(r, expr=r.expr.replace(">= bool 100", ">= bool 0")) if getattr(r, "record", "") == C.CANARY_GATE else r for r in g.rules)
    tests = [t for t in canary.MONITOR.rule_tests(m, spec) if "gate 100" in t.name]
    res = run_promtool(tmp_path, [dataclasses.replace(g, rules=rules)], tests)
    assert res.returncode != 0 and C.CANARY_GATE in res.stdout + res.stderr
