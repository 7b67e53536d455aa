"""The compiled Kubernetes settings: ``Spec.kubernetes`` (None without ``deploy.kubernetes``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class TeamSecret:
    """Where a team's receivers find their keys: Secret ``name`` in the deploy namespace."""

    name: str
    slack_key: str
    pagerduty_key: str


@dataclass(frozen=True)
class Scrape:
    """How Prometheus finds one model: ``monitor`` pod (PodMonitor), service (ServiceMonitor) or
    static (ScrapeConfig of the model's targets)."""

    monitor: str
    namespace: str | None = None
    selector: Mapping[str, str] = field(default_factory=dict)
    port: str | None = None
    port_number: int | None = None


@dataclass(frozen=True)
class Kubernetes:
    namespace: str
    selector_labels: Mapping[str, str]
    labels: Mapping[str, str]  # extra labels of every object (the selector labels win over them)
    matcher_strategy: str
    dashboard_labels: Mapping[str, str]
    dashboard_folder: str | None
    secrets: Mapping[str, TeamSecret]  # team -> its Secret
    scrape: Mapping[str, Scrape]  # model id -> how it is scraped
