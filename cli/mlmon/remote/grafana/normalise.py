"""Dashboards in comparable form and their panel-by-panel changes (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mlmon.plan import Change
from mlmon.remote.rules import changed_fields

TARGET = "grafana"
OWNER_TAG = "mlmon"
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
