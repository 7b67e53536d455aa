"""Scrape jobs for the exporters (spec ``exporters:``): where each runs becomes static targets,
file_sd files or Kubernetes discovery; one job per exporter however many models read it; bad
descriptions are diagnosed; the config passes promtool (Kubernetes blocks checked against
Prometheus' own rules when this promtool lacks Kubernetes discovery)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mlmon import pipeline
from mlmon.render.prometheus import CONFIG
from mlmon.tools import kubesd, promtool
from tests.conftest import need_tool

HEAD = """\
apiVersion: mlmon/v1
kind: MonitoringSpec
metadata: {name: ex}
routing:
  teams:
    t: {slack: {channel: "#t", api_url_file: /etc/alertmanager/secrets/slack}}
"""
MODELS = """\
models:
  - id: a
    team: t
    serving: {targets: ["a.svc:8080"]}
    infra: {exporters: [dcgm, opencost], namespace: ml}
  - id: b
    team: t
    serving: {targets: ["b.svc:8080"]}
    infra: {exporters: [dcgm], namespace: ml}
"""
EXPORTERS = """\
exporters:
  dcgm: {kubernetes: {namespaces: [gpu-operator]}}
  cadvisor: {kubernetes: {}}
  node: {targets: ["gpu-node-1:9100"], file_sd: [/etc/prometheus/sd/nodes-*.json]}
  opencost: {kubernetes: {role: endpoints, selector: {app.kubernetes.io/name: opencost}, port: http}}
  azure-metrics: {targets: ["azure-metrics.monitoring.svc:8080"], params: {subscription: ["00000000-0000-0000-0000-000000000000"]}}
