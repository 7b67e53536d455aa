"""`mlmon diff`/`apply` against a real Alertmanager 0.25 on 127.0.0.1 (file mode)."""

from __future__ import annotations

import json
import os

import pytest
import requests
from remote_fixtures import AM_BROKEN, AM_OLD, AM_V1, AM_V2, live_am_config, make_generated, opts

from helpers.servers import Fault
from mlmon.commands import apply as apply_cmd
from mlmon.commands import diff as diff_cmd

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _no_mlmon_env(monkeypatch):
    for k in list(os.environ):
        if k.startswith("MLMON_"):
            monkeypatch.delenv(k)


@pytest.fixture
def am(servers, tmp_path):
    return servers.alertmanager(tmp_path / "am" / "alertmanager.yml", config=AM_OLD)


def run(cmd, capsys, **kw):
    code = cmd.run(opts(**kw))
    out, err = capsys.readouterr()
    return int(code), out, err


def reload_ok(url: str) -> bool:
    text = requests.get(url + "/metrics", timeout=5).text
    return "alertmanager_config_last_reload_successful 1" in text


def slack_channel(url: str) -> str:
    cfg = live_am_config(url)
    return next(r for r in cfg["receivers"] if r["name"] == "slack-risk-ml")["slack_configs"][0]["channel"]


def test_first_apply_noop_change(am, servers, tmp_path, capsys):
    conf = tmp_path / "am" / "alertmanager.yml"
    gen = make_generated(tmp_path / "gen", am=AM_V1)
    proxy = servers.proxy(am.url)
    common = dict(generated=gen, alertmanager=proxy.url, alertmanager_config=conf, state_dir=tmp_path / "s")

    code, out, err = run(diff_cmd, capsys, exit_code=True, **common)
    assert code == 1, err
    for line in (
        "+ receiver pagerduty-risk-ml",
        "+ receiver slack-risk-ml",
        "- receiver old",
        '+ route /pagerduty-risk-ml{severity="critical", team="risk-ml"} (position 1 of 2 under /)',
        '+ route /slack-risk-ml{team="risk-ml"} (position 2 of 2 under /)',
        "+ inhibit_rule inhibit_rules[0]",
        "+ time_interval time_intervals/weekends",
        "~ route /",
        f"~ files {conf} (not written by mlmon; `apply --force` takes over what is there)",
    ):
        assert line in out, out

    # the file was not written by mlmon: taking it over needs --force
    code, out, err = run(apply_cmd, capsys, **common)
    assert code == 1 and "not written by mlmon" in err and "nothing was changed" in err, err
    assert conf.read_text() == AM_OLD and proxy.count("POST", "/-/reload") == 0
    code, out, err = run(apply_cmd, capsys, force=True, **common)
    assert code == 0, err
    assert conf.read_text() == AM_V1
    assert [r["name"] for r in live_am_config(am.url)["receivers"]] == ["default", "pagerduty-risk-ml", "slack-risk-ml"]
    assert slack_channel(am.url) == "#risk-ml-alerts"
    # a backup of the previous file (the server had loaded it) is kept next to it
    assert (conf.parent / ".alertmanager.yml.mlmon" / "backup.yml").read_text() == AM_OLD

    # no-op: the server fills many defaults; the normalised plan must still be empty
    code, out, _ = run(diff_cmd, capsys, exit_code=True, **common)
    assert code == 0 and "alertmanager" in out and "no changes" in out
    code, _, err = run(apply_cmd, capsys, **common)
    assert code == 0 and "nothing to apply" in err
    assert proxy.count("POST", "/-/reload") == 1

    make_generated(gen, am=AM_V2)
    code, out, _ = run(diff_cmd, capsys, format="json", **common)
    plan = json.loads(out)
    changed = {(c["action"], c["kind"], c["name"]) for c in plan["targets"][0]["changes"]}
    assert changed == {
        ("change", "route", "/"),
        ("change", "receiver", "slack-risk-ml"),
        ("add", "time_interval", "time_intervals/offhours"),
    }
    assert run(apply_cmd, capsys, **common)[0] == 0
    assert slack_channel(am.url) == "#risk-ml-pager"
    assert live_am_config(am.url)["route"]["repeat_interval"] == "12h"
    assert run(diff_cmd, capsys, exit_code=True, **common)[0] == 0


