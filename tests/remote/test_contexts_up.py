"""`mlmon up`, then `mlmon apply --context local`, then `mlmon diff --context local`: the stack's
Prometheus rules are laid out as apply manages them, so the plan is empty at once, a changed rule
set applies, and the plan is empty again. Everything on 127.0.0.1; the stack is stopped by PID."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
import yaml
from remote_fixtures import REPO, live_prometheus_groups
from typer.testing import CliRunner

from helpers.servers import free_port, require
from mlmon.app import app

pytestmark = pytest.mark.e2e


def wait_for_context(path, proc, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if path.is_file() and "local" in (yaml.safe_load(path.read_text()) or {}).get("contexts", {}):
            return
        time.sleep(0.1)
    raise AssertionError(f"`mlmon up` did not write the context local (exit {proc.poll()})")


def cli(*args):
    r = CliRunner().invoke(app, [str(a) for a in args])
    return r.exit_code, r.stdout, r.stderr


def test_up_then_apply_and_diff_with_the_local_context(tmp_path, monkeypatch):
    require("prometheus")
    require("prometheus-alertmanager")
    for k in list(os.environ):
        if k.startswith("MLMON_"):
            monkeypatch.delenv(k)
    contexts = tmp_path / "contexts.yaml"
    monkeypatch.setenv("MLMON_CONTEXTS", str(contexts))
    state = tmp_path / "up"
    ports = [str(free_port()) for _ in range(4)]
    argv = [sys.executable, "-m", "mlmon", "up", REPO / "examples" / "demo" / "spec.yaml", "--state-dir", state, "--no-live", "--rate", "2"]
    argv += ["--prometheus-port", ports[0], "--alertmanager-port", ports[1], "--sink-port", ports[2], "--demo-port", ports[3], "--duration", "120"]
    env = {**os.environ, "PYTHONPATH": str(REPO / "cli")}
    proc = subprocess.Popen([str(a) for a in argv], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    try:
        wait_for_context(contexts, proc)
        gen = state / "generated"
        # the stack's own rules are already what apply would write: an empty plan
        code, out, err = cli("diff", "--context", "local", "--generated", gen, "--exit-code")
        assert code == 0, out + err
        before = live_prometheus_groups(f"http://127.0.0.1:{ports[0]}")
        assert before, "the stack loaded no mlmon groups"

        # a changed rule set: apply through the context, then the plan is empty again
        changed = tmp_path / "generated"
        shutil.copytree(gen, changed)
        rule_file = sorted((changed / "prometheus" / "rules").glob("*.rules.yml"))[0]
        text = rule_file.read_text()
        assert "for: " in text
        rule_file.write_text(_longer_first_for(text))
        code, out, err = cli("apply", "--context", "local", "--generated", changed, "--yes")
        assert code == 0, out + err
        assert "applied: prometheus" in err
        code, out, err = cli("diff", "--context", "local", "--generated", changed, "--exit-code")
        assert code == 0, out + err
        assert live_prometheus_groups(f"http://127.0.0.1:{ports[0]}").keys() == before.keys()
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert f"context `local` written to {contexts}" in out


def _longer_first_for(text: str) -> str:
    """The rule file with its first ``for:`` duration set to 1h (a real, loadable change)."""
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.strip().startswith("for: "):
            lines[i] = line[: line.index("for: ")] + "for: 1h\n"
            break
    return "".join(lines)
