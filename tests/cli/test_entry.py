"""`mlmon lint` without typer: the plain command line is parsed by mlmon.entry, gives exactly what
the typer app gives, and never imports typer, rich or click (it runs on every commit)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mlmon.entry import plain_lint

REPO = Path(__file__).resolve().parents[2]
BAD = "version: 1\nteams:\n  risk-ml: {slack: {channel: '#r', webhook_url_env: SLACK_R}}\nmodels:\n  - id: Bad Id\n    team: risk-ml\n"


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(REPO / "cli"))


def _run(code: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, env=_env(), capture_output=True, text=True, timeout=120)


FAST = "import sys; sys.argv[0] = 'mlmon'; from mlmon.entry import main; main()"
TYPER = "import sys; sys.argv[0] = 'mlmon'; from mlmon.app import main; main()"


@pytest.mark.parametrize(
    "args",
    [
        ["lint", "specs"],
        ["lint", "--format=json", "specs/bad.yaml"],
        ["--debug", "lint", "--root", "specs", "specs/bad.yaml", "--fail-on", "warning"],
        ["lint", "specs", "--format", "xml"],
        ["lint", "--", "missing.yaml"],
    ],
)
def test_the_plain_path_answers_as_the_typer_app(tmp_path, args):
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "bad.yaml").write_text(BAD)
    assert plain_lint(args) is not None
    fast, slow = _run(FAST, *args, cwd=tmp_path), _run(TYPER, *args, cwd=tmp_path)
    assert (fast.returncode, fast.stdout, fast.stderr) == (slow.returncode, slow.stdout, slow.stderr)
    assert fast.returncode != 3, fast.stderr


@pytest.mark.parametrize("args", [["lint", "--help"], ["lint", "--format"], ["lint", "--bogus"], ["generate", "specs"], [], ["--debug"]])
def test_anything_else_goes_to_typer(args):
    assert plain_lint(args) is None


def test_values_and_flags_are_read():
    opts = plain_lint(["--debug", "lint", "a.yaml", "--root=specs", "--fail-on", "info", "--allow-outside-refs", "--", "--odd.yaml"])
    assert opts == {
        "paths": [Path("a.yaml"), Path("--odd.yaml")],
        "format": "text",
        "fail_on": "info",
        "root": Path("specs"),
        "allow_outside_refs": True,
        "debug": True,
    }


def test_lint_never_imports_typer_rich_or_click():
    r = subprocess.run([sys.executable, "-X", "importtime", "-m", "mlmon", "lint", "specs"], cwd=REPO, env=_env(), capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    imported = {line.split("|")[-1].strip().split(".")[0] for line in r.stderr.splitlines() if line.startswith("import time:")}
    assert "mlmon" in imported
    assert not imported & {"typer", "rich", "click", "jsonschema", "grafanalib", "requests"}


HANDLED_INTERRUPT = """\
import mlmon.runner

def run_command(command, debug, **opts):
    # what happens when Ctrl-C lands while an import runs dataclasses' or namedtuple's exec() and
    # the command handles it (mlmon up: stop the stack, exit 0)
    try:
        exec("raise KeyboardInterrupt", {})
    except KeyboardInterrupt:
        return 0
    return 9

mlmon.runner.run_command = run_command
"""


def test_python_m_mlmon_keeps_the_exit_code_of_a_handled_ctrl_c(tmp_path):
    """CPython remembers a KeyboardInterrupt that left a string exec() even when it was caught, and
    `python -m` then ends by SIGINT (returncode -2) whatever the command returned: `mlmon up` met it
    when Ctrl-C arrived during a lazy import. The command's own exit code must win."""
    (tmp_path / "sitecustomize.py").write_text(HANDLED_INTERRUPT)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), str(REPO / "cli")]))
    r = subprocess.run([sys.executable, "-m", "mlmon", "lint", "specs"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, (r.returncode, r.stderr)
