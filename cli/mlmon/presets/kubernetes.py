"""How each serving framework's pods are usually scraped on Kubernetes (data only): the kind of
prometheus-operator monitor, the labels that select the model's pods or Service, and the metrics
port. The spec's ``serving.kubernetes`` overrides any of them; ``{model}`` is the model id.

Facts: KServe's Python runtimes serve ``/metrics`` on 8080 (``prometheus.kserve.io/port``) and
label predictor pods ``serving.kserve.io/inferenceservice`` and ``component``; Triton's chart
(``deploy/k8s-onprem``) names the Service port ``metrics-inference-server`` (8002); TorchServe's
metrics listen on 8082, MLServer's on 8082, BentoML and vLLM serve ``/metrics`` on their HTTP
port (3000, 8000); a service instrumented with the OpenTelemetry SDK's Prometheus exporter serves
``/metrics`` on 9464, the exporter's default. Other selectors follow the recommended
``app.kubernetes.io/name`` label.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

APP_NAME = "app.kubernetes.io/name"


@dataclass(frozen=True)
class KubeScrape:
    monitor: str  # pod (PodMonitor) | service (ServiceMonitor)
    selector: Mapping[str, str] = field(default_factory=dict)  # label -> value template ({model})
    port: str | None = None  # port name
    port_number: int | None = None  # container port number (PodMonitor only)


SCRAPE: dict[str, KubeScrape] = {
    "mlmon": KubeScrape("pod", {APP_NAME: "{model}"}, port="metrics"),
    "kserve": KubeScrape("pod", {"serving.kserve.io/inferenceservice": "{model}", "component": "predictor"}, port_number=8080),
    "triton": KubeScrape("service", {APP_NAME: "{model}"}, port="metrics-inference-server"),
    "torchserve": KubeScrape("pod", {APP_NAME: "{model}"}, port_number=8082),
    "bentoml": KubeScrape("pod", {APP_NAME: "{model}"}, port_number=3000),
    "mlserver": KubeScrape("pod", {APP_NAME: "{model}"}, port_number=8082),
    "vllm": KubeScrape("pod", {APP_NAME: "{model}"}, port_number=8000),
    "otel-genai": KubeScrape("pod", {APP_NAME: "{model}"}, port_number=9464),
}


def scrape_of(preset: str) -> KubeScrape:
    """The preset's defaults (a pod monitor on a ``metrics`` port for a preset without an entry)."""
    return SCRAPE.get(preset) or SCRAPE["mlmon"]
