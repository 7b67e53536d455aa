"""Policy documents -> typed rules (pure). Schema problems are reported with the spec's codes;
problems the schema cannot see (a rule that checks nothing, an unknown monitor, a duplicate rule
name) with MLM289."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from mlmon.compiler.source import Document, Path, render_path
from mlmon.compiler.units import parse_duration
from mlmon.compiler.validator import validate_paths
from mlmon.diagnostics import Diagnostic, Severity
from mlmon.policy.schema import DEFAULT_SEVERITY, policy_schema

CODE_POLICY = "MLM289"


@dataclass(frozen=True)
class Where:
    """A position in a policy file, for hints that point at the rule a violation breaks."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Rule:
    name: str
    policy: str  # metadata.name of the policy document
    description: str
    severity: Severity
    where: Where
    match: Mapping[str, Any] = field(default_factory=dict)
    require: Mapping[str, Any] = field(default_factory=dict)
    limits: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


def load(docs: list[Document], monitor_keys: Collection[str]) -> tuple[list[Rule], list[Diagnostic]]:
    """Validate and compile policy documents. Rules of a document with schema errors are dropped."""
    rules: list[Rule] = []
    diags: list[Diagnostic] = []
    seen: dict[str, Where] = {}
    for doc in docs:
        errs = validate_paths(doc.data, policy_schema(), doc.source)
        diags.extend(d for _, d in errs)
        if errs:
            continue
        policy = doc.data["metadata"]["name"]
        for i, raw in enumerate(doc.data["rules"]):
            path: Path = ("rules", i)

            line, col = doc.source.pos(path)
            where = Where(doc.file, line, col)
            name = raw["name"]
            if name in seen:
                diags.append(_problem(doc, path + ("name",), f"policy rule {name!r} is defined twice (first at {seen[name]})"))
                continue
            seen[name] = where
            if not raw.get("require") and not raw.get("limits"):
                diags.append(_problem(doc, path, f"policy rule {name!r} checks nothing: give it require, limits or both"))
                continue
            unknown = [k for k in raw.get("require", {}).get("monitors", []) if k not in monitor_keys]
            for k in unknown:
                j = raw["require"]["monitors"].index(k)
                diags.append(_problem(doc, path + ("require", "monitors", j), f"unknown monitor {k!r} (known: {', '.join(sorted(monitor_keys))})"))
            if unknown:
                continue
            limits = {k: dict(v) for k, v in raw.get("limits", {}).items()}
            if "max_stale_after" in limits.get("versions", {}):
                limits["versions"]["max_stale_after"] = parse_duration(limits["versions"]["max_stale_after"])
            rules.append(
                Rule(
                    name,
                    policy,
                    raw.get("description", ""),
                    Severity.parse(raw.get("severity", DEFAULT_SEVERITY)),
                    where,
                    dict(raw.get("match", {})),
                    dict(raw.get("require", {})),
                    limits,
                )
            )
    return rules, diags


def matches(rule: Rule, model: Any) -> bool:
    """Whether the rule applies to this compiled model."""
    m = rule.match
    if any(model.labels.get(k) != v for k, v in m.get("labels", {}).items()):
        return False
    if "teams" in m and model.team not in m["teams"]:
        return False
    if "tasks" in m and model.task not in m["tasks"]:
        return False
    return "models" not in m or model.id in m["models"]


def _problem(doc: Document, path: Path, msg: str) -> Diagnostic:
    line, col = doc.source.pos(path)
    return Diagnostic(doc.file, line, col, Severity.ERROR, CODE_POLICY, f"{render_path(path)}: {msg}")
