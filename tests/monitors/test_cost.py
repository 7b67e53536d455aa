"""Cost monitor: spec checks, PromQL that parses, the month-to-date approximation against the true
integral, and the generated rules + rule tests under the real promtool."""

from __future__ import annotations

import dataclasses
import random
from types import SimpleNamespace

import promql_parser
import pytest

from mlmon import conventions as C
from mlmon import pipeline
from mlmon.artifacts import AlertRule, RecordingRule
from mlmon.compiler.units import num
from mlmon.diagnostics import Severity
from mlmon.monitors import cost, steps, testkit
from mlmon.monitors.cost.sim import CostSim
from tests.presets.promtool_util import assert_promtool_passes, assert_promtool_passes_at_their_intervals, assert_tests_name_only_defined_alerts, run_promtool

MINUTELY = steps.Clock(SimpleNamespace(evaluation_interval=60))
HEAD = """apiVersion: mlmon/v1
kind: MonitoringSpec
metadata: {name: t}
routing:
  teams:
    ml: {slack: {channel: "#ml", api_url_file: /etc/am/slack}}
models:
  - id: m1
    team: ml
"""

STATIC = "    serving: {preset: kserve, targets: ['m1:8080']}\n    cost: {hourly_usd_per_replica: 3.06, monthly_budget_usd: 5000, max_usd_per_1k: 0.5}\n"
LLM = (
    "    task: llm\n    serving: {preset: vllm, targets: ['m1:8000']}\n"
    "    cost: {hourly_usd_per_gpu: 2.5, gpus_per_replica: 2, replicas_from: {namespace: genai, deployment: chat}, monthly_budget_usd: 12000}\n"
)
OPENCOST = (
    "    serving: {preset: triton, targets: ['m1:8002']}\n    infra: {exporters: [opencost], namespace: rec, pod: 'rec-.*'}\n"
    "    cost: {source: opencost, monthly_budget_usd: 20000, fast_burn_days: 5, max_usd_per_1k: 2}\n"
)


def compile_one(body: str):
    spec, diags = pipeline.check({"t.yaml": HEAD + body})
    return spec, diags


def model_of(body: str):
    spec, diags = compile_one(body)
    assert spec is not None, [str(d) for d in diags]
    return spec, spec.models[0]


# --- spec checks ------------------------------------------------------------------------------
def test_absent_section_disables_the_monitor():
    spec, m = model_of("    serving: {preset: kserve, targets: ['m1:8080']}\n")
    assert m.section("cost") is None
    assert cost.MONITOR.rule_groups(m, spec) == []


def test_static_without_prices_is_an_error_at_the_section():
    spec, diags = compile_one("    cost: {monthly_budget_usd: 100}\n")
    assert spec is None
    d = [x for x in diags if x.code == "MLM102"]
    assert d and d[0].line == 10 and d[0].col == 5 and "hourly_usd_per_replica" in d[0].message


def test_fixed_and_deployment_replicas_conflict():
    _, diags = compile_one("    cost: {hourly_usd_per_replica: 1, replicas: 2, replicas_from: {namespace: a, deployment: b}}\n")
    assert any(d.code == "MLM210" and d.severity == Severity.ERROR and "replicas_from" in d.message for d in diags)


def test_opencost_ignores_static_prices_with_a_warning():
    spec, diags = compile_one("    infra: {exporters: [opencost], namespace: ml, pod: 'm-.*'}\n    cost: {source: opencost, hourly_usd_per_replica: 1}\n")
    assert spec is not None
    assert any(d.code == "MLM210" and d.severity == Severity.WARNING and "hourly_usd_per_replica" in d.message for d in diags)


def test_budget_below_fixed_cost_warns():
    _, diags = compile_one("    cost: {hourly_usd_per_replica: 10, replicas: 3, monthly_budget_usd: 1000}\n")
    assert any(d.code == "MLM210" and "21600" in d.message for d in diags)


