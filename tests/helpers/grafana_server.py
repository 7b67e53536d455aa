"""A local Grafana HTTP API test server that enforces the upstream OpenAPI contract.

Grafana cannot run on the CI machines, so mlmon's Grafana target is contract-tested against this
server instead. It implements the handful of endpoints mlmon uses (health, folders, dashboards by uid,
``POST /api/dashboards/db``, search) with in-memory state and Grafana's save semantics (versions
increment on every save, 412 ``version-mismatch`` on a stale version without ``overwrite``, 412
``name-exists`` for a second dashboard with the same title in a folder, 404 for a missing folder),
and it checks both directions of every exchange against Grafana's own OpenAPI document:

- the request body against the operation's ``requestBody`` schema, query parameters against the
  operation's parameter schemas (unknown parameters are flagged too: Grafana would silently ignore a
  misspelt filter such as ``folderUid=`` and return everything);
- every response this server sends against the operation's response schema for that status code, so
  the fake itself cannot drift off-contract.

Every violation is appended to ``server.violations``; the ``grafana_server`` fixture fails the test
when the list is not empty at teardown. Off-contract requests are answered with 400.

The OpenAPI document is Grafana's (AGPL-3.0). It is never copied into this repository: it is read at
test time from ``<repo>/../shared/upstream/grafana/openapi3.subset.json`` (or ``$MLMON_GRAFANA_OPENAPI``)
and tests skip when it is absent.

Fault injection (``server.add_fault``): delay a response (client timeouts), answer 500 on the Nth
matching call, or drop the connection, before or after the request took effect.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
SPEC_ENV = "MLMON_GRAFANA_OPENAPI"
DEFAULT_SPEC = REPO.parent / "shared" / "upstream" / "grafana" / "openapi3.subset.json"

UID_RE = re.compile(r"^[a-zA-Z0-9\-_]*$")
SPEC_URI = "urn:mlmon-test:grafana-openapi"


def spec_path() -> Path:
    return Path(os.environ.get(SPEC_ENV) or DEFAULT_SPEC)


def load_spec_or_skip() -> dict[str, Any]:
    """The upstream OpenAPI document, or ``pytest.skip`` with the reason it is missing."""
    import pytest

    path = spec_path()
    if not path.is_file():
        pytest.skip(
            f"Grafana OpenAPI spec not found at {path} (AGPL-3.0, not shipped in this repo; "
            f"set {SPEC_ENV} to a copy of grafana/grafana public/openapi3.json or its subset)"
        )
    return json.loads(path.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------------------------
# contract: operations, schemas, validators


@dataclass
class Operation:
    op_id: str
    method: str
    template: str
    regex: re.Pattern[str]
    params: dict[str, dict[str, Any]]  # query parameters by name
    body_ref: dict[str, Any] | None
    responses: dict[str, dict[str, Any] | None]  # status -> schema (None = no JSON body declared)
    secured: bool


class Contract:
    def __init__(self, spec: dict[str, Any]):
        from jsonschema import Draft7Validator
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT7

        self.spec = spec
        self._validator_cls = Draft7Validator
        self._registry = Registry().with_resource(SPEC_URI, Resource.from_contents(spec, default_specification=DRAFT7))
        base = spec.get("servers", [{"url": ""}])[0]["url"].rstrip("/")
        default_security = spec.get("security", [])
        self.operations: list[Operation] = []
        for template, item in spec["paths"].items():
            full = base + template
            regex = re.compile("^" + re.sub(r"\\\{([^}]+)\\\}", r"(?P<\1>[^/]+)", re.escape(full)) + "$")
            for method, op in item.items():
                if method not in ("get", "post", "put", "delete", "patch"):
                    continue
                params = {p["name"]: p for p in op.get("parameters", []) if p.get("in") == "query"}
                body = None
                if "requestBody" in op:
                    body = self._deref(op["requestBody"])["content"]["application/json"]["schema"]
                responses: dict[str, dict[str, Any] | None] = {}
                for status, resp in op.get("responses", {}).items():
                    resp = self._deref(resp)
                    content = resp.get("content", {}).get("application/json")
                    responses[status] = content["schema"] if content else None
                secured = bool(op.get("security", default_security))
                if op["operationId"] == "getHealth":
                    secured = False  # Grafana serves /api/health without authentication
                self.operations.append(Operation(op["operationId"], method.upper(), full, regex, params, body, responses, secured))

    def _deref(self, obj: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in obj:
            node: Any = self.spec
            for part in obj["$ref"].lstrip("#/").split("/"):
                node = node[part]
            obj = node
        return obj

    def _errors(self, schema: dict[str, Any], instance: Any) -> list[str]:
        schema = _absolute_refs(schema)
        validator = self._validator_cls(schema, registry=self._registry)
        return [
            f"{'/'.join(str(p) for p in e.absolute_path) or '<root>'}: {e.message}"
            for e in sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path)))
        ]

    def match(self, method: str, path: str) -> tuple[Operation | None, dict[str, str], bool]:
        """(operation, path params, path known with another method)."""
        path_known = False
        for op in self.operations:
            m = op.regex.match(path)
            if m:
                path_known = True
                if op.method == method:
                    return op, {k: urllib.parse.unquote(v) for k, v in m.groupdict().items()}, True
        return None, {}, path_known

    def check_query(self, op: Operation, query: dict[str, list[str]]) -> list[str]:
        errors = []
        for name, values in query.items():
            param = op.params.get(name)
            if param is None:
                errors.append(f"unknown query parameter {name!r} (not in the {op.op_id} contract)")
                continue
            schema = param.get("schema", {})
            if schema.get("type") == "array":
                value: Any = [_coerce(v, schema.get("items", {})) for v in values]
            else:
                if len(values) > 1:
                    errors.append(f"query parameter {name!r} given {len(values)} times")
                value = _coerce(values[-1], schema)
            errors += [f"query {name}: {e}" for e in self._errors(schema, value)]
        return errors

    def check_body(self, op: Operation, body: Any) -> list[str]:
        assert op.body_ref is not None
        errors = self._errors(op.body_ref, body)
        # Stricter than Grafana (whose JSON decoder ignores unknown keys): an unknown top-level key is
        # almost always a misspelt field (``folderUID``, ``overWrite``) that Grafana would drop silently.
        props = self._deref(op.body_ref).get("properties")
        if isinstance(body, dict) and props is not None:
            errors += [f"unknown field {k!r} in {op.op_id} request body" for k in sorted(body) if k not in props]
        return errors

    def check_response(self, op: Operation, status: int, body: Any) -> list[str]:
        key = str(status)
        if key not in op.responses:
            return [f"{op.op_id} has no {status} response in the contract"]
        schema = op.responses[key]
        if schema is None:
            return []
        return [f"response {status}: {e}" for e in self._errors(schema, body)]


def _absolute_refs(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: (SPEC_URI + v if k == "$ref" and isinstance(v, str) and v.startswith("#") else _absolute_refs(v)) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_absolute_refs(v) for v in schema]
    return schema


def _coerce(text: str, schema: dict[str, Any]) -> Any:
    kind = schema.get("type")
    try:
        if kind == "integer":
            return int(text)
        if kind == "boolean":
            return {"true": True, "false": False}[text.lower()]
    except (ValueError, KeyError):
        return text  # left as a string: the schema check reports the type error
    return text


# --------------------------------------------------------------------------------------------
# faults


@dataclass
class Fault:
    """Inject a failure into the ``nth`` matching request (1-based, counted from when it was added),
    and the ``times - 1`` matching requests after it.

    action: ``status`` (answer ``status`` with an error body), ``delay`` (sleep ``seconds``), ``drop``
    (close the connection without an answer), ``partition`` (drop this and every later request until
    ``server.partitioned`` is reset: a server killed in the middle of an apply).
    phase: ``before`` the request takes effect, or ``after`` it took effect (the write happened but
    the client never hears about it, or hears late)."""

    action: str
    method: str | None = None
    path: str | None = None  # regex searched in the request path
    nth: int = 1
    times: int = 1
    status: int = 500
    seconds: float = 0.0
    phase: str = "before"
    seen: int = 0
    fired: int = 0
    finished: int = 0  # fired requests whose handling is over (answered, failed or dropped)

    @property
    def done(self) -> bool:
        return self.finished >= self.fired

    def hit(self, method: str, path: str) -> bool:
        if self.method and self.method != method:
            return False
        if self.path and not re.search(self.path, path):
            return False
        self.seen += 1
        if self.seen >= self.nth and self.fired < self.times:
            self.fired += 1
            return True
        return False


class _Drop(Exception):
    pass


# --------------------------------------------------------------------------------------------
# state


@dataclass
class _Dashboard:
    id: int
    uid: str
    folder_uid: str
    json: dict[str, Any]
    version: int
    created: str
    updated: str


@dataclass
class _Folder:
    id: int
    uid: str
    title: str
    version: int = 1


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


FIXED_TIME = "2026-01-01T00:00:00Z"


def slugify(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "dashboard"


class GrafanaTestServer:
    """``with GrafanaTestServer(spec, tokens={"t": "Admin"}) as srv: srv.url``"""

    def __init__(self, spec: dict[str, Any], tokens: dict[str, str] | None = None, version: str = "12.0.0"):
        self.contract = Contract(spec)
        self.tokens = dict(tokens or {"test-token": "Admin"})
        self.grafana_version = version
        self.lock = threading.RLock()
        self.dashboards: dict[str, _Dashboard] = {}
        self.folders: dict[str, _Folder] = {}
        self.violations: list[str] = []
        self.requests: list[Request] = []
        self.faults: list[Fault] = []
        self.hooks: list[Callable[[GrafanaTestServer, Request], None]] = []
        self.partitioned = False  # True: every request is dropped (server "killed" / unreachable)
        self._next_id = 1
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle

    def start(self) -> GrafanaTestServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # one small response = no 40 ms delayed-ACK stall

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _any(self) -> None:
                server._handle(self)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _any

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, name="grafana-test-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> GrafanaTestServer:
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

    # ---- test helpers (direct state access, no HTTP)

    def add_folder(self, uid: str, title: str) -> None:
        with self.lock:
            self.folders[uid] = _Folder(self._new_id(), uid, title)

    def put_dashboard(self, dashboard: dict[str, Any], folder_uid: str = "") -> int:
        """Store a dashboard as if someone else had created it; returns its version."""
        with self.lock:
            status, body = self._save({"dashboard": dashboard, "folderUid": folder_uid, "overwrite": True})
            assert status == 200, body
            return int(body["version"])

    def live(self, uid: str) -> dict[str, Any] | None:
        with self.lock:
            d = self.dashboards.get(uid)
            return json.loads(json.dumps(d.json)) if d else None

    def snapshot(self) -> dict[str, Any]:
        """Comparable state: folders and dashboards (json + folder), versions excluded."""
        with self.lock:
            return {
                "folders": sorted((f.uid, f.title) for f in self.folders.values()),
                "dashboards": {
                    uid: {"folder": d.folder_uid, "json": {k: v for k, v in d.json.items() if k not in ("id", "version")}}
                    for uid, d in sorted(self.dashboards.items())
                },
            }

    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id - 1

    # ---- request handling

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        parsed = urllib.parse.urlsplit(h.path)
        path = parsed.path
        query = urllib.parse.parse_qs(parsed.query, keep_blank_values=True)
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        req = Request(h.command, path, query, None, {k.lower(): v for k, v in h.headers.items()})
        try:
            status, body = self._dispatch(req, raw)
        except _Drop:
            h.close_connection = True
            try:
                h.connection.shutdown(2)
            except OSError:
                pass
            return
        data = json.dumps(body).encode()
        try:
            h.send_response(status)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            h.wfile.write(data)
        except OSError:  # client gave up (timeout) before we answered
            pass

    def _dispatch(self, req: Request, raw: bytes) -> tuple[int, Any]:
        with self.lock:
            self.requests.append(req)
            faults = [f for f in self.faults if f.hit(req.method, req.path)]
        try:
            if self.partitioned:
                raise _Drop()
            return self._dispatch_faulty(req, raw, faults)
        finally:
            with self.lock:
                for f in faults:
                    f.finished += 1

    def _dispatch_faulty(self, req: Request, raw: bytes, faults: list[Fault]) -> tuple[int, Any]:
        before = [f for f in faults if f.phase == "before"]
        after = [f for f in faults if f.phase == "after"]
        for fault in before:
            resp = self._fire(fault)
            if resp:
                return resp
        op, params, path_known = self.contract.match(req.method, req.path)
        if op is None:
            return (405, {"message": "Method Not Allowed"}) if path_known else (404, {"message": "Not found"})
        status, body = self._serve(op, params, req, raw)
        problems = self.contract.check_response(op, status, body)
        if problems:
            with self.lock:
                self.violations += [f"{req.method} {req.path}: off-contract response: {p}" for p in problems]
        for fault in after:
            resp = self._fire(fault)
            if resp:
                return resp
        return status, body

    def _fire(self, fault: Fault) -> tuple[int, Any] | None:
        if fault.action == "delay":
            time.sleep(fault.seconds)
            return None
        if fault.action == "drop":
            raise _Drop()
        if fault.action == "partition":  # from now on every request is dropped
            self.partitioned = True
            raise _Drop()
        if fault.action == "status":
            return fault.status, {"message": f"injected failure ({fault.status})"}
        raise ValueError(fault.action)

    def _serve(self, op: Operation, params: dict[str, str], req: Request, raw: bytes) -> tuple[int, Any]:
        if op.secured:
            role = self._auth(req.headers.get("authorization", ""))
            if role is None:
                return 401, {"message": "Unauthorized"}
            if op.method != "GET" and role == "Viewer":
                return 403, {"message": "You'll need additional permissions to perform this action."}
        problems = self.contract.check_query(op, req.query)
        if op.body_ref is not None:
            ctype = req.headers.get("content-type", "").split(";")[0].strip()
            if ctype != "application/json":
                problems.append(f"request Content-Type {ctype!r}, contract requires application/json")
            try:
                req.body = json.loads(raw.decode() or "null")
            except ValueError as exc:
                problems.append(f"request body is not JSON: {exc}")
            else:
                problems += self.contract.check_body(op, req.body)
        elif raw:
            problems.append(f"{op.op_id} takes no request body")
        if problems:
            with self.lock:
                self.violations += [f"{req.method} {req.path}: off-contract request: {p}" for p in problems]
            return 400, {"message": "bad request data", "error": "; ".join(problems)}
        with self.lock:
            for hook in list(self.hooks):
                hook(self, req)
            handler = getattr(self, "_op_" + op.op_id)
            return handler(params, req)

    def _auth(self, header: str) -> str | None:
        scheme, _, cred = header.partition(" ")
        if scheme.lower() == "bearer" and cred in self.tokens:
            return self.tokens[cred]
        return None

    # ---- operations (called with the lock held)

    def _op_getHealth(self, params: dict[str, str], req: Request) -> tuple[int, Any]:
        return 200, {"commit": "test", "database": "ok", "version": self.grafana_version}

    def _folder_json(self, f: _Folder) -> dict[str, Any]:
        return {
            "id": f.id,
            "uid": f.uid,
            "title": f.title,
            "url": f"/dashboards/f/{f.uid}/{slugify(f.title)}",
            "version": f.version,
            "canAdmin": True,
            "canDelete": True,
            "canEdit": True,
            "canSave": True,
            "created": FIXED_TIME,
            "updated": FIXED_TIME,
            "createdBy": "admin",
            "updatedBy": "admin",
            "orgId": 1,
        }

    def _op_getFolders(self, params: dict[str, str], req: Request) -> tuple[int, Any]:
        return 200, [{"id": f.id, "uid": f.uid, "title": f.title} for f in sorted(self.folders.values(), key=lambda f: f.title)]

    def _op_getFolderByUID(self, params: dict[str, str], req: Request) -> tuple[int, Any]:
        f = self.folders.get(params["folder_uid"])
        if f is None:
            return 404, {"message": "folder not found", "status": "not-found"}
        return 200, self._folder_json(f)

    def _op_createFolder(self, params: dict[str, str], req: Request) -> tuple[int, Any]:
        body = req.body or {}
        title = (body.get("title") or "").strip()
        uid = body.get("uid") or f"f{self._next_id}"
        if not title:
            return 400, {"message": "folder title cannot be empty"}
        if len(uid) > 40 or not UID_RE.match(uid):
            return 400, {"message": "uid contains illegal characters or is too long"}
        if uid in self.folders:
            return 409, {"message": "a folder with the same uid already exists"}
        if any(f.title == title for f in self.folders.values()):
            return 409, {"message": "a folder or dashboard in the general folder with the same name already exists"}
        f = _Folder(self._new_id(), uid, title)
        self.folders[uid] = f
        return 200, self._folder_json(f)

    def _op_updateFolder(self, params: dict[str, str], req: Request) -> tuple[int, Any]:
        f = self.folders.get(params["folder_uid"])
        if f is None:
            return 404, {"message": "folder not found"}
        body = req.body or {}
        if not body.get("overwrite") and "version" in body and body["version"] != f.version:
            return 409, {"message": "the folder has been changed by someone else", "status": "version-mismatch"}
        if body.get("title"):
            f.title = body["title"]
        f.version += 1
        return 200, self._folder_json(f)

    def _op_deleteFolder(self, params: dict[str, str], req: Request) -> tuple[int, Any]:
        f = self.folders.pop(params["folder_uid"], None)
        if f is None:
            return 404, {"message": "folder not found"}
        for uid in [u for u, d in self.dashboards.items() if d.folder_uid == f.uid]:
            del self.dashboards[uid]
        return 200, {"id": f.id, "title": f.title, "message": f"Folder {f.title} deleted"}

    def _dash_url(self, d: _Dashboard) -> str:
        return f"/d/{d.uid}/{slugify(str(d.json.get('title', '')))}"

    def _op_getDashboardByUID(self, params: dict[str, str], req: Request) -> tuple[int, Any]:
        d = self.dashboards.get(params["uid"])
        if d is None:
            return 404, {"message": "Dashboard not found"}
        folder = self.folders.get(d.folder_uid)
        meta = {
            "type": "db",
            "canSave": True,
            "canEdit": True,
            "canAdmin": True,
            "canStar": True,
            "canDelete": True,
            "slug": slugify(str(d.json.get("title", ""))),
            "url": self._dash_url(d),
            "expires": "0001-01-01T00:00:00Z",
            "created": d.created,
            "updated": d.updated,
            "updatedBy": "admin",
            "createdBy": "admin",
            "version": d.version,
            "hasAcl": False,
            "isFolder": False,
            "folderId": folder.id if folder else 0,
            "folderUid": d.folder_uid,
            "folderTitle": folder.title if folder else "General",
            "folderUrl": f"/dashboards/f/{d.folder_uid}/" if folder else "",
            "provisioned": False,
            "provisionedExternalId": "",
            "isStarred": False,
            "isSnapshot": False,
        }
        return 200, {"dashboard": json.loads(json.dumps(d.json)), "meta": meta}

    def _op_deleteDashboardByUID(self, params: dict[str, str], req: Request) -> tuple[int, Any]:
        d = self.dashboards.pop(params["uid"], None)
        if d is None:
            return 404, {"message": "Dashboard not found"}
        title = str(d.json.get("title", ""))
        return 200, {"uid": d.uid, "title": title, "message": f"Dashboard {title} deleted"}

    def _op_postDashboard(self, params: dict[str, str], req: Request) -> tuple[int, Any]:
        return self._save(req.body)

    def _save(self, body: dict[str, Any]) -> tuple[int, Any]:
        dash = body.get("dashboard")
        if not isinstance(dash, dict):
            return 400, {"message": "dashboard is required"}
        dash = json.loads(json.dumps(dash))
        title = str(dash.get("title") or "").strip()
        if not title:
            return 400, {"message": "Dashboard title cannot be empty", "status": "empty-name"}
        if len(str(body.get("message") or "")) > 500:
            return 400, {"message": "Message is too long"}
        uid = dash.get("uid") or f"gen{self._next_id}"
        if not isinstance(uid, str) or len(uid) > 40:
            return 400, {"message": "uid too long, max 40 characters"}
        if not UID_RE.match(uid):
            return 400, {"message": "uid contains illegal characters"}
        folder_uid = body.get("folderUid") or ""
        if folder_uid and folder_uid not in self.folders:
            return 404, {"message": "Folder not found", "status": "not-found"}
        overwrite = bool(body.get("overwrite"))
        existing = self.dashboards.get(uid)
        if existing is not None:
            if dash.get("id") not in (None, existing.id) and not overwrite:
                return 400, {"message": "Dashboard with the same uid already exists", "status": "name-exists"}
            if not overwrite and dash.get("version") != existing.version:
                return 412, {
                    "message": "The dashboard has been changed by someone else",
                    "status": "version-mismatch",
                }
        elif dash.get("id") not in (None, 0):
            return 404, {"message": "Dashboard not found", "status": "not-found"}
        for other in self.dashboards.values():
            if other.uid != uid and other.folder_uid == folder_uid and str(other.json.get("title", "")).lower() == title.lower():
                return 412, {
                    "message": "A dashboard with the same name in the folder already exists",
                    "status": "name-exists",
                }
        version = existing.version + 1 if existing else 1
        did = existing.id if existing else self._new_id()
        dash.update({"id": did, "uid": uid, "version": version})
        created = existing.created if existing else FIXED_TIME
        stored = _Dashboard(did, uid, folder_uid, dash, version, created, FIXED_TIME)
        self.dashboards[uid] = stored
        return 200, {
            "id": did,
            "uid": uid,
            "url": self._dash_url(stored),
            "status": "success",
            "version": version,
            "slug": slugify(title),
            "title": title,
            "folderUid": folder_uid,
        }

    def _op_getDashboardTags(self, params: dict[str, str], req: Request) -> tuple[int, Any]:
        counts: dict[str, int] = {}
        for d in self.dashboards.values():
            for t in d.json.get("tags") or []:
                counts[t] = counts.get(t, 0) + 1
        return 200, [{"term": t, "count": n} for t, n in sorted(counts.items())]

    def _op_listSortOptions(self, params: dict[str, str], req: Request) -> tuple[int, Any]:
        return 200, {"name": "alpha-asc", "displayName": "Alphabetically (A-Z)", "description": "", "meta": ""}

    def _op_search(self, params: dict[str, str], req: Request) -> tuple[int, Any]:
        q = req.query
        kind = (q.get("type") or [None])[-1]
        folder_uids = q.get("folderUIDs")
        tags = q.get("tag") or []
        dash_uids = q.get("dashboardUIDs")
        text = ((q.get("query") or [""])[-1]).lower()
        limit = int((q.get("limit") or ["1000"])[-1])
        page = int((q.get("page") or ["1"])[-1])
        hits: list[dict[str, Any]] = []
        if kind in (None, "dash-folder") and not tags:
            for f in self.folders.values():
                if text and text not in f.title.lower():
                    continue
                if folder_uids is not None and "" not in folder_uids:
                    continue
                hits.append(
                    {
                        "id": f.id,
                        "uid": f.uid,
                        "title": f.title,
                        "uri": f"db/{slugify(f.title)}",
                        "url": f"/dashboards/f/{f.uid}/{slugify(f.title)}",
                        "slug": "",
                        "type": "dash-folder",
                        "tags": [],
                        "isStarred": False,
                        "sortMeta": 0,
                    }
                )
        if kind in (None, "dash-db"):
            for d in self.dashboards.values():
                dtags = list(d.json.get("tags") or [])
                title = str(d.json.get("title", ""))
                if folder_uids is not None and d.folder_uid not in folder_uids:
                    continue
                if dash_uids is not None and d.uid not in dash_uids:
                    continue
                if any(t not in dtags for t in tags):
                    continue
                if text and text not in title.lower():
                    continue
                folder = self.folders.get(d.folder_uid)
                hit = {
                    "id": d.id,
                    "uid": d.uid,
                    "title": title,
                    "uri": f"db/{slugify(title)}",
                    "url": self._dash_url(d),
                    "slug": "",
                    "type": "dash-db",
                    "tags": sorted(dtags),
                    "isStarred": False,
                    "sortMeta": 0,
                }
                if folder:
                    hit.update(
                        {
                            "folderId": folder.id,
                            "folderUid": folder.uid,
                            "folderTitle": folder.title,
                            "folderUrl": f"/dashboards/f/{folder.uid}/{slugify(folder.title)}",
                        }
                    )
                hits.append(hit)
        hits.sort(key=lambda h: (h["type"] != "dash-folder", h["title"].lower()))
        start = (max(page, 1) - 1) * limit
        return 200, hits[start : start + limit]
