"""The `mlmon diff` / `mlmon apply` command line: golden plan output, JSON, --exit-code, confirmation,
--dry-run, usage errors and secret redaction in every output."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from remote_fixtures import AM_INLINE_SECRET, AM_V1, AM_V2, CHURN_V1, FRAUD_V1, FRAUD_V2, INLINE_SECRET, live_alert_for, live_prometheus_groups, make_generated
from typer.testing import CliRunner

from helpers.servers import Fault
from mlmon.app import app

pytestmark = pytest.mark.e2e

GOLDEN = Path(__file__).parent / "golden"
UPDATE = bool(os.environ.get("MLMON_UPDATE_GOLDEN"))
TOKEN = "tok-3f9a1c77e2d84b0b9c1e"


@pytest.fixture(autouse=True)
def _no_mlmon_env(monkeypatch):
    for k in list(os.environ):
        if k.startswith("MLMON_") and k != "MLMON_UPDATE_GOLDEN":
            monkeypatch.delenv(k)
    monkeypatch.delenv("NO_COLOR", raising=False)


def cli(*args, env=None):
    result = CliRunner().invoke(app, [str(a) for a in args], env=env or {}, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def stack(servers, tmp_path):
    """Prometheus and Alertmanager with v1 applied by mlmon, generated/ holding v2."""
    pcfg, amcfg = tmp_path / "prom", tmp_path / "am" / "alertmanager.yml"
    prom = servers.prometheus(pcfg)
    am = servers.alertmanager(amcfg, config=AM_V1)
    gen = make_generated(tmp_path / "gen", {"fraud.rules.yml": FRAUD_V1, "churn.rules.yml": CHURN_V1}, AM_V1)
    args = [
        "--generated",
        gen,
        "--prometheus",
        prom.url,
        "--prometheus-config-dir",
        pcfg,
        "--alertmanager",
        am.url,
        "--alertmanager-config",
        amcfg,
        "--state-dir",
        tmp_path / "s",
    ]
    code, _, err = cli("apply", "--yes", *args)
    assert code == 0, err
    make_generated(gen, {"fraud.rules.yml": FRAUD_V2}, AM_V2)
    return prom, am, gen, args, pcfg, amcfg


def _placeholders(text: str, prom, am) -> str:
    return text.replace(prom.url, "<prometheus-url>").replace(am.url, "<alertmanager-url>")


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    assert path.exists(), f"{path} missing: run with MLMON_UPDATE_GOLDEN=1 and review the diff"
    assert text == path.read_text(), f"{name} differs from the golden file (MLMON_UPDATE_GOLDEN=1 refreshes it)"


def test_diff_text_matches_golden(stack):
    prom, am, gen, args, *_ = stack
    code, out, err = cli("diff", "--exit-code", *args)
    assert code == 1, err
    assert "\x1b[" not in out  # no colour codes when stdout is not a terminal
    _golden("diff.txt", _placeholders(out, prom, am))


def test_diff_json_is_stable_and_matches_golden(stack):
    prom, am, gen, args, *_ = stack
    code, out1, _ = cli("diff", "--format", "json", *args)
    code2, out2, _ = cli("diff", "--format", "json", *args)
    assert code == code2 == 0 and out1 == out2
    doc = json.loads(out1)
    assert [t["target"] for t in doc["targets"]] == ["prometheus", "alertmanager"]
    assert doc["summary"] == {"add": 1, "change": 3, "remove": 1}
    assert out1 == json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    _golden("diff.json", _placeholders(out1, prom, am))


def test_dry_run_changes_nothing(stack):
    prom, am, gen, args, pcfg, amcfg = stack
    before_rules = sorted((p.name, p.read_text()) for p in (pcfg / "mlmon" / "rules").iterdir())
    before_am = amcfg.read_text()
    code, out, err = cli("apply", "--dry-run", *args)
    assert code == 0 and "dry run: nothing was changed" in err
    assert "~ rule_group mlmon-fraud-detector-slo" in out
    assert sorted((p.name, p.read_text()) for p in (pcfg / "mlmon" / "rules").iterdir()) == before_rules
    assert amcfg.read_text() == before_am
    assert cli("diff", "--exit-code", *args)[0] == 1  # still pending


def test_apply_refuses_without_yes_when_stdin_is_not_a_terminal(stack):
    prom, am, gen, args, pcfg, amcfg = stack
    before_am = amcfg.read_text()
    code, out, err = cli("apply", *args)
    assert code == 2
    assert "stdin is not a terminal (pass --yes)" in err
    assert amcfg.read_text() == before_am
    code, out, err = cli("apply", "--yes", *args)
    assert code == 0, err
    assert "applied: prometheus, alertmanager" in err
    assert cli("diff", "--exit-code", *args)[0] == 0


def test_refusals_come_before_any_write(stack):
    """amtool rejects the Alertmanager file: Prometheus (applied first) is not touched either."""
    prom, am, gen, args, pcfg, amcfg = stack
    (gen / "alertmanager" / "alertmanager.yml").write_text(AM_V2.replace("receiver: slack-risk-ml", "receiver: missing"))
    code, out, err = cli("apply", "--yes", *args)
    assert code == 1, err
    assert "amtool" in err and "apply refused before any write: nothing was changed" in err
    assert "rolled back" not in err and "apply stopped" not in err
    assert set(live_prometheus_groups(prom.url)) == {"mlmon-fraud-detector-slo", "mlmon-churn-drift"}
    assert amcfg.read_text() == AM_V1


@pytest.mark.parametrize("atomic", [True, False])
def test_later_target_failure_rolls_back_earlier_ones_when_atomic(stack, servers, atomic):
    prom, am, gen, args, pcfg, amcfg = stack
    proxy = servers.proxy(am.url, [Fault("POST", "/-/reload", "status", status=500, body=b"failed to reload config", times=1)])
    args = [proxy.url if a == am.url else a for a in args]
    code, out, err = cli("apply", "--yes", *args, *([] if atomic else ["--no-atomic"]))
    assert code == 1, err
    assert amcfg.read_text() == AM_V1
    if atomic:
        assert (
            "apply stopped. applied: none; rolled back (--atomic): prometheus; alertmanager: rolled back (previous state restored); not attempted: none" in err
        )
        assert set(live_prometheus_groups(prom.url)) == {"mlmon-fraud-detector-slo", "mlmon-churn-drift"}
        assert live_alert_for(prom.url, "mlmon-fraud-detector-slo", "MLModelSLOBurnRate") == 120
    else:
        assert "apply stopped. applied: prometheus; alertmanager: rolled back (previous state restored); not attempted: none" in err
        assert set(live_prometheus_groups(prom.url)) == {"mlmon-fraud-detector-slo"}
    proxy.faults.clear()
    assert cli("apply", "--yes", *args)[0] == 0  # the records agree with the servers: no --force needed
    assert cli("diff", "--exit-code", *args)[0] == 0


def test_targets_from_environment(stack):
    prom, am, gen, args, pcfg, amcfg = stack
    env = {"MLMON_PROMETHEUS_URL": prom.url, "MLMON_ALERTMANAGER_URL": am.url}
    code, out, err = cli("diff", "--generated", gen, env=env)
    assert code == 0, err
    assert f"prometheus {prom.url}: 0 to add, 1 to change, 1 to remove" in out
    assert f"alertmanager {am.url}: 1 to add, 2 to change, 0 to remove" in out


def test_usage_errors(tmp_path):
    gen = make_generated(tmp_path / "gen", {"fraud.rules.yml": FRAUD_V1})
    code, _, err = cli("diff", "--generated", gen)
    assert code == 2 and "no target" in err
    code, _, err = cli("diff", "--generated", tmp_path / "nope", "--prometheus", "http://127.0.0.1:1")
    assert code == 2 and "not a folder" in err
    code, _, err = cli("diff", "--generated", gen, "--prometheus", "http://admin:hunter2-pass@127.0.0.1:1")
    assert code == 2 and "do not put credentials in the URL" in err and "hunter2-pass" not in err
    code, _, err = cli("diff", "--generated", gen, "--prometheus", "127.0.0.1:9090")
    assert code == 2 and "must start with http://" in err
    code, _, err = cli("diff", "--generated", gen, "--prometheus", "http://127.0.0.1:1", "--format", "xml")
    assert code == 2


# --- secrets -----------------------------------------------------------------------------------------
def test_inline_secrets_never_appear(servers, tmp_path):
    amcfg = tmp_path / "am" / "alertmanager.yml"
    live = AM_INLINE_SECRET.replace(f"routing_key: {INLINE_SECRET}", "routing_key: OLD-live-secret-4d2e\n        client: old-client")
    am = servers.alertmanager(amcfg, config=live)
    gen = make_generated(tmp_path / "gen", am=AM_INLINE_SECRET)
    args = ["--generated", gen, "--alertmanager", am.url, "--alertmanager-config", amcfg, "--state-dir", tmp_path / "s"]
    outputs = []
    for fmt in ("text", "json"):
        code, out, err = cli("diff", "--format", fmt, *args)
        assert code == 0, err
        outputs += [out, err]
    assert "~ receiver pagerduty-risk-ml" in outputs[0] and "routing_key: <secret>" in outputs[0]
    code, out, err = cli("apply", "--yes", "--force", *args)  # takes over a file mlmon did not write
    assert code == 0, err
    outputs += [out, err]
    for text in outputs:
        assert INLINE_SECRET not in text and "OLD-live-secret-4d2e" not in text


def test_tokens_never_appear_even_when_the_server_echoes_them(servers, tmp_path):
    prom = servers.prometheus(tmp_path / "prom")
    gen = make_generated(tmp_path / "gen", {"fraud.rules.yml": FRAUD_V1})
    proxy = servers.proxy(prom.url, [Fault("GET", "/api/v1/status/config", "status", status=401, body=f"bad token: Authorization: Bearer {TOKEN}".encode())])
    code, out, err = cli("diff", "--generated", gen, "--prometheus", proxy.url, env={"MLMON_PROMETHEUS_TOKEN": TOKEN})
    assert {h.get("Authorization") for _, _, h in proxy.requests} == {f"Bearer {TOKEN}"}  # the token was sent ...
    assert code == 2
    assert "HTTP 401" in err and "MLMON_PROMETHEUS_TOKEN" in err and "<redacted>" in err
    assert TOKEN not in out + err  # ... and never printed

    # the same token on a working server: a full diff + apply never prints it
    proxy.faults.clear()
    env = {"MLMON_PROMETHEUS_TOKEN": TOKEN}
    code, out, err = cli(
        "apply", "--yes", "--generated", gen, "--prometheus", proxy.url, "--prometheus-config-dir", tmp_path / "prom", "--state-dir", tmp_path / "s", env=env
    )
    assert code == 0, err
    assert TOKEN not in out + err


def test_basic_auth_from_environment(servers, tmp_path):
    prom = servers.prometheus(tmp_path / "prom")
    gen = make_generated(tmp_path / "gen", {"fraud.rules.yml": FRAUD_V1})
    proxy = servers.proxy(prom.url)
    code, out, err = cli(
        "diff", "--generated", gen, "--prometheus", proxy.url, env={"MLMON_PROMETHEUS_USER": "ops", "MLMON_PROMETHEUS_PASSWORD": "pw-77a1b2c3"}
    )
    assert code == 0, err
    auths = {h.get("Authorization") for _, _, h in proxy.requests}
    assert auths == {"Basic b3BzOnB3LTc3YTFiMmMz"}
    assert "pw-77a1b2c3" not in out + err


def test_missing_ca_file_is_a_usage_error(tmp_path):
    gen = make_generated(tmp_path / "gen", {"fraud.rules.yml": FRAUD_V1})
    code, _, err = cli("diff", "--generated", gen, "--prometheus", "https://127.0.0.1:1", env={"MLMON_PROMETHEUS_CA_FILE": str(tmp_path / "none.pem")})
    assert code == 2 and "MLMON_PROMETHEUS_CA_FILE" in err


@pytest.mark.parametrize("answer, code", [("n\n", 2), ("y\n", 0)])
def test_apply_asks_on_a_terminal(servers, tmp_path, answer, code):
    """stdin is a terminal (a pty): apply asks, and only `y` applies."""
    import pty
    import subprocess
    import sys

    from remote_fixtures import REPO, live_prometheus_groups

    cfg = tmp_path / "prom"
    prom = servers.prometheus(cfg)
    gen = make_generated(tmp_path / "gen", {"fraud.rules.yml": FRAUD_V1})
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLMON_")}
    env["PYTHONPATH"] = str(REPO / "cli")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mlmon",
            "apply",
            "--generated",
            str(gen),
            "--prometheus",
            prom.url,
            "--prometheus-config-dir",
            str(cfg),
            "--state-dir",
            str(tmp_path / "s"),
        ],
        stdin=slave,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    os.close(slave)
    os.write(master, answer.encode())
    out, err = proc.communicate(timeout=30)
    os.close(master)
    assert proc.returncode == code, err.decode()
    assert "Apply these changes? [y/N]" in err.decode()
    assert ("mlmon-fraud-detector-slo" in live_prometheus_groups(prom.url)) == (code == 0)
