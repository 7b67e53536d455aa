"""What the API server and prometheus-operator would refuse beyond the CRD schema (pure): object
metadata (names, namespace, labels, annotations), sizes, ConfigMaps (no CRD) and the
AlertmanagerConfig checks the operator makes before it accepts one."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from mlmon.compiler.kubernetes.names import MAX_ANNOTATIONS, SECRET_KEY, label_problem, name_problem
from mlmon.tools.kubernetes.schema import Path, errors

Problem = tuple[Path, str, bool]  # (JSON path, message, is a warning)

OBJECT_META = {
    "name",
    "generateName",
    "namespace",
    "labels",
    "annotations",
    "finalizers",
    "ownerReferences",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "managedFields",
    "selfLink",
}
MAX_OBJECT = 1536 * 1024  # etcd's default request limit: larger objects cannot be stored
MAX_CONFIGMAP = 1024 * 1024  # data + binaryData of a ConfigMap
LAST_APPLIED = 256 * 1024  # `kubectl apply` (client side) keeps the object in an annotation of this size at most


def metadata(obj: Mapping[str, Any]) -> Iterator[Problem]:
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        yield ("metadata",), "metadata must be a mapping with name and namespace", False
        return
    for key in sorted(set(meta) - OBJECT_META):
        yield ("metadata", key), f"unknown metadata field {key!r}", False
    problem = name_problem(meta.get("name", ""))
    if problem:
        yield ("metadata", "name"), f"name {meta.get('name')!r} {problem}", False
    if "namespace" not in meta:
        yield ("metadata",), "no namespace: the object would land in the namespace of whoever applies it", True
    elif name_problem(meta["namespace"], label=True):
        yield ("metadata", "namespace"), f"namespace {meta['namespace']!r} {name_problem(meta['namespace'], label=True)}", False
    for key, value in sorted((meta.get("labels") or {}).items()):
        problem = label_problem(key, value)
        if problem:
            yield ("metadata", "labels", key), problem, False
    annotations = meta.get("annotations") or {}
    for key, value in sorted(annotations.items()):
        problem = label_problem(key, "")
        if problem:
            yield ("metadata", "annotations", key), problem.replace("label", "annotation"), False
        if not isinstance(value, str):
            yield ("metadata", "annotations", key), "annotation values are strings", False
    if sum(len(k) + len(str(v)) for k, v in annotations.items()) > MAX_ANNOTATIONS:
        yield ("metadata", "annotations"), f"annotations are larger than {MAX_ANNOTATIONS // 1024} KiB", False


def size(obj: Mapping[str, Any]) -> Iterator[Problem]:
    n = len(json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode())
    if n > MAX_OBJECT:
        yield (), f"object is {n // 1024} KiB; the API server stores at most {MAX_OBJECT // 1024} KiB", False
    elif n > LAST_APPLIED:
        yield (), f"object is {n // 1024} KiB: client-side `kubectl apply` cannot record it (at most {LAST_APPLIED // 1024} KiB)", True


def configmap(obj: Mapping[str, Any]) -> Iterator[Problem]:
    for key in sorted(set(obj) - {"apiVersion", "kind", "metadata", "data", "binaryData", "immutable"}):
        yield (key,), f"unknown field {key!r} of a ConfigMap", False
    data = obj.get("data") or {}
    if not isinstance(data, dict):
        yield ("data",), "data must map keys to strings", False
        return
    total = 0
    for key, value in sorted(data.items()):
        if not re.match(SECRET_KEY, key) or len(key) > 253:
            yield ("data", key), f"key {key!r} must be letters, digits, '-', '_', '.'", False
        if not isinstance(value, str):
            yield ("data", key), "values are strings", False
            continue
        total += len(value.encode())
        if key.endswith(".json"):
            try:
                json.loads(value)
            except ValueError as exc:
                yield ("data", key), f"not JSON: {exc}", False
    if total > MAX_CONFIGMAP:
        yield ("data",), f"data is {total // 1024} KiB; a ConfigMap holds at most {MAX_CONFIGMAP // 1024} KiB", False


def _routes(route: Any, path: Path) -> Iterator[tuple[Path, Any]]:
    yield path, route
    for i, child in enumerate(route.get("routes") or [] if isinstance(route, dict) else []):
        yield from _routes(child, path + ("routes", i))


def alertmanager_config(obj: Mapping[str, Any], schema: Mapping[str, Any]) -> Iterator[Problem]:
    """The operator's own checks: child routes (unchecked by the CRD) have the route's shape,
    receiver names are unique, every route's receiver and time interval exists."""
    spec = obj.get("spec") or {}
    route_schema = schema["properties"]["spec"]["properties"]["route"]
    names = [r.get("name") for r in spec.get("receivers") or []]
    for i, name in enumerate(names):
        if name in names[:i]:
            yield ("spec", "receivers", i, "name"), f"receiver {name!r} is defined twice", False
    intervals = {t.get("name") for t in spec.get("muteTimeIntervals") or []}
    route = spec.get("route")
    if not isinstance(route, dict):
        return
    if not route.get("receiver"):
        yield ("spec", "route", "receiver"), "the top route needs a receiver", False
    for path, r in _routes(route, ("spec", "route")):
        if not isinstance(r, dict):
            continue
        if len(path) > 2:
            for sub, message in errors(r, dict(route_schema)):
                yield path + sub, message, False
        if r.get("receiver") and r["receiver"] not in names:
            yield path + ("receiver",), f"receiver {r['receiver']!r} is not defined in spec.receivers", False
        for key in ("activeTimeIntervals", "muteTimeIntervals"):
            for j, name in enumerate(r.get(key) or []):
                if name not in intervals:
                    yield path + (key, j), f"time interval {name!r} is not defined in spec.muteTimeIntervals", False
    for i, rec in enumerate(spec.get("receivers") or []):
        for j, pd in enumerate(rec.get("pagerdutyConfigs") or []):
            if "routingKey" not in pd and "serviceKey" not in pd:
                yield ("spec", "receivers", i, "pagerdutyConfigs", j), "needs routingKey or serviceKey", False
        for j, hook in enumerate(rec.get("webhookConfigs") or []):
            if "url" not in hook and "urlSecret" not in hook:
                yield ("spec", "receivers", i, "webhookConfigs", j), "needs url or urlSecret", False
