"""Warnings about prometheus-operator behaviour that silently loses rules or alerts (pure).

- MLM240: objects without the labels the Prometheus selects them by are ignored without a word;
- MLM241: with the operator's default ``alertmanagerConfigMatcherStrategy`` (OnNamespace) every
  AlertmanagerConfig's routes get a ``namespace`` matcher, and mlmon's alerts (aggregated per
  model) have no ``namespace`` label: they would reach none of the teams' receivers;
- MLM242: AlertmanagerConfig time intervals have no time zone, so business hours are UTC there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mlmon.compiler import model as M
from mlmon.compiler.kubernetes.model import Kubernetes
from mlmon.compiler.source import Document, Path, render_path
from mlmon.diagnostics import Diagnostic, Severity

BASE: Path = ("deploy", "kubernetes")
SELECTORS = "ruleSelector, podMonitorSelector, serviceMonitorSelector, scrapeConfigSelector"


def _warn(doc: Document, path: Path, code: str, msg: str, hint: str, key: bool = True) -> Diagnostic:
    line, col = doc.source.pos(path, key=key)
    return Diagnostic(doc.file, line, col, Severity.WARNING, code, f"{render_path(path)}: {msg}", hint)


def _at(raw: Mapping[str, Any], *keys: str) -> Path:
    """The deepest of ``BASE + keys`` the user wrote (the warning points there)."""
    path, node = BASE, raw
    for k in keys:
        if not isinstance(node, Mapping) or k not in node:
            break
        path, node = path + (k,), node[k]
    return path


def _selector_labels(k: Kubernetes, doc: Document, raw: Mapping[str, Any]) -> list[Diagnostic]:
    out = []
    if not k.selector_labels:
        out.append(
            _warn(
                doc,
                _at(raw, "selector_labels"),
                "MLM240",
                f"the PrometheusRule and monitor objects get no selector labels; a Prometheus whose {SELECTORS} "
                "match labels ignores them silently (no rule evaluated, no model scraped)",
                "set selector_labels to the matchLabels of your Prometheus (`kubectl get prometheus -A -o yaml`; "
                "kube-prometheus-stack: release: <Helm release name>); keep {} only if those selectors are {}",
            )
        )
    for key, value in sorted((raw.get("labels") or {}).items()):
        if key in k.selector_labels and k.selector_labels[key] != value:
            out.append(
                _warn(
                    doc,
                    BASE + ("labels", key),
                    "MLM240",
                    f"{key}={value!r} differs from selector_labels.{key}={k.selector_labels[key]!r}; the objects get the "
                    "selector label (with the other value your Prometheus would ignore them)",
                    f"remove {key} from labels",
                )
            )
    return out


def _matcher_strategy(k: Kubernetes, doc: Document, raw: Mapping[str, Any], routing: M.Routing) -> list[Diagnostic]:
    if k.matcher_strategy != "OnNamespace" or not routing.teams:
        return []
    return [
        _warn(
            doc,
            _at(raw, "alertmanager", "matcher_strategy"),
            "MLM241",
            f"with alertmanagerConfigMatcherStrategy OnNamespace (the operator's default) every AlertmanagerConfig's routes "
            f'only match alerts labelled namespace="{k.namespace}"; mlmon\'s alerts carry no such label, so they would reach '
            "none of the teams' receivers",
            "set `alertmanagerConfigMatcherStrategy: {type: None}` on the Alertmanager resource (kube-prometheus-stack: "
            "alertmanager.alertmanagerSpec.alertmanagerConfigMatcherStrategy.type: None), then declare it here: "
            "deploy.kubernetes.alertmanager.matcher_strategy: None",
        )
    ]


def _business_hours(docs: Sequence[Document], routing: M.Routing) -> list[Diagnostic]:
    bh = routing.business_hours
    if bh is None or bh.location == "UTC":
        return []
    for doc in docs:
        if isinstance((doc.data.get("routing") or {}).get("business_hours"), dict):
            path = ("routing", "business_hours", "location")
            return [
                _warn(
                    doc,
                    path,
                    "MLM242",
                    f"AlertmanagerConfig time intervals have no time zone: the teams' AlertmanagerConfigs notify tickets "
                    f"{bh.start}-{bh.end} UTC, not {bh.location} time",
                    "write routing.business_hours in UTC (location: UTC), or load generated/alertmanager/alertmanager.yml "
                    "(which keeps the zone) into the Alertmanager instead of the AlertmanagerConfigs",
                    key=False,
                )
            ]
    return []


def traps(k: Kubernetes, doc: Document, raw: Mapping[str, Any], docs: Sequence[Document], routing: M.Routing) -> list[Diagnostic]:
    return _selector_labels(k, doc, raw) + _matcher_strategy(k, doc, raw, routing) + _business_hours(docs, routing)
