"""pint (cloudflare/pint), optional: ``pint --offline --no-color lint --json REPORT FILES``.

pint is not packaged for Debian and cannot be installed everywhere, so ``mlmon validate`` runs it
only when it is on PATH (``available()``). The JSON report is a list of
``{reportedPath, sourcePath, rule: {name, type}, problem: {...}, owner}``; the problem's fields
changed across pint releases (``Lines`` as a list or ``{First, Last}``, ``Text`` or
``Summary``/``Diagnostics``), so both shapes are read. Severity: 0 information, 1 warning,
2 bug, 3 fatal; bug and fatal are errors (pint's own default ``--fail-on=bug``).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from mlmon.diagnostics import Diagnostic, Severity
from mlmon.tools import DEFAULT_TIMEOUT, ToolFailed, run, which

CODE = "MLM305"
TOOL = "pint"

_SEVERITY = {
    0: Severity.INFO,
    1: Severity.WARNING,
    2: Severity.ERROR,
    3: Severity.ERROR,
    "information": Severity.INFO,
    "info": Severity.INFO,
    "warning": Severity.WARNING,
    "bug": Severity.ERROR,
    "fatal": Severity.ERROR,
}


def available() -> bool:
    return which(TOOL) is not None


def _first_line(lines: Any) -> int:
    if isinstance(lines, dict):
        v = lines.get("First", lines.get("first", 0))
        return v if isinstance(v, int) else 0
    if isinstance(lines, list) and lines and isinstance(lines[0], int):
        return min(lines)
    return 0


def parse_report(data: Any) -> list[Diagnostic]:
    diags = []
    for item in data if isinstance(data, list) else []:
        if not isinstance(item, dict):
            continue
        p = item.get("problem") or {}
        file = str(item.get("reportedPath") or item.get("sourcePath") or item.get("path") or "")
        sev = p.get("Severity", p.get("severity", 2))
        severity = _SEVERITY.get(sev.lower() if isinstance(sev, str) else sev, Severity.ERROR)
        reporter = p.get("Reporter") or p.get("reporter") or "pint"
        texts = [p.get("Summary") or p.get("Text") or p.get("text") or ""]
        for d in p.get("Diagnostics") or []:
            if isinstance(d, dict) and d.get("Message"):
                texts.append(str(d["Message"]))
        message = "; ".join(t for t in texts if t) or "problem reported"
        rule = (item.get("rule") or {}).get("name")
        prefix = f"rule {rule!r}: " if rule else ""
        diags.append(Diagnostic(file, _first_line(p.get("Lines", p.get("lines"))), 0, severity, CODE, f"pint {reporter}: {prefix}{message}"))
    return sorted(set(diags), key=lambda d: (d.file, d.line, d.code, d.message))


def lint(files: list[str], *, cwd: Path, timeout: float | None = DEFAULT_TIMEOUT) -> list[Diagnostic]:
    """``pint lint`` on rule files, offline (no Prometheus server is queried)."""
    if not files:
        return []
    with tempfile.TemporaryDirectory(prefix="mlmon-pint-") as tmp:
        report = Path(tmp) / "report.json"
        res = run(TOOL, ["--offline", "--no-color", "lint", "--json", str(report), *files], cwd=cwd, timeout=timeout)
        if not report.exists():
            text = " ".join((res.stdout + " " + res.stderr).split())
            if res.returncode == 0:
                return []
            raise ToolFailed(TOOL, f"exited with status {res.returncode} without a report: {text[:2000]}")
        try:
            data = json.loads(report.read_text(encoding="utf-8") or "[]")
        except ValueError as exc:
            raise ToolFailed(TOOL, f"unreadable JSON report: {exc}") from None
    return parse_report(data)
