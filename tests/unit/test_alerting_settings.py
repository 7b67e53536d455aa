"""Where alerts go is set in the spec: the Alertmanagers Prometheus sends to (`alerting`), the
PagerDuty Events endpoint (EU accounts) and the Slack webhook file for every team or per team, and
Alertmanager's grouping. Unset, the output is what it always was (the golden trees)."""

import shutil
import subprocess

import pytest
import yaml

from mlmon import pipeline
from tests.conftest import need_tool

EU = "https://events.eu.pagerduty.com/v2/enqueue"
SPEC = f"""\
apiVersion: mlmon/v1
kind: MonitoringSpec
metadata: {{name: eu}}
alerting:
  alertmanagers: ["alertmanager-0.monitoring.svc:9093", "alertmanager-1.monitoring.svc:9093"]
  scheme: https
  path_prefix: /alertmanager
routing:
  pagerduty_url: {EU}
  slack_api_url_file: /etc/alertmanager/secrets/slack-default
  grouping: {{group_wait: 10s, group_interval: 2m, repeat_interval: 12h}}
  teams:
    risk-ml:
      slack: {{channel: "#risk"}}
      pagerduty: {{routing_key_file: /etc/alertmanager/secrets/pd, url: "https://pd-relay.corp.example/v2/enqueue"}}
      retraining: {{url: "http://relay.svc/r", group_wait: 30s, group_interval: 30m}}
    recsys:
      slack: {{channel: "#recsys", api_url_file: /etc/alertmanager/secrets/slack-recsys}}
      pagerduty: {{service_key_file: /etc/alertmanager/secrets/pd-recsys}}
models:
  - id: fraud
    team: risk-ml
    serving: {{targets: ["a.svc:8080"]}}
  - id: rec
    team: recsys
    serving: {{targets: ["b.svc:8080"]}}
"""


@pytest.fixture(scope="module")
def files():
    spec, diags = pipeline.check({"eu.yaml": SPEC})
    assert spec is not None and diags == [], diags
    return pipeline.render(spec, dashboards=False)


def test_prometheus_sends_to_the_spec_s_alertmanagers(files):
    prom = yaml.safe_load(files["prometheus/prometheus.yml"])
    assert prom["alerting"] == {
        "alertmanagers": [
            {
                "static_configs": [{"targets": ["alertmanager-0.monitoring.svc:9093", "alertmanager-1.monitoring.svc:9093"]}],
                "scheme": "https",
                "path_prefix": "/alertmanager",
            }
        ]
    }


def test_pagerduty_and_slack_endpoints_globally_and_per_team(files):
    am = yaml.safe_load(files["alertmanager/alertmanager.yml"])
    assert am["global"] == {"resolve_timeout": "5m", "pagerduty_url": EU, "slack_api_url_file": "/etc/alertmanager/secrets/slack-default"}
    rec = {r["name"]: r for r in am["receivers"]}
    assert rec["risk-ml-pagerduty"]["pagerduty_configs"][0]["url"] == "https://pd-relay.corp.example/v2/enqueue"
    assert "url" not in rec["recsys-pagerduty"]["pagerduty_configs"][0]  # the global one
    assert "api_url_file" not in rec["risk-ml-slack"]["slack_configs"][0]  # the global one
    assert rec["recsys-slack"]["slack_configs"][0]["api_url_file"] == "/etc/alertmanager/secrets/slack-recsys"
    route = am["route"]
    assert (route["group_wait"], route["group_interval"], route["repeat_interval"]) == ("10s", "2m", "12h")
    retrain = next(r for t in route["routes"] for r in t["routes"] if r["receiver"] == "risk-ml-retraining")
    assert (retrain["group_wait"], retrain["group_interval"], retrain["repeat_interval"]) == ("30s", "30m", "24h")


@pytest.mark.tools
def test_real_tools_accept_the_settings(files, tmp_path):
    need_tool("amtool")
    need_tool("promtool")
    for rel, text in files.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    for argv in (["amtool", "check-config", "alertmanager/alertmanager.yml"], ["promtool", "check", "config", "prometheus/prometheus.yml"]):
        r = subprocess.run([shutil.which(argv[0]), *argv[1:]], cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stdout + r.stderr


def _problems(text, name="s.yaml", more=None):
    spec, diags = pipeline.check({name: text, **(more or {})})
    return [(d.file, d.line, d.code, d.message) for d in diags]


def test_slack_needs_a_webhook_file_of_its_own_or_the_global_one():
    text = SPEC.replace("  slack_api_url_file: /etc/alertmanager/secrets/slack-default\n", "")
    ((file, line, code, msg),) = _problems(text)
    assert (code, line) == ("MLM102", 13) and msg == "routing.teams.risk-ml.slack: missing required field 'api_url_file'"


def test_pagerduty_needs_exactly_one_key_file():
    both = SPEC.replace("{service_key_file: /etc/alertmanager/secrets/pd-recsys}", "{service_key_file: /a, routing_key_file: /b}")
    none = SPEC.replace("{service_key_file: /etc/alertmanager/secrets/pd-recsys}", f"{{url: {EU}}}")
    for text in (both, none):
        ((file, line, code, msg),) = _problems(text)
        assert code == "MLM104" and msg == "routing.teams.recsys.pagerduty: set exactly one of routing_key_file, service_key_file"


def test_settings_for_the_whole_output_are_the_same_in_every_file():
    other = "apiVersion: mlmon/v1\nkind: MonitoringSpec\nmetadata: {name: b}\nalerting: {alertmanagers: ['am.svc:9093']}\nrouting: {pagerduty_url: https://x.example/e}\n"
    got = _problems(SPEC, "a.yaml", {"b.yaml": other})
    assert sorted((f, code, m.split(" differs")[0]) for f, _, code, m in got) == [
        ("b.yaml", "MLM210", "alerting"),
        ("b.yaml", "MLM210", "routing.pagerduty_url"),
    ]


def test_endpoint_urls_carry_no_credential():
    text = SPEC.replace(EU, "https://user:pw@events.eu.pagerduty.com/v2/enqueue", 1)
    ((file, line, code, msg),) = _problems(text)
    assert code == "MLM208" and "pw@" not in msg
