"""An Alertmanager config, as written or as the server prints it, in one comparable shape, and the
diff of two of them (pure).

The server fills defaults (global URLs, per-receiver templates, ``send_resolved``, ``http_config``,
``continue: false`` ...) and masks secrets as ``<secret>``; both sides are normalised the same way
(defaults of Alertmanager 0.25 dropped, durations and matchers re-spelled, secret fields redacted)
before comparing routes (by receiver and matchers, under their parent), receivers (by name), inhibit rules (by position), time
intervals (by name) and globals.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from mlmon.plan import Change, diff_keyed, redact_value
from mlmon.remote.alertmanager.defaults import EMAIL_SUBJECT, FROM_GLOBAL, GLOBAL_DEFAULTS, RECEIVER_DEFAULTS
from mlmon.remote.durations import spelled
from mlmon.remote.rules import numbered

DURATION_KEYS = {"group_wait", "group_interval", "repeat_interval", "resolve_timeout", "retry", "expire"}
MATCHER_KEYS = ("matchers", "source_matchers", "target_matchers")
KINDS = ("config", "route", "receiver", "inhibit_rule", "time_interval")
_MATCHER = re.compile(r"^\s*([a-zA-Z_:][a-zA-Z0-9_:]*|\"[^\"]*\")\s*(=~|!~|!=|=)\s*(.*?)\s*$")
_DROP = object()


def normalise_matcher(text: str) -> str:
    m = _MATCHER.match(str(text))
    if not m:
        return str(text).strip()
    name, op, value = m.groups()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    value = value.replace("\\", "\\\\").replace('"', '\\"') if '\\"' not in value else value
    return f'{name}{op}"{value}"'


def _rebuild(value: Any, fix: Callable[[str, Any], Any]) -> Any:
    """Dicts and lists rebuilt bottom-up; ``fix(key, value)`` gives the new value, or _DROP."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            v = fix(k, _rebuild(v, fix))
            if v is not _DROP:
                out[k] = v
        return out
    if isinstance(value, list):
        return [_rebuild(v, fix) for v in value]
    return value


def _prune_field(key: str, value: Any) -> Any:
    """Empty values dropped, durations re-spelled, matchers (AND-ed; the server sorts them) sorted."""
    if value is None or value == [] or value == {}:
        return _DROP
    if key in DURATION_KEYS and isinstance(value, str):
        return spelled(value)
    if key in MATCHER_KEYS and isinstance(value, list):
        return sorted(normalise_matcher(x) for x in value)
    return value


def _http_config_field(key: str, value: Any) -> Any:
    """http_config defaults the server merges in (redirects, HTTP/2, Bearer type) dropped."""
    if key != "http_config" or not isinstance(value, dict):
        return value
    value = {k: v for k, v in value.items() if not (k in ("follow_redirects", "enable_http2") and v is True)}
    auth = value.get("authorization")
    if isinstance(auth, dict) and auth.get("type") == "Bearer":
        value["authorization"] = {k: v for k, v in auth.items() if k != "type"}
    return value or _DROP


def _prune(value: Any) -> Any:
    return _rebuild(value, _prune_field)


def _sort_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sort_keys(value[k]) for k in sorted(value, key=lambda k: (k != "name", str(k)))}
    if isinstance(value, list):
        return [_sort_keys(v) for v in value]
    return value


def _drop_equal(item: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if not (k in defaults and defaults[k] == v)}


def _drop_derived(item: dict[str, Any], key: str, derived: dict[str, Any]) -> None:
    """Remove the entries of ``item[key]`` the server derives (``derived``); the key when none is left."""
    if isinstance(item.get(key), dict):
        left = {k: v for k, v in item[key].items() if derived.get(k) != v}
        if left:
            item[key] = left
        else:
            item.pop(key)


def _receiver_item(kind: str, item: dict[str, Any], glob: dict[str, Any]) -> dict[str, Any]:
    defaults = {k: _prune(v) if isinstance(v, dict) else v for k, v in RECEIVER_DEFAULTS.get(kind, {}).items()}
    defaults.update({k: spelled(defaults[k]) for k in ("retry", "expire") if k in defaults})
    item = dict(item)
    if kind == "pagerduty_configs":  # the server merges its default details into the ones given
        _drop_derived(item, "details", defaults.get("details", {}))
    item = _drop_equal(item, {k: v for k, v in defaults.items() if k != "details"})
    if "http_config" in item and item["http_config"] == glob.get("http_config"):  # None unless set globally
        item.pop("http_config")
    for field, gkey in FROM_GLOBAL.get(kind, {}).items():
        if field in item and gkey in glob and item[field] == glob[gkey]:
            item.pop(field)
    if kind == "email_configs":
        _drop_derived(item, "headers", {"From": item.get("from", glob.get("smtp_from")), "To": item.get("to"), "Subject": EMAIL_SUBJECT})
    return item


def _route_defaults(route: dict[str, Any]) -> dict[str, Any]:
    route = dict(route)
    if route.get("continue") is False:
        route.pop("continue")
    if route.get("routes"):
        route["routes"] = [_route_defaults(r) for r in route["routes"]]
    return route


