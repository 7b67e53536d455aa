"""`mlmon up` as a user runs it: URLs printed, stops cleanly (duration, SIGTERM, SIGINT) leaving no
process behind; a taken port or a missing binary is exit code 2."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mlmon import stack as S

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]


def up_argv(*extra: str) -> list[str]:
    ports = [S.free_port() for _ in range(4)]
    return [
        sys.executable,
        "-m",
        "mlmon",
        "up",
        str(REPO / "examples" / "demo" / "spec.yaml"),
        "--prometheus-port",
        str(ports[0]),
        "--alertmanager-port",
        str(ports[1]),
        "--sink-port",
        str(ports[2]),
        "--demo-port",
        str(ports[3]),
        "--no-live",
        "--rate",
        "5",
        *extra,
    ]


def env() -> dict:
    return {**os.environ, "PYTHONPATH": str(REPO / "cli")}


def stopped_pids(stderr: str) -> list[int]:
    line = next((x for x in stderr.splitlines() if x.startswith("mlmon up: stopped ")), "")
    return [int(p) for p in re.findall(r"\(pid (\d+)\)", line)]


def assert_gone(pids: list[int]) -> None:
    assert len(pids) == 3, pids  # demo, alertmanager, prometheus
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


@pytest.fixture(autouse=True)
def _binaries():
    if S.missing_binaries():
        pytest.skip("prometheus / prometheus-alertmanager not installed (make tools)")


def test_up_prints_urls_and_stops_after_duration():
    r = subprocess.run(up_argv("--duration", "3"), env=env(), capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    for word in (
        "Prometheus     http://127.0.0.1:",
        "Alertmanager   http://127.0.0.1:",
        "webhook sink   http://127.0.0.1:",
        "demo model     http://127.0.0.1:",
    ):
        assert word in r.stdout
    assert_gone(stopped_pids(r.stderr))


DEFAULT_SIGINT = "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])"


def signalled(*signals: signal.Signals, pause: float = 0.3) -> tuple[int, str]:
    """Start `mlmon up`, wait until the stack is up, send ``signals`` (``pause`` seconds apart, each
    only while mlmon still runs); returns its exit code and stderr."""
    # SIGINT as a terminal's foreground job has it: a test run started in the background of a
    # script (``make test &``) inherits SIGINT ignored, and Python then leaves it ignored. The
    # wrapper resets it and execs `mlmon up` in the same process (same pid).
    p = subprocess.Popen([sys.executable, "-c", DEFAULT_SIGINT, *up_argv()], env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 90
        for line in p.stdout:  # wait until the stack is up
            if "Ctrl-C stops everything." in line or time.monotonic() > deadline:
                break
        for i, sig in enumerate(signals):
            if i:
                time.sleep(pause)
            if p.poll() is None:
                p.send_signal(sig)
        _, err = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    return p.returncode, err


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_up_stops_cleanly_on_a_signal(sig):
    code, err = signalled(sig)
    assert code == 0, err
    assert_gone(stopped_pids(err))


def test_a_second_ctrl_c_while_stopping_still_stops_everything():
    """Users press Ctrl-C twice: the second one, while the stack is stopping (the demo drains for
    up to a second), neither cuts the stop short nor changes the exit code."""
    code, err = signalled(signal.SIGINT, signal.SIGINT)
    assert code == 0, err
    assert_gone(stopped_pids(err))


def test_port_taken_is_exit_2():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        argv = up_argv("--duration", "5")
        argv[argv.index("--alertmanager-port") + 1] = str(port)
        r = subprocess.run(argv, env=env(), capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert f"port 127.0.0.1:{port} for Alertmanager is already in use" in r.stderr


def test_missing_binary_is_exit_2(tmp_path):
    e = env()
    e["PATH"] = str(tmp_path)  # no prometheus on PATH
    r = subprocess.run(up_argv("--duration", "5"), env=e, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert "missing binary: prometheus, prometheus-alertmanager" in r.stderr
