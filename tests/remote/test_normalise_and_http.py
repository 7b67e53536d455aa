"""Pure parts of diff/apply: normalisation, the plan diff, redaction, the HTTP client's settings,
the apply lock. No servers (fast)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest
import remote_fixtures  # noqa: F401  (sys.path)
import yaml

from mlmon.plan import diff_keyed, redact_value, unified
from mlmon.remote.alertmanager.normalise import diff_configs, normalise_config, normalise_matcher
from mlmon.remote.durations import seconds, spelled
from mlmon.remote.errors import RemoteError
from mlmon.remote.http import RETRY_STATUSES, HttpClient, redact, register_secret
from mlmon.remote.lock import TargetLock
from mlmon.remote.prometheus.rules import diff_groups, normalise_group


# --- Prometheus --------------------------------------------------------------------------------------
def test_durations():
    assert seconds("1h30m") == 5400 and seconds("1h0m0s") == 3600 and seconds(None) == 0 and seconds(120) == 120
    assert spelled(90) == "1m30s" and spelled(0) == "0s" and spelled("0") == "0s" and spelled("60s") == "1m"
    assert spelled(7 * 86400) == "7d" and spelled(90 * 86400) == "90d"  # the spelling generated/ is written in
    assert spelled("5 minutes") == "5 minutes" and spelled("30s1m") == "30s1m"  # not durations: kept as they are
    with pytest.raises(ValueError):
        seconds("5 minutes")


def test_group_from_file_equals_group_from_api():
    written = yaml.safe_load(remote_fixtures.FRAUD_V1)["groups"][0]
    served = {  # what /api/v1/rules returned for it (server-only fields included)
        "name": "mlmon-fraud-detector-slo",
        "file": "/etc/prometheus/mlmon/rules/fraud.rules.yml",
        "interval": 30,
        "limit": 0,
        "evaluationTime": 0.0001,
        "lastEvaluation": "2026-11-26T07:00:00Z",
        "rules": [
            {
                "name": "mlmon_slo:sli_error:ratio_rate5m",
                "type": "recording",
                "health": "ok",
                "evaluationTime": 0.0,
                "lastEvaluation": "2026-11-26T07:00:00Z",
                "labels": {"model": "fraud-detector", "slo": "availability"},
                "query": 'sum by (model) (rate(mlmon_prediction_errors_total{model="fraud-detector"}[5m])) / sum by (model) (rate(mlmon_predictions_total{model="fraud-detector"}[5m]))',
            },
            {
                "name": "MLModelSLOBurnRate",
                "type": "alerting",
                "state": "firing",
                "alerts": [{"x": 1}],
                "health": "ok",
                "duration": 120,
                "keepFiringFor": 0,
                "query": 'mlmon_slo:sli_error:ratio_rate5m{model="fraud-detector"} > (14.4 * 0.001)',
                "labels": {"severity": "critical", "team": "risk-ml", "model": "fraud-detector"},
                "annotations": {
                    "summary": "fraud-detector burns its availability budget fast.",
                    "description": "Error ratio {{ $value | humanizePercentage }} over 5m.",
                },
            },
        ],
    }
    assert normalise_group(written, 15, "fraud.rules.yml") == normalise_group(served, 15, "fraud.rules.yml")
    served["rules"][1]["labels"]["severity"] = "warning"
    (change,) = diff_groups({"g": normalise_group(served, 15, "f")}, {"g": normalise_group(written, 15, "f")})
    assert change.action == "change" and [c.name for c in change.children] == ["g/alert:MLModelSLOBurnRate"]


def test_duplicate_alert_names_are_told_apart():
    g = {"name": "g", "rules": [{"alert": "A", "expr": "x > 1", "labels": {"t": "1"}}, {"alert": "A", "expr": "x > 2", "labels": {"t": "2"}}]}
    h = json.loads(json.dumps(g))
    h["rules"][1]["expr"] = "x > 3"
    (change,) = diff_groups({"g": normalise_group(g, 60, "f")}, {"g": normalise_group(h, 60, "f")})
    assert [(c.action, c.name) for c in change.children] == [("change", "g/alert:A#2")]


# --- Alertmanager ------------------------------------------------------------------------------------
SERVED_0_25 = """\
global:
  resolve_timeout: 5m
  http_config: {follow_redirects: true, enable_http2: true}
  smtp_hello: localhost
  smtp_require_tls: true
  pagerduty_url: https://events.pagerduty.com/v2/enqueue
  opsgenie_api_url: https://api.opsgenie.com/
  wechat_api_url: https://qyapi.weixin.qq.com/cgi-bin/
  victorops_api_url: https://alert.victorops.com/integrations/generic/20131114/alert/
  telegram_api_url: https://api.telegram.org
  webex_api_url: https://webexapis.com/v1/messages