def test_unknown_field_and_fast_burn_range():
    _, diags = compile_one("    cost: {hourly_usd_per_replica: 1, monthly_budget: 10, fast_burn_days: 40}\n")
    codes = {d.code for d in diags}
    assert "MLM101" in codes and "MLM104" in codes


# --- rules --------------------------------------------------------------------------------
@pytest.mark.parametrize("body", [STATIC, LLM, OPENCOST], ids=["static", "llm", "opencost"])
def test_every_expression_parses_and_alerts_carry_the_routing_labels(body):
    spec, m = model_of(body)
    groups = cost.MONITOR.rule_groups(m, spec)
    assert len(groups) == 1 and groups[0].interval == "1m"
    for r in groups[0].rules:
        promql_parser.parse(r.expr)
        if isinstance(r, AlertRule):
            assert {k: r.labels[k] for k in ("model", "team", "monitor")} == {"model": "m1", "team": "ml", "monitor": "cost"}
            assert r.labels["severity"] in ("critical", "warning") and r.labels["check"]
            assert {"summary", "description", "dashboard"} <= set(r.annotations)
        elif r.record == C.COST_SPEND_DAY:
            assert set(r.labels) == {"model", C.L_MONTH_SLOT}
        elif r.record == C.COST_SPEND_HOUR:
            assert set(r.labels) == {"model", C.L_DAY_SLOT}
        else:
            assert r.labels == {"model": "m1"}
    names = {r.alert for r in groups[0].rules if isinstance(r, AlertRule)}
    assert {C.ALERT_COST_PROJECTED, C.ALERT_COST_FAST_BURN, C.ALERT_COST_NODATA} <= names
    page = [r for r in groups[0].rules if isinstance(r, AlertRule) and r.labels["severity"] == "critical"]
    assert [r.alert for r in page] == [C.ALERT_COST_FAST_BURN]


def test_cost_inputs_per_source():
    exprs = {}
    for name, body in (("static", STATIC), ("llm", LLM), ("opencost", OPENCOST)):
        spec, m = model_of(body)
        exprs[name] = {r.record: r.expr for r in cost.MONITOR.rule_groups(m, spec)[0].rules if isinstance(r, RecordingRule)}
    assert exprs["static"][C.COST_REPLICAS] == f'sum({C.REPLICAS}{{model="m1"}})'
    assert exprs["static"][C.COST_PER_HOUR] == f'{C.COST_REPLICAS}{{model="m1"}} * 3.06'
    assert exprs["llm"][C.COST_REPLICAS] == 'sum(kube_deployment_status_replicas{namespace="genai",deployment="chat"})'
    assert exprs["llm"][C.COST_PER_HOUR] == f'{C.COST_REPLICAS}{{model="m1"}} * 5'  # 2 GPUs x 2.5
    assert C.TOKENS_RATE in exprs["llm"][C.COST_PER_1K_TOKENS] and C.COST_PER_1K_PREDICTIONS not in exprs["llm"]
    assert exprs["opencost"][C.COST_PER_HOUR] == f'sum({C.OPENCOST_HOURLY}{{model="m1"}})'
    assert C.COST_REPLICAS not in exprs["opencost"]
    # month-to-date: one constant range per slot of the sparse series (month modulo 3, day modulo 2)
    prev = exprs["static"][C.COST_SPEND_PREVIOUS_DAYS]
    assert prev.count("sum_over_time(") == 3 and 'month_slot="2"}[31d]' in prev and "month() % 3 == 2" in prev
    today = exprs["static"][C.COST_SPEND_TODAY]
    assert today.count("sum_over_time(") == 2 and 'day_slot="1"}[23h59m30s]' in today


# --- the month-to-date approximation ------------------------------------------------------------
def _steps_cost(seed: int, minutes: int) -> list[float]:
    rnd = random.Random(seed)
    out, level = [], 6.0
    for i in range(minutes):
        if i % 60 == 0 and rnd.random() < 0.3:  # the cost changes only on full hours
            level = rnd.choice([0.0, 3.0, 6.0, 9.0, 30.0])
        out.append(level)
    return out


