"""Every generated object validates against the upstream prometheus-operator CRDs (full files, not
the trimmed copies ``mlmon validate`` ships), and the checker rejects what the API server or the
operator would reject."""

from __future__ import annotations

import copy
import hashlib
import json
import re

import pytest

from mlmon.tools.kubernetes import check_object
from mlmon.tools.kubernetes.crds import SHIPPED, dumps, shipped, trimmed
from tests.kubernetes.k8s_util import TREES, UPSTREAM, objects, upstream_crds, upstream_schemas

PACKAGE_CRDS = UPSTREAM.parents[3] / "cli" / "mlmon" / "tools" / "kubernetes" / SHIPPED


def test_fixtures_are_the_upstream_files_named_in_the_provenance():
    listed = dict(re.findall(r"^\| (monitoring\.coreos\.com_\w+\.yaml) \| [0-9a-f]{40} \| ([0-9a-f]{64}) \|$", (UPSTREAM / "PROVENANCE.md").read_text(), re.M))
    assert sorted(listed) == sorted(p.name for p in UPSTREAM.glob("*.yaml"))
    for name, digest in listed.items():
        assert hashlib.sha256((UPSTREAM / name).read_bytes()).hexdigest() == digest, name


def test_shipped_schemas_are_the_trimmed_upstream_crds():
    """Refresh with `python -m mlmon.tools.kubernetes.crds tests/fixtures/upstream/prometheus-operator/*.yaml`."""
    want = {name: dumps(data) for crd in upstream_crds().values() for name, data in trimmed(crd).items()}
    got = {p.name: p.read_text() for p in sorted(PACKAGE_CRDS.glob("*.json"))}
    assert sorted(got) == sorted(want)
    for name in want:
        assert got[name] == want[name], f"{name} is stale"
    assert sorted(shipped()) == sorted(upstream_schemas())
    assert (PACKAGE_CRDS / "LICENSE").read_text() == (UPSTREAM / "LICENSE").read_text()


@pytest.mark.parametrize("tree", TREES, ids=lambda p: p.name if p.name != "expected" else p.parent.name)
def test_generated_objects_validate_against_the_upstream_crds(tree):
    objs = objects(tree)
    kinds = {o["kind"] for o in objs.values()}
    assert {"PrometheusRule", "AlertmanagerConfig", "ConfigMap"} <= kinds and kinds & {"PodMonitor", "ServiceMonitor", "ScrapeConfig"}
    for rel, obj in objs.items():
        assert check_object(obj, upstream_schemas()) == [], rel


def test_every_kind_mlmon_writes_is_covered():
    kinds = {o["kind"] for tree in TREES for o in objects(tree).values()}
    assert kinds == {"PrometheusRule", "PodMonitor", "ServiceMonitor", "ScrapeConfig", "AlertmanagerConfig", "ConfigMap"}


def _one(tree_objs, kind):
    return copy.deepcopy(next(o for o in tree_objs.values() if o["kind"] == kind))


@pytest.fixture(scope="module")
def sample():
    objs = objects(TREES[0])
    objs.update({f"golden/{k}": v for k, v in objects(TREES[1]).items()})
    return objs


def _set(obj, path, value):
    node = obj
    for p in path[:-1]:
        node = node[p]
    if value is _DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value