route:
  receiver: pd
  continue: false
  routes:
  - {receiver: pd, matchers: ['team="ml"', 'a="b"'], continue: false}
receivers:
- name: pd
  pagerduty_configs:
  - send_resolved: true
    http_config: {follow_redirects: true, enable_http2: true}
    routing_key: <secret>
    url: https://events.pagerduty.com/v2/enqueue
    client: '{{ template "pagerduty.default.client" . }}'
    client_url: '{{ template "pagerduty.default.clientURL" . }}'
    description: '{{ template "pagerduty.default.description" .}}'
    details:
      check: '{{ .CommonLabels.check }}'
      firing: '{{ template "pagerduty.default.instances" .Alerts.Firing }}'
      num_firing: '{{ .Alerts.Firing | len }}'
      num_resolved: '{{ .Alerts.Resolved | len }}'
      resolved: '{{ template "pagerduty.default.instances" .Alerts.Resolved }}'
    source: '{{ template "pagerduty.default.client" . }}'
  email_configs:
  - send_resolved: false
    to: a@b.c
    from: x@y.z
    hello: localhost
    smarthost: localhost:25
    headers: {From: x@y.z, Subject: '{{ template "email.default.subject" . }}', To: a@b.c}
    html: '{{ template "email.default.html" . }}'
    require_tls: true
templates: []
"""

WRITTEN = """\
route:
  receiver: pd
  routes:
    - {receiver: pd, matchers: ['a = b', team="ml"]}
receivers:
  - name: pd
    pagerduty_configs: [{routing_key: inline-key-123, send_resolved: true, details: {check: '{{ .CommonLabels.check }}'}}]
    email_configs: [{to: a@b.c, from: x@y.z, smarthost: 'localhost:25'}]
