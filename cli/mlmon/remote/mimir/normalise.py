"""Ruler groups in comparable form (the ruler re-serialises durations, drops a zero ``for`` and
empty maps, re-prints expressions) and their rule-by-rule changes (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mlmon.plan import Change
from mlmon.remote.durations import spelled
from mlmon.remote.rules import changed_fields, normalise_rule, numbered, string_map

TARGET = "mimir"


def normalise_group(group: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"name": str(group.get("name", ""))}
    for key in sorted(k for k in group if k not in ("name", "rules")):
        value = group[key]
        if value in (None, "", 0, [], {}):
            continue
        if key in ("interval", "query_offset"):
            value = spelled(value)
        elif key == "labels" and isinstance(value, Mapping):
            value = string_map(value)
        out[key] = value
    out["rules"] = [normalise_rule(r) for r in group.get("rules") or [] if isinstance(r, Mapping)]
    return out


def _rule_keys(rules: list[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    names = numbered((f"alert {r['alert']}" if r.get("alert") else f"record {r.get('record', '')}" for r in rules), " #")
    return {name: dict(r) for name, r in zip(names, rules)}


def rule_changes(ns: str, group: str, before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> tuple[Change, ...]:
    old = _rule_keys((before or {}).get("rules") or [])
    new = _rule_keys((after or {}).get("rules") or [])
    out = []
    for key in list(new) + [k for k in old if k not in new]:
        a, b = old.get(key), new.get(key)
        name = f"{ns}/{group}/{key}"
        if a is None:
            out.append(Change(TARGET, "rule", name, "add", None, b))
        elif b is None:
            out.append(Change(TARGET, "rule", name, "remove", a, None))
        elif a != b:
            out.append(Change(TARGET, "rule", name, "change", a, b, "changed: " + ", ".join(changed_fields(a, b))))
    if not out and before and after and before != after:
        return (Change(TARGET, "rule", f"{ns}/{group}", "change", None, None, "group fields changed: " + ", ".join(changed_fields(before, after))),)
    return tuple(out)
