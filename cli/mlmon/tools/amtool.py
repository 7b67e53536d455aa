"""amtool (Alertmanager 0.25): ``check-config`` and ``config routes test``.

``check-config`` prints ``Checking 'FILE'  SUCCESS`` or ``Checking 'FILE'  FAILED: message`` (YAML
errors continue with ``line N: ...`` lines). ``config routes test --config.file=F label=value ...``
prints the matched receivers, comma-separated, in route order. Every ``--config.file`` run also
prints "Warning: --config.file flag overrides the --alertmanager.url." on stderr; it is ignored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from mlmon.diagnostics import Diagnostic, Severity
from mlmon.tools import DEFAULT_TIMEOUT, ToolFailed, run

CODE = "MLM302"
TOOL = "amtool"

_FAILED = re.compile(r"^Checking '(?P<file>.*)'\s+FAILED: (?P<msg>.*)$")
_LINE = re.compile(r"^line (?P<line>\d+): (?P<msg>.*)$")
_YAML_LINE = re.compile(r"^yaml: line (?P<line>\d+): (?P<msg>.*)$")
_NOISE = ("Warning: --config.file flag overrides",)


def _diag(file: str, line: int, col: int, msg: str) -> Diagnostic:
    return Diagnostic(file, line, col, Severity.ERROR, CODE, f"amtool: {msg}")


def parse_check_config(output: str, file: str) -> list[Diagnostic]:
    diags: list[Diagnostic] = []
    in_failure = False
    for raw in output.splitlines():
        text = raw.strip()
        if not text or text.startswith(_NOISE) or text.startswith("amtool: error: failed to validate"):
            continue
        m = _FAILED.match(text)
        if m:
            in_failure = True
            msg = m.group("msg")
            y = _YAML_LINE.match(msg)
            if y:
                diags.append(_diag(file, int(y.group("line")), 1, "yaml: " + y.group("msg")))
            elif msg.rstrip(":") != "yaml: unmarshal errors":
                diags.append(_diag(file, 0, 0, msg))
            continue
        if in_failure:
            m = _LINE.match(text)
            if m:
                diags.append(_diag(file, int(m.group("line")), 1, m.group("msg")))
                continue
            if text.startswith("Found:") or text.startswith("- "):
                continue
            diags.append(_diag(file, 0, 0, text))
    return sorted(set(diags), key=lambda d: (d.line, d.col, d.message))


def check_config(config: str, *, cwd: Path, timeout: float | None = DEFAULT_TIMEOUT) -> list[Diagnostic]:
    """``amtool check-config CONFIG``."""
    res = run(TOOL, ["check-config", config], cwd=cwd, timeout=timeout)
    diags = parse_check_config(res.stdout + "\n" + res.stderr, config)
    if res.returncode != 0 and not diags:
        text = " ".join((res.stdout + " " + res.stderr).split())
        diags = [_diag(config, 0, 0, f"exited with status {res.returncode}: {text[:2000]}")]
    return diags


def matcher(name: str, value: str) -> str:
    """An equality matcher that survives any label value (quotes, ``~``, commas, braces)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'{name}="{escaped}"'


def routes_test(config: str, labels: Mapping[str, str], *, cwd: Path, timeout: float | None = DEFAULT_TIMEOUT) -> list[str]:
    """Receivers (in order) that ``amtool config routes test`` resolves ``labels`` to. Raises
    ToolFailed when amtool rejects the call (e.g. bad labels or config)."""
    args = ["config", "routes", "test", f"--config.file={config}", *(matcher(k, labels[k]) for k in sorted(labels))]
    res = run(TOOL, args, cwd=cwd, timeout=timeout)
    err = "\n".join(line for line in res.stderr.splitlines() if line.strip() and not line.startswith(_NOISE))
    if res.returncode != 0:
        raise ToolFailed(TOOL, " ".join((err or res.stdout).split()) or f"exited with status {res.returncode}")
    out = res.stdout.strip().splitlines()
    if not out:
        raise ToolFailed(TOOL, "printed no receivers")
    return [r for r in out[-1].strip().split(",") if r]
