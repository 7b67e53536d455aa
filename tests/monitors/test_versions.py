"""Versions and retraining monitors: spec checks, PromQL that parses, deployment annotations, the
generated rule tests under the real promtool, and retraining triggers reaching the retraining
webhook receiver under the real amtool."""

from __future__ import annotations

import json
import shutil
import subprocess

import promql_parser
import pytest

from mlmon import conventions as C
from mlmon import pipeline
from mlmon.artifacts import AlertRule
from mlmon.diagnostics import Severity
from mlmon.monitors import retraining, versions
from tests.helpers.grafana_schema import validate_dashboard
from tests.monitors.test_performance import BINARY, _expected_annotations, check, model_of, run_generated

PLAIN = "  - id: m1\n    team: risk-ml\n"


def test_versions_always_on_and_retraining_opt_in():
    spec, m = model_of(PLAIN)
    assert m.section("versions") == versions.Versions()
    assert m.section("retraining") is None
    names = [r.alert for g in versions.MONITOR.rule_groups(m, spec) for r in g.rules if isinstance(r, AlertRule)]
    assert names == [C.ALERT_VERSION_CHANGED]  # no staleness without stale_after
    spec, m = model_of(PLAIN + "    retraining: {}\n")
    r = m.section("retraining")
    assert r.triggers == ("drift", "performance", "staleness") and r.drift_level == "critical" and r.for_ == 3600
    # only staleness applies without drift and performance sections; it uses the 30d default
    exprs = retraining.rules.trigger_exprs(m, r)
    assert list(exprs) == ["staleness"] and exprs["staleness"].endswith("> 2592000")


@pytest.mark.parametrize(
    "body, code, severity, fragment",
    [
        ("    versions: {change_event_for: 1m}\n", "MLM207", Severity.ERROR, "shorter than two rule evaluations"),
        ("    versions: {change_event_for: 2h, previous_lookback: 1h}\n", "MLM210", Severity.ERROR, "previous_lookback 1h is shorter than change_event_for 2h"),
        ("    versions: {stale_after: 30x}\n", "MLM203", Severity.ERROR, "invalid duration"),
        ("    retraining: {triggers: [drift, vibes]}\n", "MLM104", Severity.ERROR, "'vibes' is not one of"),
        ("    retraining: {drift_level: high}\n", "MLM104", Severity.ERROR, "'high' is not one of"),
    ],
)
def test_lint_findings(body, code, severity, fragment):
    _, diags = check(PLAIN + body)
    assert any(d.code == code and d.severity == severity and fragment in d.message for d in diags), [(d.code, d.message) for d in diags]


def test_rules_parse_and_retraining_alerts_carry_reason_and_action():
    spec, m = model_of(BINARY)
    rules = [r for mon in (versions.MONITOR, retraining.MONITOR) for g in mon.rule_groups(m, spec) for r in g.rules]
    for r in rules:
        promql_parser.parse(r.expr)
    retrain = [r for r in rules if isinstance(r, AlertRule) and r.alert == C.ALERT_RETRAIN]
    assert sorted(r.labels[C.L_REASON] for r in retrain) == ["drift", "performance", "staleness"]
    for r in retrain:
        assert r.labels[C.L_ACTION] == C.ACTION_RETRAIN and r.labels[C.L_CHECK] == r.labels[C.L_REASON]
        assert r.labels[C.L_MONITOR] == "retraining" and r.labels[C.L_SEVERITY] == C.SEVERITY_TICKET and r.for_ == "1h"
    stale = next(r for r in rules if isinstance(r, AlertRule) and r.alert == C.ALERT_MODEL_STALE)
    assert stale.expr.endswith("> 2592000")


def test_deployment_annotations_for_the_dashboard():
    spec, m = model_of(BINARY)
    ann = versions.MONITOR.annotations(m, spec)
    assert [name for name, _ in ann] == ["Deployments"]
    expr = ann[0][1]
    promql_parser.parse(expr)
    assert C.MODEL_INFO in expr and "offset 15m" in expr
    dash = pipeline.render_dashboards(spec)["grafana/dashboards/fraud-detector.json"]
    assert '"name": "Deployments"' in dash and C.VERSION_AGE in dash and C.LABEL_COVERAGE in dash
    data = json.loads(dash)
    assert not validate_dashboard(data)
    titles = [p["title"] for p in data["panels"]]
    assert {"Label coverage", "Served versions", "Watched performance"} <= set(titles)
    assert any(t.startswith("Recall") for t in titles) and any(t.startswith("Performance (") for t in titles)


