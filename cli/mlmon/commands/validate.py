"""``mlmon validate [DIR]``: run the real tools on a folder written by ``mlmon generate``.

Checks, in order (each prints one summary line on stderr):

1. ``promtool check config DIR/prometheus/prometheus.yml``
2. ``promtool check rules --lint=all --lint-fatal DIR/prometheus/rules/*.rules.yml``
3. ``promtool test rules DIR/prometheus/tests/*.test.yml``
4. ``amtool check-config DIR/alertmanager/alertmanager.yml``
4b. rule test coverage: every alert rule has a rule test where it fires (``exp_alerts`` with its
   static labels), unless ``prometheus/tests/untested-alerts.yml`` (the spec's ``untested_alerts``)
   exempts it; the summary counts firing, quiet and no-data cases (``--coverage``: one line per rule)
5. routing tests: for each entry of ``DIR/alertmanager/routing-tests.yml``
   (``tests: [{labels: {...}, receivers: [...], source: ...}]``) ``amtool config routes test``
   must resolve the labels to exactly the expected receivers, in order (identical label sets are
   resolved once; a few run in parallel)
6. routing coverage: every alert rule has a routing-test entry with its alertname and static labels
7. grafana dashboards: ``DIR/grafana/dashboards/*.json`` parse, have a title and a valid unique uid, and
   every PromQL query in them parses (promql-parser, Grafana macros substituted)
7b. kubernetes objects, when ``DIR/kubernetes/`` exists (``deploy.kubernetes``): each object matches its
   prometheus-operator CRD schema (shipped with mlmon) and the Kubernetes naming and size rules,
   ``kustomization.yaml`` lists every object file, and each PrometheusRule holds exactly the rule
   files' groups (which promtool tests) and passes ``promtool check rules`` (offline: no cluster)
8. ``pint lint`` on the rule files, when pint is on PATH ("pint: skipped (not installed)" otherwise)

Diagnostics go to stdout (``file:line:col: error: message [CODE]`` or ``--format json``): MLM301
promtool, MLM302 amtool, MLM303 routing (wrong receiver, untested alert), MLM304 tool missing,
MLM305 pint, MLM306 alert rule without a firing rule test; for dashboards MLM001 (not JSON), MLM201 (duplicate uid), MLM205 (PromQL does not
parse), MLM213 (bad uid or title); for Kubernetes objects MLM310 (schema), MLM311 (names, labels,
sizes), MLM312 (PrometheusRule differs from the rule files), MLM313 (kustomization), MLM314
(AlertmanagerConfig the operator would reject). Exit 0 when everything passes, 1 on any error, 2 when DIR, a required file, promtool
or amtool is missing.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from mlmon import ExitCode
from mlmon.diagnostics import Diagnostic, Severity, format_json, format_text, has_errors
from mlmon.render.alertmanager import CONFIG as AM_CONFIG
from mlmon.render.alertmanager import ROUTING_TESTS
from mlmon.render.prometheus import CONFIG as PROM_CONFIG
from mlmon.render.prometheus import RULES_DIR, TESTS_DIR

RULES_GLOB = "*.rules.yml"
TESTS_GLOB = "*.test.yml"


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
            status = f"FAILED ({_plural(errors, 'error')}" + (f", {_plural(warnings, 'warning')})" if warnings else ")")
        else:
            status = "ok" + (f" ({_plural(warnings, 'warning')})" if warnings else "")
        return f"{self.name}: {status}, {self.detail}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _test_rules_parallel(root: Path, tests: list[str], opts: Any) -> list[Diagnostic]:
    """``promtool test rules`` per test file, ``--jobs`` at a time (promtool runs files one after
    another); a file seen passing with the same content is not run again (tools/testcache)."""
    import time

    from mlmon.tools import promtool, testcache

    no_cache = bool(getattr(opts, "no_cache", False))
    cache_dir = getattr(opts, "cache_dir", None)
    cache = testcache.Cache(None if no_cache else Path(cache_dir) if cache_dir else testcache.default_dir())
    timeout = getattr(opts, "timeout", None)
    verbose = bool(getattr(opts, "verbose", False))

    def one(f: str) -> tuple[list[Diagnostic], str]:
        k = testcache.key(root, f) if cache.directory is not None else None
        if cache.hit(k):
            return [], f"{f}: cached pass"
        start = time.monotonic()
        diags = promtool.test_rules([f], cwd=root, timeout=timeout, parallel=workers)
        if not has_errors(diags):
            cache.store(k)
        return diags, f"{f}: {time.monotonic() - start:.2f}s{' FAILED' if has_errors(diags) else ''}"

    jobs = int(getattr(opts, "jobs", 0) or 0) or (os.cpu_count() or 1)
    workers = max(1, min(jobs, len(tests) or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        parts = list(pool.map(one, tests))
    if verbose:
        for _, line in parts:
            _err(f"  {line}")
    return [d for diags, _ in parts for d in diags]


def _err(text: str) -> None:
    sys.stderr.write(text + ("" if text.endswith("\n") else "\n"))
    sys.stderr.flush()


def _fatal(diag: Diagnostic, fmt: str) -> int:
    if fmt == "json":
        sys.stdout.write(format_json([diag]))
    else:
        _err(format_text([diag]))
    return ExitCode.USAGE


def _shown(directory: Path) -> Callable[[str], str]:
    shown_dir = directory.as_posix()
    return lambda rel: f"{shown_dir.rstrip('/')}/{rel}" if shown_dir not in ("", ".") else rel


def _preflight(directory: Path, fmt: str) -> int | None:
    """Exit code 2 when DIR, a required file, promtool or amtool is missing."""
    from mlmon.tools import ToolMissing, which

    shown_dir = directory.as_posix()
    if not directory.is_dir():
        return _fatal(Diagnostic(shown_dir, 0, 0, Severity.ERROR, "MLM001", "not a folder (expected the output of `mlmon generate`)"), fmt)
    for rel in (PROM_CONFIG, AM_CONFIG):
        if not (directory / rel).is_file():
            return _fatal(Diagnostic(_shown(directory)(rel), 0, 0, Severity.ERROR, "MLM001", "missing (expected the output of `mlmon generate`)"), fmt)
    for tool in ("promtool", "amtool"):
        if which(tool) is None:
            missing = ToolMissing(tool)
            return _fatal(Diagnostic(shown_dir, 0, 0, Severity.ERROR, "MLM304", str(missing), missing.hint), fmt)
    return None


class _Checks(list[Check]):
    covered: list[Any] = []  # tools.coverage.Coverage of each alert rule

    def step(self, name: str, detail: str | Callable[[], str], fn: Callable[[], list[Diagnostic]], code: str, file: str) -> None:
        """Run one check; a tool that fails to run is a finding of that check."""
        from mlmon.tools import ToolFailed, ToolMissing

        try:
            diags = fn()
        except ToolMissing as exc:  # vanished between the PATH check and the call
            diags = [Diagnostic(file, 0, 0, Severity.ERROR, "MLM304", str(exc), exc.hint)]
        except ToolFailed as exc:
            diags = [Diagnostic(file, 0, 0, Severity.ERROR, code, str(exc))]
        check = Check(name, diags, detail if isinstance(detail, str) else detail())
        self.append(check)
        _err(check.summary())


def _files(root: Path, folder: str, glob: str) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in (root / folder).glob(glob) if p.is_file())


def _run_checks(root: Path, opts: Any) -> list[Check]:
    from mlmon.tools import amtool, pint, promtool
    from mlmon.tools import coverage as rule_coverage
    from mlmon.tools.dashboards import GRAFANA_DIR, check_dashboards
    from mlmon.tools.routing import RoutingCase, coverage, load_routing_tests, run_routing_tests
    from mlmon.tools.rulefiles import alert_rules, unknown_test_alerts

    rules, tests = _files(root, RULES_DIR, RULES_GLOB), _files(root, TESTS_DIR, TESTS_GLOB)
    timeout = getattr(opts, "timeout", None)  # None: $MLMON_TOOL_TIMEOUT, else no limit
    checks = _Checks()
    checks.step("promtool check config", PROM_CONFIG, lambda: promtool.check_config(PROM_CONFIG, cwd=root, timeout=timeout), "MLM301", PROM_CONFIG)
    checks.step(
        "promtool check rules",
        _plural(len(rules), "file"),
        lambda: promtool.check_rules(rules, cwd=root, timeout=timeout),
        "MLM301",
        rules[0] if rules else RULES_DIR,
    )

    def test_rules() -> list[Diagnostic]:
        return _test_rules_parallel(root, tests, opts) + unknown_test_alerts(root, tests)

    checks.step("promtool test rules", _plural(len(tests), "file"), test_rules, "MLM301", tests[0] if tests else TESTS_DIR)
    alerts = [a for f in rules for a in alert_rules(root, f)]
    covs = rule_coverage.coverage(root, alerts, tests)
    checks.covered = covs
    checks.step("rule test coverage", rule_coverage.summary(covs), lambda: rule_coverage.diagnostics(root, covs), "MLM306", TESTS_DIR)
    checks.step("amtool check-config", AM_CONFIG, lambda: amtool.check_config(AM_CONFIG, cwd=root), "MLM302", AM_CONFIG)

    cases: list[RoutingCase] = []
    if (root / ROUTING_TESTS).is_file():
        cases, load_diags = load_routing_tests(root, ROUTING_TESTS)
        calls = [0]

        def routes() -> list[Diagnostic]:
            diags, calls[0] = run_routing_tests(root, cases)
            return load_diags + diags

        def detail() -> str:
            return f"{len(cases)} {'entry' if len(cases) == 1 else 'entries'}, {_plural(calls[0], 'distinct label set')}"

        checks.step("amtool config routes test", detail, routes, "MLM302", ROUTING_TESTS)
    else:
        missing = [Diagnostic(ROUTING_TESTS, 0, 0, Severity.ERROR, "MLM303", "missing: no routing tests to run")]
        checks.step("amtool config routes test", "no routing-tests.yml", lambda: missing, "MLM303", ROUTING_TESTS)
    checks.step("routing coverage", _plural(len(alerts), "alert rule"), lambda: coverage(alerts, cases), "MLM303", ROUTING_TESTS)

    dashboards = _files(root, GRAFANA_DIR, "*.json")
    checks.step("grafana dashboards", _plural(len(dashboards), "file"), lambda: check_dashboards(root, dashboards), "MLM213", GRAFANA_DIR)
    if (root / "kubernetes").is_dir():
        from mlmon.tools.kubernetes import DIR, check_tree

        objects = [0]

        def kubernetes() -> list[Diagnostic]:
            diags, objects[0] = check_tree(root)
            return diags

        checks.step("kubernetes objects", lambda: _plural(objects[0], "object"), kubernetes, "MLM310", DIR)
    if pint.available():
        checks.step("pint lint", _plural(len(rules), "file"), lambda: pint.lint(rules, cwd=root), "MLM305", rules[0] if rules else RULES_DIR)
    else:
        checks.append(Check("pint", [], "not installed", skipped=True))
        _err("pint: skipped (not installed)")
    return checks


def run(opts: Any) -> int:
    directory = Path(getattr(opts, "directory", None) or "generated")
    fmt = getattr(opts, "format", "text") or "text"
    if fmt not in ("text", "json"):
        _err(f"mlmon validate: --format must be text or json, not {fmt!r}")
        return ExitCode.USAGE
    code = _preflight(directory, fmt)
    if code is not None:
        return code
    checks = _run_checks(directory, opts)
    shown = _shown(directory)
    if getattr(opts, "coverage", False) and fmt == "text":
        from mlmon.tools.coverage import table

        sys.stdout.write(table(getattr(checks, "covered", [])))
    # the same problem can come from two checks (check config also loads the rule files)
    unique = {replace(d, file=shown(d.file)) if not Path(d.file).is_absolute() else d for c in checks for d in c.diags}
    diags = sorted(unique, key=lambda d: (d.file, d.line, d.col, d.code, d.message))
    failed = has_errors(diags)
    if fmt == "json":
        sys.stdout.write(format_json(diags))
    else:
        sys.stdout.write(format_text(diags))
        ran = [c for c in checks if not c.skipped]
        bad = [c.name for c in ran if has_errors(c.diags)]
        shown_dir = directory.as_posix()
        if failed:
            sys.stdout.write(f"{shown_dir}: {len(bad)} of {len(ran)} checks failed: {', '.join(bad)}\n")
        else:
            sys.stdout.write(f"{shown_dir}: all {len(ran)} checks passed\n")
    sys.stdout.flush()
    return ExitCode.FINDINGS if failed else ExitCode.OK
