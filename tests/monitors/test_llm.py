"""LLM serving monitor: spec checks with positions, the spellings of TTFT/TPOT read with `or`, the
SLO series shared with the slos monitor, and the generated rules + rule tests under the real
promtool (every alert proven to fire, including from each spelling)."""

from __future__ import annotations

import dataclasses

import promql_parser
import pytest

from mlmon import conventions as C
from mlmon.artifacts import AlertRule, RecordingRule
from mlmon.monitors import llm
from tests.helpers.specs import compile_text, first_model, spec
from tests.presets.promtool_util import assert_promtool_passes, assert_tests_name_only_defined_alerts, run_promtool

HEAD = "  - id: chat\n    team: risk-ml\n    task: llm\n"
VLLM = "    serving: {preset: vllm, targets: ['chat:8000'], scrape_interval: 15s}\n"
OTEL = "    serving: {preset: otel-genai, targets: ['chat:4318'], scrape_interval: 15s}\n"
FULL = (
    "    llm:\n"
    "      ttft: {threshold: 1s, objective: 99, period: 7d}\n"
    "      tpot: {threshold: 100ms, objective: 99, period: 7d, ticket: false}\n"
    "      tokens: {min_per_second: 50}\n"
    "      queue: {max: 5s}\n"
    "      token_cost: {usd_per_1k_input_tokens: 0.0005, usd_per_1k_output_tokens: 0.0015, daily_budget_usd: 250, max_usd_per_1k_tokens: 0.0012}\n"
    "      evaluations:\n"
    "        - {name: helpfulness, min: 0.7, drift: {baseline: 12h, min_history: 3h}}\n"
    "        - {name: faithfulness, metric: 'ragas_faithfulness{app=\"support-chat\"}', min: 0.8}\n"
    "      for: 5m\n"
    "      no_data_for: 10m\n"
)
ALL_ALERTS = {
    C.ALERT_SLO_BURN,
    C.ALERT_SLO_NODATA,
    C.ALERT_LLM_TOKENS_LOW,
    C.ALERT_LLM_QUEUE,
    C.ALERT_LLM_BUDGET,
    C.ALERT_LLM_BUDGET_BURN,
    C.ALERT_LLM_COST_1K,
    C.ALERT_LLM_EVAL_LOW,
    C.ALERT_LLM_EVAL_DRIFT,
    C.ALERT_LLM_NODATA,
}


def compile_one(body: str):
    return compile_text(spec(HEAD + body))


def model_of(body: str):
    return first_model(spec(HEAD + body))


def rules_by_name(spec, m) -> dict[str, list]:
    out: dict[str, list] = {}
    for g in llm.MONITOR.rule_groups(m, spec):
        for r in g.rules:
            out.setdefault(r.record if isinstance(r, RecordingRule) else r.alert, []).append(r)
    return out


def test_empty_section_turns_on_the_slos_the_preset_can_compute():
    _, m = model_of(VLLM + "    llm: {}\n")
    section = m.section("llm")
    assert [(s.kind, s.threshold, s.objective, s.period) for s in section.slos] == [("ttft", 1.0, 99.0, 30 * 86400.0), ("tpot", 0.1, 99.0, 30 * 86400.0)]
    assert section.cost is None and section.evaluations == () and section.min_tokens_per_second is None
    _, plain = model_of("    serving: {preset: mlmon, targets: ['chat:8000']}\n    llm: {}\n")
    assert plain.section("llm").slos == ()  # the native contract has no TTFT histogram: nothing to watch


def test_a_model_without_the_section_gets_nothing():
    spec, m = model_of(VLLM)
    assert m.section("llm") is None and llm.MONITOR.rule_groups(m, spec) == () and llm.MONITOR.rule_tests(m, spec) == ()


