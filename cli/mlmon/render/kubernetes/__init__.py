"""prometheus-operator objects for ``generated/kubernetes/`` (pure).

Per model: a PrometheusRule (its rule groups, byte for byte the ones the rule files hold and
promtool tests), a PodMonitor, ServiceMonitor or ScrapeConfig, and a ConfigMap of its dashboard.
Per team: an AlertmanagerConfig. Plus the fleet dashboard's ConfigMap and a
``kustomization.yaml`` listing every file. One object per file, ``kubernetes/<kind>s/<id>.yaml``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mlmon.artifacts import RuleGroup
from mlmon.compiler.kubernetes.model import Kubernetes
from mlmon.compiler.model import Model, Spec
from mlmon.render import emit
from mlmon.render.kubernetes.alerting import alertmanager_configs
from mlmon.render.kubernetes.dashboards import dashboard_configmap
from mlmon.render.kubernetes.meta import DIR, path
from mlmon.render.kubernetes.rules import prometheus_rule
from mlmon.render.kubernetes.scrape import kind_of, monitor

KUSTOMIZATION = f"{DIR}/kustomization.yaml"
DASHBOARDS = "grafana/dashboards/"


def _settings(spec: Spec) -> Kubernetes:
    if spec.kubernetes is None:
        raise ValueError("the spec has no deploy.kubernetes")
    return spec.kubernetes


def _file(obj: dict[str, Any], header: str) -> str:
    return emit.to_yaml(obj, header)


def model_files(spec: Spec, model: Model, groups: Sequence[RuleGroup], dashboard: str | None, header: str) -> dict[str, str]:
    """The model's objects: PrometheusRule, its monitor, the ConfigMap of its dashboard."""
    k = _settings(spec)
    out: dict[str, str] = {}
    if groups:
        out[path("PrometheusRule", model.id)] = _file(prometheus_rule(k, model, groups), header)
    scrape = k.scrape.get(model.id)
    if scrape is not None:
        out[path(kind_of(scrape), model.id)] = _file(monitor(k, model, scrape), header)
    if dashboard is not None:
        out[path("ConfigMap", model.id)] = _file(dashboard_configmap(k, model.id, dashboard, model.origin.file, model.id), header)
    return out


def spec_files(spec: Spec, files: Mapping[str, str], header: str) -> dict[str, str]:
    """The teams' AlertmanagerConfigs, the ConfigMap of every dashboard not of a model (the fleet
    overview) and ``kustomization.yaml``; ``files`` is everything rendered so far."""
    k = _settings(spec)
    out = {path("AlertmanagerConfig", team): _file(obj, header) for team, obj in alertmanager_configs(spec, k).items()}
    models = {m.id for m in spec.models}
    for name, text in sorted(files.items()):
        stem = name[len(DASHBOARDS) : -len(".json")]
        if name.startswith(DASHBOARDS) and name.endswith(".json") and stem not in models:
            out[path("ConfigMap", stem)] = _file(dashboard_configmap(k, stem, text, ", ".join(spec.files)), header)
    resources = sorted(n[len(DIR) + 1 :] for n in [*files, *out] if n.startswith(DIR + "/") and n != KUSTOMIZATION)
    kustomization = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "resources": resources}
    out[KUSTOMIZATION] = emit.to_yaml(kustomization, header)
    return out
