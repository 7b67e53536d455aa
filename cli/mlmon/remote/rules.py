"""Rule-file rules in one comparable shape, for every target that holds them (Prometheus, the
Mimir ruler): PromQL in its canonical spelling, durations spelled one way, a zero ``for`` dropped,
label and annotation maps sorted, empty fields left out (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from mlmon.remote import promql
from mlmon.remote.durations import spelled

RULE_FIELDS = ("record", "alert", "expr", "for", "keep_firing_for", "labels", "annotations")
EMPTY: tuple[Any, ...] = (None, "", {})


def string_map(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in sorted((value or {}).items())}


def normalise_rule(rule: Mapping[str, Any]) -> dict[str, Any]:
    """A rule as written in a rule file (fields the format does not know are kept, sorted)."""
    out: dict[str, Any] = {}
    for key in RULE_FIELDS:
        value = rule.get(key)
        if value in EMPTY:
            continue
        if key == "expr":
            value = promql.canonical(value)
        elif key in ("for", "keep_firing_for"):
            value = spelled(value)
            if value == "0s":
                continue
        elif key in ("labels", "annotations"):
            value = string_map(value)
        out[key] = value
    for key in sorted(set(rule) - set(RULE_FIELDS)):
        out[key] = rule[key]
    return out


def numbered(names: Iterable[str], mark: str) -> list[str]:
    """Names made unique in order: the second ``x`` becomes ``x<mark>2``."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}{mark}{seen[name]}")
    return out


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any], skip: Iterable[str] = ()) -> list[str]:
    """The keys whose values differ, sorted."""
    return sorted(k for k in set(before) | set(after) if k not in skip and before.get(k) != after.get(k))
