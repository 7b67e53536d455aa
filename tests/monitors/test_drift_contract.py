"""Drift contract: bin labels the baseline lacks count in __other__ (exact scores against numpy
through promtool, critical drift fires), every drift alert rule has a firing case, and routing
tests carry real feature names instead of label templates."""

from __future__ import annotations

import dataclasses

import pytest

from mlmon import conventions as C
from mlmon import pipeline
from mlmon.artifacts import AlertRule, ExprCheck, Sample
from mlmon.monitors import drift
from tests.monitors.test_drift import REPO, VARIANTS, all_rules, compile_drift, counts_from_series, messages, needs_promtool, numpy_checks, run_promtool


@needs_promtool
@pytest.mark.parametrize("variant", ["psi", "js-2-distance"])
@pytest.mark.parametrize("share", [0.3, 0.95])
def test_a_bin_label_not_in_the_baseline_counts_in_other_and_critical_drift_fires(variant, share, tmp_path):
    """Observations under a bin label the baseline lacks used to count in the total but drop out of
    the score (at a 30% share PSI and JS stayed under critical). They count in __other__ now: the
    exact score (numpy, folded) is at or above the critical threshold, and the critical alert fires."""
    s, model, groups = all_rules(f"{{baseline: baselines/fd.yaml, {VARIANTS[variant]}}}")
    section = model.section("drift")
    healthy = drift.MONITOR.rule_tests(model, s)[0]
    t_end = healthy.alert_checks[0].eval_time
    steps = int(t_end[:-1])
    per_min: dict[str, float] = {}
    for series, values in healthy.input_series:
        if series.startswith(C.FEATURE_BIN_TOTAL):
            feat = series.split('feature="')[1].split('"')[0]
            per_min[feat] = per_min.get(feat, 0.0) + counts_from_series(values, 1)
    odd = []
    for feat in ("amount", "country"):  # numeric (no __other__ in the baseline) and categorical
        inc = round(per_min[feat] * share / (1 - share), 3)
        odd.append((f'{C.FEATURE_BIN_TOTAL}{{model="{model.id}",feature="{feat}",bin="not-in-baseline"}}', f"0+{inc}x{steps}"))
    case = dataclasses.replace(healthy, input_series=healthy.input_series + tuple(odd))
    exact = [c for c in numpy_checks(model, section, case) if 'feature="amount"' in c.expr or 'feature="country"' in c.expr]
    above = tuple(
        ExprCheck(
            f'{C.DRIFT_FEATURE_SCORE}{{model="{model.id}",feature="{f}"}} >= bool {section.critical}',
            t_end,
            (Sample(f'{{model="{model.id}",feature="{f}"}}', 1.0),),
        )
        for f in ("amount", "country")
    )
    firing = ExprCheck(
        f'count(ALERTS{{alertname="{C.ALERT_DRIFT_FEATURE}",alertstate="firing",severity="critical",model="{model.id}"}})', t_end, (Sample("{}", 2.0),)
    )
    res = run_promtool(tmp_path, groups, [dataclasses.replace(case, alert_checks=(), expr_checks=(*exact, *above, firing))])
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-4000:]


def test_routing_tests_route_real_feature_names_not_templates():
    """The per-feature drift alert's labels are templates (check: '{{ $labels.feature }}'); its
    routing tests carry a feature of the baseline instead, as a firing instance would."""
    import yaml

    from mlmon.render import alertmanager

    s, diags = compile_drift("{baseline: baselines/fd.yaml}")
    assert s is not None, messages(diags)
    tests = yaml.safe_load(pipeline.render(s, dashboards=False)[alertmanager.ROUTING_TESTS])["tests"]
    assert not [t["labels"] for t in tests if any("{{" in v for v in t["labels"].values())]
    feature = [t["labels"] for t in tests if t["labels"]["alertname"] == C.ALERT_DRIFT_FEATURE]
    assert {(lab["severity"], lab["check"], lab["feature"]) for lab in feature} == {("critical", "age", "age"), ("warning", "age", "age")}


def test_shipped_routing_tests_hold_no_template():
    import yaml

    files = [REPO / "generated" / "alertmanager" / "routing-tests.yml", *sorted((REPO / "tests" / "golden").glob("*/expected/alertmanager/routing-tests.yml"))]
    for f in files:
        for t in yaml.safe_load(f.read_text())["tests"]:
            assert not any("{{" in v for v in t["labels"].values()), (f.name, t["labels"])


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("sources", ["", "source: {histogram: feat_hist}, prediction: {source: {histogram: score_hist}}, "])
def test_every_drift_alert_rule_has_a_firing_case(variant, sources):
    """Each alert rule (the critical feature and prediction rules included) fires in some generated
    case; the contract alert (counted distributions only) also has quiet cases."""
    s, model, groups = all_rules(f"{{baseline: baselines/fd.yaml, {sources}{VARIANTS[variant]}}}")
    tests = drift.MONITOR.rule_tests(model, s)
    fired = {
        (c.alertname, e.labels["severity"], e.labels["check"] if c.alertname != C.ALERT_DRIFT_FEATURE else "")
        for t in tests
        for c in t.alert_checks
        for e in c.exp_alerts
    }
    rules = {
        (r.alert, r.labels["severity"], r.labels["check"] if r.alert != C.ALERT_DRIFT_FEATURE else "")
        for g in groups
        for r in g.rules
        if isinstance(r, AlertRule)
    }
    assert rules <= fired, rules - fired
    assert (C.ALERT_DRIFT_FEATURE, "critical", "") in rules and (C.ALERT_DRIFT_PREDICTION, "critical", "prediction") in rules
    assert (C.ALERT_DRIFT_CONTRACT, "warning", "contract") in rules  # country is counted either way
    quiet = [c for t in tests for c in t.alert_checks if c.alertname == C.ALERT_DRIFT_CONTRACT and not c.exp_alerts]
    assert len(quiet) >= 3