_DELETE = object()
MUTATIONS = [
    # (kind, path, new value, code, words in the message)
    ("PrometheusRule", ("spec", "groups", 0, "rules", 0, "expr"), ["a list"], "MLM310", "is not valid"),
    ("PrometheusRule", ("spec", "groups", 1, "name"), "__first__", "MLM310", "duplicate name"),
    ("PrometheusRule", ("spec", "groups", 0, "interval"), "5 minutes", "MLM310", "does not match"),
    ("PrometheusRule", ("spec", "groups", 0, "rules", 0, "expresion"), "up", "MLM310", "unknown field 'expresion'"),
    ("PodMonitor", ("spec", "podMetricsEndpoints", 0, "scheme"), "ftp", "MLM310", "is not one of"),
    ("PodMonitor", ("spec", "selector"), _DELETE, "MLM310", "'selector' is required"),
    ("ServiceMonitor", ("spec", "endpoints", 0, "relabelings", 0, "action"), "rename", "MLM310", "is not one of"),
    ("ScrapeConfig", ("spec", "staticConfigs", 0, "targets"), [], "MLM310", "should be non-empty"),
    ("AlertmanagerConfig", ("spec", "route", "routes", 0, "receiver"), "nobody", "MLM314", "receiver 'nobody' is not defined"),
    ("AlertmanagerConfig", ("spec", "route", "routes", 0, "matchers", 0, "matchType"), "==", "MLM314", "is not one of"),
    ("AlertmanagerConfig", ("spec", "route", "routes", 0, "groupWait"), "soon", "MLM314", "does not match"),
    ("AlertmanagerConfig", ("spec", "receivers", 1, "name"), "mlmon-default", "MLM314", "defined twice"),
    ("AlertmanagerConfig", ("spec", "muteTimeIntervals", 0, "timeIntervals", 0, "weekdays", 0), "weekdays", "MLM310", "does not match"),
    ("ConfigMap", ("metadata", "name"), "Dashboard_1", "MLM311", "name 'Dashboard_1' must be"),
    ("ConfigMap", ("metadata", "labels", "grafana_dashboard"), "x" * 64, "MLM311", "must be at most 63"),
    ("ConfigMap", ("metadata", "namespace"), "a" * 64, "MLM311", "namespace"),
    ("PodMonitor", ("metadata", "labels", "bad key!"), "1", "MLM311", "label key 'bad key!'"),
    ("PrometheusRule", ("metadata", "nme"), "x", "MLM311", "unknown metadata field 'nme'"),
]


@pytest.mark.parametrize("kind,path,value,code,words", MUTATIONS, ids=[f"{m[0]}:{'.'.join(map(str, m[1]))}" for m in MUTATIONS])
def test_checker_rejects(sample, kind, path, value, code, words):
    obj = _one(sample, kind)
    if kind == "AlertmanagerConfig" and "muteTimeIntervals" in path:
        obj = copy.deepcopy(next(o for o in sample.values() if o["kind"] == kind and "muteTimeIntervals" in o["spec"]))
    if value == "__first__":
        value = obj["spec"]["groups"][0]["name"]
    assert check_object(obj, upstream_schemas()) == []
    _set(obj, path, value)
    found = check_object(obj, upstream_schemas())
    assert any(c == code and words in m for _, c, m, _ in found), found


def test_sizes_follow_the_api_server_limits(sample):
    cm = _one(sample, "ConfigMap")
    key = next(iter(cm["data"]))
    cm["data"][key] = json.dumps({"x": "y" * (1100 * 1024)})
    assert any("a ConfigMap holds at most 1024 KiB" in m for _, _, m, _ in check_object(cm, upstream_schemas()))
    rule = _one(sample, "PrometheusRule")
    rule["spec"]["groups"][0]["rules"][0]["expr"] = "vector(1)" + " + 1" * 80000
    warnings = [(m, w) for _, c, m, w in check_object(rule, upstream_schemas()) if c == "MLM311"]
    assert warnings and all(w for _, w in warnings) and "client-side `kubectl apply`" in warnings[0][0]


def test_unknown_kinds_and_non_objects_are_reported():
    assert check_object(["a"], upstream_schemas())[0][1] == "MLM310"
    found = check_object({"apiVersion": "monitoring.coreos.com/v1", "kind": "Probe", "metadata": {"name": "x", "namespace": "y"}}, upstream_schemas())
    assert [c for _, c, _, _ in found] == ["MLM310"] and "unknown apiVersion/kind" in found[0][2]
