"""Desired vs live: normalised objects compared into one ordered plan (pure).

Each target (Prometheus, Alertmanager, Grafana, Mimir ruler) turns what its server returns and what
``generated/`` holds into comparable, normalised values; ``Change`` records one difference.
"""

from __future__ import annotations

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
    children: tuple["Change", ...] = field(default_factory=tuple)  # e.g. rules inside a group, panels inside a dashboard
