"""A small fake of the Mimir/Cortex ruler configuration API, for tests of mlmon's Mimir target.

It follows the documented Mimir HTTP API (``docs/sources/mimir/references/http-api``, section
"Ruler"; summarised in ../shared/upstream/README.md §6) and the behaviour of the ruler's handlers:

- ``GET  <prefix>/config/v1/rules``                      YAML map namespace -> [groups]; 404 "no rule groups found" when empty
- ``GET  <prefix>/config/v1/rules/{namespace}``          YAML map {namespace: [groups]}; 404 when empty
- ``GET  <prefix>/config/v1/rules/{namespace}/{group}``  one group (YAML); 404 when missing
- ``POST <prefix>/config/v1/rules/{namespace}``          one group, ``Content-Type: application/yaml``; 202
- ``DELETE <prefix>/config/v1/rules/{namespace}/{group}``  202; 404 when missing
- ``DELETE <prefix>/config/v1/rules/{namespace}``          202; 404 when missing

Tenancy: ``X-Scope-OrgID`` is required (401 "no org id" without it); state is per tenant. Path
segments are percent-decoded. A posted group is validated like the ruler does (name, exactly one of
``record``/``alert``, a PromQL ``expr`` that parses, ``for`` only on alerts) and stored the way the
ruler re-serialises it: durations in Prometheus' canonical form (``60s`` -> ``1m``), zero ``for``
dropped, keys in rulefmt order. Requests that break the documented contract (wrong content type,
more than one group in a body) are answered 400 and recorded in ``server.violations``.

Faults: the same :class:`helpers.grafana_server.Fault` switches (delay, status, drop; before/after).
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import yaml

from helpers.grafana_server import Fault, Request, _Drop

_DUR_RE = re.compile(r"^((\d+)y)?((\d+)w)?((\d+)d)?((\d+)h)?((\d+)m)?((\d+)s)?((\d+)ms)?$")
_UNITS = (("y", 365 * 86400000), ("w", 7 * 86400000), ("d", 86400000), ("h", 3600000), ("m", 60000), ("s", 1000), ("ms", 1))
_METRIC_RE = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
_RULE_KEYS = ("record", "alert", "expr", "for", "keep_firing_for", "labels", "annotations")
_GROUP_KEYS = ("name", "interval", "query_offset", "limit", "source_tenants", "labels", "rules")


class RulerError(Exception):
    pass


def parse_duration(text: Any) -> int:
    if str(text) == "0":
        return 0
    m = _DUR_RE.match(str(text))
    if not m or not str(text) or str(text) == "":
        raise RulerError(f"not a valid duration string: {text!r}")
    ms = 0
    for (_, size), value in zip(_UNITS, m.groups()[1::2]):
        if value:
            ms += int(value) * size
    return ms


def format_duration(ms: int) -> str:
    """Prometheus' model.Duration.String(): years and weeks only when they divide exactly (90d, 2w)."""
    if ms == 0:
        return "0s"
    out = ""
    for unit, size in _UNITS:
        if unit in ("y", "w") and ms % size:
            continue
        if ms >= size:
            out += f"{ms // size}{unit}"
            ms %= size
    return out