def normalise_config(raw: dict[str, Any]) -> dict[str, Any]:
    """An Alertmanager config (as written, or as the server prints it) -> one comparable shape."""
    cfg = _rebuild(_prune(copy.deepcopy(raw or {})), _http_config_field)
    defaults = {k: v for k, v in GLOBAL_DEFAULTS.items() if k != "http_config"}
    defaults["resolve_timeout"] = spelled(defaults["resolve_timeout"])
    glob = {**defaults, **(cfg.get("global") or {})}
    receivers = []
    for r in cfg.get("receivers") or []:
        r = dict(r)
        for kind, items in list(r.items()):
            if kind.endswith("_configs") and isinstance(items, list):
                r[kind] = [_receiver_item(kind, item, glob) for item in items]
        receivers.append(r)
    cfg["receivers"] = receivers
    cfg["global"] = _drop_equal(cfg.get("global") or {}, defaults)
    cfg["route"] = _route_defaults(cfg.get("route") or {})
    return _sort_keys(redact_value(_prune(cfg)))


def route_key(route: dict[str, Any]) -> str:
    """A route named by what it is, not where it is: ``receiver{matchers}`` (legacy ``match`` and
    ``match_re`` spelled as matchers), so adding a route does not rename the ones after it."""
    matchers = list(route.get("matchers") or [])
    matchers += [normalise_matcher(f"{k}={v!r}") for k, v in sorted((route.get("match") or {}).items())]
    matchers += [normalise_matcher(f"{k}=~{v!r}") for k, v in sorted((route.get("match_re") or {}).items())]
    return f"{route.get('receiver') or '(inherited)'}{{{', '.join(sorted(matchers))}}}"


def split_routes(cfg: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """(path -> route without its children, path -> its children's paths in order). The root is
    ``/``; a child is ``<parent>/<route_key>`` (``#2``, ``#3`` for later twins)."""
    routes: dict[str, Any] = {}
    order: dict[str, list[str]] = {}

    def walk(route: dict[str, Any], path: str) -> None:
        routes[path] = {k: v for k, v in route.items() if k != "routes"}
        children = route.get("routes") or []
        keys = numbered((route_key(c) for c in children), "#")
        order[path] = [f"{path.rstrip('/')}/{k}" for k in keys]
        for child, child_path in zip(children, order[path]):
            walk(child, child_path)

    walk(cfg.get("route") or {}, "/")
    return routes, order


def split_config(cfg: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """kind -> {name -> value} for the diff."""
    routes, _ = split_routes(cfg)
    known = {"global", "route", "receivers", "inhibit_rules", "time_intervals", "mute_time_intervals", "templates"}
    config = {"global": cfg.get("global") or {}, "templates": cfg.get("templates") or []}
    config.update({k: v for k, v in cfg.items() if k not in known})
    return {
        "config": {k: v for k, v in config.items() if v not in ({}, [])},
        "route": routes,
        "receiver": {r.get("name", f"#{i}"): r for i, r in enumerate(cfg.get("receivers") or [])},
        "inhibit_rule": {f"inhibit_rules[{i}]": r for i, r in enumerate(cfg.get("inhibit_rules") or [])},
        "time_interval": {f"{section}/{t.get('name')}": t for section in ("time_intervals", "mute_time_intervals") for t in cfg.get(section) or []},
    }


def _route_changes(live: dict[str, Any] | None, desired: dict[str, Any]) -> list[Change]:
    """Routes by identity; a parent whose remaining children change order is one change (the first
    match wins), and an added route says where it goes."""
    before, old_order = split_routes(live) if live is not None else ({}, {})
    after, new_order = split_routes(desired)
    details = {}
    for path, kids in new_order.items():
        for i, kid in enumerate(kids):
            if kid not in before:
                details[kid] = f"position {i + 1} of {len(kids)} under {path}"
    changes = diff_keyed("alertmanager", "route", before, after, details=details)
    for path in [p for p in new_order if p in old_order]:
        common = set(old_order[path]) & set(new_order[path])
        was, now = [k for k in old_order[path] if k in common], [k for k in new_order[path] if k in common]
        if was == now:
            continue
        note = "the order of its child routes changes (the first match wins)"
        at = next((i for i, c in enumerate(changes) if c.name == path), None)
        if at is None:
            changes.append(Change("alertmanager", "route", path, "change", {"routes": was}, {"routes": now}, note))
        else:
            changes[at] = replace(changes[at], detail="; ".join(filter(None, [changes[at].detail, note])))
    return changes


def diff_configs(live: dict[str, Any] | None, desired: dict[str, Any]) -> list[Change]:
    a = split_config(live) if live is not None else {k: {} for k in KINDS}
    b = split_config(desired)
    out: list[Change] = []
    for kind in KINDS:
        out += _route_changes(live, desired) if kind == "route" else diff_keyed("alertmanager", kind, a[kind], b[kind])
    return out
