"""Generated Grafana dashboards checked without a Grafana server: they parse as JSON objects, have a
title and a valid, unique uid, and every PromQL query (panel targets, annotations) parses once
Grafana's macros are substituted. The upstream JSON Schemas are checked by the test suite."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from mlmon.diagnostics import Diagnostic, Severity

GRAFANA_DIR = "grafana/dashboards"
_UID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")  # Grafana's rule for dashboard uids
_MACRO = re.compile(r"\$\{?__(?:rate_interval|interval|range)(?:_ms|_s)?\}?")


def _offset_pos(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def _queries(d: dict[str, Any]) -> list[tuple[str, str]]:
    """(where, expr) of every PromQL query of a dashboard."""
    exprs: list[tuple[str, str]] = []
    for i, a in enumerate((d.get("annotations") or {}).get("list") or []):
        if isinstance(a, dict) and isinstance(a.get("expr"), str):
            exprs.append((f"annotations.list[{i}]", a["expr"]))
    panels = [p for p in d.get("panels") or [] if isinstance(p, dict)]
    panels += [c for p in panels for c in p.get("panels") or [] if isinstance(c, dict)]
    for p in panels:
        for t in p.get("targets") or []:
            if isinstance(t, dict) and isinstance(t.get("expr"), str):
                exprs.append((f"panel {p.get('title', p.get('id'))!r} query {t.get('refId', '?')}", t["expr"]))
    return exprs


def _load(root: Path, rel: str) -> tuple[str, Any, list[Diagnostic]]:
    try:
        text = (root / rel).read_text(encoding="utf-8")
        return text, json.loads(text), []
    except OSError as exc:
        return "", None, [Diagnostic(rel, 0, 0, Severity.ERROR, "MLM001", f"cannot be read: {exc.strerror or exc}")]
    except ValueError as exc:
        line, col = getattr(exc, "lineno", 0), getattr(exc, "colno", 0)
        return "", None, [Diagnostic(rel, line, col, Severity.ERROR, "MLM001", f"not valid JSON: {getattr(exc, 'msg', exc)}")]


def check_dashboards(root: Path, files: list[str]) -> list[Diagnostic]:
    import promql_parser

    diags: list[Diagnostic] = []
    uids: dict[str, str] = {}
    for rel in files:
        text, d, problems = _load(root, rel)
        diags += problems
        if problems:
            continue
        if not isinstance(d, dict):
            diags.append(Diagnostic(rel, 1, 1, Severity.ERROR, "MLM213", "a dashboard must be a JSON object"))
            continue
        uid = d.get("uid")
        if not isinstance(uid, str) or not _UID.match(uid):
            diags.append(Diagnostic(rel, 0, 0, Severity.ERROR, "MLM213", f"uid {uid!r} is not 1-40 characters of letters, digits, '-' or '_'"))
        elif uid in uids:
            diags.append(Diagnostic(rel, 0, 0, Severity.ERROR, "MLM201", f"uid {uid!r} is also used by {uids[uid]}"))
        else:
            uids[uid] = rel
        if not isinstance(d.get("title"), str) or not d["title"].strip():
            diags.append(Diagnostic(rel, 0, 0, Severity.ERROR, "MLM213", "dashboard has no title"))
        for where, expr in _queries(d):
            try:
                promql_parser.parse(_MACRO.sub("5m", expr))
            except ValueError as exc:
                at = text.find('"expr": ' + json.dumps(expr, ensure_ascii=False))
                line, col = _offset_pos(text, at + len('"expr": ')) if at >= 0 else (0, 0)
                diags.append(Diagnostic(rel, line, col, Severity.ERROR, "MLM205", f"{where}: PromQL does not parse: {exc}"))
    return diags
