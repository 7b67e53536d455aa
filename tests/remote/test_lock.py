"""The apply lock: an OS lock (flock) naming its holder; a dead holder on this host never blocks, a
lock left by another host is removed only by `mlmon unlock` after a confirmation."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
from remote_fixtures import REPO
from typer.testing import CliRunner

from mlmon.app import app
from mlmon.remote.errors import RemoteError
from mlmon.remote.lock import TargetLock, inspect

HOLD = "import sys, time; from mlmon.remote.lock import TargetLock; TargetLock(sys.argv[1], 'prometheus').acquire(); print('held', flush=True); time.sleep(60)"


def holder_process(path):
    env = {**os.environ, "PYTHONPATH": str(REPO / "cli")}
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE, env=env, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def stop(proc):
    if proc.poll() is None:
        proc.kill()
    proc.wait(10)


def test_a_killed_holder_never_blocks(tmp_path):
    path = tmp_path / "cfg" / "mlmon" / ".lock"
    proc = holder_process(path)
    try:
        with pytest.raises(RemoteError) as err:
            TargetLock(path, "prometheus").acquire()
        msg = str(err.value)
        assert "another mlmon apply holds the lock" in msg and f"pid {proc.pid} on {socket.gethostname()}, for " in msg
        assert inspect(path)[0] == "running"
        os.kill(proc.pid, signal.SIGKILL)  # no clean-up at all: the file still names it
    finally:
        stop(proc)
    assert json.loads(path.read_text())["pid"] == proc.pid
    assert inspect(path)[0] == "left"
    with TargetLock(path, "prometheus"):
        assert json.loads(path.read_text())["pid"] == os.getpid()
    assert path.read_text() == "" and inspect(path)[0] == "free"


def left_by_another_host(path, started=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"host": "ci-runner-7", "pid": 4242, "started": started or int(time.time()) - 75}) + "\n")


def test_a_lock_from_another_host_needs_unlock(tmp_path):
    cfg = tmp_path / "cfg"
    path = cfg / "mlmon" / ".lock"
    left_by_another_host(path)
    with pytest.raises(RemoteError) as err:
        TargetLock(path, "prometheus").acquire()
    msg = str(err.value)
    assert "pid 4242 on ci-runner-7, another host, for 1m1" in msg and "mlmon unlock" in msg
    args = ["unlock", "--prometheus", "http://127.0.0.1:1", "--prometheus-config-dir", str(cfg)]
    r = CliRunner().invoke(app, args, env={})  # stdin is not a terminal: refused
    assert r.exit_code == 2 and "pass --yes" in r.stderr
    assert "ci-runner-7" in path.read_text()
    r = CliRunner().invoke(app, [*args, "--yes"], env={})
    assert r.exit_code == 0, r.stderr
    assert "removed the lock" in r.stderr and "ci-runner-7" in r.stderr
    with TargetLock(path, "prometheus"):
        pass
    r = CliRunner().invoke(app, [*args, "--yes"], env={})
    assert r.exit_code == 0 and "not locked" in r.stderr


def test_unlock_never_removes_a_running_apply(tmp_path):
    cfg = tmp_path / "cfg"
    path = cfg / "mlmon" / ".lock"
    proc = holder_process(path)
    try:
        r = CliRunner().invoke(app, ["unlock", "--yes", "--prometheus", "http://127.0.0.1:1", "--prometheus-config-dir", str(cfg)], env={})
        assert r.exit_code == 2 and "held by a running apply" in r.stderr and f"pid {proc.pid}" in r.stderr
        assert json.loads(path.read_text())["pid"] == proc.pid
    finally:
        stop(proc)


def test_unlock_asks_on_a_terminal(tmp_path):
    import pty

    cfg = tmp_path / "cfg"
    path = cfg / "mlmon" / ".lock"
    left_by_another_host(path)
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLMON_")}
    env["PYTHONPATH"] = str(REPO / "cli")
    argv = [sys.executable, "-m", "mlmon", "unlock", "--prometheus", "http://127.0.0.1:1", "--prometheus-config-dir", str(cfg)]
    proc = subprocess.Popen(argv, stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    os.close(slave)
    os.write(master, b"y\n")
    _, err = proc.communicate(timeout=30)
    os.close(master)
    assert proc.returncode == 0, err.decode()
    assert "Remove the lock" in err.decode() and "ci-runner-7" in err.decode()
    assert path.read_text() == ""
