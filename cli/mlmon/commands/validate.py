"""``mlmon validate [DIR]``: run the real tools on a folder written by ``mlmon generate``.

Checks, in order (each prints one summary line on stderr):

1. ``promtool check config DIR/prometheus/prometheus.yml``
2. ``promtool check rules --lint=all --lint-fatal DIR/prometheus/rules/*.rules.yml``
3. ``promtool test rules DIR/prometheus/tests/*.test.yml``
4. ``amtool check-config DIR/alertmanager/alertmanager.yml``
5. routing tests: for each entry of ``DIR/alertmanager/routing-tests.yml``
   (``tests: [{labels: {...}, receivers: [...], source: ...}]``) ``amtool config routes test``
   must resolve the labels to exactly the expected receivers, in order (identical label sets are
   resolved once; a few run in parallel)
6. routing coverage: every alert rule has a routing-test entry with its alertname and static labels
7. grafana dashboards: ``DIR/grafana/dashboards/*.json`` parse, have a title and a valid unique uid, and
   every PromQL query in them parses (promql-parser, Grafana macros substituted)
8. ``pint lint`` on the rule files, when pint is on PATH ("pint: skipped (not installed)" otherwise)

Diagnostics go to stdout (``file:line:col: error: message [CODE]`` or ``--format json``): MLM301
promtool, MLM302 amtool, MLM303 routing (wrong receiver, untested alert), MLM304 tool missing,
MLM305 pint; for dashboards MLM001 (not JSON), MLM201 (duplicate uid), MLM205 (PromQL does not
parse), MLM213 (bad uid or title). Exit 0 when everything passes, 1 on any error, 2 when DIR, a required file, promtool
or amtool is missing.
"""

from __future__ import annotations

import json
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable

from mlmon import ExitCode
from mlmon.diagnostics import Diagnostic, Severity, format_json, format_text, has_errors

PROM_CONFIG = "prometheus/prometheus.yml"
RULES_DIR = "prometheus/rules"
RULES_GLOB = "*.rules.yml"
TESTS_DIR = "prometheus/tests"
TESTS_GLOB = "*.test.yml"
AM_CONFIG = "alertmanager/alertmanager.yml"
ROUTING_TESTS = "alertmanager/routing-tests.yml"
ROUTE_WORKERS = 4


@dataclass
class Check:
    name: str
    diags: list[Diagnostic]
    detail: str  # what was checked, e.g. "3 files"
    skipped: bool = False

    def summary(self) -> str:
        if self.skipped:
            return f"{self.name}: skipped ({self.detail})"
        errors = sum(1 for d in self.diags if d.severity >= Severity.ERROR)
        warnings = sum(1 for d in self.diags if d.severity == Severity.WARNING)
        if errors:
            status = f"FAILED ({errors} error{'s' if errors != 1 else ''}"
            status += f", {warnings} warning{'s' if warnings != 1 else ''})" if warnings else ")"
        else:
            status = "ok" + (f" ({warnings} warning{'s' if warnings != 1 else ''})" if warnings else "")
        return f"{self.name}: {status}, {self.detail}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


# --- routing tests --------------------------------------------------------------------------------
@dataclass(frozen=True)
class RoutingCase:
    labels: tuple[tuple[str, str], ...]
    receivers: tuple[str, ...]
    source: str | None
    line: int
    col: int


def load_routing_tests(root: Path, rel: str) -> tuple[list[RoutingCase], list[Diagnostic]]:
    """Entries of routing-tests.yml with positions; malformed entries become MLM303 diagnostics."""
    from mlmon.compiler.source import parse_documents

    try:
        text = (root / rel).read_text(encoding="utf-8")
    except OSError as exc:
        return [], [Diagnostic(rel, 0, 0, Severity.ERROR, "MLM303", f"routing tests cannot be read: {exc.strerror or exc}")]
    docs, diags = parse_documents(text, rel)
    cases: list[RoutingCase] = []
    for doc in docs:
        data = doc.data
        tests = data.get("tests") if isinstance(data, dict) else None
        if not isinstance(tests, list):
            line, col = doc.source.pos(())
            diags.append(Diagnostic(rel, line, col, Severity.ERROR, "MLM303", "expected a mapping with a `tests` list"))
            continue
        for i, entry in enumerate(tests):
            line, col = doc.source.pos(("tests", i))
            labels = entry.get("labels") if isinstance(entry, dict) else None
            receivers = entry.get("receivers") if isinstance(entry, dict) else None
            source = entry.get("source") if isinstance(entry, dict) else None
            if (not isinstance(labels, dict) or not labels or not all(isinstance(k, str) and isinstance(v, str) for k, v in labels.items())
                    or not isinstance(receivers, list) or not receivers or not all(isinstance(r, str) for r in receivers)
                    or not (source is None or isinstance(source, str))):
                diags.append(Diagnostic(rel, line, col, Severity.ERROR, "MLM303",
                                        f"tests[{i}]: expected labels (string map), receivers (non-empty string list) and optional source"))
                continue
            cases.append(RoutingCase(tuple(sorted(labels.items())), tuple(receivers), source, line, col))
    return cases, diags