@pytest.mark.parametrize(
    "body, code, where",
    [
        ("    serving: {preset: kserve, targets: ['x:1']}\n    llm:\n      ttft: {threshold: 1s}\n", "MLM212", "models[0].llm.ttft"),
        ("    serving: {preset: kserve, targets: ['x:1']}\n    llm:\n      tokens: {min_per_second: 5}\n", "MLM212", "models[0].llm.tokens"),
        (VLLM + "    llm:\n      ttft: {objective: 0.99}\n", "MLM204", "models[0].llm.ttft.objective"),
        (VLLM + "    llm:\n      ttft: {objective: 90}\n", "MLM206", "models[0].llm.ttft.objective"),
        ("    serving: {preset: vllm, targets: ['x:1'], scrape_interval: 30s}\n    llm:\n      ttft: {period: 1d}\n", "MLM207", "models[0].llm.ttft.period"),
        (VLLM + "    llm:\n      evaluations: [{name: a}, {name: a}]\n", "MLM201", "models[0].llm.evaluations[1].name"),
        (
            VLLM + "    llm:\n      evaluations: [{name: a, drift: {baseline: 1h, min_history: 2h}}]\n",
            "MLM210",
            "models[0].llm.evaluations[0].drift.min_history",
        ),
        (VLLM + "    llm:\n      evaluations: [{name: a, metric: 'not a metric'}]\n", "MLM205", "models[0].llm.evaluations[0].metric"),
        (VLLM + "    llm:\n      for: 5minutes\n", "MLM203", "models[0].llm.for"),
    ],
)
def test_bad_sections_are_reported_at_their_field(body, code, where):
    spec, diags = compile_one(body)
    assert spec is None
    assert any(d.code == code and d.message.startswith(where) and d.file == "t.yaml" and d.line > 10 for d in diags), [str(d) for d in diags]


def test_token_limits_that_can_never_be_exceeded_are_warned_about():
    body = "    llm:\n      token_cost: {usd_per_1k_input_tokens: 0, usd_per_1k_output_tokens: 0, daily_budget_usd: 5, max_usd_per_1k_tokens: 0.001}\n"
    spec, diags = compile_one(VLLM + body)
    assert spec is not None and {(d.code, d.message.split(":")[0]) for d in diags} == {
        ("MLM210", "models[0].llm.token_cost.max_usd_per_1k_tokens"),
        ("MLM210", "models[0].llm.token_cost.daily_budget_usd"),
    }
    assert spec.models[0].section("llm").cost is not None and llm.MONITOR.rule_tests(spec.models[0], spec)  # cases still build


def test_a_threshold_between_buckets_is_a_warning():
    spec, diags = compile_one(VLLM + "    llm:\n      ttft: {threshold: 2s}\n")
    assert spec is not None and [d.code for d in diags] == ["MLM213"] and "models[0].llm.ttft.threshold" in diags[0].message


@pytest.mark.parametrize(
    "serving, names",
    [
        (VLLM, {"ttft": ["vllm:time_to_first_token_seconds"], "tpot": ["vllm:request_time_per_output_token_seconds", "vllm:time_per_output_token_seconds"]}),
        (
            OTEL,
            {
                "ttft": ["gen_ai_server_time_to_first_token_seconds", "gen_ai_server_time_to_first_token"],
                "tpot": ["gen_ai_server_time_per_output_token_seconds", "gen_ai_server_time_per_output_token"],
            },
        ),
    ],
    ids=["vllm", "otel-genai"],
)
def test_every_spelling_is_read_with_or(serving, names):
    spec, m = model_of(serving + "    llm: {}\n")
    rules = rules_by_name(spec, m)
    for r in (r for rs in rules.values() for r in rs):
        promql_parser.parse(r.expr)
    ratios = {r.labels["slo"]: r.expr for r in rules[C.slo_ratio_metric("5m")]}
    for kind, spellings in names.items():
        expr = ratios["llm:" + kind]
        assert all(f"{n}_bucket{{" in expr and f"{n}_count{{" in expr for n in spellings)
        assert expr.count(" or rate(") == 2 * (len(spellings) - 1)


