"""Desired vs live: normalised objects compared into one ordered plan (pure).

Each target (Prometheus, Alertmanager, Grafana, Mimir ruler) turns what its server returns and what
``generated/`` holds into comparable, normalised values; ``Change`` records one difference.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

ACTIONS = ("add", "change", "remove")


@dataclass(frozen=True)
class Change:
    target: str  # prometheus | alertmanager | grafana | mimir
    kind: str  # rule_group | rule | config | route | receiver | inhibit_rule | folder | dashboard | panel | namespace
    name: str  # stable identifier within target+kind
    action: str  # add | change | remove
    before: Any = None  # normalised live value (None for add); secrets already redacted
    after: Any = None  # normalised desired value (None for remove); secrets already redacted
    detail: str = ""
    children: tuple[Change, ...] = field(default_factory=tuple)  # e.g. rules inside a group, panels inside a dashboard


# --- helpers shared by the targets and the commands (pure) ----------------------------------------
SECRET_PLACEHOLDER = "<secret>"
# Field names whose values are secrets wherever they appear (Alertmanager, HTTP configs, Grafana).
SECRET_KEYS = frozenset(
    {
        "api_key",
        "api_secret",
        "api_url",
        "auth_password",
        "auth_secret",
        "bearer_token",
        "bot_token",
        "client_secret",
        "credentials",
        "password",
        "routing_key",
        "secret",
        "secret_key",
        "service_key",
        "slack_api_url",
        "smtp_auth_password",
        "smtp_auth_secret",
        "token",
        "user_key",
        "webhook_url",
        "opsgenie_api_key",
        "victorops_api_key",
        "wechat_api_secret",
        "telegram_bot_token",
        "secureJsonData",
        "basicAuthPassword",
    }
)


def redact_value(value: Any, keys: frozenset[str] = SECRET_KEYS) -> Any:
    """A copy of ``value`` with every secret-named field replaced by ``<secret>`` (``*_file`` paths stay)."""
    if isinstance(value, dict):
        return {
            k: (SECRET_PLACEHOLDER if (k in keys and v not in (None, "", SECRET_PLACEHOLDER) and not isinstance(v, (dict, list))) else redact_value(v, keys))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact_value(v, keys) for v in value]
    return value


def diff_keyed(
    target: str,
    kind: str,
    before: dict[str, Any],
    after: dict[str, Any],
    *,
    children: dict[str, tuple[Change, ...]] | None = None,
    details: dict[str, str] | None = None,
) -> list[Change]:
    """Changes between two name -> normalised value maps, in ``after`` order then removed names sorted."""
    out: list[Change] = []
    children = children or {}
    details = details or {}
    for name, value in after.items():
        if name not in before:
            out.append(Change(target, kind, name, "add", None, value, details.get(name, ""), children.get(name, ())))
        elif before[name] != value:
            out.append(Change(target, kind, name, "change", before[name], value, details.get(name, ""), children.get(name, ())))
    for name in sorted(set(before) - set(after)):
        out.append(Change(target, kind, name, "remove", before[name], None, details.get(name, ""), children.get(name, ())))
    return out


def counts(changes: Sequence[Change]) -> dict[str, int]:
    out = {a: 0 for a in ACTIONS}
    for c in changes:
        out[c.action] += 1
    return out


def change_to_dict(change: Change) -> dict[str, Any]:
    return {
        "target": change.target,
        "kind": change.kind,
        "name": change.name,
        "action": change.action,
        "detail": change.detail,
        "before": change.before,
        "after": change.after,
        "children": [change_to_dict(c) for c in change.children],
    }


def yaml_text(value: Any) -> str:
    from mlmon.render.emit import to_yaml

    if value is None:
        return ""
    return to_yaml(value)


def unified(change: Change) -> list[str]:
    """Unified diff lines (without the ---/+++ header) of the YAML of ``before`` and ``after``."""
    import difflib

    a = yaml_text(change.before).splitlines()
    b = yaml_text(change.after).splitlines()
    lines = list(difflib.unified_diff(a, b, fromfile="live", tofile="generated", lineterm="", n=3))
    return lines[2:]
