"""The spec's global PagerDuty endpoint and Slack webhook file are the ones real Alertmanager 0.25
uses: a page for a team without its own reaches the webhook sink at those addresses."""

from __future__ import annotations

import json
import urllib.request

import pytest

from mlmon import pipeline
from mlmon import stack as S
from tests.helpers.servers import servers  # noqa: F401 (fixture)

pytestmark = pytest.mark.e2e


def test_global_pagerduty_url_and_slack_webhook_file_are_used(servers, tmp_path):  # noqa: F811
    sink = S.Sink().start()
    try:
        key, hook = tmp_path / "pd-key", tmp_path / "slack-url"
        key.write_text(S.DUMMY_KEY + "\n")
        hook.write_text(sink.url("slack", "global") + "\n")
        spec_text = f"""\
apiVersion: mlmon/v1
kind: MonitoringSpec
metadata: {{name: eu}}
routing:
  pagerduty_url: {sink.url("pagerduty", "global")}
  slack_api_url_file: {hook}
  grouping: {{group_wait: 1s, group_interval: 5s, repeat_interval: 1h}}
  teams:
    risk-ml:
      slack: {{channel: "#risk"}}
      pagerduty: {{routing_key_file: {key}}}
models:
  - id: fraud
    team: risk-ml
    serving: {{targets: ["a.svc:8080"]}}
"""
        spec, diags = pipeline.check({"s.yaml": spec_text})
        assert spec is not None, diags
        config = pipeline.render(spec, dashboards=False)["alertmanager/alertmanager.yml"]
        am = servers.alertmanager(tmp_path / "alertmanager.yml", config=config)
        labels = {"alertname": "MLModelSLOBurnRate", "model": "fraud", "team": "risk-ml", "severity": "critical", "monitor": "slo", "check": "availability"}
        body = json.dumps([{"labels": labels, "annotations": {"summary": "fraud: burning"}}]).encode()
        req = urllib.request.Request(am.url + "/api/v2/alerts", body, {"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(req, timeout=5) as r:
            assert r.status == 200
        pd = sink.wait_for(lambda n: n.channel == "pagerduty", 30)
        slack = sink.wait_for(lambda n: n.channel == "slack", 30)
        assert pd is not None and slack is not None, (sink.records(), am.log()[-2000:])
        assert pd.receiver == "global" and pd.body["routing_key"] == S.DUMMY_KEY
        assert slack.receiver == "global" and slack.body["channel"] == "#risk"
    finally:
        sink.stop()