def test_slo_series_are_the_slo_monitors_with_an_slo_label_no_spec_slo_can_have():
    spec, m = model_of(VLLM + FULL)
    rules = rules_by_name(spec, m)
    assert {r.labels["slo"] for r in rules[C.SLO_BUDGET_REMAINING]} == {"llm:ttft", "llm:tpot"}
    burns = rules[C.ALERT_SLO_BURN]
    assert {(r.labels["slo"], r.labels["severity"]) for r in burns} == {("llm:ttft", "critical"), ("llm:ttft", "warning"), ("llm:tpot", "critical")}
    assert all(r.labels["monitor"] == "llm" and r.labels["check"] in ("ttft", "tpot") for r in burns)


@pytest.mark.tools
@pytest.mark.parametrize("serving", [VLLM, OTEL], ids=["vllm", "otel-genai"])
def test_generated_rule_tests_pass_promtool_and_prove_every_alert_fires(serving, tmp_path):
    spec, m = model_of(serving + FULL.replace("      queue: {max: 5s}\n", "" if serving is OTEL else "      queue: {max: 5s}\n"))
    groups = llm.MONITOR.rule_groups(m, spec)
    tests = llm.MONITOR.rule_tests(m, spec)
    fired = {c.alertname for t in tests for c in t.alert_checks if c.exp_alerts}
    defined = {r.alert for g in groups for r in g.rules if isinstance(r, AlertRule)}
    assert fired == defined == (ALL_ALERTS - ({C.ALERT_LLM_QUEUE} if serving is OTEL else set()))
    spellings = {t.name.split("(", 1)[1].split(")", 1)[0] for t in tests if " burn fires " in t.name}
    assert len(spellings) == (3 if serving is VLLM else 4)  # each spelling of each histogram fires a burn alert
    assert_promtool_passes(tmp_path, groups, tests)
    assert_tests_name_only_defined_alerts(llm.MONITOR, spec, m)


@pytest.mark.tools
def test_the_spelling_cases_fail_when_a_spelling_is_not_read(tmp_path):
    """Rules that read only vLLM's newest TPOT name: the case on the older name must fail."""
    spec, m = model_of(VLLM + "    llm: {ttft: {enabled: false}}\n")
    (g,) = llm.MONITOR.rule_groups(m, spec)
    old = "vllm:time_per_output_token_seconds"
    rules = tuple(dataclasses.replace(r, expr=r.expr.replace(old, "vllm:not_read")) for r in g.rules)
    tests = [t for t in llm.MONITOR.rule_tests(m, spec) if f"({old})" in t.name]
    assert tests
    res = run_promtool(tmp_path, [dataclasses.replace(g, rules=rules)], tests)
    assert res.returncode != 0 and C.ALERT_SLO_BURN in res.stdout + res.stderr


@pytest.mark.tools
def test_an_idle_model_with_only_defaults_passes_promtool(tmp_path):
    spec, m = model_of(VLLM + "    idle_ok: true\n    llm: {tpot: {enabled: false}}\n")
    assert_promtool_passes(tmp_path, llm.MONITOR.rule_groups(m, spec), llm.MONITOR.rule_tests(m, spec))


def test_the_budget_case_expects_this_exact_text():
    spec, m = model_of(VLLM + FULL)
    case = next(t for t in llm.MONITOR.rule_tests(m, spec) if "daily budget's pace" in t.name)
    (exp,) = [a for c in case.alert_checks if c.alertname == C.ALERT_LLM_BUDGET for a in c.exp_alerts]
    assert dict(exp.labels) == {"model": "chat", "team": "risk-ml", "severity": "warning", "monitor": "llm", "check": "token_budget"}
    assert exp.annotations["summary"] == "chat: tokens cost 750 USD in the last 24h (daily budget 250 USD)"
