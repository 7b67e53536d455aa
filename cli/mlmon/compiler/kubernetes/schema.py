"""The JSON Schema of ``deploy.kubernetes`` and ``serving.kubernetes``, and every default of
both, written once: the schema's descriptions and ``compile`` read them."""

from __future__ import annotations

from typing import Any

from mlmon.compiler.dsl import ID_PATTERN, enum, number, obj, string
from mlmon.compiler.kubernetes.names import DNS_LABEL, DNS_SUBDOMAIN, LABEL_KEY, LABEL_VALUE, PORT_NAME, SECRET_KEY

# --- defaults --------------------------------------------------------------------------------------
NAMESPACE = "monitoring"
# kube-prometheus-stack's Prometheus selects rules and monitors labelled with its Helm release
SELECTOR_LABELS = {"release": "kube-prometheus-stack"}
MATCHER_STRATEGIES = ("OnNamespace", "OnNamespaceExceptForAlertmanagerNamespace", "None")
MATCHER_STRATEGY = "OnNamespace"  # prometheus-operator's default
DASHBOARD_LABELS = {"grafana_dashboard": "1"}  # what the Grafana sidecar of kube-prometheus-stack watches
FOLDER_ANNOTATION = "grafana_folder"  # the sidecar's folderAnnotation, when the folder is set
SECRET_NAME = "mlmon-{team}"
SLACK_KEY = "slack-api-url"
PAGERDUTY_KEYS = {"routing_key_file": "pagerduty-routing-key", "service_key_file": "pagerduty-service-key"}
MONITORS = ("pod", "service", "static")


def _labels(desc: str, default: dict[str, str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "object",
        "description": desc,
        "propertyNames": {"pattern": LABEL_KEY},
        "additionalProperties": {"type": "string", "pattern": LABEL_VALUE},
    }
    if default is not None:  # in the text: the schema checker reads a mapping default's keys as keywords
        out["description"] += "; default " + ", ".join(f"{k}: {v!r}" for k, v in default.items())
    return out


def _team() -> dict[str, Any]:
    keys = ", ".join(f"{v} ({k.split('_file')[0]})" for k, v in PAGERDUTY_KEYS.items())
    return obj(
        {
            "secret": string(f"name of the Secret (in the namespace above) holding the team's keys; default {SECRET_NAME!r}", pattern=DNS_SUBDOMAIN),
            "slack_key": string(f"key of the Slack webhook URL in the Secret; default {SLACK_KEY!r}", pattern=SECRET_KEY),
            "pagerduty_key": string(f"key of the PagerDuty key in the Secret; default {keys}", pattern=SECRET_KEY),
        },
        (),
        "The Kubernetes Secret the team's AlertmanagerConfig reads (by name and key; never a value)",
    )


def deploy_fragment() -> dict[str, Any]:
    """The schema of the spec's top-level ``deploy``."""
    kube = obj(
        {
            "namespace": string("namespace of every object mlmon writes (and of the teams' Secrets)", pattern=DNS_LABEL, default=NAMESPACE),
            "selector_labels": _labels(
                "labels your Prometheus' ruleSelector, podMonitorSelector, serviceMonitorSelector and scrapeConfigSelector match "
                "(kube-prometheus-stack: release=<Helm release name>); put on every object",
                SELECTOR_LABELS,
            ),
            "labels": _labels("more labels put on every object"),
            "alertmanager": obj(
                {
                    "matcher_strategy": enum(
                        list(MATCHER_STRATEGIES),
                        "alertmanagerConfigMatcherStrategy.type of your Alertmanager resource; with OnNamespace the operator "
                        "adds a namespace matcher to each AlertmanagerConfig's routes",
                        MATCHER_STRATEGY,
                    ),
                },
                (),
                "How your Alertmanager resource treats AlertmanagerConfig objects",
            ),
            "dashboards": obj(
                {
                    "labels": _labels("labels of the dashboard ConfigMaps (the Grafana sidecar's label and value)", DASHBOARD_LABELS),
                    "folder": string(f"Grafana folder, written as the {FOLDER_ANNOTATION!r} annotation (the sidecar's folderAnnotation)"),
                },
                (),
                "ConfigMaps of the Grafana dashboards",
            ),
            "teams": {
                "type": "object",
                "description": "per team (a key of routing.teams): the Secret its receivers read",
                "propertyNames": {"pattern": ID_PATTERN},
                "additionalProperties": _team(),
            },
        },
        (),
        "Write prometheus-operator objects to generated/kubernetes/ (PrometheusRule, PodMonitor / ServiceMonitor / "
        "ScrapeConfig, AlertmanagerConfig, dashboard ConfigMaps); define it in one spec file",
    )
    return obj({"kubernetes": kube}, (), "Where the generated monitoring is deployed besides plain files")


def serving_fragment() -> dict[str, Any]:
    """The schema of a model's ``serving.kubernetes``."""
    return obj(
        {
            "monitor": enum(
                list(MONITORS),
                "pod: a PodMonitor, service: a ServiceMonitor, static: a ScrapeConfig of serving.targets; "
                "default: the preset's (static when no target is a cluster Service name <name>.<namespace>.svc)",
            ),
            "namespace": string("namespace of the model's pods or Service; default: from the targets <name>.<namespace>.svc:<port>", pattern=DNS_LABEL),
            "selector": _labels("labels that select the model's pods (pod) or Service (service); default: the preset's"),
            "port": string("name of the metrics port (container port for pod, Service port for service); default: the preset's", pattern=PORT_NAME),
            "port_number": number("number of the metrics container port (pod only), instead of port", 1, 65535, type="integer"),
        },
        (),
        "How Prometheus finds the model on Kubernetes (with deploy.kubernetes)",
    )