"""


def test_alertmanager_served_defaults_are_dropped():
    served, written = normalise_config(yaml.safe_load(SERVED_0_25)), normalise_config(yaml.safe_load(WRITTEN))
    assert served == written
    assert diff_configs(served, written) == []
    assert "inline-key-123" not in json.dumps(written)


def test_alertmanager_real_differences_survive_normalisation():
    changed = WRITTEN.replace("send_resolved: true", "send_resolved: false")
    changes = diff_configs(normalise_config(yaml.safe_load(SERVED_0_25)), normalise_config(yaml.safe_load(changed)))
    assert [(c.action, c.kind, c.name) for c in changes] == [("change", "receiver", "pd")]
    reordered = WRITTEN.replace("routes:\n    - {receiver: pd", "routes:\n    - {receiver: other, matchers: ['x=\"y\"']}\n    - {receiver: pd")
    changes = diff_configs(normalise_config(yaml.safe_load(SERVED_0_25)), normalise_config(yaml.safe_load(reordered)))
    assert [(c.action, c.name, c.detail) for c in changes if c.kind == "route"] == [("add", '/other{x="y"}', "position 1 of 2 under /")]


def _teams_config(teams):
    routes = "".join(f"    - {{receiver: slack-{t}, matchers: ['team=\"{t}\"']}}\n" for t in teams)
    receivers = "".join(f"  - name: slack-{t}\n" for t in teams)
    return normalise_config(yaml.safe_load(f"route:\n  receiver: default\n  routes:\n{routes}receivers:\n  - name: default\n{receivers}"))


def test_alertmanager_routes_are_keyed_by_receiver_and_matchers():
    teams = [f"team{i:02d}" for i in range(10)]
    live = _teams_config(teams)
    changes = diff_configs(live, _teams_config(["new-team", *teams]))  # one team added in front of ten
    assert [(c.action, c.kind, c.name) for c in changes] == [
        ("add", "route", '/slack-new-team{team="new-team"}'),
        ("add", "receiver", "slack-new-team"),
    ]
    changes = diff_configs(live, _teams_config([teams[1], teams[0], *teams[2:]]))  # two routes swap
    assert [(c.action, c.kind, c.name) for c in changes] == [("change", "route", "/")]
    assert "order of its child routes changes" in changes[0].detail
    assert changes[0].after["routes"][:2] == ['/slack-team01{team="team01"}', '/slack-team00{team="team00"}']


def test_matchers():
    assert normalise_matcher("a = b") == 'a="b"' and normalise_matcher("team=~'ml|ds'") == 'team=~"ml|ds"'
    assert normalise_matcher('x!="y"') == 'x!="y"'


# --- plan, redaction ---------------------------------------------------------------------------------
def test_redact_value_keeps_file_paths():
    v = {"routing_key": "k", "routing_key_file": "/etc/k", "http_config": {"basic_auth": {"password": "p"}}, "n": [{"token": "t"}]}
    assert redact_value(v) == {
        "routing_key": "<secret>",
        "routing_key_file": "/etc/k",
        "http_config": {"basic_auth": {"password": "<secret>"}},
        "n": [{"token": "<secret>"}],
    }


def test_diff_keyed_and_unified():
    changes = diff_keyed("t", "k", {"a": {"x": 1}, "gone": {}}, {"a": {"x": 2}, "new": {"y": 1}})
    assert [(c.action, c.name) for c in changes] == [("change", "a"), ("add", "new"), ("remove", "gone")]
    assert unified(changes[0]) == ["@@ -1 +1 @@", "-x: 1", "+x: 2"]


def test_redact_text():
    register_secret("s3cr3t-token-value")
    text = "Authorization: Bearer s3cr3t-token-value https://user:pw@host/x authorization=Basic abc123"
    out = redact(text)
    assert "s3cr3t-token-value" not in out and "pw@" not in out and "abc123" not in out


# --- HTTP client -------------------------------------------------------------------------------------
def test_http_client_settings():
    c = HttpClient("prometheus", "https://prom.example:9090/", env={"MLMON_PROMETHEUS_TOKEN": "abc-token-1"})
    assert c.session.headers["Authorization"] == "Bearer abc-token-1" and c.session.verify is True
    retry = c.session.get_adapter("https://x").max_retries
    assert retry.allowed_methods == frozenset({"GET", "HEAD", "PUT", "DELETE"}) and "POST" not in retry.allowed_methods
    assert retry.backoff_factor > 0 and tuple(retry.status_forcelist) == RETRY_STATUSES
    assert c.session.trust_env is False
    with pytest.raises(RemoteError, match="credentials in the URL"):
        HttpClient("grafana", "http://u:p@g:3000", env={})


def test_http_client_ca_bundle(tmp_path):
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    c = HttpClient("alertmanager", "https://am:9093", env={"MLMON_ALERTMANAGER_CA_FILE": str(ca)})
    assert c.session.verify == str(ca)


def test_tls_failure_names_the_ca_option(tmp_path):
    """A plain-HTTP port spoken to with https:// fails the TLS handshake: the message says what to set."""
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    srv = HTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        c = HttpClient("prometheus", f"https://127.0.0.1:{srv.server_address[1]}", env={})
        c.settings = type(c.settings)(1.0, 1.0, 0, 0.0)
        with pytest.raises(RemoteError) as info:
            c.get("/api/v1/rules", what="reading loaded rules")
        msg = str(info.value)
        assert "prometheus at https://127.0.0.1" in msg and "reading loaded rules failed" in msg
    finally:
        srv.shutdown()
        srv.server_close()


# --- lock ---------------------------------------------------------------------------------------------
def test_lock_is_exclusive_and_stale_locks_are_taken_over(tmp_path):
    path = tmp_path / "locks" / "x.lock"
    with TargetLock(path, "prometheus"):
        with pytest.raises(RemoteError, match="another mlmon apply holds the lock"):
            TargetLock(path, "prometheus").acquire()
    assert path.read_text() == ""  # released: the file stays, empty
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    path.write_text(json.dumps({"pid": dead.pid, "host": socket.gethostname(), "started": 0}))
    with TargetLock(path, "prometheus"):
        assert json.loads(path.read_text())["pid"] == os.getpid()
    path.write_text(json.dumps({"pid": 1, "host": "some-other-host", "started": 0}))
    with pytest.raises(RemoteError, match="pid 1 on some-other-host"):
        TargetLock(path, "prometheus").acquire()
