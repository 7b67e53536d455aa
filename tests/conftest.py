import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "cli"))
sys.path.insert(0, str(REPO))

SHARED = REPO.parent / "shared"


def mlmon_bin() -> list[str]:
    exe = Path(sys.executable).parent / "mlmon"
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-m", "mlmon"]


@pytest.fixture
def run_mlmon():
    """Run the real `mlmon` command; returns CompletedProcess (text)."""

    def run(*args, cwd=None, env=None, input=None, timeout=120):
        e = dict(os.environ)
        e.pop("MLMON_DEBUG", None)
        e["PYTHONPATH"] = str(REPO / "cli")
        if env:
            e.update(env)
        return subprocess.run(mlmon_bin() + [str(a) for a in args], cwd=cwd, env=e, input=input, capture_output=True, text=True, timeout=timeout)

    return run


def need_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed; run `make setup` (installs Debian's prometheus and prometheus-alertmanager)")
    return path


@pytest.fixture(autouse=True, scope="session")
def _own_config_home(tmp_path_factory):
    """The user's contexts file (``mlmon context use``, ``mlmon up``) goes to a temp folder, never
    the developer's ~/.config; subprocesses inherit it."""
    old = os.environ.get("XDG_CONFIG_HOME")
    os.environ["XDG_CONFIG_HOME"] = str(tmp_path_factory.mktemp("config-home"))
    # passing rule test files are remembered by content for this run only (shared by the xdist
    # workers: the folder above theirs), never in the developer's ~/.cache
    base = tmp_path_factory.getbasetemp()
    run_dir = base.parent if base.name.startswith("popen-gw") else base
    os.environ.setdefault("MLMON_CACHE_DIR", str(run_dir / "mlmon-rule-tests"))
    # the promtool runs of the tests (each xdist worker runs one at a time) get what `mlmon
    # validate` gives its pool: fewer garbage collections, the worker's share of the cores
    from mlmon.tools import go_runtime_env

    os.environ.update(go_runtime_env(int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))))
    yield
    if old is None:
        os.environ.pop("XDG_CONFIG_HOME", None)
    else:
        os.environ["XDG_CONFIG_HOME"] = old
