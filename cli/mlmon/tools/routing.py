"""Routing tests of generated Alertmanager configuration: the entries of ``routing-tests.yml``
(``tests: [{labels: {...}, receivers: [...], source: ...}]``) resolved with ``amtool config routes
test``, and the coverage check that every alert rule has an entry."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from mlmon.diagnostics import Diagnostic, Severity
from mlmon.render.alertmanager import CONFIG, ROUTING_TESTS
from mlmon.tools.rulefiles import AlertRef

WORKERS = 4
CODE = "MLM303"


@dataclass(frozen=True)
class RoutingCase:
    labels: tuple[tuple[str, str], ...]
    receivers: tuple[str, ...]
    source: str | None
    line: int
    col: int


def _valid(entry: object) -> bool:
    if not isinstance(entry, dict):
        return False
    labels, receivers, source = entry.get("labels"), entry.get("receivers"), entry.get("source")
    labels_ok = isinstance(labels, dict) and bool(labels) and all(isinstance(k, str) and isinstance(v, str) for k, v in labels.items())
    receivers_ok = isinstance(receivers, list) and bool(receivers) and all(isinstance(r, str) for r in receivers)
    return labels_ok and receivers_ok and (source is None or isinstance(source, str))


def load_routing_tests(root: Path, rel: str = ROUTING_TESTS) -> tuple[list[RoutingCase], list[Diagnostic]]:
    """Entries of routing-tests.yml with positions; malformed entries become MLM303 diagnostics."""
    from mlmon.compiler.source import parse_documents

    try:
        text = (root / rel).read_text(encoding="utf-8")
    except OSError as exc:
        return [], [Diagnostic(rel, 0, 0, Severity.ERROR, CODE, f"routing tests cannot be read: {exc.strerror or exc}")]
    docs, diags = parse_documents(text, rel)
    cases: list[RoutingCase] = []
    for doc in docs:
        tests = doc.data.get("tests") if isinstance(doc.data, dict) else None
        if not isinstance(tests, list):
            line, col = doc.source.pos(())
            diags.append(Diagnostic(rel, line, col, Severity.ERROR, CODE, "expected a mapping with a `tests` list"))
            continue
        for i, entry in enumerate(tests):
            line, col = doc.source.pos(("tests", i))
            if not _valid(entry):
                message = f"tests[{i}]: expected labels (string map), receivers (non-empty string list) and optional source"
                diags.append(Diagnostic(rel, line, col, Severity.ERROR, CODE, message))
                continue
            cases.append(RoutingCase(tuple(sorted(entry["labels"].items())), tuple(entry["receivers"]), entry.get("source"), line, col))
    return cases, diags


def run_routing_tests(root: Path, cases: list[RoutingCase], *, workers: int = WORKERS) -> tuple[list[Diagnostic], int]:
    """Resolve each distinct label set once with amtool; compare with every entry expecting it.
    Returns diagnostics and the number of amtool calls."""
    from mlmon.tools import ToolFailed, amtool

    unique = sorted({c.labels for c in cases})

    def resolve(labels: tuple[tuple[str, str], ...]) -> tuple[list[str] | None, str | None]:
        try:
            return amtool.routes_test(CONFIG, dict(labels), cwd=root), None
        except ToolFailed as exc:
            return None, str(exc)

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        results = dict(zip(unique, pool.map(resolve, unique)))
    diags = []
    for c in cases:
        got, err = results[c.labels]
        shown = ", ".join(f"{k}={v}" for k, v in c.labels)
        if err is not None:
            diags.append(Diagnostic(ROUTING_TESTS, c.line, c.col, Severity.ERROR, "MLM302", f"{{{shown}}}: {err}"))
        elif tuple(got or ()) != c.receivers:
            message = f"{{{shown}}} routes to [{', '.join(got or ())}], expected [{', '.join(c.receivers)}]"
            hint = "receivers are compared in route order; fix the Alertmanager routes or the expected list"
            diags.append(Diagnostic(ROUTING_TESTS, c.line, c.col, Severity.ERROR, CODE, message, hint=hint))
    return diags, len(unique)


def coverage(alerts: list[AlertRef], cases: list[RoutingCase]) -> list[Diagnostic]:
    """An alert is covered by an entry with its alertname, every static label of the rule, and (when
    the entry names one) the same source file. Entries naming unknown alerts are warnings."""
    diags = []
    for a in alerts:
        ok = any(
            dict(c.labels).get("alertname") == a.name
            and all(dict(c.labels).get(k) == v for k, v in a.static_labels)
            and (c.source is None or Path(c.source).as_posix() == a.file)
            for c in cases
        )
        if not ok:
            shown = ", ".join(f"{k}={v}" for k, v in (("alertname", a.name), *a.static_labels))
            message = f"alert {a.name} has no routing test for {{{shown}}} in {ROUTING_TESTS}"
            diags.append(Diagnostic(a.file, a.line, a.col, Severity.ERROR, CODE, message, hint="every alert needs an entry proving where it is delivered"))
    names = {a.name for a in alerts}
    for c in cases:
        name = dict(c.labels).get("alertname")
        if name is not None and name not in names:
            diags.append(Diagnostic(ROUTING_TESTS, c.line, c.col, Severity.WARNING, CODE, f"routing test for alert {name}, which no rule file defines"))
    return diags
