"""The rules taken out of the generated PrometheusRule objects load into a real Prometheus on
127.0.0.1 and evaluate: every group is there, rules evaluate without error, and the
serving-down alert of every model goes pending (no target is up). No cluster: the objects'
``spec.groups`` are written as plain rule files, which is what prometheus-operator does."""

from __future__ import annotations

import time

import pytest
import requests

from mlmon.render.emit import to_yaml
from tests.helpers.servers import DEFAULT_PROMETHEUS_YML, servers  # noqa: F401  (servers: the fixture)
from tests.kubernetes.k8s_util import GENERATED, of_kind

pytestmark = pytest.mark.e2e

CONFIG = DEFAULT_PROMETHEUS_YML.replace("15s", "1s")  # loads mlmon/rules/*.rules.yml, evaluates every second
TIMEOUT = 60.0


def _get(url: str, path: str):
    return requests.get(url + path, timeout=5).json()["data"]


def test_rules_from_prometheus_rules_load_and_evaluate(servers, tmp_path):  # noqa: F811
    objects = of_kind(GENERATED, "PrometheusRule")
    rules = {f"{o['metadata']['labels']['mlmon.dev/model']}.rules.yml": to_yaml({"groups": o["spec"]["groups"]}) for o in objects.values()}
    want = {g["name"]: g for o in objects.values() for g in o["spec"]["groups"]}
    models = sorted(o["metadata"]["labels"]["mlmon.dev/model"] for o in objects.values())
    # one PrometheusRule per shipped model: the same models as the plain rule files of generated/prometheus
    plain = GENERATED / "prometheus" / "rules"
    assert models == sorted({f.name.split(".")[0] for f in plain.glob("*.rules.yml")})
    # models read through a cloud exporter have no serving job of their own, hence no serving-down alert
    serving_down = {
        o["metadata"]["labels"]["mlmon.dev/model"]
        for o in objects.values()
        if any(r.get("alert") == "MLModelServingDown" for g in o["spec"]["groups"] for r in g["rules"])
    }
    assert len(serving_down) >= 3
    prom = servers.prometheus(tmp_path / "prom", config=CONFIG, rules=rules)
    deadline = time.monotonic() + TIMEOUT
    while True:
        groups = {g["name"]: g for g in _get(prom.url, "/api/v1/rules")["groups"]}
        pending = {a["labels"]["model"] for a in _get(prom.url, "/api/v1/alerts")["alerts"] if a["labels"]["alertname"] == "MLModelServingDown"}
        every_second = [g for name, g in groups.items() if "interval" not in want[name]]
        evaluated = all(r["health"] == "ok" for g in every_second for r in g["rules"])
        if (set(groups) == set(want) and evaluated and pending == serving_down) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert set(groups) == set(want)
    for name, g in groups.items():
        assert [r.get("name") for r in g["rules"]] == [r.get("record") or r.get("alert") for r in want[name]["rules"]], name
        assert all(r["health"] != "err" and not r.get("lastError") for r in g["rules"]), (name, [r.get("lastError") for r in g["rules"]])
    assert every_second and evaluated, [(g["name"], r["name"], r["health"]) for g in every_second for r in g["rules"] if r["health"] != "ok"]
    assert pending == serving_down
