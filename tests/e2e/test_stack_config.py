"""The local-stack copies of the generated configs: receivers point at the sink through files,
secrets and generated/ untouched, and the result is still valid for amtool/promtool."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from mlmon import fsio, pipeline
from mlmon import stack as S

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "examples" / "demo" / "spec.yaml"


@pytest.fixture(scope="module")
def files():
    spec, diags = pipeline.check({str(SPEC): SPEC.read_text()}, fsio.make_reader())
    assert spec is not None, diags
    return pipeline.render(spec, dashboards=False)


class _FakeSink:
    port = 45678

    def url(self, channel, receiver):
        return f"http://127.0.0.1:{self.port}/{channel}/{receiver}"


def test_local_alertmanager_points_every_receiver_at_the_sink(files, tmp_path):
    original = yaml.safe_load(files["alertmanager/alertmanager.yml"])
    before = yaml.safe_dump(original)
    cfg = S.local_alertmanager_config(original, _FakeSink(), tmp_path / "secrets")
    assert yaml.safe_dump(original) == before  # the generated data is not modified
    by_name = {r["name"]: r for r in cfg["receivers"]}
    slack = by_name["demo-team-slack"]["slack_configs"][0]
    assert Path(slack["api_url_file"]).read_text().strip() == "http://127.0.0.1:45678/slack/demo-team-slack"
    assert slack["channel"] == "#demo-ml-alerts"  # everything else as generated
    pd = by_name["demo-team-pagerduty"]["pagerduty_configs"][0]
    assert pd["url"] == "http://127.0.0.1:45678/pagerduty/demo-team-pagerduty"
    assert Path(pd["routing_key_file"]).read_text().strip() == S.DUMMY_KEY
    assert oct(Path(pd["routing_key_file"]).stat().st_mode & 0o777) == "0o600"
    wh = by_name["demo-team-retraining"]["webhook_configs"][0]
    assert wh["url"] == "http://127.0.0.1:45678/webhook/demo-team-retraining"
    assert cfg["route"]["group_wait"] == S.LOCAL_GROUP_WAIT
    retrain_route = cfg["route"]["routes"][0]["routes"][0]
    assert retrain_route["group_wait"] == S.LOCAL_GROUP_WAIT and retrain_route["group_interval"] == S.LOCAL_GROUP_INTERVAL
    text = yaml.safe_dump(cfg)
    assert "/etc/alertmanager/secrets" not in text
    if shutil.which("amtool"):
        p = tmp_path / "am.yml"
        p.write_text(text)
        r = subprocess.run(["amtool", "check-config", str(p)], capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stdout + r.stderr


def test_business_hours_muting_is_dropped_locally(tmp_path):
    data = {
        "route": {
            "receiver": "x",
            "routes": [{"receiver": "x", "active_time_intervals": ["business-hours"], "routes": [{"receiver": "x", "mute_time_intervals": ["m"]}]}],
        },
        "receivers": [{"name": "x", "email_configs": [{"to": "a@b"}]}],
        "time_intervals": [{"name": "business-hours", "time_intervals": [{"weekdays": ["monday:friday"]}]}],
    }
    cfg = S.local_alertmanager_config(data, _FakeSink(), tmp_path)
    assert "time_intervals" not in cfg
    assert "active_time_intervals" not in cfg["route"]["routes"][0]
    assert "mute_time_intervals" not in cfg["route"]["routes"][0]["routes"][0]
    assert cfg["receivers"] == [{"name": "x"}]  # channels the sink cannot stand in for are dropped


def test_local_prometheus_scrapes_the_demo_and_uses_local_alertmanager(files, tmp_path):
    original = yaml.safe_load(files["prometheus/prometheus.yml"])
    rules = tmp_path / "generated" / "prometheus" / "rules"
    cfg = S.local_prometheus_config(original, rules, 45679, {"demo": "127.0.0.1:45680", "other": "127.0.0.1:45681"}, {"other": "t"})
    jobs = {j["job_name"]: j for j in cfg["scrape_configs"]}
    assert jobs["mlmon-demo"]["static_configs"] == [{"targets": ["127.0.0.1:45680"], "labels": {"mlmon_model": "demo", "team": "demo-team"}}]
    assert jobs["mlmon-demo"]["scrape_interval"] == "5s"  # the spec's interval is kept
    assert jobs["mlmon-other"]["static_configs"][0]["labels"] == {"mlmon_model": "other", "team": "t"}
    assert cfg["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"] == ["127.0.0.1:45679"]
    assert cfg["rule_files"] == [str(rules / "*.rules.yml")]
    if shutil.which("promtool"):
        for rel, text in files.items():
            if rel.startswith("prometheus/rules/"):
                p = tmp_path / "generated" / rel
                p.parent.mkdir(parents=True, exist_ok=True)
                p.write_text(text)
        p = tmp_path / "prometheus.yml"
        p.write_text(yaml.safe_dump(cfg))
        r = subprocess.run(["promtool", "check", "config", str(p)], capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stdout + r.stderr