def run_routing_tests(root: Path, cases: list[RoutingCase], *, workers: int = ROUTE_WORKERS) -> tuple[list[Diagnostic], int]:
    """Resolve each distinct label set once with amtool; compare with every entry expecting it.
    Returns diagnostics and the number of amtool calls."""
    from mlmon.tools import ToolFailed, amtool

    unique = sorted({c.labels for c in cases})

    def resolve(labels: tuple[tuple[str, str], ...]) -> tuple[list[str] | None, str | None]:
        try:
            return amtool.routes_test(AM_CONFIG, dict(labels), cwd=root), None
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
            diags.append(Diagnostic(
                ROUTING_TESTS, c.line, c.col, Severity.ERROR, "MLM303",
                f"{{{shown}}} routes to [{', '.join(got or ())}], expected [{', '.join(c.receivers)}]",
                hint="receivers are compared in route order; fix the Alertmanager routes or the expected list"))
    return diags, len(unique)


# --- coverage ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AlertRef:
    file: str
    name: str
    static_labels: tuple[tuple[str, str], ...]
    line: int
    col: int


def alert_rules(root: Path, rel: str) -> list[AlertRef]:
    """Alert rules of a rule file with positions; templated label values are not static."""
    from mlmon.compiler.source import parse_documents

    try:
        text = (root / rel).read_text(encoding="utf-8")
    except OSError:
        return []
    docs, _ = parse_documents(text, rel)
    out = []
    for doc in docs:
        groups = doc.data.get("groups") if isinstance(doc.data, dict) else None
        for gi, group in enumerate(groups if isinstance(groups, list) else []):
            rules = group.get("rules") if isinstance(group, dict) else None
            for ri, rule in enumerate(rules if isinstance(rules, list) else []):
                if not isinstance(rule, dict) or not isinstance(rule.get("alert"), str):
                    continue
                labels = rule.get("labels") if isinstance(rule.get("labels"), dict) else {}
                static = tuple(sorted((str(k), str(v)) for k, v in labels.items() if "{{" not in str(v)))
                line, col = doc.source.pos(("groups", gi, "rules", ri, "alert"))
                out.append(AlertRef(rel, rule["alert"], static, line, col))
    return out


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
            diags.append(Diagnostic(a.file, a.line, a.col, Severity.ERROR, "MLM303",
                                    f"alert {a.name} has no routing test for {{{shown}}} in {ROUTING_TESTS}",
                                    hint="every alert needs an entry proving where it is delivered"))
    names = {a.name for a in alerts}
    for c in cases:
        name = dict(c.labels).get("alertname")
        if name is not None and name not in names:
            diags.append(Diagnostic(ROUTING_TESTS, c.line, c.col, Severity.WARNING, "MLM303",
                                    f"routing test for alert {name}, which no rule file defines"))
    return diags


def unknown_test_alerts(root: Path, test_files: list[str]) -> list[Diagnostic]:
    """``alert_rule_test`` entries naming an alert their rule files do not define. promtool passes
    such a case when it expects no alerts, so a typo would prove nothing."""
    from mlmon.compiler.source import parse_documents

    diags = []
    for rel in test_files:
        try:
            text = (root / rel).read_text(encoding="utf-8")
        except OSError:
            continue
        docs, _ = parse_documents(text, rel)
        for doc in docs:
            data = doc.data if isinstance(doc.data, dict) else {}
            base = (root / rel).parent
            names: set[str] = set()
            for pattern in data.get("rule_files") or []:
                if not isinstance(pattern, str):
                    continue
                for f in sorted(base.glob(pattern)) if not Path(pattern).is_absolute() else []:
                    try:
                        names |= {a.name for a in alert_rules(root, f.resolve().relative_to(root.resolve()).as_posix())}
                    except ValueError:  # outside DIR
                        continue
            for gi, group in enumerate(data.get("tests") or []):
                cases = group.get("alert_rule_test") if isinstance(group, dict) else None
                for ci, case in enumerate(cases if isinstance(cases, list) else []):
                    name = case.get("alertname") if isinstance(case, dict) else None
                    if isinstance(name, str) and name not in names:
                        line, col = doc.source.pos(("tests", gi, "alert_rule_test", ci, "alertname"))
                        diags.append(Diagnostic(rel, line, col, Severity.ERROR, "MLM301",
                                                f"alert_rule_test names alert {name}, which its rule_files do not define",
                                                hint="promtool passes such a case vacuously when no alerts are expected"))
    return diags