@pytest.mark.parametrize("seed", range(4))
def test_month_to_date_matches_the_true_spend_when_cost_changes_on_full_hours(seed):
    minutes = 3 * 1440 + 200
    sim = CostSim(_steps_cost(seed, minutes + 1), MINUTELY)
    for t in (59, 600, 1440, 1441, 1500, 2 * 1440 + 61, minutes):
        # Prometheus' closed windows hold one extra sample (the value at the window's start), so
        # each sampled hour can be off by (new - old) / 61; nothing else differs
        assert sim.mtd(t * 60.0) == pytest.approx(sim.true_spend(t * 60.0), abs=30.0 / 61 * (t // 60 + 1) + 1e-6)


@pytest.mark.parametrize("every", [30, 60, 120])
def test_month_to_date_is_exact_for_a_constant_cost(every):
    ck = steps.Clock(SimpleNamespace(evaluation_interval=every))
    sim = CostSim([4.0] * (2 * 1440 + 100), ck)
    for t in (0, 59, 60, 1439, 1440, 1442, 2 * 1440 + 90):
        assert sim.mtd(t * 60.0) == pytest.approx(4.0 * t / 60)
        assert sim.projected(t * 60.0) == pytest.approx(4.0 * 31 * 24)


def test_humanize_matches_prometheus():
    assert testkit.humanize(0) == "0"
    assert testkit.humanize(1234.5) == "1.234k"  # Go %.4g truncates to 4 significant digits (round half even)
    assert testkit.humanize(0.25) == "250m"
    assert testkit.humanize(5e6) == "5M"


# --- promtool -------------------------------------------------------------------------------
@pytest.mark.parametrize("body", [STATIC, LLM, OPENCOST], ids=["static-targets", "llm-deployment-gpu", "opencost"])
def test_generated_rule_tests_pass_promtool(body, tmp_path):
    spec, m = model_of(body)
    groups = cost.MONITOR.rule_groups(m, spec)
    tests = cost.MONITOR.rule_tests(m, spec)
    names = " | ".join(t.name for t in tests)
    assert "pages within" in names and "MLModelCostNoData fires" in names
    if body is not STATIC:
        # the day-long healthy case costs ~5s of promtool CPU; it differs between sources only in the
        # input series, which the short cases below exercise too (the example specs run it in full)
        tests = [t for t in tests if "nothing fires" not in t.name]
    assert_promtool_passes_at_their_intervals(tmp_path, groups, tests, m)


def test_generated_tests_catch_a_wrong_threshold(tmp_path):
    """The rule tests can fail: a fast-burn threshold 10x too high no longer pages."""
    spec, m = model_of(STATIC)
    tests = [t for t in cost.MONITOR.rule_tests(m, spec) if "pages within" in t.name]
    (g,) = cost.MONITOR.rule_groups(m, spec)
    thr = m.section("cost").fast_burn_threshold
    wrong = num(thr * 10)
    rules = tuple(dataclasses.replace(r, expr=r.expr.replace(f"> {num(thr)}", f"> {wrong}")) if isinstance(r, AlertRule) else r for r in g.rules)
    res = run_promtool(tmp_path, [dataclasses.replace(g, rules=rules)], tests)
    assert res.returncode != 0 and C.ALERT_COST_FAST_BURN in res.stderr + res.stdout


# --- dashboards -------------------------------------------------------------------------------
FLEET = (
    HEAD + STATIC + "    fairness: {group_label: region, equal_opportunity: {}}\n    feedback: {min_rating: 3}\n"
    "  - id: m2\n    team: ml\n" + LLM + "  - id: m3\n    team: ml\n" + OPENCOST
)


def _exprs(panels):
    for p in panels:
        for t in p.targets:
            yield p.title, t.expr.replace("$__rate_interval", "5m")


def test_dashboard_rows_and_fleet_panels_parse_and_validate():
    import json

    from mlmon.monitors import fairness, feedback
    from tests.helpers.grafana_schema import validate_dashboard

    spec, diags = pipeline.check({"t.yaml": FLEET})
    assert spec is not None, [str(d) for d in diags]
    for m in spec.models:
        for mon in (cost.MONITOR, fairness.MONITOR, feedback.MONITOR):
            for row in mon.dashboard_rows(m, spec):
                for _title, e in _exprs(row.panels):
                    promql_parser.parse(e)
    fleet = [*cost.MONITOR.fleet_panels(spec), *fairness.MONITOR.fleet_panels(spec), *feedback.MONITOR.fleet_panels(spec)]
    titles = [p.title for p in fleet]
    assert "Cost per hour by model" in titles and "Top alerting models (firing alerts)" in titles
    for _, e in _exprs(fleet):
        promql_parser.parse(e)
    for name, text in pipeline.render_dashboards(spec).items():
        assert validate_dashboard(json.loads(text)) == [], name
    rows = {r.title for r in cost.MONITOR.dashboard_rows(spec.models[0], spec)}
    assert rows == {"Cost and budget"}


ODD = {
    "no-budget": "    serving: {preset: mlmon, targets: ['m1:8080']}\n    cost: {hourly_usd_per_replica: 1}\n",
    "one-replica-overspends": "    serving: {preset: mlmon, targets: ['m1:8080']}\n    cost: {hourly_usd_per_replica: 5, monthly_budget_usd: 1000, max_usd_per_1k: 0.01}\n",
    "fixed-tight": (
        "    serving: {preset: mlmon, targets: ['m1:8080']}\n"
        "    cost: {hourly_usd_per_replica: 1, replicas: 3, monthly_budget_usd: 4000, projected_over_budget_ratio: 1.2, fast_burn_days: 1, max_usd_per_1k: 1}\n"
    ),
}


@pytest.mark.parametrize("case", sorted(ODD))
def test_generated_tests_hold_for_unusual_configs(case, tmp_path):
    spec, m = model_of(ODD[case])
    tests = cost.MONITOR.rule_tests(m, spec)
    assert_promtool_passes_at_their_intervals(tmp_path, cost.MONITOR.rule_groups(m, spec), tests, m)


def test_one_replica_over_budget_warns():
    _, diags = compile_one(ODD["one-replica-overspends"])
    assert any(d.code == "MLM210" and "one replica" in d.message for d in diags)


@pytest.mark.parametrize("case", sorted(ODD))
def test_generated_tests_only_name_alerts_the_rules_define(case):
    spec, m = model_of(ODD[case])
    assert_tests_name_only_defined_alerts(cost.MONITOR, spec, m)


def test_unit_cost_case_expects_the_annotation_text_prometheus_renders():
    """Written out by hand: traffic falls to a quarter of the rate that costs half the limit
    (0.5 USD), so the cost per 1,000 predictions doubles to 1 USD."""
    spec, m = model_of(STATIC)
    (t,) = [t for t in cost.MONITOR.rule_tests(m, spec) if "traffic falls to a quarter" in t.name]
    (alert,) = [a for c in t.alert_checks if c.alertname == C.ALERT_COST_UNIT for a in c.exp_alerts]
    assert dict(alert.annotations) == {
        "summary": "m1: 1.0000 USD per 1,000 predictions (limit 0.5)",
        "description": (
            "Over the last hour model m1 cost more than 0.5 USD per 1,000 predictions: traffic fell while replicas stayed, "
            "or the price per replica rose. Scale down or consolidate replicas."
        ),
        "dashboard": "/d/mlmon-model-m1-386c587945",
    }


@pytest.mark.parametrize("every", ["30s", "2m"])
def test_rule_tests_evaluate_at_the_specs_evaluation_interval(every, tmp_path):
    """At 30s or 2m the recorded cost has one sample per evaluation (two a minute, or one every
    other minute), so the averages, the day and hour spend samples and month-to-date differ from
    a one-minute evaluation. The runaway scale-up runs at the spec's interval, so month-to-date is
    proven on hour samples written at the spec's own cadence; the other cases every 5m (traffic
    falling under fixed replicas lasts more than 3h, the no-data case more than an hour and is
    checked once the alert is due) or 30m (the day-long healthy case); each passes promtool there."""
    spec, diags = pipeline.check({"t.yaml": HEAD.replace("routing:", f"defaults: {{evaluation_interval: {every}}}\nrouting:", 1) + STATIC})
    assert spec is not None, [str(d) for d in diags]
    m = spec.models[0]
    tests = cost.MONITOR.rule_tests(m, spec)
    # the day-long healthy case every 30m
    want = {"nothing fires": "30m", "vanish": "5m", "quarter": "5m"}
    assert len(tests) == 4 and all(t.every(m) == next((v for k, v in want.items() if k in t.name), every) for t in tests)
    assert_promtool_passes_at_their_intervals(tmp_path, cost.MONITOR.rule_groups(m, spec), tests, m)


def test_month_to_date_restarts_on_the_first_of_each_month(tmp_path):
    """Across 1970's January/February (31 days) and February/March (28) boundaries, with the cost
    changing every day: previous days, today, month-to-date and the projection (February has 28
    days) as the real promtool computes them from the generated rules, against the calendar-aware
    simulation. Evaluated every hour (the rules' once-per-day and per-hour samples fall on full
    hours either way)."""
    from mlmon.artifacts import RuleTest
    from mlmon.compiler.units import format_duration
    from mlmon.monitors.cost.sim import HOUR

    spec, m = model_of(STATIC)
    days = 61
    replicas = [1 + (d * 7) % 5 for d in range(days)]  # a different cost most days
    per_hour = " ".join(f"{r}+0x23" for r in replicas)
    inputs = ((f'{C.REPLICAS}{{model="m1"}}', per_hour), (f'{C.REQUESTS_RATE}{{model="m1"}}', f"10+0x{days * 24 - 1}"))
    cost_per_minute = [r * 3.06 for r in replicas for _ in range(1440)]
    sim = CostSim(cost_per_minute, steps.Clock(SimpleNamespace(evaluation_interval=HOUR)))
    lab = 'model="m1"'
    checks = []
    for day, hour in ((30, 12), (31, 0), (31, 5), (32, 0), (32, 3), (45, 12), (58, 23), (59, 0), (59, 1), (60, 0), (60, 7)):
        t = (day * 24 + hour) * HOUR
        when = format_duration(t)
        checks += [
            testkit.value_check(C.COST_SPEND_PREVIOUS_DAYS, lab, when, sim.previous_days(t)),
            testkit.value_check(C.COST_SPEND_TODAY, lab, when, sim.today(t)),
            testkit.value_check(C.COST_SPEND_MTD, lab, when, sim.mtd(t)),
            testkit.value_check(C.COST_SPEND_PROJECTED, lab, when, sim.projected(t)),
        ]
    assert sim.previous_days(31 * 24 * HOUR) == 0 and sim.previous_days(59 * 24 * HOUR) == 0  # 1 February, 1 March
    assert sim.previous_days(32 * 24 * HOUR) == pytest.approx(24 * replicas[31] * 3.06, rel=0.05)
    case = RuleTest("month boundaries", "1h", inputs, (), tuple(checks), evaluation_interval="1h")
    assert_promtool_passes(tmp_path, cost.MONITOR.rule_groups(m, spec), [case], "1h")


def test_the_simulations_calendar_matches_pythons():
    """``sim.day_and_days_in_month`` (plain arithmetic: the core imports no clock module) gives
    datetime's day of month and month length, leap years and centuries included."""
    import calendar
    import datetime

    from mlmon.monitors.cost.sim import day_and_days_in_month

    rnd = random.Random(7)
    stamps = [0, 86399, 86400, 31 * 86400, 59 * 86400, 951782400, 951868800, 4107542400] + [rnd.randrange(0, 2**33) for _ in range(2000)]
    for t in stamps:
        d = datetime.datetime.fromtimestamp(t, datetime.UTC)
        assert day_and_days_in_month(t) == (d.day, calendar.monthrange(d.year, d.month)[1]), t