"""


def jobs(text: str) -> dict[str, dict]:
    spec, diags = pipeline.check({"ex.yaml": text})
    assert spec is not None, diags
    config = yaml.safe_load(pipeline.render(spec, dashboards=False)[CONFIG])
    return {j["job_name"]: j for j in config["scrape_configs"]}


def diags(text: str) -> list[str]:
    return [f"{d.code} {d.message}" for d in pipeline.check({"ex.yaml": text})[1]]


def test_one_job_per_exporter_after_the_models() -> None:
    got = jobs(HEAD + EXPORTERS + MODELS)
    assert list(got)[:2] == ["mlmon-a", "mlmon-b"]
    assert [n for n in got if n.startswith("mlmon-exporter-dcgm")] == ["mlmon-exporter-dcgm"]  # two models, one job
    dcgm = got["mlmon-exporter-dcgm"]
    assert dcgm["honor_labels"] is True
    assert dcgm["kubernetes_sd_configs"] == [
        {"role": "pod", "namespaces": {"names": ["gpu-operator"]}, "selectors": [{"role": "pod", "label": "app.kubernetes.io/name=dcgm-exporter"}]}
    ]
    assert dcgm["relabel_configs"] == [{"source_labels": ["__meta_kubernetes_pod_container_port_number"], "regex": "9400", "action": "keep"}]
    assert got["mlmon-exporter-opencost"]["relabel_configs"][0]["source_labels"] == ["__meta_kubernetes_endpoint_port_name"]
    node = got["mlmon-exporter-node"]
    assert node["static_configs"] == [{"targets": ["gpu-node-1:9100"]}] and node["file_sd_configs"] == [{"files": ["/etc/prometheus/sd/nodes-*.json"]}]
    cad = got["mlmon-exporter-cadvisor"]
    assert (cad["scheme"], cad["metrics_path"], cad["kubernetes_sd_configs"]) == ("https", "/metrics/cadvisor", [{"role": "node"}])
    assert cad["authorization"] == {"credentials_file": "/var/run/secrets/kubernetes.io/serviceaccount/token"}


def test_azure_probes_carry_their_parameters() -> None:
    got = jobs(HEAD + EXPORTERS + MODELS)
    probes = {n: j for n, j in got.items() if n.startswith("mlmon-exporter-azure-metrics-")}
    assert sorted(probes) == ["mlmon-exporter-azure-metrics-deployments", "mlmon-exporter-azure-metrics-latency", "mlmon-exporter-azure-metrics-requests"]
    req = probes["mlmon-exporter-azure-metrics-requests"]
    assert req["metrics_path"] == "/probe/metrics/list"
    assert req["params"]["subscription"] == ["00000000-0000-0000-0000-000000000000"]
    assert req["params"]["metricFilter"] == ["statusCodeClass eq '*'"]
    assert req["params"]["template"] == ["{name}_{metric}_{aggregation}_{unit}"]


def test_no_exporters_no_jobs() -> None:
    assert list(jobs(HEAD + MODELS)) == ["mlmon-a", "mlmon-b"]


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        ("exporters:\n  dcgm: {scrape_interval: 30s}\n", "MLM325 exporters.dcgm: say where it runs"),
        ("exporters:\n  yace: {kubernetes: {namespaces: [monitoring]}}\n", "MLM325 exporters.yace.kubernetes: a label selector is needed"),
        (
            "exporters:\n  azure-metrics: {targets: ['a:8080']}\n",
            "MLM325 exporters.azure-metrics: webdevops azure-metrics-exporter, Azure Monitor needs params.subscription",
        ),
        ("exporters:\n  node: {targets: ['n:9100'], scrape_interval: 1x}\n", "MLM203"),
        ("exporters:\n  dcgm: {targets: ['d:9400'], file_sd: []}\n", "MLM104"),
        ("exporters:\n  nvidia: {targets: ['d:9400']}\n", "MLM101"),
    ],
)
def test_bad_exporter_descriptions(block: str, expected: str) -> None:
    assert any(d.startswith(expected) for d in diags(HEAD + block + MODELS)), diags(HEAD + block + MODELS)


def test_an_exporter_described_twice_must_agree() -> None:
    other = "apiVersion: mlmon/v1\nkind: MonitoringSpec\nmetadata: {name: ex2}\nexporters:\n  dcgm: {targets: ['d:9400']}\n"
    spec, found = pipeline.check({"ex.yaml": HEAD + EXPORTERS + MODELS, "ex2.yaml": other})
    assert spec is None
    assert [d.code for d in found] == ["MLM210"] and "exporters.dcgm differs" in found[0].message
    spec, found = pipeline.check(
        {"ex.yaml": HEAD + EXPORTERS + MODELS, "ex2.yaml": other.replace("{targets: ['d:9400']}", "{kubernetes: {namespaces: [gpu-operator]}}")}
    )
    assert spec is not None and found == []


@pytest.mark.tools
def test_generated_config_passes_promtool(tmp_path: Path) -> None:
    need_tool("promtool")
    spec, _ = pipeline.check({"ex.yaml": HEAD + EXPORTERS + MODELS})
    assert spec is not None
    for path, text in pipeline.render(spec, dashboards=False).items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    found = promtool.check_config(CONFIG, cwd=tmp_path)
    assert [d for d in found if d.severity.name == "ERROR"] == [], found
    assert any("file_sd" in d.message and d.severity.name == "WARNING" for d in found)  # the file_sd file is not there yet
    assert sorted(p.name for p in (tmp_path / "prometheus").iterdir()) == ["prometheus.yml", "rules", "tests"]  # nothing left in the checked folder


@pytest.mark.tools
def test_a_bad_kubernetes_block_is_reported(tmp_path: Path) -> None:
    need_tool("promtool")
    config = {
        "scrape_configs": [
            {"job_name": "x", "kubernetes_sd_configs": [{"role": "pod", "selectors": [{"role": "node", "label": "app=x"}]}]},
            {"job_name": "y", "kubernetes_sd_configs": [{"role": "pods"}]},
        ]
    }
    (tmp_path / "p.yml").write_text(yaml.safe_dump(config))
    messages = [d.message for d in promtool.check_config("p.yml", cwd=tmp_path) if d.severity.name == "ERROR"]
    assert any("pod role supports only pod selectors" in m for m in messages), messages
    assert any('unknown Kubernetes SD role "pods"' in m for m in messages), messages


@pytest.mark.parametrize(
    ("selector", "ok"),
    [
        ("app=x", True),
        ("app.kubernetes.io/name=dcgm-exporter,tier!=db", True),
        ("env in (prod, staging)", True),
        ("=x", False),
        ("app==", True),
        ("a b=c", False),
    ],
)
def test_label_selector_syntax(selector: str, ok: bool) -> None:
    assert (kubesd.label_selector_problem(selector) is None) == ok