# --- grafana dashboards ----------------------------------------------------------------------------
GRAFANA_DIR = "grafana/dashboards"
_UID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")  # Grafana's rule for dashboard uids
_MACRO = re.compile(r"\$\{?__(?:rate_interval|interval|range)(?:_ms|_s)?\}?")


def _offset_pos(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def check_dashboards(root: Path, files: list[str]) -> list[Diagnostic]:
    """Dashboards parse as JSON objects, have a title and a valid, unique uid, and every PromQL
    query (panel targets, annotations) parses once Grafana's macros are substituted. No Grafana
    server is needed; the upstream JSON Schemas are checked by the test suite."""
    import promql_parser

    diags: list[Diagnostic] = []
    uids: dict[str, str] = {}
    for rel in files:
        try:
            text = (root / rel).read_text(encoding="utf-8")
            d = json.loads(text)
        except OSError as exc:
            diags.append(Diagnostic(rel, 0, 0, Severity.ERROR, "MLM001", f"cannot be read: {exc.strerror or exc}"))
            continue
        except ValueError as exc:
            line, col = getattr(exc, "lineno", 0), getattr(exc, "colno", 0)
            diags.append(Diagnostic(rel, line, col, Severity.ERROR, "MLM001", f"not valid JSON: {getattr(exc, 'msg', exc)}"))
            continue
        if not isinstance(d, dict):
            diags.append(Diagnostic(rel, 1, 1, Severity.ERROR, "MLM213", "a dashboard must be a JSON object"))
            continue
        uid = d.get("uid")
        if not isinstance(uid, str) or not _UID.match(uid):
            diags.append(Diagnostic(rel, 0, 0, Severity.ERROR, "MLM213",
                                    f"uid {uid!r} is not 1-40 characters of letters, digits, '-' or '_'"))
        elif uid in uids:
            diags.append(Diagnostic(rel, 0, 0, Severity.ERROR, "MLM201", f"uid {uid!r} is also used by {uids[uid]}"))
        else:
            uids[uid] = rel
        if not isinstance(d.get("title"), str) or not d["title"].strip():
            diags.append(Diagnostic(rel, 0, 0, Severity.ERROR, "MLM213", "dashboard has no title"))
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
        for where, expr in exprs:
            try:
                promql_parser.parse(_MACRO.sub("5m", expr))
            except ValueError as exc:
                at = text.find('"expr": ' + json.dumps(expr, ensure_ascii=False))
                line, col = _offset_pos(text, at + len('"expr": ')) if at >= 0 else (0, 0)
                diags.append(Diagnostic(rel, line, col, Severity.ERROR, "MLM205", f"{where}: PromQL does not parse: {exc}"))
    return diags


def _test_rules_parallel(root: Path, tests: list[str]) -> list[Diagnostic]:
    """``promtool test rules`` per test file, a few at a time (promtool runs files one after another;
    generated tests with long series take seconds each)."""
    import os

    from mlmon.tools import promtool

    workers = max(1, min(ROUTE_WORKERS, os.cpu_count() or 1, len(tests)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        parts = list(pool.map(lambda f: promtool.test_rules([f], cwd=root), tests))
    return [d for part in parts for d in part]


# --- command -------------------------------------------------------------------------------------
def _err(text: str) -> None:
    sys.stderr.write(text + ("" if text.endswith("\n") else "\n"))
    sys.stderr.flush()


def _fatal(diag: Diagnostic, fmt: str) -> int:
    if fmt == "json":
        sys.stdout.write(format_json([diag]))
    else:
        _err(format_text([diag]))
    return ExitCode.USAGE


def run(opts: Any) -> int:
    from mlmon.tools import ToolFailed, ToolMissing, amtool, pint, promtool, which

    directory = Path(getattr(opts, "directory", None) or "generated")
    fmt = getattr(opts, "format", "text") or "text"
    if fmt not in ("text", "json"):
        _err(f"mlmon validate: --format must be text or json, not {fmt!r}")
        return ExitCode.USAGE
    shown_dir = directory.as_posix()

    def disp(rel: str) -> str:
        return f"{shown_dir.rstrip('/')}/{rel}" if shown_dir not in ("", ".") else rel

    if not directory.is_dir():
        return _fatal(Diagnostic(shown_dir, 0, 0, Severity.ERROR, "MLM001",
                                 "not a folder (expected the output of `mlmon generate`)"), fmt)
    for rel in (PROM_CONFIG, AM_CONFIG):
        if not (directory / rel).is_file():
            return _fatal(Diagnostic(disp(rel), 0, 0, Severity.ERROR, "MLM001",
                                     "missing (expected the output of `mlmon generate`)"), fmt)
    for tool in ("promtool", "amtool"):
        if which(tool) is None:
            missing = ToolMissing(tool)
            return _fatal(Diagnostic(shown_dir, 0, 0, Severity.ERROR, "MLM304", str(missing), missing.hint), fmt)

    root = directory
    rules = sorted(p.relative_to(root).as_posix() for p in (root / RULES_DIR).glob(RULES_GLOB) if p.is_file())
    tests = sorted(p.relative_to(root).as_posix() for p in (root / TESTS_DIR).glob(TESTS_GLOB) if p.is_file())
    checks: list[Check] = []

    def step(name: str, detail: str | Callable[[], str], fn: Callable[[], list[Diagnostic]], code: str, file: str) -> Check:
        try:
            diags = fn()
        except ToolMissing as exc:  # vanished between the PATH check and the call
            diags = [Diagnostic(file, 0, 0, Severity.ERROR, "MLM304", str(exc), exc.hint)]
        except ToolFailed as exc:
            diags = [Diagnostic(file, 0, 0, Severity.ERROR, code, str(exc))]
        check = Check(name, diags, detail if isinstance(detail, str) else detail())
        checks.append(check)
        _err(check.summary())
        return check

    step("promtool check config", PROM_CONFIG, lambda: promtool.check_config(PROM_CONFIG, cwd=root), "MLM301", PROM_CONFIG)
    step("promtool check rules", _plural(len(rules), "file"), lambda: promtool.check_rules(rules, cwd=root), "MLM301",
         rules[0] if rules else RULES_DIR)
    step("promtool test rules", _plural(len(tests), "file"), lambda: _test_rules_parallel(root, tests) + unknown_test_alerts(root, tests), "MLM301",
         tests[0] if tests else TESTS_DIR)
    step("amtool check-config", AM_CONFIG, lambda: amtool.check_config(AM_CONFIG, cwd=root), "MLM302", AM_CONFIG)

    cases: list[RoutingCase] = []
    if (root / ROUTING_TESTS).is_file():
        cases, load_diags = load_routing_tests(root, ROUTING_TESTS)
        calls = [0]

        def routes() -> list[Diagnostic]:
            diags, calls[0] = run_routing_tests(root, cases)
            return load_diags + diags

        step("amtool config routes test",
             lambda: f"{len(cases)} {'entry' if len(cases) == 1 else 'entries'}, {_plural(calls[0], 'distinct label set')}",
             routes, "MLM302", ROUTING_TESTS)
    else:
        load_diags = [Diagnostic(ROUTING_TESTS, 0, 0, Severity.ERROR, "MLM303", "missing: no routing tests to run")]
        step("amtool config routes test", "no routing-tests.yml", lambda: load_diags, "MLM303", ROUTING_TESTS)
    alerts = [a for f in rules for a in alert_rules(root, f)]
    step("routing coverage", f"{_plural(len(alerts), 'alert rule')}", lambda: coverage(alerts, cases), "MLM303", ROUTING_TESTS)

    dashboards = sorted(p.relative_to(root).as_posix() for p in (root / GRAFANA_DIR).glob("*.json") if p.is_file())
    step("grafana dashboards", _plural(len(dashboards), "file"), lambda: check_dashboards(root, dashboards), "MLM213",
         GRAFANA_DIR)

    if pint.available():
        step("pint lint", _plural(len(rules), "file"), lambda: pint.lint(rules, cwd=root), "MLM305", rules[0] if rules else RULES_DIR)
    else:
        checks.append(Check("pint", [], "not installed", skipped=True))
        _err("pint: skipped (not installed)")

    # the same problem can come from two checks (check config also loads the rule files)
    diags = sorted({replace(d, file=disp(d.file)) if not Path(d.file).is_absolute() else d for c in checks for d in c.diags},
                   key=lambda d: (d.file, d.line, d.col, d.code, d.message))
    failed = has_errors(diags)
    if fmt == "json":
        sys.stdout.write(format_json(diags))
    else:
        sys.stdout.write(format_text(diags))
        ran = [c for c in checks if not c.skipped]
        bad = [c.name for c in ran if has_errors(c.diags)]
        if failed:
            sys.stdout.write(f"{shown_dir}: {len(bad)} of {len(ran)} checks failed: {', '.join(bad)}\n")
        else:
            sys.stdout.write(f"{shown_dir}: all {len(ran)} checks passed\n")
    sys.stdout.flush()
    return ExitCode.FINDINGS if failed else ExitCode.OK
