"""What the local stack loads: the spec with local settings (its own alerting and routing fields),
rendered as `mlmon generate` renders it, with no generated file edited afterwards; receivers
point at the sink through files, and the result is valid for amtool/promtool."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from mlmon import fsio, pipeline
from mlmon import stack as S
from mlmon.stack.config import write_local

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "examples" / "demo" / "spec.yaml"
PAYMENTS = REPO / "specs" / "payments.yaml"


def compiled(path: Path):
    spec, diags = pipeline.check({str(path): path.read_text()}, fsio.make_reader())
    assert spec is not None, diags
    return spec


class _FakeSink:
    port = 45678

    def url(self, channel, receiver):
        return f"http://127.0.0.1:{self.port}/{channel}/{receiver}"


@pytest.fixture(scope="module")
def demo():
    return compiled(SPEC)


def test_local_alertmanager_points_every_receiver_at_the_sink(demo, tmp_path):
    generated = pipeline.render(demo, dashboards=False)
    files = pipeline.render(S.local_spec(demo, _FakeSink(), tmp_path / "secrets", 45679, {"demo": "127.0.0.1:45680"}), dashboards=False)
    assert pipeline.render(demo, dashboards=False) == generated  # the spec itself is not modified
    cfg = yaml.safe_load(files["alertmanager/alertmanager.yml"])
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
    assert cfg["route"]["group_wait"] == S.LOCAL_GROUP_WAIT and cfg["route"]["repeat_interval"] == "1h"
    retrain_route = cfg["route"]["routes"][0]["routes"][0]
    assert retrain_route["group_wait"] == S.LOCAL_GROUP_WAIT and retrain_route["group_interval"] == S.LOCAL_GROUP_INTERVAL
    # the same file as `mlmon generate` would write for a spec saying all this: only those values differ
    want = yaml.safe_load(generated["alertmanager/alertmanager.yml"])
    assert [r["name"] for r in cfg["receivers"]] == [r["name"] for r in want["receivers"]]
    assert cfg["inhibit_rules"] == want["inhibit_rules"]
    text = files["alertmanager/alertmanager.yml"]
    assert "/etc/alertmanager/secrets" not in text
    if shutil.which("amtool"):
        p = tmp_path / "am.yml"
        p.write_text(text)
        r = subprocess.run(["amtool", "check-config", str(p)], capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stdout + r.stderr


def test_business_hours_and_global_endpoints_are_not_used_locally(tmp_path):
    text = PAYMENTS.read_text().replace("  severity:\n", "  pagerduty_url: https://events.eu.pagerduty.com/v2/enqueue\n  severity:\n", 1)
    path = tmp_path / "specs" / "payments.yaml"
    path.parent.mkdir()
    path.write_text(text)
    shutil.copytree(PAYMENTS.parent / "baselines", path.parent / "baselines")
    spec = compiled(path)
    assert spec.routing.business_hours is not None and spec.routing.pagerduty_url
    cfg = yaml.safe_load(pipeline.render(S.local_spec(spec, _FakeSink(), tmp_path / "s", 1, {}), dashboards=False)["alertmanager/alertmanager.yml"])
    assert "time_intervals" not in cfg and "active_time_intervals" not in str(cfg["route"])
    assert cfg["global"] == {"resolve_timeout": "5m"}


def test_local_prometheus_scrapes_the_demo_and_uses_local_alertmanager(demo, tmp_path):
    write_local(tmp_path, demo, {"x.txt": "generated\n"}, _FakeSink(), 45679, {"demo": "127.0.0.1:45680"})
    assert (tmp_path / "generated" / "x.txt").read_text() == "generated\n"
    local = tmp_path / "local" / "prometheus" / "prometheus.yml"
    cfg = yaml.safe_load(local.read_text())
    jobs = {j["job_name"]: j for j in cfg["scrape_configs"]}
    assert jobs["mlmon-demo"]["static_configs"] == [{"targets": ["127.0.0.1:45680"], "labels": {"mlmon_model": "demo", "team": "demo-team"}}]
    assert jobs["mlmon-demo"]["scrape_interval"] == "5s"  # the spec's interval is kept
    assert cfg["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"] == ["127.0.0.1:45679"]
    # laid out as `mlmon apply` manages them: mlmon/rules -> one rule-set folder named by its hash
    assert cfg["rule_files"] == ["mlmon/rules/*.rules.yml"] and list((local.parent / "mlmon" / "rules").glob("*.rules.yml"))
    assert (local.parent / "mlmon" / "rules").is_symlink() and not (local.parent / "rules").exists()
    if shutil.which("promtool"):
        r = subprocess.run(["promtool", "check", "config", str(local)], capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stdout + r.stderr
