"""Object envelopes: API versions, names, file paths, metadata labels and annotations (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mlmon.compiler.kubernetes.model import Kubernetes
from mlmon.compiler.kubernetes.names import A_SOURCE, L_MODEL, L_TEAM, MANAGED_BY

DIR = "kubernetes"
MONITORING_V1 = "monitoring.coreos.com/v1"
MONITORING_V1ALPHA1 = "monitoring.coreos.com/v1alpha1"
# kind -> (apiVersion, folder under kubernetes/)
KINDS: dict[str, tuple[str, str]] = {
    "PrometheusRule": (MONITORING_V1, "prometheusrules"),
    "PodMonitor": (MONITORING_V1, "podmonitors"),
    "ServiceMonitor": (MONITORING_V1, "servicemonitors"),
    "ScrapeConfig": (MONITORING_V1ALPHA1, "scrapeconfigs"),
    "AlertmanagerConfig": (MONITORING_V1ALPHA1, "alertmanagerconfigs"),
    "ConfigMap": ("v1", "dashboards"),
}


def object_name(ident: str, kind: str = "") -> str:
    """``mlmon-<model or team>``; dashboards ``mlmon-dashboard-<file stem>``."""
    return f"mlmon-dashboard-{ident}" if kind == "ConfigMap" else f"mlmon-{ident}"


def path(kind: str, ident: str) -> str:
    return f"{DIR}/{KINDS[kind][1]}/{ident}.yaml"


def metadata(
    k: Kubernetes,
    name: str,
    *,
    base: Mapping[str, str],
    model: str | None = None,
    team: str | None = None,
    annotations: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """``base`` labels (the selector labels or the dashboard labels) win over the extra labels."""
    labels = {**k.labels, **base, MANAGED_BY[0]: MANAGED_BY[1]}
    if model is not None:
        labels[L_MODEL] = model
    if team is not None:
        labels[L_TEAM] = team
    out: dict[str, Any] = {"name": name, "namespace": k.namespace, "labels": dict(sorted(labels.items()))}
    if annotations:
        out["annotations"] = dict(sorted(annotations.items()))
    return out


def source(files: str) -> dict[str, str]:
    return {A_SOURCE: files}


def document(kind: str, meta: dict[str, Any], body: dict[str, Any], key: str = "spec") -> dict[str, Any]:
    return {"apiVersion": KINDS[kind][0], "kind": kind, "metadata": meta, key: body}
