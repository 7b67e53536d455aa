"""Rule groups from rule files and from ``/api/v1/rules`` in one comparable shape, and the
group-by-group, rule-by-rule diff (pure)."""

from __future__ import annotations

from typing import Any

from mlmon.plan import Change, diff_keyed
from mlmon.remote import rules
from mlmon.remote.durations import seconds, spelled


def normalise_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """A rule from a rule file or from /api/v1/rules -> one comparable shape."""
    if "type" in rule:  # live (/api/v1/rules): durations in seconds, the query re-printed
        kind = "alert" if rule.get("type") == "alerting" else "record"
        rule = {
            kind: rule.get("name", ""),
            "expr": rule.get("query", ""),
            "for": rule.get("duration"),
            "keep_firing_for": rule.get("keepFiringFor"),
            "labels": rule.get("labels"),
            "annotations": rule.get("annotations"),
        }
    return rules.normalise_rule(rule)


def normalise_group(group: dict[str, Any], default_interval: float, file: str) -> dict[str, Any]:
    out: dict[str, Any] = {"file": file, "interval": spelled(seconds(group.get("interval")) or default_interval)}
    if group.get("limit"):
        out["limit"] = int(group["limit"])
    out["rules"] = [normalise_rule(r) for r in group.get("rules") or []]
    return out


def diff_groups(live: dict[str, dict], desired: dict[str, dict]) -> list[Change]:
    """Group-by-group, then rule-by-rule changes."""
    children: dict[str, tuple[Change, ...]] = {}
    details: dict[str, str] = {}
    for name in set(live) | set(desired):
        before, after = live.get(name), desired.get(name)
        if before == after:
            continue
        kids = diff_keyed("prometheus", "rule", _rules_by_key(before, name), _rules_by_key(after, name))
        children[name] = tuple(kids)
        notes = []
        if before and after:
            if before["file"] != after["file"]:
                notes.append(f"moves from {before['file']} to {after['file']}")
            if before["interval"] != after["interval"]:
                notes.append(f"interval {before['interval']} -> {after['interval']}")
            if not kids and before["rules"] != after["rules"]:
                notes.append("rule order changes")
        details[name] = "; ".join(notes)
    return diff_keyed("prometheus", "rule_group", live, desired, children=children, details=details)


def _rules_by_key(group: dict | None, group_name: str) -> dict[str, dict]:
    if not group:
        return {}
    kinds = ["alert" if "alert" in r else "record" for r in group["rules"]]
    keys = rules.numbered((f"{k}:{r.get(k, '')}" for k, r in zip(kinds, group["rules"])), "#")
    return {f"{group_name}/{key}": r for key, r in zip(keys, group["rules"])}