def test_rollback_when_the_server_rejects_the_config(am, servers, tmp_path, capsys):
    conf = tmp_path / "am" / "alertmanager.yml"
    gen = make_generated(tmp_path / "gen", am=AM_V1)
    common = dict(generated=gen, alertmanager=am.url, alertmanager_config=conf, state_dir=tmp_path / "s")
    assert run(apply_cmd, capsys, force=True, **common)[0] == 0

    # amtool rejects it before anything is written
    make_generated(gen, am=AM_BROKEN)
    code, _, err = run(apply_cmd, capsys, **common)
    assert code == 1, err
    assert "amtool" in err and "no-such-receiver" in err and "nothing was changed" in err and "rolled back" not in err
    assert conf.read_text() == AM_V1

    # the server rejects it (a reload answered 500): rolled back
    proxy = servers.proxy(am.url, [Fault("POST", "/-/reload", "status", status=500, body=b"failed to reload config", times=1)])
    make_generated(gen, am=AM_V2)
    code, _, err = run(apply_cmd, capsys, **{**common, "alertmanager": proxy.url})
    assert code == 1, err
    assert "HTTP 500" in err and "restored the previous configuration" in err
    assert conf.read_text() == AM_V1
    assert slack_channel(am.url) == "#risk-ml-alerts"
    assert reload_ok(am.url)
    make_generated(gen, am=AM_V1)
    assert run(diff_cmd, capsys, exit_code=True, **common)[0] == 0


def test_rollback_when_verification_fails(am, servers, tmp_path, capsys):
    """Reload answers 200, but /api/v2/status afterwards does not show the new config."""
    conf = tmp_path / "am" / "alertmanager.yml"
    gen = make_generated(tmp_path / "gen", am=AM_V1)
    proxy = servers.proxy(am.url)

    def stale(body: bytes) -> bytes:
        doc = json.loads(body)
        doc["config"]["original"] = AM_OLD
        return json.dumps(doc).encode()

    proxy.faults.append(Fault("GET", "/api/v2/status", "rewrite", when=lambda: proxy.count("POST", "/-/reload") == 1, rewrite=stale))
    code, _, err = run(apply_cmd, capsys, generated=gen, alertmanager=proxy.url, alertmanager_config=conf, state_dir=tmp_path / "s", force=True)
    assert code == 1, err
    assert "verification failed" in err and "restored the previous configuration and reloaded" in err
    assert proxy.count("POST", "/-/reload") == 2
    assert conf.read_text() == AM_OLD
    assert [r["name"] for r in live_am_config(am.url)["receivers"]] == ["old"]
    assert reload_ok(am.url)


def test_apply_needs_the_config_file(am, tmp_path, capsys):
    gen = make_generated(tmp_path / "gen", am=AM_V1)
    code, _, err = run(apply_cmd, capsys, generated=gen, alertmanager=am.url, state_dir=tmp_path / "s")
    assert code == 2 and "--alertmanager-config" in err
    assert [r["name"] for r in live_am_config(am.url)["receivers"]] == ["old"]


def test_hand_edit_is_refused_without_force(am, tmp_path, capsys):
    """The same rule as for Grafana: a change made outside mlmon is shown and kept unless --force."""
    conf = tmp_path / "am" / "alertmanager.yml"
    gen = make_generated(tmp_path / "gen", am=AM_V1)
    common = dict(generated=gen, alertmanager=am.url, alertmanager_config=conf, state_dir=tmp_path / "s")
    assert run(apply_cmd, capsys, force=True, **common)[0] == 0
    conf.write_text(AM_V1.replace("#risk-ml-alerts", "#edited-by-hand"))
    requests.post(am.url + "/-/reload", timeout=5).raise_for_status()
    code, out, _ = run(diff_cmd, capsys, **common)
    assert f"~ files {conf} (edited outside mlmon since the last apply; apply needs --force)" in out, out
    assert "~ receiver slack-risk-ml" in out
    code, _, err = run(apply_cmd, capsys, **common)
    assert code == 1 and "edited outside mlmon" in err and "nothing was changed" in err
    assert slack_channel(am.url) == "#edited-by-hand"
    assert run(apply_cmd, capsys, force=True, **common)[0] == 0
    assert slack_channel(am.url) == "#risk-ml-alerts" and conf.read_text() == AM_V1
    assert run(diff_cmd, capsys, exit_code=True, **common)[0] == 0
