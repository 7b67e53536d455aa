"""`mlmon diff`/`apply` against a real Prometheus 2.42 on 127.0.0.1 (file mode)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import requests
from remote_fixtures import (
    CHURN_V1,
    FOREIGN_RULES,
    FRAUD_BROKEN,
    FRAUD_V1,
    FRAUD_V2,
    PROM_CONFIG,
    live_alert_for,
    live_prometheus_groups,
    make_generated,
    opts,
)

from helpers.servers import Fault
from mlmon.commands import apply as apply_cmd
from mlmon.commands import diff as diff_cmd

pytestmark = pytest.mark.e2e

V1_GROUPS = {"mlmon-fraud-detector-slo", "mlmon-churn-drift", "team-owned"}


@pytest.fixture(autouse=True)
def _no_mlmon_env(monkeypatch):
    for k in list(os.environ):
        if k.startswith("MLMON_"):
            monkeypatch.delenv(k)


@pytest.fixture
def prom(servers, tmp_path):
    cfg = tmp_path / "prom"
    (cfg / "team").mkdir(parents=True)
    (cfg / "team" / "team.yml").write_text(FOREIGN_RULES)
    return servers.prometheus(cfg, config=PROM_CONFIG)


def run(cmd, capsys, **kw):
    code = cmd.run(opts(**kw))
    out, err = capsys.readouterr()
    return int(code), out, err


def rules_on_disk(cfg: Path) -> dict[str, str]:
    d = cfg / "mlmon" / "rules"
    return {p.name: p.read_text() for p in sorted(d.glob("*.rules.yml"))} if d.exists() else {}


def reload_ok(url: str) -> bool:
    return requests.get(url + "/api/v1/status/runtimeinfo", timeout=5).json()["data"]["reloadConfigSuccess"]


def test_first_apply_noop_change_remove(prom, servers, tmp_path, capsys):
    cfg = tmp_path / "prom"
    gen = make_generated(tmp_path / "gen", {"fraud.rules.yml": FRAUD_V1, "churn.rules.yml": CHURN_V1})
    proxy = servers.proxy(prom.url)
    common = dict(generated=gen, prometheus=proxy.url, prometheus_config_dir=cfg, state_dir=tmp_path / "state")

    code, out, err = run(diff_cmd, capsys, exit_code=True, **common)
    assert code == 1, err
    assert "+ rule_group mlmon-churn-drift" in out and "+ rule_group mlmon-fraud-detector-slo" in out
    assert "team-owned" not in out  # a group mlmon does not own is never part of the plan

    code, out, err = run(apply_cmd, capsys, **common)
    assert code == 0, err
    assert set(live_prometheus_groups(prom.url)) == V1_GROUPS
    assert rules_on_disk(cfg) == {"churn.rules.yml": CHURN_V1, "fraud.rules.yml": FRAUD_V1}
    assert (cfg / "mlmon" / "rules").is_symlink()
    assert proxy.count("POST", "/-/reload") == 1

    # no-op: the plan is empty after apply, and a second apply does not even reload
    code, out, _ = run(diff_cmd, capsys, exit_code=True, **common)
    assert code == 0 and "no changes" in out
    code, _, err = run(apply_cmd, capsys, **common)
    assert code == 0 and "nothing to apply" in err
    assert proxy.count("POST", "/-/reload") == 1

    # change + add a rule + remove a whole file; the foreign group stays
    make_generated(gen, {"fraud.rules.yml": FRAUD_V2})
    code, out, _ = run(diff_cmd, capsys, **common)
    assert "~ rule_group mlmon-fraud-detector-slo" in out
    assert "+ rule mlmon-fraud-detector-slo/alert:MLModelSLONoData" in out
    assert "- rule_group mlmon-churn-drift" in out
    code, out, err = run(apply_cmd, capsys, **common)
    assert code == 0, err
    live = live_prometheus_groups(prom.url)
    assert set(live) == {"mlmon-fraud-detector-slo", "team-owned"}
    assert live["mlmon-fraud-detector-slo"] == ["mlmon_slo:sli_error:ratio_rate5m", "MLModelSLOBurnRate", "MLModelSLONoData"]
    assert live_alert_for(prom.url, "mlmon-fraud-detector-slo", "MLModelSLOBurnRate") == 300
    assert run(diff_cmd, capsys, exit_code=True, **common)[0] == 0
    # only the current and the previous rule set are kept
    versions = [p.name for p in (cfg / "mlmon").iterdir() if p.name.startswith(".rules-")]
    assert len(versions) == 2


def test_rollback_when_the_server_rejects_the_rules(prom, servers, tmp_path, capsys):
    cfg = tmp_path / "prom"
    gen = make_generated(tmp_path / "gen", {"fraud.rules.yml": FRAUD_V1, "churn.rules.yml": CHURN_V1})
    common = dict(generated=gen, prometheus=prom.url, prometheus_config_dir=cfg, state_dir=tmp_path / "state")
    assert run(apply_cmd, capsys, **common)[0] == 0

    # promtool rejects it before anything is written
    make_generated(gen, {"fraud.rules.yml": FRAUD_BROKEN, "churn.rules.yml": CHURN_V1})
    code, _, err = run(apply_cmd, capsys, **common)
    assert code == 1, err
    assert "fraud.rules.yml:" in err and "promtool" in err and "nothing was changed" in err and "rolled back" not in err
    assert rules_on_disk(cfg) == {"churn.rules.yml": CHURN_V1, "fraud.rules.yml": FRAUD_V1}

    # the server rejects it (a reload answered 500): rolled back
    proxy = servers.proxy(prom.url, [Fault("POST", "/-/reload", "status", status=500, body=b"failed to reload config", times=1)])
    make_generated(gen, {"fraud.rules.yml": FRAUD_V2, "churn.rules.yml": CHURN_V1})
    code, _, err = run(apply_cmd, capsys, **{**common, "prometheus": proxy.url})
    assert code == 1
    assert "HTTP 500" in err and "restored the previous rule files" in err
    assert "prometheus: rolled back" in err and "Traceback" not in err
    # old state everywhere: disk, loaded rules, reload status
    assert rules_on_disk(cfg) == {"churn.rules.yml": CHURN_V1, "fraud.rules.yml": FRAUD_V1}
    assert set(live_prometheus_groups(prom.url)) == V1_GROUPS
    assert live_alert_for(prom.url, "mlmon-fraud-detector-slo", "MLModelSLOBurnRate") == 120
    assert reload_ok(prom.url)


def test_rollback_when_verification_fails(prom, servers, tmp_path, capsys):
    """The reload succeeds but /api/v1/rules afterwards does not show the new groups."""
    cfg = tmp_path / "prom"
    gen = make_generated(tmp_path / "gen", {"fraud.rules.yml": FRAUD_V1, "churn.rules.yml": CHURN_V1})
    assert run(apply_cmd, capsys, generated=gen, prometheus=prom.url, prometheus_config_dir=cfg, state_dir=tmp_path / "s")[0] == 0

    proxy = servers.proxy(prom.url)
    # after the first reload, answer /api/v1/rules with no groups at all (until the rollback reload)
    proxy.faults.append(
        Fault(
            "GET",
            "/api/v1/rules",
            "rewrite",
            when=lambda: proxy.count("POST", "/-/reload") == 1,
            rewrite=lambda body: b'{"status":"success","data":{"groups":[]}}',
        )
    )
    make_generated(gen, {"fraud.rules.yml": FRAUD_V2})
    code, _, err = run(apply_cmd, capsys, generated=gen, prometheus=proxy.url, prometheus_config_dir=cfg, state_dir=tmp_path / "s")
    assert code == 1, err
    assert "verification failed" in err and "restored the previous rule files and reloaded" in err
    assert proxy.count("POST", "/-/reload") == 2  # the apply and the rollback
    assert rules_on_disk(cfg) == {"churn.rules.yml": CHURN_V1, "fraud.rules.yml": FRAUD_V1}
    assert set(live_prometheus_groups(prom.url)) == V1_GROUPS
    assert live_alert_for(prom.url, "mlmon-fraud-detector-slo", "MLModelSLOBurnRate") == 120


def test_server_without_mlmon_rule_files_is_refused(servers, tmp_path, capsys):
    prom = servers.prometheus(tmp_path / "p2", config="global: {evaluation_interval: 15s}\n")
    gen = make_generated(tmp_path / "gen", {"fraud.rules.yml": FRAUD_V1})
    code, _, err = run(apply_cmd, capsys, generated=gen, prometheus=prom.url, prometheus_config_dir=tmp_path / "p2", state_dir=tmp_path / "s")
    assert code == 2
    assert 'rule_files: ["mlmon/rules/*.rules.yml"]' in err
    owned = tmp_path / "p2" / "mlmon"
    assert not owned.exists() or [p.name for p in owned.iterdir()] == [".lock"]  # nothing written
    assert not (owned / ".lock").exists() or (owned / ".lock").read_text() == ""  # lock released


def test_hand_written_rules_dir_is_taken_over(servers, tmp_path, capsys):
    cfg = tmp_path / "prom"
    prom = servers.prometheus(cfg, rules={"fraud.rules.yml": FRAUD_V1, "churn.rules.yml": CHURN_V1})
    assert not (cfg / "mlmon" / "rules").is_symlink()
    gen = make_generated(tmp_path / "gen", {"fraud.rules.yml": FRAUD_V1, "churn.rules.yml": CHURN_V1})
    common = dict(generated=gen, prometheus=prom.url, prometheus_config_dir=cfg, state_dir=tmp_path / "s")
    # equal to the generated files, not yet recorded as mlmon's: apply takes them over without --force
    code, out, _ = run(diff_cmd, capsys, exit_code=True, **common)
    assert code == 1 and "equal to the generated files but not recorded as mlmon's" in out, out
    assert run(apply_cmd, capsys, **common)[0] == 0
    assert (cfg / "mlmon" / "rules").is_symlink()
    assert run(diff_cmd, capsys, exit_code=True, **common)[0] == 0
    make_generated(gen, {"fraud.rules.yml": FRAUD_V2})
    assert run(apply_cmd, capsys, **common)[0] == 0
    assert set(live_prometheus_groups(prom.url)) == {"mlmon-fraud-detector-slo"}


def test_hand_written_rules_dir_that_differs_needs_force(servers, tmp_path, capsys):
    cfg = tmp_path / "prom"
    prom = servers.prometheus(cfg, rules={"fraud.rules.yml": FRAUD_V1})
    gen = make_generated(tmp_path / "gen", {"fraud.rules.yml": FRAUD_V2})
    common = dict(generated=gen, prometheus=prom.url, prometheus_config_dir=cfg, state_dir=tmp_path / "s")
    code, out, _ = run(diff_cmd, capsys, **common)
    assert f"~ files {cfg / 'mlmon' / 'rules'} (not written by mlmon; `apply --force` takes over what is there)" in out, out
    code, _, err = run(apply_cmd, capsys, **common)
    assert code == 1 and "nothing was changed" in err
    assert not (cfg / "mlmon" / "rules").is_symlink()
    assert run(apply_cmd, capsys, force=True, **common)[0] == 0
    assert live_prometheus_groups(prom.url)["mlmon-fraud-detector-slo"][-1] == "MLModelSLONoData"


def test_wrong_config_dir_is_refused_before_writing(prom, tmp_path, capsys):
    gen = make_generated(tmp_path / "gen", {"fraud.rules.yml": FRAUD_V1})
    wrong = tmp_path / "elsewhere"
    wrong.mkdir()
    code, _, err = run(apply_cmd, capsys, generated=gen, prometheus=prom.url, prometheus_config_dir=wrong, state_dir=tmp_path / "s")
    assert code == 2
    assert f"the server loads {tmp_path / 'prom' / 'prometheus.yml'}" in err and f"--prometheus-config-dir {tmp_path / 'prom'}" in err
    assert not (wrong / "mlmon" / "rules").exists()
    assert set(live_prometheus_groups(prom.url)) == {"team-owned"}


def test_hand_edited_rule_file_is_reverted(prom, tmp_path, capsys):
    """Someone edits a file of mlmon's rule set in place and reloads: the edit shows in the plan,
    apply refuses to overwrite it without --force, and apply --force puts the generated file back
    (the edited folder is never reused)."""
    cfg = tmp_path / "prom"
    gen = make_generated(tmp_path / "gen", {"fraud.rules.yml": FRAUD_V1, "churn.rules.yml": CHURN_V1})
    common = dict(generated=gen, prometheus=prom.url, prometheus_config_dir=cfg, state_dir=tmp_path / "s")
    assert run(apply_cmd, capsys, **common)[0] == 0
    edited = cfg / "mlmon" / "rules" / "fraud.rules.yml"
    edited.write_text(FRAUD_V1.replace("for: 2m", "for: 7m"))
    requests.post(prom.url + "/-/reload", timeout=5).raise_for_status()
    assert live_alert_for(prom.url, "mlmon-fraud-detector-slo", "MLModelSLOBurnRate") == 420
    code, out, _ = run(diff_cmd, capsys, exit_code=True, **common)
    assert code == 1 and "~ rule mlmon-fraud-detector-slo/alert:MLModelSLOBurnRate" in out
    assert f"~ files {cfg / 'mlmon' / 'rules'} (edited outside mlmon since the last apply; apply needs --force)" in out
    # refused without --force, as a dashboard edited in the Grafana UI is
    code, _, err = run(apply_cmd, capsys, **common)
    assert code == 1 and "edited outside mlmon" in err and "nothing was changed" in err
    assert live_alert_for(prom.url, "mlmon-fraud-detector-slo", "MLModelSLOBurnRate") == 420
    code, _, err = run(apply_cmd, capsys, force=True, **common)
    assert code == 0, err
    assert live_alert_for(prom.url, "mlmon-fraud-detector-slo", "MLModelSLOBurnRate") == 120
    assert rules_on_disk(cfg) == {"churn.rules.yml": CHURN_V1, "fraud.rules.yml": FRAUD_V1}
    assert run(diff_cmd, capsys, exit_code=True, **common)[0] == 0
