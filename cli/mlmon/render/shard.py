"""Splitting wide rule groups for rulers with a limit of rules per group (pure).

A group marked ``shardable`` with more than ``max_rules`` rules keeps its name and the rules that
read a series recorded in the same group (they rely on the order of one evaluation), plus as many
of the others as fit; those others, which read only scraped series or series recorded by other
groups, move in their order into groups ``<name>-shard-<i>`` of at most ``max_rules`` rules,
written before it. Every rule keeps its expression, so the work per evaluation stays the same;
what changes is that the remaining group reads the moved rules' results from their latest
evaluation (at most one evaluation interval old) instead of the same one. promtool's rule tests
evaluate the shards first, so they compute what the unsplit group does.

A group whose dependent rules alone exceed ``max_rules`` cannot be split that way and stays as it
is (lint reports it, MLM275).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from mlmon.artifacts import AlertRule, RecordingRule, RuleGroup

SHARD_SUFFIX = "-shard-{i}"


def _reads(rule: RecordingRule | AlertRule, names: set[str]) -> bool:
    return any(re.search(rf"(?<![A-Za-z0-9_:]){re.escape(n)}(?![A-Za-z0-9_:])", rule.expr) for n in names)


def shard_group(group: RuleGroup, max_rules: int) -> list[RuleGroup]:
    """``group`` split as described above (a list of one when it is not split)."""
    if not group.shardable or max_rules <= 0 or len(group.rules) <= max_rules:
        return [group]
    recorded = {r.record for r in group.rules if isinstance(r, RecordingRule)}
    dependent = [i for i, r in enumerate(group.rules) if _reads(r, recorded)]
    if len(dependent) > max_rules:
        return [group]
    free = [i for i in range(len(group.rules)) if i not in set(dependent)]
    kept = set(dependent) | set(free[: max_rules - len(dependent)])
    moved = [group.rules[i] for i in free[max_rules - len(dependent) :]]
    shards = [
        RuleGroup(group.name + SHARD_SUFFIX.format(i=n + 1), tuple(moved[k : k + max_rules]), group.interval, True)
        for n, k in enumerate(range(0, len(moved), max_rules))
    ]
    return [*shards, RuleGroup(group.name, tuple(r for i, r in enumerate(group.rules) if i in kept), group.interval, True)]


def shard_groups(groups: Sequence[RuleGroup], max_rules: int) -> list[RuleGroup]:
    return [g for group in groups for g in shard_group(group, max_rules)]
