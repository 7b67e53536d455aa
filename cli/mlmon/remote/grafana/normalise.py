"""Dashboards in comparable form, mlmon's ownership record on each dashboard, and their
panel-by-panel changes (pure).

The record travels with the dashboard: mlmon saves every dashboard with the tag
``mlmon-sha256:<16 hex>``, the hash of the content it saved (that tag left out). A live dashboard
whose content no longer hashes to its tag was edited outside mlmon; one without the tag was not
saved by mlmon. Any Grafana URL, any machine, any CI runner reads the same record.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from mlmon.plan import Change
from mlmon.remote.rules import changed_fields

TARGET = "grafana"
OWNER_TAG = "mlmon"
RECORD_PREFIX = "mlmon-sha256:"
# Fields Grafana fills or bumps on every save; never part of a comparison.
SERVER_FIELDS = frozenset({"id", "version", "iteration"})
PANEL_SERVER_FIELDS = frozenset({"pluginVersion"})


def _clean(value: Any) -> Any:
    """Drop nulls (Grafana and the UI treat null and absent alike); recurse."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _normalise_panel(panel: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in panel.items() if k not in PANEL_SERVER_FIELDS}
    if isinstance(out.get("panels"), list):  # collapsed row
        out["panels"] = [_normalise_panel(p) for p in out["panels"] if isinstance(p, Mapping)]
    return _clean(out)


def normalise_dashboard(dashboard: Mapping[str, Any]) -> dict[str, Any]:
    """Comparable form: server-filled fields dropped, nulls dropped, tags sorted and unique."""
    out = {k: v for k, v in dashboard.items() if k not in SERVER_FIELDS}
    out["tags"] = sorted(set(str(t) for t in out.get("tags") or []))
    if isinstance(out.get("panels"), list):
        out["panels"] = [_normalise_panel(p) for p in out["panels"] if isinstance(p, Mapping)]
    return _clean(out)


def without_server_fields(dashboard: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in dashboard.items() if k not in SERVER_FIELDS}


def _panels_flat(dashboard: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Panels (including those inside collapsed rows) keyed by id, or title when there is no id."""
    found: dict[str, dict[str, Any]] = {}

    def visit(panels: Any) -> None:
        for p in panels or []:
            if isinstance(p, Mapping):
                key = f"{p['id']}" if p.get("id") is not None else f"title={p.get('title', '')}"
                found[key] = {k: v for k, v in p.items() if k != "panels"}
                visit(p.get("panels"))

    visit(dashboard.get("panels"))
    return found


def _panel_name(uid: str, key: str, panel: Mapping[str, Any]) -> str:
    title = panel.get("title") or panel.get("type") or ""
    return f"{uid}/{key}: {title}" if not key.startswith("title=") else f"{uid}/{title}"


def _panel_sort_key(key: str) -> tuple[int, int, str]:
    return (0, int(key), "") if key.isdigit() else (1, 0, key)


def panel_changes(uid: str, before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> tuple[Change, ...]:
    old = _panels_flat(before or {})
    new = _panels_flat(after or {})
    out = []
    for key in sorted(set(old) | set(new), key=_panel_sort_key):
        a, b = old.get(key), new.get(key)
        if a is None and b is not None:
            out.append(Change(TARGET, "panel", _panel_name(uid, key, b), "add", None, b))
        elif b is None and a is not None:
            out.append(Change(TARGET, "panel", _panel_name(uid, key, a), "remove", a, None))
        elif a is not None and b is not None and a != b:
            out.append(Change(TARGET, "panel", _panel_name(uid, key, b), "change", a, b, "changed: " + ", ".join(changed_fields(a, b))))
    return tuple(out)


def dashboard_fields_changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    return changed_fields(before, after, skip=("panels",))


def _is_record(tag: Any) -> bool:
    return str(tag).startswith(RECORD_PREFIX)


def without_record(dashboard: Mapping[str, Any]) -> dict[str, Any]:
    """The comparable content, mlmon's record tag left out."""
    out = normalise_dashboard(dashboard)
    out["tags"] = [t for t in out["tags"] if not _is_record(t)]
    return out


def content_hash(dashboard: Mapping[str, Any]) -> str:
    text = json.dumps(without_record(dashboard), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def with_record(dashboard: Mapping[str, Any]) -> dict[str, Any]:
    """``dashboard`` as mlmon saves it: tagged ``mlmon`` and with its record tag."""
    out = dict(dashboard)
    tags = [t for t in out.get("tags") or [] if not _is_record(t)]
    tags += [] if OWNER_TAG in tags else [OWNER_TAG]
    out["tags"] = tags
    out["tags"] = [*tags, RECORD_PREFIX + content_hash(out)]
    return out


def ownership(dashboard: Mapping[str, Any]) -> str:
    """``mlmon`` (as mlmon saved it), ``edited`` (changed since) or ``none`` (no record)."""
    records = [str(t)[len(RECORD_PREFIX) :] for t in dashboard.get("tags") or [] if _is_record(t)]
    if not records:
        return "none"
    return "mlmon" if records == [content_hash(dashboard)] else "edited"
