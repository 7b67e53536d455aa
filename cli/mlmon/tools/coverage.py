"""Rule-test coverage of generated output: for every alert rule of ``prometheus/rules/``, whether
the promtool tests of ``prometheus/tests/`` hold a case where it fires, one where it stays quiet
and one with no input series at all (no data).

A test file covers the rules of the files its ``rule_files`` load. An ``alert_rule_test`` entry
naming the alert fires a rule when one of its ``exp_alerts`` carries every static label of the
rule; it proves the rule quiet when none does (an empty ``exp_alerts`` included). A rule without a
firing case is an error (MLM306), unless ``prometheus/tests/untested-alerts.yml`` (written from
the spec's ``untested_alerts``) exempts it."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlmon.compiler.untested import FILE as EXEMPT_FILE
from mlmon.diagnostics import Diagnostic, Severity
from mlmon.tools.rulefiles import AlertRef, read_documents

CODE = "MLM306"
PROMETHEUS_DIR = "prometheus"


@dataclass
class Coverage:
    rule: AlertRef
    fires: bool = False
    quiet: bool = False
    no_data: bool = False
    exempt: str | None = None  # the reason, when exempted
    tests: set[str] = field(default_factory=set)  # test files loading its rule file

    @property
    def shown(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in (("alertname", self.rule.name), *self.rule.static_labels))


@dataclass(frozen=True)
class _Check:
    alertname: str
    exp_labels: tuple[dict[str, str], ...]
    no_input: bool


def _test_checks(root: Path, rel: str) -> tuple[set[str], list[_Check]]:
    """The rule files (relative to root) a test file loads, and its alert checks."""
    files: set[str] = set()
    checks: list[_Check] = []
    for doc in read_documents(root, rel) or []:
        data: dict[str, Any] = doc.data if isinstance(doc.data, dict) else {}
        for pattern in data.get("rule_files") or []:
            if isinstance(pattern, str) and not Path(pattern).is_absolute():
                for f in sorted((root / rel).parent.glob(pattern)):
                    try:
                        files.add(f.resolve().relative_to(root.resolve()).as_posix())
                    except ValueError:
                        continue
        for case in data.get("tests") or []:
            if not isinstance(case, dict):
                continue
            no_input = not case.get("input_series")
            for c in case.get("alert_rule_test") or []:
                if isinstance(c, dict) and isinstance(c.get("alertname"), str):
                    exp = tuple({str(k): str(v) for k, v in (a.get("exp_labels") or {}).items()} for a in c.get("exp_alerts") or [] if isinstance(a, dict))
                    checks.append(_Check(c["alertname"], exp, no_input))
    return files, checks


def _exemptions(root: Path) -> list[dict[str, Any]]:
    """The entries of untested-alerts.yml, each with its position (``_line``, ``_col``)."""
    docs = read_documents(root, EXEMPT_FILE) if (root / EXEMPT_FILE).is_file() else None
    out = []
    for doc in docs or []:
        entries = doc.data.get("untested_alerts") if isinstance(doc.data, dict) else None
        for i, e in enumerate(entries or []):
            if isinstance(e, dict) and isinstance(e.get("alert"), str):
                line, col = doc.source.pos(("untested_alerts", i))
                out.append({**e, "_line": line, "_col": col})
    return out


def coverage(root: Path, alerts: list[AlertRef], test_files: list[str]) -> list[Coverage]:
    """The coverage of each alert rule (in the order given)."""
    result = [Coverage(a) for a in alerts]
    by_file: dict[str, list[Coverage]] = {}
    for cov in result:
        by_file.setdefault(cov.rule.file, []).append(cov)
    for rel in test_files:
        files, checks = _test_checks(root, rel)
        for f in files:
            for cov in by_file.get(f, []):
                cov.tests.add(rel)
                static = dict(cov.rule.static_labels)
                for c in checks:
                    if c.alertname != cov.rule.name:
                        continue
                    hit = any(all(e.get(k) == v for k, v in static.items()) for e in c.exp_labels)
                    cov.fires |= hit
                    cov.quiet |= not hit
                    cov.no_data |= c.no_input
    for e in _exemptions(root):
        for cov in result:
            if _exempts(e, cov.rule):
                cov.exempt = str(e.get("reason") or "")
    return result


def _exempts(entry: dict[str, Any], rule: AlertRef) -> bool:
    """Whether an untested_alerts entry names this rule: alert name, rule file and static labels."""
    want = {str(k): str(v) for k, v in (entry.get("labels") or {}).items()}
    static = dict(rule.static_labels)
    pattern = f"{PROMETHEUS_DIR}/{entry.get('rule_files') or '*'}"
    return rule.name == entry["alert"] and fnmatch.fnmatch(rule.file, pattern) and all(static.get(k) == v for k, v in want.items())


def diagnostics(root: Path, covs: list[Coverage]) -> list[Diagnostic]:
    """MLM306 for each rule without a firing case (and not exempt); a warning for an exemption
    that matches no rule."""
    diags = []
    for cov in covs:
        if cov.fires or cov.exempt is not None:
            continue
        has = [w for w, ok in (("quiet", cov.quiet), ("no-data", cov.no_data)) if ok]
        message = f"alert {cov.rule.name} {{{cov.shown}}} has no rule test where it fires" + (f" (only {' and '.join(has)} cases)" if has else "")
        hint = "generate a firing case for it, or exempt it with the model's untested_alerts (alert, labels, reason) if it cannot be simulated"
        diags.append(Diagnostic(cov.rule.file, cov.rule.line, cov.rule.col, Severity.ERROR, CODE, message, hint))
    for e in _exemptions(root):
        if not any(_exempts(e, c.rule) for c in covs):
            diags.append(
                Diagnostic(
                    EXEMPT_FILE,
                    e["_line"],
                    e["_col"],
                    Severity.WARNING,
                    CODE,
                    f"untested_alerts entry for {e['alert']} ({e.get('model', '?')}) matches no alert rule",
                )
            )
    return diags


def summary(covs: list[Coverage]) -> str:
    """``N alert rules: F fire (P%), Q quiet, D no-data, E exempt``."""
    n = len(covs)
    fires = sum(c.fires for c in covs)
    exempt = sum(1 for c in covs if c.exempt is not None and not c.fires)
    pct = 100.0 * (fires + exempt) / n if n else 100.0
    return (
        f"{n} alert rule{'' if n == 1 else 's'}: {fires} fire ({pct:.4g}% with {exempt} exempt), "
        f"{sum(c.quiet for c in covs)} quiet, {sum(c.no_data for c in covs)} no-data"
    )


def table(covs: list[Coverage]) -> str:
    """One line per alert rule: fires / quiet / no-data marks, the rule and its position."""
    lines = ["fires quiet no-data  rule"]
    for c in covs:
        fires = "yes" if c.fires else ("exempt" if c.exempt is not None else "NO")
        marks = f"{fires:<6}{'yes' if c.quiet else 'no':<6}{'yes' if c.no_data else 'no':<9}"
        lines.append(f"{marks}{c.rule.file}:{c.rule.line}: {{{c.shown}}}" + (f"  (exempt: {c.exempt})" if c.exempt is not None and not c.fires else ""))
    return "\n".join(lines) + "\n"
