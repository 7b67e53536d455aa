"""`mlmon validate` against the real promtool and amtool on small hand-written output folders."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest

from mlmon.artifacts import Panel, Row, Target
from mlmon.commands import validate
from mlmon.render.emit import to_json
from mlmon.render.grafana import model_dashboard

pytestmark = [
    pytest.mark.tools,
    pytest.mark.skipif(not (shutil.which("promtool") and shutil.which("amtool")), reason="needs promtool and amtool"),
]

ROOT = Path(__file__).resolve().parents[2]

PROMETHEUS_YML = """\
global: {scrape_interval: 15s, evaluation_interval: 1m}
rule_files: [rules/*.rules.yml]
alerting:
  alertmanagers: [{static_configs: [{targets: ['127.0.0.1:9093']}]}]
scrape_configs:
  - job_name: fraud-detector
    static_configs: [{targets: ['127.0.0.1:8080']}]
"""

RULES_YML = """\
groups:
  - name: fraud-detector
    rules:
      - record: model:errors:rate5m
        expr: sum by (model) (rate(errors_total[5m]))
      - alert: FraudDetectorErrors
        expr: model:errors:rate5m > 0.5
        for: 5m
        labels: {severity: critical, team: risk-ml, model: fraud-detector}
        annotations: {summary: "{{ $labels.model }} errors: {{ $value }}/s"}
      - alert: FraudDetectorErrorsWarn
        expr: model:errors:rate5m > 0.1
        for: 5m
        labels: {severity: warning, team: risk-ml, model: fraud-detector}
"""

TEST_YML = """\
rule_files: [../rules/fraud-detector.rules.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'errors_total{model="fraud-detector"}'
        values: '0x10 60+60x20'
    alert_rule_test:
      - eval_time: 10m
        alertname: FraudDetectorErrors
        exp_alerts: []
      - eval_time: 20m
        alertname: FraudDetectorErrors
        exp_alerts:
          - exp_labels: {severity: critical, team: risk-ml, model: fraud-detector}
            exp_annotations: {summary: "fraud-detector errors: 1/s"}
      - eval_time: 21m
        alertname: FraudDetectorErrorsWarn
        exp_alerts:
          - exp_labels: {severity: warning, team: risk-ml, model: fraud-detector}
"""

ALERTMANAGER_YML = """\
route:
  receiver: default
  group_by: [alertname, model]
  routes:
    - matchers: ['team="risk-ml"', 'severity="critical"']
      receiver: risk-ml-pagerduty
      continue: true
    - matchers: ['team="risk-ml"']
      receiver: risk-ml-slack
receivers:
  - name: default
  - name: risk-ml-pagerduty
    pagerduty_configs: [{routing_key_file: /etc/alertmanager/secrets/pd-risk-ml}]
  - name: risk-ml-slack
    slack_configs: [{api_url_file: /etc/alertmanager/secrets/slack-risk-ml, channel: '#risk-ml'}]
"""

ROUTING_TESTS_YML = """\
tests:
  - labels: {alertname: FraudDetectorErrors, severity: critical, team: risk-ml, model: fraud-detector}
    receivers: [risk-ml-pagerduty, risk-ml-slack]
    source: prometheus/rules/fraud-detector.rules.yml
  - labels: {alertname: FraudDetectorErrorsWarn, severity: warning, team: risk-ml, model: fraud-detector}
    receivers: [risk-ml-slack]
    source: prometheus/rules/fraud-detector.rules.yml
"""

DASHBOARD_JSON = to_json(
    model_dashboard(
        uid="mlmon-fraud-detector",
        title="mlmon / fraud-detector",
        description="",
        tags=["mlmon"],
        rows=(
            Row(
                "Errors",
                (
                    Panel(
                        "Error rate", "timeseries", (Target('model:errors:rate5m{model="fraud-detector"}'), Target("sum(rate(errors_total[$__rate_interval]))"))
                    ),
                ),
            ),
        ),
        annotations=(("Deployments", "changes(mlmon_model_info[5m]) > 0"),),
    )
)

RULES = "prometheus/rules/fraud-detector.rules.yml"
TESTS = "prometheus/tests/fraud-detector.test.yml"
ROUTING = "alertmanager/routing-tests.yml"
DASHBOARD = "grafana/dashboards/fraud-detector.json"


def make_dir(tmp_path: Path, **override: str) -> Path:
    d = tmp_path / "generated"
    files = {
        "prometheus/prometheus.yml": PROMETHEUS_YML,
        RULES: RULES_YML,
        TESTS: TEST_YML,
        "alertmanager/alertmanager.yml": ALERTMANAGER_YML,
        ROUTING: ROUTING_TESTS_YML,
        DASHBOARD: DASHBOARD_JSON,
    }
    files.update({k.replace("__", "/"): v for k, v in override.items()})
    for rel, text in files.items():
        if text is None:
            continue
        (d / rel).parent.mkdir(parents=True, exist_ok=True)
        (d / rel).write_text(text, encoding="utf-8")
    return d


def run_validate(d: Path, capsys, fmt: str = "text", monkeypatch=None, coverage: bool = False) -> tuple[int, str, str]:
    if monkeypatch is not None:
        monkeypatch.chdir(d.parent)
        d = Path(d.name)
    code = validate.run(SimpleNamespace(directory=d, format=fmt, coverage=coverage))
    out, err = capsys.readouterr()
    return int(code), out, err


def pos(text: str, needle: str) -> tuple[int, int]:
    """1-based line and column of the first occurrence of ``needle``."""
    before = text[: text.index(needle)]
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


# --- passing folder ------------------------------------------------------------------------------
def test_good_folder_passes(tmp_path, capsys, monkeypatch):
    code, out, err = run_validate(make_dir(tmp_path), capsys, monkeypatch=monkeypatch)
    assert code == 0, out + err
    assert out == "generated: all 8 checks passed\n"
    for line in (
        "promtool check config: ok",
        "promtool check rules: ok, 1 file",
        "promtool test rules: ok, 1 file",
        "rule test coverage: ok, 2 alert rules: 2 fire (100% with 0 exempt), 1 quiet, 0 no-data",
        "amtool check-config: ok",
        "amtool config routes test: ok, 2 entries, 2 distinct label sets",
        "routing coverage: ok, 2 alert rules",
        "grafana dashboards: ok, 1 file",
    ):
        assert line in err
    if not shutil.which("pint"):
        assert "pint: skipped (not installed)\n" in err


def test_good_folder_json(tmp_path, capsys):
    code, out, err = run_validate(make_dir(tmp_path), capsys, fmt="json")
    assert code == 0, out + err
    doc = json.loads(out)
    assert doc["diagnostics"] == [] and doc["summary"]["error"] == 0


# --- promtool ------------------------------------------------------------------------------------
def test_broken_rule_expression_has_file_line_col(tmp_path, capsys, monkeypatch):
    bad = RULES_YML.replace("expr: model:errors:rate5m > 0.1", "expr: sum(rate(model:errors:rate5m[5m]) > 0.1")
    d = make_dir(tmp_path, **{RULES: bad})
    code, out, err = run_validate(d, capsys, monkeypatch=monkeypatch)
    assert code == 1
    line, col = pos(bad, "sum(rate(model:errors:rate5m[5m]) > 0.1")
    expected = f"generated/{RULES}:{line}:{col}: error: promtool: "
    hits = [x for x in out.splitlines() if x.startswith(expected)]
    assert len(hits) == 1, out  # reported once although check config and check rules both see it
    assert "FraudDetectorErrorsWarn" in hits[0] and "could not parse expression" in hits[0] and hits[0].endswith("[MLM301]")
    assert "promtool check rules: FAILED" in err


def test_every_rule_error_is_reported(tmp_path, capsys):
    bad = RULES_YML.replace("record: model:errors:rate5m", "record: model errors").replace("expr: model:errors:rate5m > 0.1", "expr: sum(")
    code, out, _ = run_validate(make_dir(tmp_path, **{RULES: bad}), capsys)
    assert code == 1
    rule_lines = [x for x in out.splitlines() if f"{RULES}:" in x]
    assert any(f":{pos(bad, 'model errors')[0]}:" in x and "invalid recording rule name" in x for x in rule_lines), out
    assert any(f":{pos(bad, 'sum(')[0]}:" in x and "unclosed left parenthesis" in x for x in rule_lines), out


def test_duplicate_rule_lint_is_fatal_and_located(tmp_path, capsys):
    dup = RULES_YML + "      - record: model:errors:rate5m\n        expr: sum by (model) (rate(errors_total[5m]))\n"
    code, out, _ = run_validate(make_dir(tmp_path, **{RULES: dup}), capsys)
    assert code == 1
    line = dup.count("\n") - 1  # the second `record:` line
    assert f"{RULES}:{line}:" in out and "duplicate rule" in out, out


def test_failing_rule_unit_test_fails(tmp_path, capsys):
    bad = TEST_YML.replace("eval_time: 20m", "eval_time: 15m")  # still pending at 15m
    code, out, err = run_validate(make_dir(tmp_path, **{TESTS: bad}), capsys)
    assert code == 1
    line, col = pos(bad, "- eval_time: 15m")
    assert f"generated/{TESTS}:{line}:{col + 2}: error: promtool: rule test failed: alert FraudDetectorErrors at 15m" in out, out
    assert "promtool test rules: FAILED (1 error)" in err


def test_failing_case_is_found_when_promtool_respells_its_eval_time(tmp_path, capsys):
    """promtool prints eval_time as Prometheus spells durations (900s -> 15m); the case is still found."""
    bad = TEST_YML.replace("eval_time: 20m", "eval_time: 900s")
    code, out, _ = run_validate(make_dir(tmp_path, **{TESTS: bad}), capsys)
    assert code == 1
    line, col = pos(bad, "- eval_time: 900s")
    assert f"generated/{TESTS}:{line}:{col + 2}: error: promtool: rule test failed: alert FraudDetectorErrors at 15m" in out, out


def test_failing_case_of_named_test_group(tmp_path, capsys):
    named = TEST_YML.replace("  - interval: 1m\n", "  - name: errors page after 5m\n    interval: 1m\n")
    bad = named.replace("eval_time: 10m", "eval_time: 19m").replace("eval_time: 20m", "eval_time: 21m")
    bad = bad.replace("exp_alerts: []", "exp_alerts: [{exp_labels: {severity: critical}}]")
    code, out, _ = run_validate(make_dir(tmp_path, **{TESTS: bad}), capsys)
    assert code == 1
    line, col = pos(bad, "- eval_time: 19m")
    hits = [x for x in out.splitlines() if "rule test failed" in x]
    assert len(hits) == 1, out  # the `name:` line promtool prints is not a finding of its own
    assert f"{TESTS}:{line}:{col + 2}: error: promtool: rule test failed: [errors page after 5m] alert FraudDetectorErrors at 19m" in hits[0]


def test_failures_of_several_test_files_are_all_reported(tmp_path, capsys, monkeypatch):
    bad = TEST_YML.replace("eval_time: 20m", "eval_time: 15m")
    other = "prometheus/tests/other.test.yml"
    code, out, err = run_validate(make_dir(tmp_path, **{TESTS: bad, other: bad, "prometheus/tests/ok.test.yml": TEST_YML}), capsys, monkeypatch=monkeypatch)
    assert code == 1
    assert "promtool test rules: FAILED (2 errors), 3 files" in err
    assert {x.split(":")[0] for x in out.splitlines() if "rule test failed" in x} == {f"generated/{TESTS}", f"generated/{other}"}, out


def test_rule_test_pointing_at_missing_rule_file_fails(tmp_path, capsys):
    bad = TEST_YML.replace("../rules/fraud-detector.rules.yml", "../rules/nope.rules.yml")
    code, out, _ = run_validate(make_dir(tmp_path, **{TESTS: bad}), capsys)
    assert code == 1
    assert "no file match pattern" in out and "[MLM301]" in out


def test_prometheus_config_error(tmp_path, capsys):
    bad = PROMETHEUS_YML.replace("scrape_interval: 15s", "scrape_interval: 15x")
    code, out, _ = run_validate(make_dir(tmp_path, **{"prometheus/prometheus.yml": bad}), capsys)
    assert code == 1
    assert "prometheus/prometheus.yml: error: promtool: not a valid duration string" in out, out


def test_rule_test_of_unknown_alert_is_reported(tmp_path, capsys):
    typo = TEST_YML.replace("alertname: FraudDetectorErrors\n        exp_alerts: []", "alertname: FraudDetectorEror\n        exp_alerts: []")
    assert typo != TEST_YML
    code, out, _ = run_validate(make_dir(tmp_path, **{TESTS: typo}), capsys)
    assert code == 1
    line, col = pos(typo, "FraudDetectorEror")
    assert f"{TESTS}:{line}:{col}: error: alert_rule_test names alert FraudDetectorEror, which its rule_files do not define" in out, out


# --- amtool --------------------------------------------------------------------------------------
def test_alertmanager_config_error(tmp_path, capsys):
    bad = ALERTMANAGER_YML.replace("channel: '#risk-ml'", "chanel: '#risk-ml'")
    code, out, _ = run_validate(make_dir(tmp_path, **{"alertmanager/alertmanager.yml": bad}), capsys)
    assert code == 1
    line, _ = pos(bad, "chanel")
    assert f"alertmanager/alertmanager.yml:{line}:1: error: amtool: field chanel not found" in out, out
    assert "[MLM302]" in out


def test_wrong_receiver_is_mlm303(tmp_path, capsys, monkeypatch):
    bad = ROUTING_TESTS_YML.replace("receivers: [risk-ml-pagerduty, risk-ml-slack]", "receivers: [risk-ml-slack, risk-ml-pagerduty]")
    code, out, err = run_validate(make_dir(tmp_path, **{ROUTING: bad}), capsys, monkeypatch=monkeypatch)
    assert code == 1
    line, col = pos(bad, "- labels: {alertname: FraudDetectorErrors,")
    assert (
        f"generated/{ROUTING}:{line}:{col + 2}: error: {{alertname=FraudDetectorErrors, model=fraud-detector, "
        "severity=critical, team=risk-ml} routes to [risk-ml-pagerduty, risk-ml-slack], "
        "expected [risk-ml-slack, risk-ml-pagerduty] [MLM303]"
    ) in out, out
    assert "amtool config routes test: FAILED (1 error)" in err


def test_identical_label_sets_are_resolved_once(tmp_path, capsys):
    extra = ROUTING_TESTS_YML + textwrap.dedent("""\
        - labels: {model: fraud-detector, team: risk-ml, severity: warning, alertname: FraudDetectorErrorsWarn}
          receivers: [default]
    """).replace("- labels", "  - labels").replace("\n  receivers", "\n    receivers")
    code, out, err = run_validate(make_dir(tmp_path, **{ROUTING: extra}), capsys)
    assert "3 entries, 2 distinct label sets" in err
    assert code == 1 and "expected [default]" in out  # the duplicate still gets its own verdict


def test_label_values_with_quotes_and_operators(tmp_path, capsys):
    tricky = ROUTING_TESTS_YML + (
        "  - labels: {alertname: FraudDetectorErrors, team: risk-ml, severity: critical, "
        "model: fraud-detector, note: 'a \"quoted\" =~ value, {x}'}\n"
        "    receivers: [risk-ml-pagerduty, risk-ml-slack]\n"
    )
    code, out, err = run_validate(make_dir(tmp_path, **{ROUTING: tricky}), capsys)
    assert code == 0, out + err


def test_alert_without_routing_entry_is_reported(tmp_path, capsys, monkeypatch):
    only_first = "\n".join(ROUTING_TESTS_YML.splitlines()[:4]) + "\n"
    code, out, err = run_validate(make_dir(tmp_path, **{ROUTING: only_first}), capsys, monkeypatch=monkeypatch)
    assert code == 1
    line, col = pos(RULES_YML, "FraudDetectorErrorsWarn")  # the rule's alert name
    assert (
        f"generated/{RULES}:{line}:{col}: error: alert FraudDetectorErrorsWarn has no routing test for "
        "{alertname=FraudDetectorErrorsWarn, model=fraud-detector, severity=warning, team=risk-ml} "
        "in alertmanager/routing-tests.yml [MLM303]"
    ) in out, out
    assert "routing coverage: FAILED (1 error)" in err


def test_routing_entry_with_other_static_labels_does_not_cover(tmp_path, capsys):
    wrong = ROUTING_TESTS_YML.replace("severity: warning", "severity: info")
    code, out, _ = run_validate(make_dir(tmp_path, **{ROUTING: wrong}), capsys)
    assert code == 1 and "alert FraudDetectorErrorsWarn has no routing test" in out


def test_missing_routing_tests_file(tmp_path, capsys):
    code, out, _ = run_validate(make_dir(tmp_path, **{ROUTING: None}), capsys)
    assert code == 1
    assert f"{ROUTING}: error: missing" in out and out.count("has no routing test") == 2


def test_malformed_routing_entry(tmp_path, capsys):
    bad = ROUTING_TESTS_YML + "  - labels: {alertname: X}\n    receivers: risk-ml-slack\n"
    code, out, _ = run_validate(make_dir(tmp_path, **{ROUTING: bad}), capsys)
    assert code == 1 and "tests[2]: expected labels" in out


# --- grafana dashboards --------------------------------------------------------------------------
def test_dashboard_with_broken_promql(tmp_path, capsys):
    bad = DASHBOARD_JSON.replace('model:errors:rate5m{model=\\"fraud-detector\\"}', 'model:errors:rate5m{model=\\"fraud-detector\\"')
    assert bad != DASHBOARD_JSON
    code, out, err = run_validate(make_dir(tmp_path, **{DASHBOARD: bad}), capsys)
    assert code == 1
    line, col = pos(bad, '"model:errors:rate5m{')
    assert f"{DASHBOARD}:{line}:{col}: error: panel 'Error rate' query A: PromQL does not parse" in out, out
    assert "[MLM205]" in out and "grafana dashboards: FAILED (1 error)" in err


def test_dashboard_duplicate_uid_bad_uid_and_bad_json(tmp_path, capsys):
    d = make_dir(
        tmp_path,
        **{
            "grafana/dashboards/copy.json": DASHBOARD_JSON,
            "grafana/dashboards/longuid.json": DASHBOARD_JSON.replace('"uid": "mlmon-fraud-detector"', '"uid": "' + "x" * 41 + '"'),
            "grafana/dashboards/broken.json": '{\n  "uid": "a",\n  "title": "t",\n}\n',
        },
    )
    code, out, _ = run_validate(d, capsys)
    assert code == 1
    assert "dashboards/fraud-detector.json: error: uid 'mlmon-fraud-detector' is also used by grafana/dashboards/copy.json [MLM201]" in out, out
    assert "grafana/dashboards/longuid.json: error: uid 'xxxx" in out and "[MLM213]" in out
    assert "grafana/dashboards/broken.json:4:1: error: not valid JSON" in out


# --- usage errors --------------------------------------------------------------------------------
def test_missing_tool_exits_2(tmp_path, capsys, monkeypatch):
    d = make_dir(tmp_path)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    os.symlink(shutil.which("amtool"), bin_dir / "amtool")  # amtool only: promtool is missing
    monkeypatch.setenv("PATH", str(bin_dir))
    code, out, err = run_validate(d, capsys)
    assert code == 2
    assert "promtool not found on PATH [MLM304]" in err and "hint: install it" in err
    assert out == ""


def test_missing_folder_and_file_exit_2(tmp_path, capsys):
    code, _, err = run_validate(tmp_path / "nope", capsys)
    assert code == 2 and "not a folder" in err
    d = make_dir(tmp_path, **{"alertmanager/alertmanager.yml": None})
    code, _, err = run_validate(d, capsys)
    assert code == 2 and "alertmanager/alertmanager.yml: error: missing" in err


# --- pint (not installable here: a stand-in executable checks the plumbing) -----------------------
def test_pint_report_becomes_mlm305(tmp_path, capsys, monkeypatch):
    d = make_dir(tmp_path)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("promtool", "amtool"):
        os.symlink(shutil.which(tool), bin_dir / tool)
    fake = bin_dir / "pint"
    report = [
        {
            "reportedPath": RULES,
            "sourcePath": RULES,
            "rule": {"name": "FraudDetectorErrors", "type": "alerting"},
            "problem": {"Reporter": "promql/series", "Summary": "metric not found", "Lines": {"First": 7, "Last": 7}, "Severity": 2},
            "owner": "",
        }
    ]
    fake.write_text(
        f"#!{sys.executable}\n"
        "import json, sys\n"
        "args = sys.argv[1:]\n"
        "assert args[:3] == ['--offline', '--no-color', 'lint'], args\n"
        f"open(args[args.index('--json') + 1], 'w').write({json.dumps(json.dumps(report))})\n"
        "sys.exit(1)\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    code, out, err = run_validate(d, capsys)
    assert code == 1
    assert f"generated/{RULES}:7:1: error: pint promql/series: rule 'FraudDetectorErrors': metric not found [MLM305]" in out.replace(str(d.parent) + "/", ""), (
        out
    )
    assert "pint lint: FAILED (1 error)" in err


# --- through the real command line ----------------------------------------------------------------
def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "cli"))
    return subprocess.run([sys.executable, "-m", "mlmon", "validate", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_cli_exit_codes(tmp_path):
    make_dir(tmp_path)
    ok = _cli("generated", "--format", "json", cwd=tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert json.loads(ok.stdout)["summary"]["error"] == 0
    (tmp_path / "generated" / RULES).write_text(RULES_YML.replace("> 0.5", "> > 0.5"), encoding="utf-8")
    bad = _cli("generated", cwd=tmp_path)
    assert bad.returncode == 1 and f"generated/{RULES}:" in bad.stdout
    missing = _cli("does-not-exist", cwd=tmp_path)
    assert missing.returncode == 2


# --- on real `mlmon generate` output ----------------------------------------------------------------
def test_validate_passes_on_generated_example(tmp_path, capsys):
    """The shipped example spec, compiled by `mlmon generate`, passes every check, and each of its
    dashboards matches the upstream Grafana schema."""
    from mlmon.commands import generate

    sys.path.insert(0, str(ROOT / "tests"))
    from helpers.grafana_schema import validate_dashboard

    out_dir = tmp_path / "generated"
    code = generate.run(SimpleNamespace(paths=[ROOT / "examples" / "demo" / "spec.yaml"], output=out_dir, check=False, format="text"))
    capsys.readouterr()
    assert code == 0
    code, out, err = run_validate(out_dir, capsys)
    assert code == 0, out + err
    assert "routing coverage: ok" in err and "amtool config routes test: ok" in err
    dashboards = sorted((out_dir / "grafana" / "dashboards").glob("*.json"))
    assert len(dashboards) >= 2
    for f in dashboards:
        assert validate_dashboard(json.loads(f.read_text(encoding="utf-8"))) == [], f.name


# --- rule test coverage ----------------------------------------------------------------------------
QUIET_ONLY = TEST_YML.replace(
    """      - eval_time: 21m
        alertname: FraudDetectorErrorsWarn
        exp_alerts:
          - exp_labels: {severity: warning, team: risk-ml, model: fraud-detector}
""",
    """      - eval_time: 10m
        alertname: FraudDetectorErrorsWarn
        exp_alerts: []
""",
)


def test_an_alert_without_a_firing_case_fails_with_its_name(tmp_path, capsys, monkeypatch):
    d = make_dir(tmp_path, **{TESTS: QUIET_ONLY})
    code, out, err = run_validate(d, capsys, monkeypatch=monkeypatch, coverage=True)
    assert code == 1, out + err
    line, col = pos(RULES_YML, "FraudDetectorErrorsWarn")  # the rule's alert name
    assert (
        f"generated/{RULES}:{line}:{col}: error: alert FraudDetectorErrorsWarn "
        "{alertname=FraudDetectorErrorsWarn, model=fraud-detector, severity=warning, team=risk-ml} has no rule test where it fires (only quiet cases) [MLM306]"
    ) in out
    assert "rule test coverage: FAILED (1 error), 2 alert rules: 1 fire (50% with 0 exempt), 2 quiet, 0 no-data" in err
    assert out.rstrip().endswith("1 of 8 checks failed: rule test coverage")
    # --coverage: one line per rule
    assert "fires quiet no-data  rule\nyes   yes   no       prometheus/rules/fraud-detector.rules.yml:6: {alertname=FraudDetectorErrors," in out
    assert "NO    yes   no       prometheus/rules/fraud-detector.rules.yml:11: {alertname=FraudDetectorErrorsWarn," in out


def test_an_exempted_alert_passes_and_an_exemption_of_nothing_is_a_warning(tmp_path, capsys, monkeypatch):
    exempt = (
        "untested_alerts:\n"
        "  - {model: fraud-detector, rule_files: rules/fraud-detector.*.rules.yml, alert: FraudDetectorErrorsWarn,"
        " labels: {model: fraud-detector, severity: warning}, reason: needs a week of data, source: specs/x.yaml}\n"
        "  - {model: fraud-detector, rule_files: rules/fraud-detector.*.rules.yml, alert: NoSuchAlert, labels: {model: fraud-detector}, reason: x}\n"
    )
    d = make_dir(tmp_path, **{TESTS: QUIET_ONLY, "prometheus/tests/untested-alerts.yml": exempt})
    (d / "prometheus/rules/fraud-detector.rules.yml").rename(d / "prometheus/rules/fraud-detector.errors.rules.yml")
    for rel in (TESTS, ROUTING):
        (d / rel).write_text((d / rel).read_text().replace("fraud-detector.rules.yml", "fraud-detector.errors.rules.yml"))
    code, out, err = run_validate(d, capsys, monkeypatch=monkeypatch, coverage=True)
    assert code == 0, out + err
    assert "rule test coverage: ok (1 warning), 2 alert rules: 1 fire (100% with 1 exempt), 2 quiet, 0 no-data" in err
    line, col = pos(exempt, "{model: fraud-detector, rule_files: rules/fraud-detector.*.rules.yml, alert: NoSuchAlert")
    assert (
        f"generated/prometheus/tests/untested-alerts.yml:{line}:{col}: warning: untested_alerts entry for NoSuchAlert (fraud-detector) matches no alert rule [MLM306]"
        in out
    )
    assert "(exempt: needs a week of data)" in out
