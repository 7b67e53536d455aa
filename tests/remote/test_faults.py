"""Fault injection: timeouts, 500s, dropped connections, a server dying mid-apply, mlmon killed
mid-apply, concurrent applies. Every server must end in its old or its new state, never between."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from remote_fixtures import AM_OLD, AM_V1, REPO, V1, V1_LIVE, V2, V2_LIVE, live_am_config, live_prometheus_groups, make_generated, run

from helpers.servers import Fault, free_port
from mlmon.commands import apply as apply_cmd
from mlmon.commands import diff as diff_cmd
from mlmon.remote.lock import TargetLock

pytestmark = pytest.mark.e2e


@pytest.fixture
def prom_v1(servers, tmp_path, capsys):
    """A Prometheus with v1 applied by mlmon; generated/ already holds v2."""
    cfg = tmp_path / "prom"
    prom = servers.prometheus(cfg)
    gen = make_generated(tmp_path / "gen", V1)
    assert run(apply_cmd, capsys, generated=gen, prometheus=prom.url, prometheus_config_dir=cfg, state_dir=tmp_path / "s")[0] == 0
    make_generated(gen, V2)
    return prom, cfg, gen


def on_disk(cfg) -> dict:
    d = cfg / "mlmon" / "rules"
    return {p.name: p.read_text() for p in sorted(d.glob("*.rules.yml"))}


# --- reads ---------------------------------------------------------------------------------------
def test_get_500s_are_retried_with_backoff(prom_v1, servers, capsys):
    prom, cfg, gen = prom_v1
    proxy = servers.proxy(prom.url, [Fault("GET", "/api/v1/rules", "status", status=503, times=2)])
    code, out, err = run(diff_cmd, capsys, generated=gen, prometheus=proxy.url)
    assert code == 0, err
    assert "~ rule_group mlmon-fraud-detector-slo" in out
    assert proxy.count("GET", "/api/v1/rules") == 3  # two 503s, then the answer


def test_persistent_500_is_a_clear_error(prom_v1, servers, capsys):
    prom, cfg, gen = prom_v1
    proxy = servers.proxy(prom.url, [Fault("GET", "/api/v1/status/config", "status", status=500)])
    code, out, err = run(diff_cmd, capsys, generated=gen, prometheus=proxy.url)
    assert code == 2
    assert f"prometheus at {proxy.url}" in err and "/api/v1/status/config" in err and "500" in err
    assert "Traceback" not in err and out == ""


def test_read_timeout_is_a_clear_error(prom_v1, servers, capsys):
    prom, cfg, gen = prom_v1
    proxy = servers.proxy(prom.url, [Fault("GET", "/api/v1/rules", "delay", seconds=1.5)])
    code, _, err = run(diff_cmd, capsys, generated=gen, prometheus=proxy.url, timeout=0.3)
    assert code == 2
    assert "reading loaded rules" in err and "no answer within 0.3s (3 retries)" in err, err
    assert "Traceback" not in err


def test_connection_refused_and_dropped(prom_v1, servers, capsys):
    prom, cfg, gen = prom_v1
    code, _, err = run(diff_cmd, capsys, generated=gen, prometheus=f"http://127.0.0.1:{free_port()}")
    assert code == 2 and "connection refused" in err, err
    proxy = servers.proxy(prom.url, [Fault("GET", "/api/v1/rules", "drop")])
    code, _, err = run(diff_cmd, capsys, generated=gen, prometheus=proxy.url)
    assert code == 2 and "closed the connection without answering" in err and "Traceback" not in err, err
    assert proxy.count("GET", "/api/v1/rules") == 4  # first try + 3 retries


# --- writes --------------------------------------------------------------------------------------
def test_reload_is_never_retried_and_500_rolls_back(prom_v1, servers, tmp_path, capsys):
    prom, cfg, gen = prom_v1
    proxy = servers.proxy(prom.url, [Fault("POST", "/-/reload", "status", status=500, times=1)])
    code, _, err = run(apply_cmd, capsys, generated=gen, prometheus=proxy.url, prometheus_config_dir=cfg, state_dir=tmp_path / "s")
    assert code == 1, err
    assert proxy.count("POST", "/-/reload") == 2  # the failed one (not retried) + the rollback
    assert on_disk(cfg) == V1
    assert live_prometheus_groups(prom.url) == V1_LIVE


def test_lost_reload_answer_is_verified_not_guessed(prom_v1, servers, tmp_path, capsys):
    """The server reloads but the answer never arrives: mlmon checks the server and succeeds."""
    prom, cfg, gen = prom_v1
    proxy = servers.proxy(prom.url, [Fault("POST", "/-/reload", "drop_after", times=1)])
    code, out, err = run(apply_cmd, capsys, generated=gen, prometheus=proxy.url, prometheus_config_dir=cfg, state_dir=tmp_path / "s")
    assert code == 0, err
    assert proxy.count("POST", "/-/reload") == 1
    assert on_disk(cfg) == V2
    assert live_prometheus_groups(prom.url) == V2_LIVE


def test_server_dies_during_apply(prom_v1, servers, tmp_path, capsys):
    """Prometheus is killed just before the reload: no state in between after it comes back."""
    prom, cfg, gen = prom_v1
    proxy = servers.proxy(prom.url, [Fault("POST", "/-/reload", "hook", hook=prom.kill, times=1)])
    code, _, err = run(apply_cmd, capsys, generated=gen, prometheus=proxy.url, prometheus_config_dir=cfg, state_dir=tmp_path / "s")
    assert code == 2, err
    assert "previous rule files are back on disk" in err and "NOT rolled back" in err
    assert on_disk(cfg) == V1
    prom.start()
    assert live_prometheus_groups(prom.url) == V1_LIVE


def test_alertmanager_dies_during_apply(servers, tmp_path, capsys):
    conf = tmp_path / "am" / "alertmanager.yml"
    am = servers.alertmanager(conf, config=AM_OLD)
    gen = make_generated(tmp_path / "gen", am=AM_V1)
    proxy = servers.proxy(am.url, [Fault("POST", "/-/reload", "hook", hook=am.kill, times=1)])
    code, _, err = run(apply_cmd, capsys, generated=gen, alertmanager=proxy.url, alertmanager_config=conf, state_dir=tmp_path / "s", force=True)
    assert code == 2, err
    assert conf.read_text() == AM_OLD
    am.start()
    assert [r["name"] for r in live_am_config(am.url)["receivers"]] == ["old"]


def test_mlmon_killed_mid_apply_then_next_apply_recovers(prom_v1, servers, tmp_path, capsys):
    """SIGKILL while the reload is in flight: the server holds v1 or v2 (never a mix), the lock
    left behind is stale and taken over, and the next apply converges."""
    prom, cfg, gen = prom_v1
    proxy = servers.proxy(prom.url, [Fault("POST", "/-/reload", "delay", seconds=1.0, times=1)])
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLMON_")}
    env["PYTHONPATH"] = str(REPO / "cli")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mlmon",
            "apply",
            "--yes",
            "--generated",
            str(gen),
            "--prometheus",
            proxy.url,
            "--prometheus-config-dir",
            str(cfg),
            "--state-dir",
            str(tmp_path / "s"),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while proxy.count("POST", "/-/reload") == 0 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.01)
        assert proxy.count("POST", "/-/reload") == 1, "apply never reached the reload"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(10)
    assert json.loads((cfg / "mlmon" / ".lock").read_text())["pid"] == proc.pid  # names the killed process
    time.sleep(1.2)  # let the delayed reload reach the server (or not)
    assert live_prometheus_groups(prom.url) in (V1_LIVE, V2_LIVE)
    assert on_disk(cfg) in (V1, V2)
    code, _, err = run(apply_cmd, capsys, generated=gen, prometheus=prom.url, prometheus_config_dir=cfg, state_dir=tmp_path / "s")
    assert code == 0, err
    assert live_prometheus_groups(prom.url) == V2_LIVE
    assert (cfg / "mlmon" / ".lock").read_text() == ""  # released


# --- locks ---------------------------------------------------------------------------------------
def test_concurrent_apply_is_blocked_by_the_lock(prom_v1, tmp_path, capsys):
    prom, cfg, gen = prom_v1
    with TargetLock(cfg / "mlmon" / ".lock", "prometheus"):  # another apply, alive (this process)
        code, _, err = run(apply_cmd, capsys, generated=gen, prometheus=prom.url, prometheus_config_dir=cfg, state_dir=tmp_path / "s")
        assert code == 2
        assert "another mlmon apply holds the lock" in err and str(os.getpid()) in err
        assert on_disk(cfg) == V1
        assert live_prometheus_groups(prom.url) == V1_LIVE
        # a dry run takes no lock and still works
        assert run(apply_cmd, capsys, generated=gen, prometheus=prom.url, prometheus_config_dir=cfg, dry_run=True)[0] == 0
    assert run(apply_cmd, capsys, generated=gen, prometheus=prom.url, prometheus_config_dir=cfg, state_dir=tmp_path / "s")[0] == 0
    assert live_prometheus_groups(prom.url) == V2_LIVE


def test_reload_timeout_ends_in_old_state(prom_v1, servers, tmp_path, capsys):
    """The reload request is slower than the client's timeout: mlmon cannot tell whether it ran, so
    verification fails (normally), the old files come back and are reloaded. Whatever order the late reload
    and the rollback reload reach the server in, both load the old files."""
    prom, cfg, gen = prom_v1
    proxy = servers.proxy(prom.url, [Fault("POST", "/-/reload", "delay", seconds=1.5, times=1)])
    code, _, err = run(apply_cmd, capsys, generated=gen, prometheus=proxy.url, prometheus_config_dir=cfg, state_dir=tmp_path / "s", timeout=0.6)
    time.sleep(1.5)  # the late reload has reached the server by now
    if code == 0:  # only if the machine stalled so long that the late reload landed before verification
        assert on_disk(cfg) == V2 and live_prometheus_groups(prom.url) == V2_LIVE
    else:
        assert code == 1, err
        assert "restored the previous rule files" in err
        assert on_disk(cfg) == V1
        assert live_prometheus_groups(prom.url) == V1_LIVE


def test_mlmon_killed_mid_apply_alertmanager(servers, tmp_path, capsys):
    conf = tmp_path / "am" / "alertmanager.yml"
    am = servers.alertmanager(conf, config=AM_OLD)
    gen = make_generated(tmp_path / "gen", am=AM_V1)
    proxy = servers.proxy(am.url, [Fault("POST", "/-/reload", "delay", seconds=1.0, times=1)])
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLMON_")}
    env["PYTHONPATH"] = str(REPO / "cli")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mlmon",
            "apply",
            "--yes",
            "--force",
            "--generated",
            str(gen),
            "--alertmanager",
            proxy.url,
            "--alertmanager-config",
            str(conf),
            "--state-dir",
            str(tmp_path / "s"),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while proxy.count("POST", "/-/reload") == 0 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.01)
        assert proxy.count("POST", "/-/reload") == 1, "apply never reached the reload"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(10)
    time.sleep(1.2)
    receivers = [r["name"] for r in live_am_config(am.url)["receivers"]]
    assert receivers in (["old"], ["default", "pagerduty-risk-ml", "slack-risk-ml"])
    assert conf.read_text() in (AM_OLD, AM_V1)
    code, _, err = run(apply_cmd, capsys, generated=gen, alertmanager=am.url, alertmanager_config=conf, state_dir=tmp_path / "s", force=True)
    assert code == 0, err
    assert [r["name"] for r in live_am_config(am.url)["receivers"]] == ["default", "pagerduty-risk-ml", "slack-risk-ml"]
