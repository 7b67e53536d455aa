"""mlmon stopped in the middle of an apply: killed (SIGKILL) while the server reloads, or sent
SIGTERM / Ctrl-C. The disk and the loaded state never drift apart invisibly: a plan compares both,
a journal lets the next apply finish or roll back, a signal rolls back at once, and a backup is
never a file the server did not load. Real Prometheus and Alertmanager on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from remote_fixtures import AM_OLD, AM_V1, AM_V2, REPO, V1, V1_LIVE, V2, V2_LIVE, live_am_config, live_prometheus_groups, make_generated, run

from helpers.servers import Fault
from mlmon.commands import apply as apply_cmd
from mlmon.commands import diff as diff_cmd

pytestmark = pytest.mark.e2e


class Mlmon:
    """`mlmon apply --yes ARGS` in its own process, to be killed or signalled by the test."""

    def __init__(self, *args):
        env = {k: v for k, v in os.environ.items() if not k.startswith("MLMON_")}
        env["PYTHONPATH"] = str(REPO / "cli")
        argv = [sys.executable, "-m", "mlmon", "apply", "--yes", *map(str, args)]
        self.proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)

    def kill(self, signum=signal.SIGKILL):
        os.kill(self.proc.pid, signum)

    def wait(self):
        try:
            out, err = self.proc.communicate(timeout=30)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
        return self.proc.returncode, out, err


@pytest.fixture
def prom_v1(servers, tmp_path, capsys):
    cfg = tmp_path / "prom"
    prom = servers.prometheus(cfg)
    gen = make_generated(tmp_path / "gen", V1)
    assert run(apply_cmd, capsys, generated=gen, prometheus=prom.url, prometheus_config_dir=cfg)[0] == 0
    make_generated(gen, V2)
    return prom, cfg, gen


def on_disk(cfg) -> dict:
    return {p.name: p.read_text() for p in sorted((cfg / "mlmon" / "rules").glob("*.rules.yml"))}


@pytest.mark.parametrize("reload_reaches_the_server", [False, True], ids=["rejected", "loaded"])
def test_killed_during_the_reload_then_the_next_apply_finishes_or_rolls_back(prom_v1, servers, tmp_path, capsys, reload_reaches_the_server):
    prom, cfg, gen = prom_v1
    holder: list[Mlmon] = []
    # the reload request kills mlmon; then the server either rejects it (500, never loaded) or loads it
    fault = Fault("POST", "/-/reload", "hook" if reload_reaches_the_server else "status", status=500, times=1, hook=lambda: holder[0].kill())
    proxy = servers.proxy(prom.url, [fault])
    holder.append(Mlmon("--generated", gen, "--prometheus", proxy.url, "--prometheus-config-dir", cfg))
    code, _, _ = holder[0].wait()
    assert code == -signal.SIGKILL and fault.hits == 1
    assert on_disk(cfg) == V2 and (cfg / "mlmon" / "journal.json").is_file()
    # mlmon died as the request reached the proxy, which then forwards it: the server's answer ends the reload
    assert fault.done.wait(60)
    assert live_prometheus_groups(prom.url) == (V2_LIVE if reload_reaches_the_server else V1_LIVE)

    common = dict(generated=gen, prometheus=prom.url, prometheus_config_dir=cfg)
    if not reload_reaches_the_server:
        # what the old generated files say is loaded, but the disk holds the new set: never "no changes"
        make_generated(gen, V1)
        code, out, _ = run(diff_cmd, capsys, exit_code=True, **common)
        assert code == 1, out
        assert "~ journal" in out and "was interrupted" in out
        assert "on disk but not loaded by the server" in out and "+ rule mlmon-fraud-detector-slo/alert:MLModelSLONoData" in out
        code, _, err = run(apply_cmd, capsys, **common)
        assert code == 0, err
        assert "is rolled back: the previous rule files are on disk and loaded" in err and "nothing to apply" in err
        assert on_disk(cfg) == V1 and live_prometheus_groups(prom.url) == V1_LIVE
    else:
        code, _, err = run(apply_cmd, capsys, **common)
        assert code == 0, err
        assert "had loaded its new rule files: finished it" in err and "nothing to apply" in err
        assert on_disk(cfg) == V2 and live_prometheus_groups(prom.url) == V2_LIVE
    assert not (cfg / "mlmon" / "journal.json").exists()
    assert run(diff_cmd, capsys, exit_code=True, **common)[0] == 0


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_during_the_reload_rolls_back(prom_v1, servers, signum):
    prom, cfg, gen = prom_v1
    holder: list[Mlmon] = []
    fault = Fault("POST", "/-/reload", "delay", seconds=1.0, times=1, hook=lambda: holder[0].kill(signum))
    proxy = servers.proxy(prom.url, [fault])
    holder.append(Mlmon("--generated", gen, "--prometheus", proxy.url, "--prometheus-config-dir", cfg))
    code, out, err = holder[0].wait()
    assert code == 1, err
    assert f"interrupted by {signal.Signals(signum).name}; restored the previous rule files and reloaded" in err
    assert "prometheus: rolled back (previous state restored)" in err
    deadline = time.monotonic() + 10
    while proxy.count("POST", "/-/reload") < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.2)  # the delayed reload has reached the server by now: it loads the restored files too
    assert on_disk(cfg) == V1 and live_prometheus_groups(prom.url) == V1_LIVE
    assert not (cfg / "mlmon" / "journal.json").exists()


def test_alertmanager_backup_is_never_a_file_that_did_not_load(servers, tmp_path, capsys):
    conf = tmp_path / "am" / "alertmanager.yml"
    am = servers.alertmanager(conf, config=AM_OLD)
    side = conf.parent / ".alertmanager.yml.mlmon"
    gen = make_generated(tmp_path / "gen", am=AM_V1)
    common = dict(generated=gen, alertmanager=am.url, alertmanager_config=conf)
    assert run(apply_cmd, capsys, force=True, **common)[0] == 0
    assert (side / "backup.yml").read_text() == AM_OLD

    # killed while the server rejects V2: the disk holds V2, the server V1
    make_generated(gen, am=AM_V2)
    holder: list[Mlmon] = []
    proxy = servers.proxy(am.url, [Fault("POST", "/-/reload", "status", status=500, times=1, hook=lambda: holder[0].kill())])
    holder.append(Mlmon("--generated", gen, "--alertmanager", proxy.url, "--alertmanager-config", conf))
    assert holder[0].wait()[0] == -signal.SIGKILL
    assert conf.read_text() == AM_V2 and "offhours" not in str(live_am_config(am.url))
    code, out, _ = run(diff_cmd, capsys, exit_code=True, **common)
    assert code == 1 and "was interrupted" in out and "on disk but not loaded by the server" in out

    # the rerun rolls the interrupted apply back, then applies; the backup is the last file that loaded
    code, _, err = run(apply_cmd, capsys, **common)
    assert code == 0, err
    assert "is rolled back" in err and "offhours" in str(live_am_config(am.url))
    assert (side / "backup.yml").read_text() == AM_V1

    # a hand-written file the server never loaded is never backed up either
    conf.write_text(AM_V2.replace("#risk-ml-pager", "#not-loaded"))
    make_generated(gen, am=AM_V1)
    code, out, _ = run(diff_cmd, capsys, **common)
    assert "edited outside mlmon since the last apply" in out and "on disk but not loaded" in out, out
    assert run(apply_cmd, capsys, **common)[0] == 1  # refused without --force
    code, _, err = run(apply_cmd, capsys, force=True, **common)
    assert code == 0, err
    assert (side / "backup.yml").read_text() == AM_V1 and conf.read_text() == AM_V1
