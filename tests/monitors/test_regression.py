"""Regression monitor: section checks with positions, PromQL that parses, the generated cases
under the real promtool (every alert fires, stays quiet and shows no-data), the synthetic values
against a per-sample numpy reference, and MAE/RMSE/MAPE/bias recorded by Prometheus from counters
mlmon.instrument filled with random data, equal to numpy's within 1e-6."""

from __future__ import annotations

import dataclasses

import numpy as np
import promql_parser
import pytest

from mlmon import conventions as C
from mlmon.artifacts import AlertRule, ExprCheck, RecordingRule, RuleTest, Sample
from mlmon.instrument import ModelMonitor
from mlmon.monitors import regression, versions
from mlmon.monitors.regression import cases
from mlmon.monitors.regression.compile import Regression
from tests.monitors.delayed_util import all_rules, assert_ordered_passes, compile_model, model_of, proofs, run_ordered
from tests.presets.promtool_util import assert_promtool_passes, assert_tests_name_only_defined_alerts

BASIC = "{}"
TUNED = (
    "{window: 1d, labels_delay: 1d, min_samples: 200, max: {mae: 40, mape: 0.25, bias: 10}, critical: {mae: 80}, "
    "watch: [mae, rmse], max_increase_vs_previous_version: 0.2, max_increase_vs_training: 0.5, for: 2h}"
)
SMALL = "{window: 2h, min_samples: 5, max: {mae: 0.05, rmse: 0.08, mape: 0.02, bias: 0.01}, watch: [mae, rmse, mape], for: 10m}"


def section(text: str) -> Regression:
    return model_of("regression", text, "regression")[1].section("regression")


def test_defaults_and_watched_metrics():
    r = section(BASIC)
    assert (r.window, r.labels_delay, r.min_samples, r.for_) == (86400.0, 0.0, 100, 3600.0)
    assert r.metrics == ("mae", "rmse", "mape", "bias") and r.watched == ("mae",)
    assert (r.max_vs_previous_version, r.max_vs_training) == (0.1, 0.2)
    t = section(TUNED)
    assert t.watched == ("mae", "rmse") and t.thresholds("mae") == (40, 80) and t.thresholds("bias") == (10, None)
    # metrics with a level are watched by default (bias never: it is two-sided)
    assert section("{max: {rmse: 3, bias: 1}}").watched == ("rmse",)
    assert section("{metrics: [mae], watch: [rmse]}").metrics == ("mae", "rmse")


@pytest.mark.parametrize(
    "text, code, line, fragment",
    [
        ("{max: {mae: 10}, critical: {mae: 5}}", "MLM210", 16, "must be above its warning level max.mae 10"),
        ("{window: 30s}", "MLM207", 16, "shorter than 4x the scrape interval"),
        ("{window: soon}", "MLM203", 16, "invalid duration"),
        ("{watch: [bias]}", "MLM104", 16, ""),
        ("{max: {r2: 0.5}}", "MLM101", 16, ""),
    ],
)
def test_bad_sections_are_errors_with_positions(text, code, line, fragment):
    s, diags = compile_model("regression", text, "regression")
    assert s is None
    found = [d for d in diags if d.code == code and fragment in d.message]
    assert found and all(d.line == line for d in found), [(d.code, d.line, d.message) for d in diags]


def test_only_regression_models_take_the_section_and_a_short_window_warns():
    s, diags = compile_model("binary_classification", BASIC, "regression")
    (d,) = [d for d in diags if d.code == "MLM104"]
    assert s is None and "needs task regression" in d.message and d.line == 16
    s, diags = compile_model("regression", "{window: 1h, labels_delay: 1d}", "regression")
    assert s is not None and [d.code for d in diags if "labels_delay" in d.message] == ["MLM213"]


def test_a_performance_section_on_a_regression_model_points_to_this_one():
    s, diags = compile_model("regression", "{}", "performance")
    (d,) = [d for d in diags if d.code == "MLM104"]
    assert s is None and d.hint == "use a regression: section instead"


def test_no_section_generates_nothing():
    s, diags = compile_model("regression", BASIC, "regression")
    text_model = dataclasses.replace(s.models[0], sections={k: v for k, v in s.models[0].sections.items() if k != "regression"})
    mon = regression.MONITOR
    assert not mon.rule_groups(text_model, s) and not mon.rule_tests(text_model, s, ()) and not mon.dashboard_rows(text_model, s)


@pytest.mark.parametrize("text", [BASIC, TUNED])
def test_rules_parse_and_alerts_carry_the_routing_labels(text):
    s, m = model_of("regression", text, "regression")
    (g,) = regression.MONITOR.rule_groups(m, s)
    for r in g.rules:
        promql_parser.parse(r.expr)
    alerts = [r for r in g.rules if isinstance(r, AlertRule)]
    assert all(a.labels[C.L_MONITOR] == "regression" and a.labels[C.L_MODEL] == "m1" for a in alerts)
    records = {r.record for r in g.rules if isinstance(r, RecordingRule)}
    assert {C.REG_METRIC.format(metric=x) for x in ("mae", "rmse", "mape", "bias")} <= records
    assert C.TRAINING_METRIC in records and C.TASK_DUE.format(task="regression") in records


