"""How Prometheus finds a model: PodMonitor, ServiceMonitor or ScrapeConfig (pure).

Every kind sets the labels the plain ``prometheus.yml`` sets (``job="mlmon-<id>"``, the model and
team target labels), so the same rules select the same series.
"""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon.compiler.kubernetes.model import Kubernetes, Scrape
from mlmon.compiler.model import Model
from mlmon.compiler.units import format_duration
from mlmon.render.kubernetes.meta import document, metadata, object_name, source
from mlmon.render.prometheus import scrape_labels

KIND = {"pod": "PodMonitor", "service": "ServiceMonitor", "static": "ScrapeConfig"}


def kind_of(scrape: Scrape) -> str:
    return KIND[scrape.monitor]


def _relabelings(model: Model) -> list[dict[str, str]]:
    labels = {"job": C.SCRAPE_JOB.format(model=model.id), **scrape_labels(model)}
    return [{"action": "replace", "targetLabel": name, "replacement": value} for name, value in labels.items()]


def _endpoint(model: Model, scrape: Scrape) -> dict[str, Any]:
    out: dict[str, Any] = {"port": scrape.port} if scrape.port is not None else {"portNumber": scrape.port_number}
    out.update(
        {
            "path": model.serving.metrics_path,
            "scheme": model.serving.scheme,
            "interval": format_duration(model.serving.scrape_interval),
            "relabelings": _relabelings(model),
        }
    )
    return out


def monitor(k: Kubernetes, model: Model, scrape: Scrape) -> dict[str, Any]:
    kind = kind_of(scrape)
    meta = metadata(k, object_name(model.id), base=k.selector_labels, model=model.id, team=model.team, annotations=source(model.origin.file))
    if kind == "ScrapeConfig":
        body: dict[str, Any] = {
            "jobName": C.SCRAPE_JOB.format(model=model.id),
            "metricsPath": model.serving.metrics_path,
            "scheme": model.serving.scheme,
            "scrapeInterval": format_duration(model.serving.scrape_interval),
            "staticConfigs": [{"targets": list(model.serving.targets), "labels": scrape_labels(model)}],
        }
        return document(kind, meta, body)
    endpoints = "podMetricsEndpoints" if kind == "PodMonitor" else "endpoints"
    body = {
        "namespaceSelector": {"matchNames": [scrape.namespace]},
        "selector": {"matchLabels": dict(scrape.selector)},
        endpoints: [_endpoint(model, scrape)],
    }
    return document(kind, meta, body)
