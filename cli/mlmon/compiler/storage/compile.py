"""``storage`` -> ``Storage`` (pure): one file defines it; each receiver has at most one way to
authenticate (MLM278) and a URL that fits its kind (MLM279)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from mlmon.compiler.ruler import defined_once
from mlmon.compiler.source import Document, render_path
from mlmon.compiler.storage import schema as S
from mlmon.compiler.storage.model import Auth, Budget, RemoteWrite, Storage, ThanosS3

Report = Callable[..., None]  # (doc, path, code, message, hint=None, key=False)
Warn = Callable[..., None]


def _auth(raw: dict[str, Any]) -> tuple[Auth, list[str]]:
    given = [k for k in S.AUTH_KINDS if k in raw]
    if not given:
        return Auth("none"), []
    kind = given[0]
    value = raw[kind]
    settings = {"file": value} if isinstance(value, str) else {k: str(v) for k, v in sorted(value.items())}
    return Auth(kind, settings), given


def _receiver_problem(rw: RemoteWrite) -> str | None:
    if rw.receiver == "influxdb" and (S.RECEIVERS["influxdb"] not in rw.url or "db=" not in rw.url):
        return f"InfluxDB 1.8 receives Prometheus remote writes at {S.RECEIVERS['influxdb']}?db=<database>, and {rw.url!r} is not that"
    return None


def compile_storage(docs: Sequence[Document], error: Report, warn: Warn) -> Storage | None:
    doc = defined_once(docs, "storage", error)
    if doc is None:
        return None
    raw = doc.data.get("storage") or {}
    writes = []
    names: set[str] = set()
    for i, r in enumerate(raw.get("remote_write") or []):
        path = ("storage", "remote_write", i)
        auth, given = _auth(r)
        if len(given) > 1:
            error(doc, path + (given[1],), "MLM278", f"{render_path(path)}: set one of {', '.join(given)}, not several", key=True)
        if r["name"] in names:
            error(doc, path + ("name",), "MLM278", f"{render_path(path + ('name',))}: remote_write name {r['name']!r} is used twice")
        names.add(r["name"])
        queue = {k: r["queue"][k] for k in (*S.QUEUE_INTS, *S.QUEUE_DURATIONS) if k in (r.get("queue") or {})}
        rw = RemoteWrite(
            r["name"],
            r["url"],
            r.get("receiver", S.RECEIVER),
            auth,
            bool(r.get("recorded", True)),
            tuple(r.get("series") or ()),
            bool(r.get("all", False)),
            queue,
            dict(sorted((r.get("tls") or {}).items())),
        )
        problem = _receiver_problem(rw)
        if problem:
            warn(doc, path + ("url",), "MLM279", f"{render_path(path + ('url',))}: {problem}", "see docs/deploy/storage.md for each receiver's endpoint")
        if not rw.everything and not rw.recorded and not rw.series:
            warn(doc, path, "MLM279", f"{render_path(path)}: sends nothing (recorded: false and no series)", "list series, or set recorded: true", key=True)
        writes.append(rw)
    t = raw.get("thanos_sidecar")
    thanos = ThanosS3(t["bucket"], t["endpoint"], t.get("region"), t.get("prefix"), bool(t.get("insecure", False))) if t else None
    labels = dict(sorted((raw.get("external_labels") or {}).items()))
    if thanos is not None and not labels:
        warn(
            doc,
            ("storage", "thanos_sidecar"),
            "MLM281",
            "storage.thanos_sidecar: Thanos needs external labels that tell this Prometheus apart (its blocks carry them)",
            "set storage.external_labels, e.g. {cluster: eu-1, replica: a}",
            key=True,
        )
    b = raw.get("series_budget") or {}
    return Storage(tuple(writes), labels, thanos, Budget(b.get("total"), b.get("per_model")))
