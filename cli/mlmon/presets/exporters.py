"""The exporter processes mlmon's presets read, and how Prometheus usually scrapes each (data only).

A preset is a metric *dialect*; an exporter is the *process* that serves it. Most are one to one
(``dcgm``), but one cloud exporter can serve several dialects (YACE serves the ``sagemaker`` and
``aws-billing`` presets). The spec's top-level ``exporters:`` says where each process runs (static
targets, ``file_sd`` files or Kubernetes discovery); ``render.exporter_jobs`` writes one scrape
job per exporter (per probe for exporters configured by URL parameters), shared by every model.

Facts (ports, paths, labels of the usual deployments) are from the upstream sources in ``source``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

ROLES = ("pod", "endpoints", "service", "node")
APP_NAME = "app.kubernetes.io/name"
# the in-cluster service account files Prometheus reads to scrape the kubelet (paths, not secrets)
SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"


@dataclass(frozen=True)
class Discovery:
    """Where the exporter usually runs on Kubernetes: which objects to discover, the label
    selector of its pods or Service, and the port to keep (a number or a port name)."""

    role: str = "pod"
    selector: Mapping[str, str] = field(default_factory=dict)
    port: str = ""  # "" with role node: the kubelet's own port
    namespaces: tuple[str, ...] = ()  # () = every namespace


@dataclass(frozen=True)
class Probe:
    """One scrape job of an exporter configured by URL parameters (azure-metrics-exporter's
    ``/probe/metrics/list``): the job-name suffix and its parameters."""

    suffix: str
    params: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class Exporter:
    name: str
    title: str
    port: int
    metrics_path: str = "/metrics"
    scheme: str = "http"
    honor_labels: bool = False  # True when the exporter's own pod/namespace labels describe other pods
    scrape_interval: float | None = None  # seconds; None: the global interval
    kubernetes: Discovery | None = None  # None: no usual deployment, the spec must give a selector
    kubelet: bool = False  # scraped through the kubelet (https + the service account's token)
    probes: tuple[Probe, ...] = ()
    required_params: tuple[str, ...] = ()  # parameters the spec must give (params:)
    delay: float = 0.0  # seconds from an event to its sample in Prometheus (cloud monitoring APIs)
    source: str = ""
    notes: tuple[str, ...] = ()


AZURE_ENDPOINTS = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints"
AZURE_DEPLOYMENTS = AZURE_ENDPOINTS + "/deployments"
AZURE_NAME = "azureml"  # metric names: azureml_<metric>_<aggregation>_<unit> (lower case), read by presets.cloud
_AZURE_COMMON = {"interval": ("PT1M",), "timespan": ("PT1M",), "name": (AZURE_NAME,), "template": ("{name}_{metric}_{aggregation}_{unit}",)}

EXPORTERS: dict[str, Exporter] = {
    e.name: e
    for e in (
        Exporter(
            "dcgm",
            "NVIDIA dcgm-exporter",
            9400,
            honor_labels=True,
            kubernetes=Discovery("pod", {APP_NAME: "dcgm-exporter"}, "9400"),
            source="NVIDIA/dcgm-exporter:deployment/examples/dcgm-exporter.yaml@8dc9e11b",
            notes=("`honor_labels: true` keeps the exporter's `pod`/`namespace`/`container` labels (the GPU's workload).",),
        ),
        Exporter(
            "cadvisor",
            "cAdvisor in the kubelet",
            10250,
            metrics_path="/metrics/cadvisor",
            scheme="https",
            kubernetes=Discovery("node"),
            kubelet=True,
            source="prometheus/prometheus:documentation/examples/prometheus-kubernetes.yml (job kubernetes-cadvisor)",
            notes=("Every node's kubelet, over https with the service account's CA and token (as in Prometheus' Kubernetes example).",),
        ),
        Exporter(
            "node",
            "Prometheus node_exporter",
            9100,
            kubernetes=Discovery("pod", {APP_NAME: "prometheus-node-exporter"}, "9100"),
            source="prometheus-community/helm-charts:charts/prometheus-node-exporter",
        ),
        Exporter(
            "opencost",
            "OpenCost",
            9003,
            honor_labels=True,
            kubernetes=Discovery("pod", {APP_NAME: "opencost"}, "9003"),
            source="opencost/opencost-helm-chart:charts/opencost/templates/service.yaml@07156716",
            notes=("`honor_labels: true` keeps OpenCost's `namespace`/`pod`/`container` labels (the priced workload).",),
        ),
        Exporter(
            "yace",
            "YACE (yet-another-cloudwatch-exporter), AWS CloudWatch",
            5000,
            scrape_interval=60.0,
            delay=600.0,
            source="prometheus-community/yet-another-cloudwatch-exporter:docs/configuration.md@1a0ddb1e",
            notes=(
                "YACE queries CloudWatch every `-scraping-interval` (300s by default) and serves the latest datapoint of each "
                "metric's `period`; Prometheus scraping it every minute costs no CloudWatch calls.",
                "Listens on 127.0.0.1:5000 by default: run it with `-listen-address=:5000` to be scraped.",
            ),
        ),
        Exporter(
            "azure-metrics",
            "webdevops azure-metrics-exporter, Azure Monitor",
            8080,
            metrics_path="/probe/metrics/list",
            scrape_interval=60.0,
            delay=300.0,
            probes=(
                # requests split by status class (one dimension -> label `dimension`); one request may only
                # filter by a dimension every listed metric has, so requests and latency are separate probes
                Probe(
                    "requests",
                    {
                        "resourceType": (AZURE_ENDPOINTS,),
                        "metric": ("RequestsPerMinute",),
                        "aggregation": ("average",),
                        "metricFilter": ("statusCodeClass eq '*'",),
                        **_AZURE_COMMON,
                    },
                ),
                Probe(
                    "latency",
                    {"resourceType": (AZURE_ENDPOINTS,), "metric": ("RequestLatency", "RequestLatency_P99"), "aggregation": ("average",), **_AZURE_COMMON},
                ),
                Probe(
                    "deployments",
                    {
                        "resourceType": (AZURE_DEPLOYMENTS,),
                        "metric": (
                            "CpuUtilizationPercentage",
                            "CpuMemoryUtilizationPercentage",
                            "GpuUtilizationPercentage",
                            "GpuMemoryUtilizationPercentage",
                            "DeploymentCapacity",
                        ),
                        "aggregation": ("average",),
                        **_AZURE_COMMON,
                    },
                ),
            ),
            required_params=("subscription",),
            source="webdevops/azure-metrics-exporter:README.md, metrics/insights.target.go@61e69788",
            notes=(
                "Configured by the scrape job's URL parameters: mlmon writes one job per probe (`-requests`, `-latency`, "
                "`-deployments`); the spec gives `params: {subscription: [...]}`.",
                "`metricFilter: statusCodeClass eq '*'` splits RequestsPerMinute by status class into the label `dimension`.",
            ),
        ),
        Exporter(
            "stackdriver",
            "stackdriver_exporter, Google Cloud Monitoring",
            9255,
            scrape_interval=60.0,
            delay=300.0,
            source="prometheus-community/stackdriver_exporter:README.md, collectors/monitoring_metrics.go@8ed0ea51",
            notes=(
                "Run it with `--monitoring.metrics-prefixes=aiplatform.googleapis.com/prediction/online`; each scrape calls the "
                "Monitoring API, which returns the newest point of the last `--monitoring.metrics-interval` (5m).",
                "Samples carry Cloud Monitoring's timestamps (up to a few minutes old): the cloud presets read them with "
                "`last_over_time`/`avg_over_time` over windows longer than that delay.",
            ),
        ),
    )
}


def get(name: str) -> Exporter | None:
    return EXPORTERS.get(name)