def _string_map(value: Any, what: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise RulerError(f"{what} must be a map")
    return {str(k): str(v) for k, v in value.items()}


def validate_group(group: Any) -> dict[str, Any]:
    """The group as the ruler stores and returns it, or RulerError."""
    import promql_parser

    if not isinstance(group, dict):
        raise RulerError("unable to decoded rule group")
    unknown = sorted(set(group) - set(_GROUP_KEYS))
    if unknown:
        raise RulerError(f"field {unknown[0]} not found in type rulefmt.RuleGroup")
    name = group.get("name")
    if not name or not isinstance(name, str):
        raise RulerError("invalid rules configuration: rule group name must not be empty")
    out: dict[str, Any] = {"name": name}
    if group.get("interval") not in (None, "", 0):
        out["interval"] = format_duration(parse_duration(group["interval"]))
    for key in ("query_offset", "limit", "source_tenants"):
        if group.get(key) not in (None, "", 0, []):
            out[key] = group[key]
    if group.get("labels"):
        out["labels"] = _string_map(group["labels"], "group labels")
    rules = group.get("rules")
    if not isinstance(rules, list):
        raise RulerError(f"group {name!r}: rules must be a list")
    stored_rules = []
    for i, rule in enumerate(rules):
        where = f"group {name!r}, rule {i + 1}"
        if not isinstance(rule, dict):
            raise RulerError(f"{where}: not a map")
        bad = sorted(set(rule) - set(_RULE_KEYS))
        if bad:
            raise RulerError(f"{where}: field {bad[0]} not found in type rulefmt.Rule")
        if bool(rule.get("record")) == bool(rule.get("alert")):
            raise RulerError(f"{where}: one of 'record' or 'alert' must be set")
        expr = rule.get("expr")
        if not isinstance(expr, str) or not expr.strip():
            raise RulerError(f"{where}: field 'expr' must be set in rule")
        try:
            promql_parser.parse(expr)
        except Exception as exc:  # the parser raises plain exceptions
            raise RulerError(f"{where}: could not parse expression: {exc}") from None
        if rule.get("record"):
            if not _METRIC_RE.match(str(rule["record"])):
                raise RulerError(f"{where}: invalid recording rule name: {rule['record']}")
            if rule.get("for") or rule.get("keep_firing_for") or rule.get("annotations"):
                raise RulerError(f"{where}: invalid field 'for', 'keep_firing_for' or 'annotations' in recording rule")
        stored: dict[str, Any] = {}
        for key in _RULE_KEYS:
            value = rule.get(key)
            if value in (None, "", {}):
                continue
            if key in ("for", "keep_firing_for"):
                ms = parse_duration(value)
                if ms == 0:
                    continue
                value = format_duration(ms)
            elif key in ("labels", "annotations"):
                value = _string_map(value, key)
            stored[key] = value
        stored_rules.append(stored)
    out["rules"] = stored_rules
    return out


class MimirTestServer:
    """``with MimirTestServer() as srv: srv.url`` (the API prefix is part of ``srv.api``)."""

    def __init__(self, prefix: str = "/prometheus", require_tenant: bool = True, token: str | None = None):
        self.prefix = prefix.rstrip("/")
        self.require_tenant = require_tenant
        self.token = token
        self.lock = threading.RLock()
        self.tenants: dict[str, dict[str, dict[str, dict[str, Any]]]] = {}
        self.violations: list[str] = []
        self.requests: list[Request] = []
        self.faults: list[Fault] = []
        self.partitioned = False  # True: every request is dropped (server "killed" / unreachable)
        self._httpd: ThreadingHTTPServer | None = None

    # ---- lifecycle

    def start(self) -> MimirTestServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *args: Any) -> None:
                pass

            def _any(self) -> None:
                server._handle(self)

            do_GET = do_POST = do_PUT = do_DELETE = _any

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> MimirTestServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._httpd is not None
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def add_fault(self, action: str, **kw: Any) -> Fault:
        fault = Fault(action, **kw)
        with self.lock:
            self.faults.append(fault)
        return fault

    # ---- direct state access for tests

    def set_group(self, tenant: str, namespace: str, group: dict[str, Any]) -> None:
        with self.lock:
            self.tenants.setdefault(tenant, {}).setdefault(namespace, {})[group["name"]] = validate_group(group)

    def snapshot(self, tenant: str) -> dict[str, dict[str, Any]]:
        with self.lock:
            return json.loads(json.dumps({ns: dict(sorted(groups.items())) for ns, groups in sorted(self.tenants.get(tenant, {}).items()) if groups}))

    # ---- HTTP

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        parsed = urllib.parse.urlsplit(h.path)
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        req = Request(h.command, parsed.path, urllib.parse.parse_qs(parsed.query), raw, {k.lower(): v for k, v in h.headers.items()})
        with self.lock:
            self.requests.append(req)
            faults = [f for f in self.faults if f.hit(req.method, req.path)]
        try:
            if self.partitioned:
                raise _Drop()
            status, ctype, body = self._respond(req, faults)
        except _Drop:
            h.close_connection = True
            try:
                h.connection.shutdown(2)
            except OSError:
                pass
            return
        finally:
            with self.lock:
                for f in faults:
                    f.finished += 1
        data = body.encode()
        try:
            h.send_response(status)
            h.send_header("Content-Type", ctype)
            h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            h.wfile.write(data)
        except OSError:
            pass

    def _fire(self, fault: Fault) -> tuple[int, str, str] | None:
        if fault.action == "delay":
            time.sleep(fault.seconds)
            return None
        if fault.action == "partition":
            self.partitioned = True
        if fault.action in ("drop", "partition"):
            raise _Drop()
        return fault.status, "text/plain", f"injected failure ({fault.status})\n"

    def _respond(self, req: Request, faults: list[Fault]) -> tuple[int, str, str]:
        for f in faults:
            if f.phase == "before" and (r := self._fire(f)):
                return r
        result = self._route(req)
        for f in faults:
            if f.phase == "after" and (r := self._fire(f)):
                return r
        return result

    def _route(self, req: Request) -> tuple[int, str, str]:
        base = self.prefix + "/config/v1/rules"
        raw_path = req.path
        if raw_path != base and not raw_path.startswith(base + "/"):
            return 404, "text/plain", "404 page not found\n"
        parts = [urllib.parse.unquote(p) for p in raw_path[len(base) :].split("/")[1:]]
        if len(parts) > 2 or any(p == "" for p in parts):
            return 404, "text/plain", "404 page not found\n"
        allowed = {0: ("GET",), 1: ("GET", "POST", "DELETE"), 2: ("GET", "DELETE")}[len(parts)]
        if req.method not in allowed:
            return 405, "text/plain", "405 method not allowed\n"
        if self.token is not None and req.headers.get("authorization") != f"Bearer {self.token}":
            return 401, "text/plain", "unauthorized\n"
        tenant = req.headers.get("x-scope-orgid", "")
        if not tenant:
            if self.require_tenant:
                return 401, "text/plain", "no org id\n"
            tenant = "anonymous"
        with self.lock:
            store = self.tenants.setdefault(tenant, {})
            if req.method == "GET":
                return self._get(store, parts)
            if req.method == "POST":
                return self._post(store, parts[0], req)
            return self._delete(store, parts)

    @staticmethod
    def _yaml(data: Any) -> tuple[int, str, str]:
        return 200, "application/yaml", yaml.safe_dump(data, sort_keys=False, default_flow_style=False)

    def _get(self, store: dict[str, dict[str, Any]], parts: list[str]) -> tuple[int, str, str]:
        if len(parts) == 2:
            group = store.get(parts[0], {}).get(parts[1])
            if group is None:
                return 404, "text/plain", "group does not exist\n"
            return self._yaml(group)
        namespaces = [parts[0]] if parts else sorted(store)
        out = {ns: [store[ns][g] for g in sorted(store[ns])] for ns in namespaces if store.get(ns)}
        if not out:
            return 404, "text/plain", "no rule groups found\n"
        return self._yaml(out)

    def _post(self, store: dict[str, dict[str, Any]], namespace: str, req: Request) -> tuple[int, str, str]:
        ctype = req.headers.get("content-type", "").split(";")[0].strip()
        if ctype != "application/yaml":
            self.violations.append(f"POST {req.path}: Content-Type {ctype!r}; the ruler API requires application/yaml")
            return 400, "text/plain", "unsupported content type\n"
        try:
            docs = list(yaml.safe_load_all(req.body.decode()))
        except yaml.YAMLError:
            return 400, "text/plain", "unable to decoded rule group\n"
        if len(docs) != 1 or not isinstance(docs[0], dict) or "groups" in docs[0]:
            self.violations.append(f"POST {req.path}: body must be exactly one rule group")
            return 400, "text/plain", "unable to decoded rule group\n"
        try:
            group = validate_group(docs[0])
        except RulerError as exc:
            return 400, "text/plain", f"{exc}\n"
        store.setdefault(namespace, {})[group["name"]] = group
        return 202, "application/json", json.dumps({"status": "success", "data": None, "errorType": "", "error": ""})

    def _delete(self, store: dict[str, dict[str, Any]], parts: list[str]) -> tuple[int, str, str]:
        ns = store.get(parts[0])
        if not ns:
            return 404, "text/plain", "unable to find requested namespace\n" if len(parts) == 1 else "group does not exist\n"
        if len(parts) == 1:
            del store[parts[0]]
        else:
            if parts[1] not in ns:
                return 404, "text/plain", "group does not exist\n"
            del ns[parts[1]]
            if not ns:
                del store[parts[0]]
        return 202, "application/json", json.dumps({"status": "success", "data": None, "errorType": "", "error": ""})
