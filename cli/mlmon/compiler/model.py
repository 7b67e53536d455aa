"""The typed, validated spec: frozen dataclasses produced by ``spec.compile``.

Monitors find their own compiled section in ``Model.sections[key]``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mlmon.compiler.kubernetes.model import Kubernetes
from mlmon.compiler.ruler import Ruler
from mlmon.compiler.source import Path
from mlmon.compiler.storage.model import Storage


@dataclass(frozen=True)
class Origin:
    """Where a value came from, for diagnostics raised after compile (e.g. by generate)."""

    file: str
    path: Path = ()
    line: int = 1
    col: int = 1


@dataclass(frozen=True)
class Slack:
    channel: str
    api_url_file: str | None  # None: routing.slack_api_url_file (Alertmanager's global one)


@dataclass(frozen=True)
class PagerDuty:
    routing_key_file: str | None = None
    service_key_file: str | None = None
    url: str | None = None  # Events API endpoint; None: routing.pagerduty_url, else Alertmanager's default


@dataclass(frozen=True)
class Retraining:
    url: str
    repeat_interval: str = "24h"
    group_wait: str = "1m"
    group_interval: str = "1h"


@dataclass(frozen=True)
class Grouping:
    """Timing of the root route: how long Alertmanager waits before the first notification of a
    group, between notifications of a changing group, and before repeating an unchanged one."""

    group_wait: str = "30s"
    group_interval: str = "5m"
    repeat_interval: str = "4h"


@dataclass(frozen=True)
class Alerting:
    """Where Prometheus sends alerts (prometheus.yml ``alerting``)."""

    alertmanagers: tuple[str, ...] = ("127.0.0.1:9093",)
    scheme: str = "http"
    path_prefix: str | None = None


@dataclass(frozen=True)
class KubernetesSD:
    """Kubernetes service discovery of an exporter (prometheus.yml ``kubernetes_sd_configs``)."""

    role: str
    namespaces: tuple[str, ...]
    selector: Mapping[str, str]  # label -> value
    port: str  # number or port name to keep; "" keeps every target


@dataclass(frozen=True)
class ExporterJob:
    """Where one exporter runs (spec ``exporters.<name>``): the scrape job mlmon writes for it."""

    name: str
    targets: tuple[str, ...] = ()
    file_sd: tuple[str, ...] = ()
    kubernetes: KubernetesSD | None = None
    scrape_interval: float | None = None  # seconds; None: the exporter's usual interval
    metrics_path: str | None = None
    scheme: str | None = None
    honor_labels: bool | None = None
    params: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Team:
    name: str
    slack: Slack | None
    pagerduty: PagerDuty | None
    origin: Origin
    retraining: Retraining | None = None


@dataclass(frozen=True)
class BusinessHours:
    weekdays: tuple[str, ...]
    start: str
    end: str
    location: str = "UTC"


@dataclass(frozen=True)
class Routing:
    teams: Mapping[str, Team]
    severity: Mapping[str, tuple[str, ...]]  # "page"/"ticket" -> channels in order
    business_hours: BusinessHours | None = None
    grouping: Grouping = field(default_factory=Grouping)
    pagerduty_url: str | None = None  # Alertmanager global.pagerduty_url
    slack_api_url_file: str | None = None  # Alertmanager global.slack_api_url_file


@dataclass(frozen=True)
class Serving:
    preset: str
    targets: tuple[str, ...]
    metrics_path: str
    scheme: str
    scrape_interval: float  # seconds
    match: Mapping[str, str]  # label matchers selecting this model's series
    overrides: Mapping[str, Any] = field(default_factory=dict)  # serving.overrides: signal -> metric name / {metric, scale}


@dataclass(frozen=True)
class Model:
    id: str
    team: str
    task: str
    description: str
    labels: Mapping[str, str]
    idle_ok: bool
    serving: Serving
    evaluation_interval: float  # seconds
    origin: Origin
    spec_name: str
    sections: Mapping[str, Any] = field(default_factory=dict)
    registry: Any = None  # mlmon.registry.link.ModelLink: the model's facts from the model registry
    untested_alerts: tuple[Any, ...] = ()  # compiler.untested.UntestedAlert: exempt from firing coverage

    def section(self, key: str) -> Any:
        return self.sections.get(key)


@dataclass(frozen=True)
class Spec:
    files: tuple[str, ...]
    routing: Routing
    models: tuple[Model, ...]  # sorted by id
    alerting: Alerting = field(default_factory=Alerting)
    kubernetes: Kubernetes | None = None  # deploy.kubernetes, resolved for every model and team
    ruler: Ruler | None = None  # the ruler's group limits and Thanos rule files (compiler.ruler)
    storage: Storage | None = None  # remote_write, Thanos sidecar, series budget (compiler.storage)
    exporters: Mapping[str, ExporterJob] = field(default_factory=dict)  # spec ``exporters``, by name

    @functools.cached_property
    def shortest_interval(self) -> float:
        """The shortest evaluation interval of its models: prometheus.yml's global one."""
        return min(m.evaluation_interval for m in self.models)

    def model(self, model_id: str) -> Model:
        for m in self.models:
            if m.id == model_id:
                return m
        raise KeyError(model_id)
