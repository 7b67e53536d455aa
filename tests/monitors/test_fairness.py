"""Fairness monitor: spec checks, PromQL that parses, Fairlearn-equivalent definitions computed in
plain Python, and the generated rules + rule tests under the real promtool."""

from __future__ import annotations

import dataclasses

import promql_parser
import pytest

from mlmon import conventions as C
from mlmon import pipeline
from mlmon.artifacts import AlertRule, RecordingRule
from mlmon.monitors import fairness
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

MINIMAL = "    fairness: {group_label: region}\n"
FULL = (
    "    labels: {tier: critical}\n"
    "    fairness:\n      group_label: region\n      groups: [eu, us]\n      min_samples: 200\n"
    "      demographic_parity: {min_ratio: 0.9, max_difference: 0.05}\n"
    "      equal_opportunity: {max_difference: 0.1, min_positives: 20}\n      severity: page\n      for: 30m\n"
)
GROUP_LABEL_IS_GROUP = "    fairness: {group_label: group, equal_opportunity: {}}\n"


def compile_one(body: str):
    return pipeline.check({"t.yaml": HEAD + body})


def model_of(body: str):
    spec, diags = compile_one(body)
    assert spec is not None, [str(d) for d in diags]
    return spec, spec.models[0]


def test_defaults_follow_the_four_fifths_convention():
    _, m = model_of(MINIMAL)
    f = m.section("fairness")
    assert (f.dp_min_ratio, f.dp_max_difference, f.eo_max_difference, f.min_samples, f.window, f.severity) == (0.8, None, None, 100, 86400.0, "warning")


def test_group_label_is_required_and_reserved_labels_rejected():
    _, diags = compile_one("    fairness: {window: 1d}\n")
    assert any(d.code == "MLM102" and "group_label" in d.message for d in diags)
    spec, diags = compile_one("    fairness: {group_label: model}\n")
    assert spec is None and any(d.code == "MLM213" and d.line == 11 for d in diags)


def test_equal_opportunity_on_a_regression_model_warns():
    _, diags = compile_one("    task: regression\n    fairness: {group_label: region, equal_opportunity: {}}\n")
    assert any(d.code == "MLM213" and "equal opportunity" in d.message for d in diags)


@pytest.mark.parametrize("body", [MINIMAL, FULL, GROUP_LABEL_IS_GROUP], ids=["minimal", "full", "label-group"])
def test_every_expression_parses_and_alerts_carry_the_routing_labels(body):
    spec, m = model_of(body)
    (g,) = fairness.MONITOR.rule_groups(m, spec)
    for r in g.rules:
        promql_parser.parse(r.expr)
        if isinstance(r, AlertRule):
            assert r.labels["model"] == "m1" and r.labels["team"] == "ml" and r.labels["monitor"] == "fairness"
            assert r.labels["check"] in ("demographic_parity", "equal_opportunity", "groups")
        else:
            assert r.labels == {"model": "m1"}
    exprs = {r.record: r.expr for r in g.rules if isinstance(r, RecordingRule)}
    if body is GROUP_LABEL_IS_GROUP:
        assert "label_replace" not in exprs[C.FAIR_PREDICTIONS]
    else:
        assert "label_replace(" in exprs[C.FAIR_PREDICTIONS] and 'region!=""' in exprs[C.FAIR_PREDICTIONS]


def test_low_sample_alerts_are_tickets_even_when_fairness_pages():
    spec, m = model_of(FULL)
    alerts = [r for r in fairness.MONITOR.rule_groups(m, spec)[0].rules if isinstance(r, AlertRule)]
    sev = {(r.alert, r.labels["check"]): r.labels["severity"] for r in alerts}
    assert sev[(C.ALERT_FAIR_DP_RATIO, "demographic_parity")] == "critical"
    assert sev[(C.ALERT_FAIR_LOW_SAMPLES, "demographic_parity")] == "warning"
    assert sev[(C.ALERT_FAIR_LOW_SAMPLES, "groups")] == "warning"
    listed = [r for r in alerts if r.labels["check"] == "groups"][0]
    assert 'absent(mlmon_fairness:predictions:increase{model="m1",group="eu"})' in listed.expr


def fairlearn_like(rates: dict[str, float]) -> tuple[float, float]:
    """demographic_parity_difference / _ratio with method="between_groups" (Fairlearn)."""
    hi, lo = max(rates.values()), min(rates.values())
    return hi - lo, lo / hi


