"""Policy checks: organisation rules that every spec must satisfy, enforced by ``mlmon lint``
(and by every command that compiles specs) across all spec files at once.

A policy is a YAML document of its own kind next to the specs (``kind: MonitoringPolicy``),
found like any spec file. Its rules select models (by labels, team, task or id) and require
monitors, labels, a description, paging or an allowed team, and limits on thresholds (drift no
looser than, SLO objectives no lower than, fairness limits, model staleness). Pure: documents
and the compiled spec in, diagnostics out. The user manual's page is ``docs/spec/policy.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mlmon.compiler.source import Document, render_path
from mlmon.diagnostics import Diagnostic
from mlmon.policy.checks import violations
from mlmon.policy.model import Rule, load, matches
from mlmon.policy.schema import KIND

__all__ = ["KIND", "check", "is_policy", "load"]


def is_policy(doc: Document) -> bool:
    return isinstance(doc.data, dict) and doc.data.get("kind") == KIND


def check(spec: Any, rules: Sequence[Rule], docs: Sequence[Document]) -> list[Diagnostic]:
    """Every violation of ``rules`` by the models of ``spec``; ``docs`` are the spec documents
    (for positions and for what was written, as opposed to defaulted)."""
    diags: list[Diagnostic] = []
    for model in spec.models:
        doc, index = _entry(model, docs)
        if doc is None:
            continue
        base = ("models", index)
        raw = doc.data["models"][index]
        for rule in rules:
            if not matches(rule, model):
                continue
            for sub, code, message in violations(rule, model, spec, raw):
                path = base + sub
                line, col = doc.source.pos(path)
                hint = f"policy rule {rule.name!r} of {rule.policy} ({rule.where})" + (f": {rule.description}" if rule.description else "")
                diags.append(Diagnostic(doc.file, line, col, rule.severity, code, f"{render_path(path)}: {message}", hint))
    return diags


def _entry(model: Any, docs: Sequence[Document]) -> tuple[Document | None, int]:
    index = model.origin.path[1] if len(model.origin.path) > 1 else -1
    for doc in docs:
        items = doc.data.get("models") if doc.file == model.origin.file and isinstance(doc.data, dict) else None
        if isinstance(items, list) and 0 <= index < len(items) and isinstance(items[index], dict) and items[index].get("id") == model.id:
            return doc, index
    return None, -1
