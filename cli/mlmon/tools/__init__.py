"""Thin wrappers around external tools (promtool, amtool, pint): run them with an argv list (never a
shell), a working directory and a timeout, and turn what they print into Diagnostics.

Every wrapper takes paths relative to ``cwd`` and returns Diagnostics whose ``file`` is the path the
tool printed (relative to ``cwd``); callers re-root them for display.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass

# No fixed limit: a busy machine makes the tools slow, not wrong. A limit is set on purpose, by
# `mlmon validate --timeout SECONDS` or MLMON_TOOL_TIMEOUT (seconds; 0 or unset: none).
TIMEOUT_ENV = "MLMON_TOOL_TIMEOUT"


def timeout_limit(value: float | None = None) -> float | None:
    """The per-call limit in seconds: ``value`` when given, else $MLMON_TOOL_TIMEOUT; 0 means none."""
    if value is None:
        raw = os.environ.get(TIMEOUT_ENV, "").strip()
        try:
            value = float(raw) if raw else 0.0
        except ValueError:
            raise ToolFailed("mlmon", f"{TIMEOUT_ENV}={raw!r} is not a number of seconds") from None
    return value if value > 0 else None


DEFAULT_TIMEOUT: float | None = None  # resolved by timeout_limit() at each call

INSTALL_HINTS = {
    "promtool": "install it with `apt-get install prometheus` (Debian/Ubuntu) or from https://prometheus.io/download/",
    "amtool": "install it with `apt-get install prometheus-alertmanager` (Debian/Ubuntu) or from https://prometheus.io/download/",
    "pint": "see https://cloudflare.github.io/pint/",
}


class ToolMissing(Exception):
    """The executable is not on PATH."""

    def __init__(self, tool: str):
        super().__init__(f"{tool} not found on PATH")
        self.tool = tool
        self.hint = INSTALL_HINTS.get(tool)


class ToolFailed(Exception):
    """The tool could not run to completion (timeout, crash, unreadable output)."""

    def __init__(self, tool: str, message: str):
        super().__init__(f"{tool}: {message}")
        self.tool = tool


@dataclass(frozen=True)
class Result:
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str  # empty when the streams were merged


def which(tool: str) -> str | None:
    return shutil.which(tool)


def require(tool: str) -> str:
    path = which(tool)
    if path is None:
        raise ToolMissing(tool)
    return path


# A rule test is a short-lived Go process that allocates a lot (every evaluation reads windows of
# days): collecting garbage less often saves about a fifth of its CPU for a heap at most a few
# hundred MB, and several of them side by side each need only their share of the cores.
GO_GC = "400"
GO_MEMLIMIT = "512MiB"  # above this the collector works harder again, whatever GOGC says


def go_runtime_env(parallel: int = 1, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Go runtime settings for one of ``parallel`` promtool processes running at once: GOGC and
    GOMEMLIMIT as above, GOMAXPROCS the cores divided among them (unset for one process). A setting
    already in the environment wins."""
    environ = os.environ if environ is None else environ
    out = {"GOGC": GO_GC, "GOMEMLIMIT": GO_MEMLIMIT}
    if parallel > 1:
        try:
            cores = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            cores = os.cpu_count() or 1
        out["GOMAXPROCS"] = str(max(1, cores // parallel))
    return {k: v for k, v in out.items() if not environ.get(k)}


def run(
    tool: str,
    args: list[str],
    *,
    cwd: str | os.PathLike[str],
    timeout: float | None = DEFAULT_TIMEOUT,
    merge: bool = False,
    env: Mapping[str, str] | None = None,
) -> Result:
    """Run ``tool args...`` in ``cwd``. ``merge``: stderr into stdout, keeping the order in which the
    tool wrote its lines (promtool writes "Checking FILE" on stdout and its errors on stderr).
    ``env``: variables added to this process's environment for the tool."""
    exe = require(tool)
    argv = [exe, *args]
    limit = timeout_limit(timeout)
    env = {**os.environ, **(env or {}), "LC_ALL": "C", "NO_COLOR": "1"}
    try:
        proc = subprocess.run(
            argv,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT if merge else subprocess.PIPE,
            timeout=limit,
            check=False,
        )
    except FileNotFoundError:
        raise ToolMissing(tool) from None
    except subprocess.TimeoutExpired:
        raise ToolFailed(tool, f"stopped after {limit:g}s, the limit set by --timeout or {TIMEOUT_ENV}; raise it, or set 0 for no limit") from None
    except OSError as exc:
        raise ToolFailed(tool, f"cannot run: {exc.strerror or exc}") from None
    out = proc.stdout.decode("utf-8", "replace")
    err = "" if merge else (proc.stderr or b"").decode("utf-8", "replace")
    return Result(tuple([tool, *args]), proc.returncode, out, err)
