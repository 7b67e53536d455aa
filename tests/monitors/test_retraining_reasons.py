"""Retraining on feedback decline and on new labelled samples: triggers only when listed (and, for
feedback, with a feedback section), PromQL that parses, the generated cases under the real promtool
(fire and stay quiet, including the healthy-performance case when enough labels arrived), and the
amtool route to the retraining webhook."""

from __future__ import annotations

import shutil
import subprocess

import promql_parser
import pytest

from mlmon import conventions as C
from mlmon import pipeline
from mlmon.monitors import retraining
from tests.monitors.test_performance import BINARY, _expected_annotations, model_of, run_generated
from tests.presets.promtool_util import assert_promtool_passes

PLAIN = "  - id: m1\n    team: risk-ml\n"
FEEDBACK = PLAIN + "    feedback: {}\n"


def reasons(body: str) -> dict[str, str]:
    _, m = model_of(body)
    return retraining.rules.trigger_exprs(m, m.section("retraining"))


def test_new_reasons_only_when_listed_and_feedback_needs_its_section():
    assert "feedback" not in reasons(FEEDBACK + "    retraining: {}\n") and "new_labels" not in reasons(FEEDBACK + "    retraining: {}\n")
    assert list(reasons(PLAIN + "    retraining: {triggers: [feedback, new_labels]}\n")) == ["new_labels"]
    got = reasons(FEEDBACK + "    retraining: {triggers: [feedback, new_labels], feedback_decline: 0.2, new_labels: {min: 5000, lookback: 14d}}\n")
    assert list(got) == ["feedback", "new_labels"]
    for expr in got.values():
        promql_parser.parse(expr)
    assert got["feedback"] == f'{C.FB_NEGATIVE_RATIO}{{model="m1"}} - {C.FB_BASELINE_MEAN}{{model="m1"}} > 0.2'
    assert f"increase({C.LABELS_JOINED_TOTAL}" in got["new_labels"] and "[14d]" in got["new_labels"] and got["new_labels"].endswith(">= 5000")
    assert f"and on (version)\n  max by (version) ({C.MODEL_INFO}" in got["new_labels"]


def test_bad_lookback_is_reported_at_its_field():
    from tests.monitors.test_performance import check

    _, diags = check(PLAIN + "    retraining: {triggers: [new_labels], new_labels: {lookback: a month}}\n")
    assert any(d.code == "MLM203" and "new_labels.lookback" in d.message for d in diags), [(d.code, d.message) for d in diags]


def test_feedback_and_new_labels_cases_pass_promtool(tmp_path):
    s, m = model_of(FEEDBACK + "    retraining: {triggers: [feedback, new_labels], for: 10m, new_labels: {min: 300}}\n")
    groups = retraining.MONITOR.rule_groups(m, s)
    tests = retraining.MONITOR.rule_tests(m, s, ())
    fired = {a.labels[C.L_REASON] for t in tests for c in t.alert_checks for a in c.exp_alerts}
    assert fired == {"feedback", "new_labels"}
    assert any(c.alertname == C.ALERT_RETRAIN and not c.exp_alerts for t in tests for c in t.alert_checks)
    assert_promtool_passes(tmp_path, groups, tests)
    got = _expected_annotations(tests, "labels a minute", C.ALERT_RETRAIN, reason="new_labels")
    assert got["summary"] == "m1: retraining triggered (new_labels): 3600 new labelled samples since the served version was deployed"
    got = _expected_annotations(tests, "negative feedback", C.ALERT_RETRAIN, reason="feedback")
    assert got["summary"] == "m1: retraining triggered (feedback): the negative-feedback share is 20% above its trailing mean"


@pytest.mark.parametrize("labels_min, fires", [(200000, False), (500, True)])
def test_healthy_performance_case_with_new_labels_passes_promtool(tmp_path, labels_min, fires):
    """The healthy-quality case joins labels too: below the minimum nothing fires, above it only the
    new-labels trigger does, at the count promtool computes."""
    body = BINARY.replace(
        "    retraining: {}\n", f"    retraining: {{triggers: [drift, performance, staleness, new_labels], new_labels: {{min: {labels_min}}}}}\n"
    )
    s, m = model_of(body)
    tests = retraining.MONITOR.rule_tests(m, s, ())
    (healthy,) = [t for t in tests if "healthy quality" in t.name]
    assert ("new_labels" in healthy.name) is fires
    results = run_generated(tmp_path, body, keys=("versions", "retraining"))
    assert results
    for r in results:
        assert r.returncode == 0, r.stdout + r.stderr


def test_new_reasons_reach_the_retraining_webhook_with_amtool(tmp_path):
    amtool = shutil.which("amtool")
    if amtool is None:
        pytest.skip("amtool not installed")
    s, m = model_of(FEEDBACK + "    retraining: {triggers: [feedback, new_labels]}\n")
    cfg = tmp_path / "alertmanager.yml"
    cfg.write_text(pipeline.render(s, dashboards=False)["alertmanager/alertmanager.yml"])
    for reason in ("feedback", "new_labels"):
        args = [f"{k}={v}" for k, v in sorted({"alertname": C.ALERT_RETRAIN, **retraining.rules.labels(m, reason)}.items())]
        r = subprocess.run([amtool, "config", "routes", "test", f"--config.file={cfg}", *args], capture_output=True, text=True, timeout=60)
        assert r.returncode == 0 and "risk-ml-retraining" in r.stdout, r.stdout + r.stderr


def test_long_held_triggers_evaluate_every_5m_and_load_only_what_they_read(tmp_path):
    """A `for:` of hours makes the constant-input cases long: they evaluate every 5m (the model's
    interval is 1m) and each test file loads only the rules its trigger reads; the new-labels case
    counts labels per minute and keeps the model's interval. The generated files pass promtool."""
    body = BINARY.replace("    retraining: {}\n", "    retraining: {triggers: [drift, performance, staleness, new_labels], for: 4h}\n")
    spec, m = model_of(body)
    tests = {t.name.split(": ", 1)[1].split(":")[0]: t for t in retraining.MONITOR.rule_tests(m, spec, ())}
    stale = next(t for k, t in tests.items() if k.startswith("the served version is older"))
    drift = next(t for k, t in tests.items() if k.startswith("every feature drifts"))
    labels = next(t for k, t in tests.items() if "labels a minute" in k)
    assert (stale.evaluation_interval, stale.uses) == ("5m", ())
    assert (drift.evaluation_interval, drift.uses) == ("5m", ("drift",))
    assert (labels.evaluation_interval, labels.uses) == (None, ())
    assert stale.alert_checks[0].eval_time == drift.alert_checks[0].eval_time == "4h15m"  # for: 4h, checked on a 5m evaluation beyond its margin
    files = pipeline.render(spec, dashboards=False)
    mine = sorted(f for f in files if f.startswith("prometheus/tests/fraud-detector.retraining"))
    assert mine == [
        "prometheus/tests/fraud-detector.retraining.every-15m.test.yml",  # the performance cases (their own unit)
        "prometheus/tests/fraud-detector.retraining.without-drift-versions-performance.every-5m.test.yml",
        "prometheus/tests/fraud-detector.retraining.without-drift-versions-performance.test.yml",
        "prometheus/tests/fraud-detector.retraining.without-versions-performance.every-5m.test.yml",
    ], mine
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    exe = shutil.which("promtool")
    if exe is None:
        pytest.skip("promtool not installed")
    for name in mine:
        r = subprocess.run([exe, "test", "rules", name], cwd=tmp_path, capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, name + "\n" + r.stdout[-4000:] + r.stderr[-2000:]