def test_generated_versions_and_retraining_tests_pass_promtool(tmp_path):
    results = run_generated(tmp_path, BINARY, keys=("versions", "retraining"))
    assert len(results) >= 2
    for r in results:
        assert r.returncode == 0, r.stdout + r.stderr


def test_retraining_without_performance_or_drift_passes_promtool(tmp_path):
    results = run_generated(
        tmp_path, PLAIN + "    versions: {stale_after: 7d}\n    retraining: {triggers: [staleness], for: 5m}\n", keys=("versions", "retraining")
    )
    assert results
    for r in results:
        assert r.returncode == 0, r.stdout + r.stderr


def test_retraining_trigger_reaches_the_retraining_webhook_with_amtool(tmp_path):
    amtool = shutil.which("amtool")
    if amtool is None:
        pytest.skip("amtool not installed")
    spec, m = model_of(BINARY)
    out = pipeline.render(spec, dashboards=False)
    cfg = tmp_path / "alertmanager.yml"
    cfg.write_text(out["alertmanager/alertmanager.yml"])
    assert "http://retrain-relay.ml.svc:8080/hooks/risk-ml" in cfg.read_text()
    for reason in ("drift", "performance", "staleness"):
        labels = retraining.rules.labels(m, reason)
        args = [f"{k}={v}" for k, v in sorted({"alertname": C.ALERT_RETRAIN, **labels}.items())]
        r = subprocess.run([amtool, "config", "routes", "test", f"--config.file={cfg}", *args], capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stdout + r.stderr
        got = set(r.stdout.strip().split(","))
        assert "risk-ml-retraining" in got and "risk-ml-slack" in got, r.stdout
    # an ordinary performance ticket does not reach the retraining webhook
    args = [f"{k}={v}" for k, v in sorted({"alertname": C.ALERT_PERF_LOW, **retraining.rules.labels(m, "performance"), "action": "none"}.items())]
    r = subprocess.run([amtool, "config", "routes", "test", f"--config.file={cfg}", *args], capture_output=True, text=True, timeout=60)
    assert "risk-ml-retraining" not in r.stdout and "risk-ml-slack" in r.stdout


def test_stale_case_expects_the_annotation_text_prometheus_renders():
    """Written out by hand: the version was trained 30d + 1h before the start, so 5m in its age is
    30d 1h 5m (humanizeDuration)."""
    spec, m = model_of(BINARY)
    got = _expected_annotations(versions.MONITOR.rule_tests(m, spec), "trained more than", C.ALERT_MODEL_STALE)
    assert got == {
        "summary": "fraud-detector: the served version was trained 30d 1h 5m 0s ago (limit 30d)",
        "description": "The newest served version of fraud-detector is older than stale_after (30d). Retrain on recent data or raise the limit.",
        "dashboard": "/d/mlmon-model-fraud-detector-9ff5f7f41d",
    }


def test_staleness_trigger_case_expects_the_annotation_text_prometheus_renders():
    """Written out by hand: trained 30d + 1h before the start, checked at 1h15m (for: 1h plus two
    evaluations: a case of over an hour evaluates every 5m), so the version is 30d 2h 15m old."""
    spec, m = model_of(BINARY)
    got = _expected_annotations(retraining.MONITOR.rule_tests(m, spec), "older than", C.ALERT_RETRAIN, reason="staleness")
    assert got == {
        "summary": "fraud-detector: retraining triggered (staleness): the served version is 30d 2h 15m 0s old",
        "description": (
            "mlmon asks the retraining pipeline of fraud-detector to retrain (reason: staleness; the condition held for 1h). "
            "The alert goes to the team's retraining webhook; Alertmanager's grouping and repeat_interval keep it from re-triggering more often."
        ),
        "dashboard": "/d/mlmon-model-fraud-detector-9ff5f7f41d",
    }
