"""Reading generated rule and rule-test files with positions, and the checks on them that need no
tool: alert rules a rule test names but no rule file defines."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlmon.diagnostics import Diagnostic, Severity


def read_documents(root: Path, rel: str) -> list[Any] | None:
    """The YAML documents of ``root/rel`` with their source maps; None when it cannot be read."""
    from mlmon.compiler.source import parse_documents

    try:
        text = (root / rel).read_text(encoding="utf-8")
    except OSError:
        return None
    docs, _ = parse_documents(text, rel)
    return docs


@dataclass(frozen=True)
class AlertRef:
    file: str
    name: str
    static_labels: tuple[tuple[str, str], ...]
    line: int
    col: int


def alert_rules(root: Path, rel: str) -> list[AlertRef]:
    """Alert rules of a rule file with positions; templated label values are not static."""
    out = []
    for doc in read_documents(root, rel) or []:
        groups = doc.data.get("groups") if isinstance(doc.data, dict) else None
        for gi, group in enumerate(groups if isinstance(groups, list) else []):
            rules = group.get("rules") if isinstance(group, dict) else None
            for ri, rule in enumerate(rules if isinstance(rules, list) else []):
                if not isinstance(rule, dict) or not isinstance(rule.get("alert"), str):
                    continue
                labels = rule.get("labels") if isinstance(rule.get("labels"), dict) else {}
                static = tuple(sorted((str(k), str(v)) for k, v in (labels or {}).items() if "{{" not in str(v)))
                line, col = doc.source.pos(("groups", gi, "rules", ri, "alert"))
                out.append(AlertRef(rel, rule["alert"], static, line, col))
    return out


def _defined_alerts(root: Path, rel: str, data: dict[str, Any]) -> set[str]:
    """Alert names of the rule files a test file loads (``rule_files``, relative to it, inside root)."""
    names: set[str] = set()
    for pattern in data.get("rule_files") or []:
        if not isinstance(pattern, str) or Path(pattern).is_absolute():
            continue
        for f in sorted((root / rel).parent.glob(pattern)):
            try:
                names |= {a.name for a in alert_rules(root, f.resolve().relative_to(root.resolve()).as_posix())}
            except ValueError:  # outside root
                continue
    return names


def unknown_test_alerts(root: Path, test_files: list[str]) -> list[Diagnostic]:
    """``alert_rule_test`` entries naming an alert their rule files do not define. promtool passes
    such a case when it expects no alerts, so a typo would prove nothing."""
    diags = []
    for rel in test_files:
        for doc in read_documents(root, rel) or []:
            data = doc.data if isinstance(doc.data, dict) else {}
            names = _defined_alerts(root, rel, data)
            for gi, group in enumerate(data.get("tests") or []):
                cases = group.get("alert_rule_test") if isinstance(group, dict) else None
                for ci, case in enumerate(cases if isinstance(cases, list) else []):
                    name = case.get("alertname") if isinstance(case, dict) else None
                    if isinstance(name, str) and name not in names:
                        line, col = doc.source.pos(("tests", gi, "alert_rule_test", ci, "alertname"))
                        message = f"alert_rule_test names alert {name}, which its rule_files do not define"
                        diags.append(
                            Diagnostic(
                                rel, line, col, Severity.ERROR, "MLM301", message, hint="promtool passes such a case vacuously when no alerts are expected"
                            )
                        )
    return diags