@pytest.mark.tools
@pytest.mark.parametrize("text", [BASIC, TUNED, SMALL], ids=["basic", "tuned", "small"])
def test_generated_cases_pass_promtool_and_prove_every_alert(text, tmp_path):
    s, m = model_of("regression", text, "regression")
    groups = all_rules(s, m, versions.MONITOR, regression.MONITOR)
    tests = regression.MONITOR.rule_tests(m, s, ())
    alerts = [r for g in regression.MONITOR.rule_groups(m, s) for r in g.rules if isinstance(r, AlertRule)]
    got = proofs(tests, alerts, C.ALERT_REG_NODATA)
    assert got and all(p >= {"fires", "quiet", "nodata"} for p in got.values()), got
    assert_ordered_passes(tmp_path, groups, tests)
    assert_tests_name_only_defined_alerts(regression.MONITOR, s, m)


@pytest.mark.tools
def test_generated_cases_catch_mape_over_actuals_of_zero(tmp_path):
    """A MAPE that divides by every sample (actuals of 0 included) is caught by the healthy case."""
    s, m = model_of("regression", BASIC, "regression")
    (g,) = regression.MONITOR.rule_groups(m, s)
    bad = "mlmon_regression_version:zero_actuals:increase_window"
    rules = tuple(dataclasses.replace(r, expr=r.expr.replace(f" - {bad}", f" - 0 * {bad}")) if isinstance(r, RecordingRule) else r for r in g.rules)
    assert rules != g.rules
    tests = [t for t in regression.MONITOR.rule_tests(m, s, ()) if "healthy" in t.name]
    res = run_ordered(tmp_path, [*versions.MONITOR.rule_groups(m, s), dataclasses.replace(g, rules=rules)], tests)
    assert res.returncode != 0 and "mape" in res.stdout + res.stderr


def test_synthetic_values_match_a_per_sample_numpy_reference():
    r = section(TUNED)
    traffic = cases.RegressionTraffic(r)
    for scale in (2.0**-9, 0.5, 1.0, 64.0):
        actual = np.tile(cases.ACTUALS, traffic.copies * traffic.steps)
        pred = actual + scale * np.tile(cases.OFFSETS, traffic.copies * traffic.steps)
        err = pred - actual
        nz = actual != 0
        ref = {"mae": np.mean(np.abs(err)), "rmse": np.sqrt(np.mean(err**2)), "mape": np.mean(np.abs(err[nz]) / np.abs(actual[nz])), "bias": np.mean(err)}
        got = traffic.values(scale)
        assert got == pytest.approx(ref, rel=1e-12, abs=1e-15)
        assert cases.reference(scale, traffic.copies * traffic.steps) == pytest.approx(ref, rel=1e-12)


# --- real counters from mlmon.instrument, real Prometheus arithmetic -----------------------------------
def counter_case(mon: ModelMonitor, names: list[str], checks: list[ExprCheck], window: str) -> RuleTest:
    """Every counter of ``names`` at 0, then at its exported value one window later."""
    inputs = []
    for fam in mon.registry.collect():
        for smp in fam.samples:
            if smp.name in names:
                lab = ",".join(f'{k}="{v}"' for k, v in sorted(smp.labels.items()))
                inputs.append((f"{smp.name}{{{lab}}}", f"0 {smp.value!r}"))
    return RuleTest("instrument counters one window apart", window, tuple(sorted(inputs)), (), tuple(checks))


def within(expr: str, ref: float, eval_time: str) -> ExprCheck:
    """``expr`` (one series {model="m1"}) equals ``ref`` within 1e-6."""
    return ExprCheck(f"abs({expr} - {ref!r}) < bool 0.000001", eval_time, (Sample('{model="m1"}', 1.0),))


@pytest.mark.tools
def test_prometheus_computes_the_metrics_of_instrumented_labels_as_numpy_does(tmp_path):
    rng = np.random.default_rng(21)
    actual = np.round(rng.gamma(2.0, 30.0, 500), 2)
    actual[::17] = 0.0  # settled at 0: counted, left out of MAPE
    pred = np.round(actual + rng.normal(1.5, 12.0, actual.size), 2)
    mon = ModelMonitor("m1", version="v1", task="regression")
    for a, p in zip(actual, pred):
        mon.outcome(float(a), predicted=float(p))
    mon.outcome(float("nan"), predicted=1.0)  # not scored
    err, nz = pred - actual, actual != 0
    ref = {"mae": np.mean(np.abs(err)), "rmse": np.sqrt(np.mean(err**2)), "mape": np.mean(np.abs(err[nz]) / np.abs(actual[nz])), "bias": np.mean(err)}
    s, m = model_of("regression", "{window: 1h, min_samples: 50}", "regression")
    checks = [within(f'{C.REG_METRIC.format(metric=k)}{{model="m1"}}', float(v), "1h") for k, v in ref.items()]
    checks += [within(f'{C.REG_VERSION_METRIC.format(metric=k)}{{model="m1",version="v1"}}', float(v), "1h") for k, v in ref.items()]
    case = counter_case(mon, list(C.REG_COUNTERS.values()), [dataclasses.replace(c, exp_samples=c.exp_samples) for c in checks], "1h")
    # the per-version checks keep the version label
    case = dataclasses.replace(
        case,
        expr_checks=tuple(
            c if "regression_version" not in c.expr else dataclasses.replace(c, exp_samples=(Sample('{model="m1",version="v1"}', 1.0),))
            for c in case.expr_checks
        ),
    )
    assert len(case.input_series) == len(C.REG_COUNTERS)
    assert_promtool_passes(tmp_path, regression.MONITOR.rule_groups(m, s), [case])