@pytest.mark.parametrize("body", [MINIMAL, FULL], ids=["minimal", "full"])
def test_expected_values_match_independent_definitions(body):
    spec, m = model_of(body)
    f = m.section("fairness")
    healthy = fairness.MONITOR.rule_tests(m, spec)[0]
    t = int(healthy.expr_checks[0].eval_time[:-1])
    counts: dict[str, dict[str, float]] = {}
    for series, values in healthy.input_series:
        if not series.startswith(C.PREDICTIONS_TOTAL):
            continue
        group = series.split(f'{f.group_label}="')[1].split('"')[0]
        per_min = float(values.split("+")[1].split("x")[0])
        kind = "pos" if 'positive="true"' in series else "neg"
        counts.setdefault(group, {})[kind] = per_min * t
    rates = {g: c["pos"] / (c["pos"] + c["neg"]) for g, c in counts.items()}
    assessed = {g: r for g, r in rates.items() if counts[g]["pos"] + counts[g]["neg"] >= f.min_samples}
    assert len(assessed) == len(rates) - 1  # the tiny group is below the gate
    diff, ratio = fairlearn_like(assessed)
    got = {c.expr.split("(")[1].split("{")[0]: c.exp_samples[0].value for c in healthy.expr_checks if "group=" not in c.expr}
    assert got[C.FAIR_DP_DIFFERENCE] == pytest.approx(diff, abs=1e-6)
    assert got[C.FAIR_DP_RATIO] == pytest.approx(ratio, abs=1e-6)
    assert ratio >= f.dp_min_ratio  # healthy case is healthy
    assert fairlearn_like(rates)[1] < f.dp_min_ratio  # ... only because the tiny group is gated out


@pytest.mark.parametrize("body", [MINIMAL, FULL, GROUP_LABEL_IS_GROUP], ids=["minimal", "full", "label-group"])
def test_generated_rule_tests_pass_promtool(body, tmp_path):
    spec, m = model_of(body)
    groups = fairness.MONITOR.rule_groups(m, spec)
    tests = fairness.MONITOR.rule_tests(m, spec)
    assert len(tests) == 4
    assert_promtool_passes(tmp_path, groups, tests)


def test_generated_tests_catch_a_missing_sample_gate(tmp_path):
    """Without the min_samples gate the tiny group's 0.02 rate enters the ratio and the healthy case fails."""
    spec, m = model_of(MINIMAL)
    (g,) = fairness.MONITOR.rule_groups(m, spec)
    rules = tuple(dataclasses.replace(r, expr=r.expr.replace(">= 100", ">= 1")) for r in g.rules)
    res = run_promtool(tmp_path, [dataclasses.replace(g, rules=rules)], fairness.MONITOR.rule_tests(m, spec)[:1])
    assert res.returncode != 0 and C.ALERT_FAIR_DP_RATIO in res.stderr + res.stdout


ODD = {
    "tiny-gate": "    fairness: {group_label: tenant, min_samples: 1, window: 10m}\n",
    "huge-gate-strict": "    fairness: {group_label: tenant, min_samples: 5000, demographic_parity: {min_ratio: 0.99, max_difference: 0.01}}\n",
    "difference-only": "    fairness: {group_label: g2, demographic_parity: {min_ratio: 0, max_difference: 0.2}, equal_opportunity: {max_difference: 0.3, min_positives: 1}, groups: ['a.b', 'c|d']}\n",
}


@pytest.mark.parametrize("case", sorted(ODD))
def test_generated_tests_hold_for_unusual_configs(case, tmp_path):
    spec, m = model_of(ODD[case])
    assert_promtool_passes(tmp_path, fairness.MONITOR.rule_groups(m, spec), fairness.MONITOR.rule_tests(m, spec))


@pytest.mark.parametrize("body", [MINIMAL, FULL, *ODD.values()])
def test_generated_tests_only_name_alerts_the_rules_define(body):
    spec, m = model_of(body)
    assert_tests_name_only_defined_alerts(fairness.MONITOR, spec, m)


def test_the_generated_case_expects_this_exact_parity_ratio_text():
    """The expected annotations of the generated cases come from the rules' templates; here the text
    Prometheus must render for the disparity case (one group at 0.216 against 0.30) is written out."""
    spec, m = model_of(FULL)
    case = next(t for t in fairness.MONITOR.rule_tests(m, spec) if "one group selected at 0.216" in t.name)
    (exp,) = [a for c in case.alert_checks if c.alertname == C.ALERT_FAIR_DP_RATIO for a in c.exp_alerts]
    assert dict(exp.labels) == {"tier": "critical", "model": "m1", "team": "ml", "severity": "critical", "monitor": "fairness", "check": "demographic_parity"}
    assert dict(exp.annotations) == {
        "summary": "m1: demographic-parity ratio 0.720 across region is below 0.9",
        "description": "Over the last 1d the lowest selection rate (share of positive decisions) among the region groups is less than 0.9 "
        "of the highest. 0.9 is a screening convention (the four-fifths rule of thumb), not a legal test: look at the per-group "
        "selection rates on the dashboard, check whether the input mix of the groups changed, and involve the model's fairness reviewer.",
        "dashboard": "/d/mlmon-model-m1-386c587945",
    }
