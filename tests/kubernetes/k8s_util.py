"""Shared helpers of the Kubernetes tests: the full upstream CRD schemas, the objects of a
generated tree, rules taken out of PrometheusRule objects, and the Alertmanager configuration
prometheus-operator assembles from AlertmanagerConfig objects."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

from mlmon.tools.kubernetes.crds import load_crd
from tests.conftest import REPO

UPSTREAM = REPO / "tests" / "fixtures" / "upstream" / "prometheus-operator"
GOLDEN = REPO / "tests" / "golden" / "kubernetes" / "expected"
GENERATED = REPO / "generated"
TREES = [GENERATED, GOLDEN]


@functools.cache
def upstream_crds() -> dict[str, dict[str, Any]]:
    return {p.name: load_crd(p.read_text()) for p in sorted(UPSTREAM.glob("*.yaml"))}


@functools.cache
def upstream_schemas() -> dict[tuple[str, str], dict[str, Any]]:
    """(apiVersion, kind) -> the full openAPIV3Schema of the upstream CRD (descriptions and all)."""
    out = {}
    for crd in upstream_crds().values():
        spec = crd["spec"]
        for v in spec["versions"]:
            out[(f"{spec['group']}/{v['name']}", spec["names"]["kind"])] = v["schema"]["openAPIV3Schema"]
    return out


def load(text: str) -> Any:
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@functools.cache
def _objects(tree: Path) -> dict[str, str]:
    root = tree / "kubernetes"
    return {p.relative_to(tree).as_posix(): p.read_text() for p in sorted(root.rglob("*.yaml")) if p.name != "kustomization.yaml"}


def objects(tree: Path) -> dict[str, Any]:
    """``kubernetes/...`` path -> object (a fresh copy), for every object file of a generated tree."""
    return {rel: load(text) for rel, text in _objects(tree).items()}


def of_kind(tree: Path, kind: str) -> dict[str, Any]:
    return {rel: obj for rel, obj in objects(tree).items() if obj["kind"] == kind}


def rule_file_groups(tree: Path) -> dict[str, list[Any]]:
    """model id -> its rule files' groups, file by file (file name order)."""
    out: dict[str, list[Any]] = {}
    for f in sorted((tree / "prometheus" / "rules").glob("*.rules.yml")):
        out.setdefault(f.name.split(".")[0], []).extend(load(f.read_text())["groups"])
    return out


def operator_alertmanager_config(amcs: list[dict[str, Any]], strategy: str, root_receiver: str = "cluster-default") -> dict[str, Any]:
    """What prometheus-operator (v0.93, ``pkg/alertmanager/amcfg.go``) makes of these
    AlertmanagerConfig objects under a root route with ``root_receiver``: each object's route
    (its names prefixed ``<namespace>/<name>/``, ``continue: true``, plus a ``namespace`` matcher
    unless ``strategy`` is None) becomes a first-level route; receivers, time intervals and
    inhibition rules are appended."""
    routes, receivers, intervals, inhibit = [], [{"name": root_receiver}], [], []

    def key(obj: dict[str, Any], name: str) -> str:
        return f"{obj['metadata']['namespace']}/{obj['metadata']['name']}/{name}"

    def matcher(m: dict[str, str]) -> str:
        return f'{m["name"]}{m.get("matchType", "=")}"{m["value"]}"'

    def route(obj: dict[str, Any], r: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"receiver": key(obj, r["receiver"])}
        if "matchers" in r:
            out["matchers"] = [matcher(m) for m in r["matchers"]]
        for src, dst in (("groupBy", "group_by"), ("groupWait", "group_wait"), ("groupInterval", "group_interval"), ("repeatInterval", "repeat_interval")):
            if src in r:
                out[dst] = r[src]
        if "activeTimeIntervals" in r:
            out["active_time_intervals"] = [key(obj, n) for n in r["activeTimeIntervals"]]
        if r.get("continue"):
            out["continue"] = True
        if "routes" in r:
            out["routes"] = [route(obj, c) for c in r["routes"]]
        return out

    for obj in amcs:
        spec = obj["spec"]
        top = route(obj, spec["route"])
        top["continue"] = True
        ns_matcher = f'namespace="{obj["metadata"]["namespace"]}"'
        if strategy != "None":
            top["matchers"] = top.get("matchers", []) + [ns_matcher]
        routes.append(top)
        for r in spec["receivers"]:
            rec: dict[str, Any] = {"name": key(obj, r["name"])}
            if "slackConfigs" in r:  # the operator reads the Secret; a placeholder stands for its value here
                rec["slack_configs"] = [{"api_url": "http://127.0.0.1:9/slack", "channel": c["channel"]} for c in r["slackConfigs"]]
            if "pagerdutyConfigs" in r:
                rec["pagerduty_configs"] = [{"routing_key": "placeholder"} for _ in r["pagerdutyConfigs"]]
            if "webhookConfigs" in r:
                rec["webhook_configs"] = [{"url": c["url"]} for c in r["webhookConfigs"]]
            receivers.append(rec)
        for ti in spec.get("muteTimeIntervals", []):
            ranges = [
                {"weekdays": t["weekdays"], "times": [{"start_time": x["startTime"], "end_time": x["endTime"]} for x in t["times"]]}
                for t in ti["timeIntervals"]
            ]
            intervals.append({"name": key(obj, ti["name"]), "time_intervals": ranges})
        for ir in spec.get("inhibitRules", []):
            extra = [] if strategy == "None" else [ns_matcher]
            inhibit.append(
                {
                    "source_matchers": [matcher(m) for m in ir["sourceMatch"]] + extra,
                    "target_matchers": [matcher(m) for m in ir["targetMatch"]] + extra,
                    "equal": ir["equal"],
                }
            )
    cfg: dict[str, Any] = {"route": {"receiver": root_receiver, "routes": routes}, "receivers": receivers}
    if intervals:
        cfg["time_intervals"] = intervals
    if inhibit:
        cfg["inhibit_rules"] = inhibit
    return cfg
