"""The spec's ``ruler`` section: the limits of the ruler the rules are deployed to (Grafana Mimir,
Cortex, Thanos Ruler) and the Thanos Ruler rule files (schema fragment, typed value, compile; pure).

Without the section the rule files are written as before: a plain Prometheus has no group limits.
With it, wide drift groups are split into groups of at most ``max_rules_per_group`` rules, lint
warns about every group still over that size and about more groups than
``max_groups_per_tenant`` (MLM275, MLM276), and ``thanos`` adds ``generated/thanos/rules/``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from mlmon.compiler.dsl import enum, obj
from mlmon.compiler.source import Document, Path

# Grafana Mimir's defaults (pkg/util/validation/limits.go: -ruler.max-rules-per-rule-group 20,
# -ruler.max-rule-groups-per-tenant 70); Cortex has the same limits, off by default.
MAX_RULES_PER_GROUP = 20
MAX_GROUPS_PER_TENANT = 70
# Thanos Ruler's extra group field (docs/components/rule.md); abort is its default
STRATEGIES = ("abort", "warn")
STRATEGY = "abort"


@dataclass(frozen=True)
class Ruler:
    max_rules_per_group: int = MAX_RULES_PER_GROUP  # 0: no limit (no splitting, no check)
    max_groups_per_tenant: int = MAX_GROUPS_PER_TENANT  # 0: no limit
    thanos_strategy: str | None = None  # partial_response_strategy of the Thanos rule files; None: none written


def ruler_fragment() -> dict[str, Any]:
    count = {"type": "integer", "minimum": 0}
    return obj(
        {
            "max_rules_per_group": {
                **count,
                "default": MAX_RULES_PER_GROUP,
                "description": "the ruler's limit of rules per group (Mimir's ruler_max_rules_per_rule_group); wide drift groups are split "
                "into groups of at most this many rules so the ruler can spread them, and lint warns about any group still over it; 0: no limit",
            },
            "max_groups_per_tenant": {
                **count,
                "default": MAX_GROUPS_PER_TENANT,
                "description": "the ruler's limit of rule groups per tenant (Mimir's ruler_max_rule_groups_per_tenant); lint warns when the "
                "spec's models have more groups; 0: no limit",
            },
            "thanos": obj(
                {
                    "partial_response_strategy": enum(
                        list(STRATEGIES),
                        "what Thanos Ruler does when a store answers partially: abort the evaluation (no result) or warn and use the partial data",
                        STRATEGY,
                    )
                },
                (),
                "also write the rule files for Thanos Ruler to generated/thanos/rules/ (the same groups with partial_response_strategy)",
            ),
        },
        (),
        "The ruler the rules are deployed to (Mimir, Cortex, Thanos Ruler): its group limits, and Thanos rule files. Define it in one spec file",
    )


Report = Callable[..., None]  # (doc, path, code, message, hint=None, key=False)


def defined_once(docs: Sequence[Document], key: str, error: Report) -> Document | None:
    """The document that defines the top-level ``key``; MLM277 at every other one."""
    defining = [d for d in docs if isinstance(d.data, dict) and key in d.data]
    for other in defining[1:]:
        line, col = defining[0].source.pos((key,), key=True)
        error(other, (key,), "MLM277", f"{key}: defined again (first in {defining[0].file}:{line}:{col}); define it in one file", key=True)
    return defining[0] if defining else None


def compile_ruler(docs: Sequence[Document], error: Report) -> Ruler | None:
    doc = defined_once(docs, "ruler", error)
    if doc is None:
        return None
    raw = doc.data.get("ruler") or {}
    thanos = raw.get("thanos")
    strategy = (thanos or {}).get("partial_response_strategy", STRATEGY) if thanos is not None else None
    return Ruler(raw.get("max_rules_per_group", MAX_RULES_PER_GROUP), raw.get("max_groups_per_tenant", MAX_GROUPS_PER_TENANT), strategy)


RULER_PATH: Path = ("ruler",)
