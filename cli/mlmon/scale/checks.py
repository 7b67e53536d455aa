"""Lint of scale limits (pure): rule groups against the ruler's limits (MLM275, MLM276) and the
estimated series against ``storage.series_budget`` (MLM280)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mlmon.artifacts import RuleGroup
from mlmon.compiler.source import Document, render_path
from mlmon.diagnostics import Diagnostic, Severity
from mlmon.scale.series import Estimate

ModelGroups = Sequence[tuple[str, Sequence[RuleGroup]]]  # (monitor key, its rule groups)


def _at(docs: Mapping[str, Document], file: str, path: tuple, fallback: tuple[int, int], key: bool = False) -> tuple[int, int]:
    doc = docs.get(file)
    return doc.source.pos(path, key=key) if doc is not None else fallback


def _top(docs: Mapping[str, Document], key: str) -> tuple[str, int, int]:
    for name, doc in sorted(docs.items()):
        if isinstance(doc.data, dict) and key in doc.data:
            line, col = doc.source.pos((key,), key=True)
            return name, line, col
    return "", 0, 0


def ruler_limits(spec: Any, groups: Mapping[str, ModelGroups], docs: Mapping[str, Document]) -> list[Diagnostic]:
    r = spec.ruler
    if r is None:
        return []
    out = []
    total = 0
    for model in spec.models:
        for key, gs in groups.get(model.id, ()):
            total += len(gs)
            for g in gs:
                if r.max_rules_per_group and len(g.rules) > r.max_rules_per_group:
                    line, col = _at(docs, model.origin.file, model.origin.path + (key,), (model.origin.line, model.origin.col), key=True)
                    why = "its rules read one another within an evaluation" if g.shardable else "mlmon does not split this monitor's groups"
                    out.append(
                        Diagnostic(
                            model.origin.file,
                            line,
                            col,
                            Severity.WARNING,
                            "MLM275",
                            f"{render_path(model.origin.path + (key,))}: rule group {g.name!r} has {len(g.rules)} rules, "
                            f"over ruler.max_rules_per_group {r.max_rules_per_group} ({why}); a ruler with that limit rejects it",
                            "raise the ruler's limit (Mimir: ruler_max_rules_per_rule_group for the tenant) and ruler.max_rules_per_group with it",
                        )
                    )
    if r.max_groups_per_tenant and total > r.max_groups_per_tenant:
        file, line, col = _top(docs, "ruler")
        out.append(
            Diagnostic(
                file,
                line,
                col,
                Severity.WARNING,
                "MLM276",
                f"ruler: the spec's {len(spec.models)} model(s) have {total} rule groups, over ruler.max_groups_per_tenant {r.max_groups_per_tenant}; "
                "a ruler with that limit rejects the groups past it",
                "raise the tenant's limit (Mimir: ruler_max_rule_groups_per_tenant) and ruler.max_groups_per_tenant, or split the models over tenants",
            )
        )
    return out


def budget(spec: Any, estimates: Sequence[Estimate], docs: Mapping[str, Document]) -> list[Diagnostic]:
    s = spec.storage
    if s is None or (s.budget.total is None and s.budget.per_model is None):
        return []
    out = []
    hint = "`mlmon series` shows where the series come from; drop features or bins, or raise the budget"
    if s.budget.per_model is not None:
        for e in estimates:
            if e.total > s.budget.per_model:
                m = spec.model(e.model)
                line, col = _at(docs, m.origin.file, m.origin.path, (m.origin.line, m.origin.col))
                msg = f"model {e.model!r}: about {e.total} series (estimated), over storage.series_budget.per_model {s.budget.per_model}"
                out.append(Diagnostic(m.origin.file, line, col, Severity.ERROR, "MLM280", msg, hint))
    total = sum(e.total for e in estimates)
    if s.budget.total is not None and total > s.budget.total:
        file, line, col = _top(docs, "storage")
        file = file or spec.files[0]
        msg = f"storage.series_budget.total: the spec's models create about {total} series (estimated), over the budget {s.budget.total}"
        out.append(Diagnostic(file, line, col, Severity.ERROR, "MLM280", msg, hint))
    return out
