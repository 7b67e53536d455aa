"""The JSON Schema of spec v1, built from code.

``spec_schema(monitors)`` assembles the schema: the envelope, routing and the model's base fields
here, each monitor's own section (and any fields it adds to a file's ``defaults``) from the
monitor (the pipeline passes the list in).
``schemas/mlmon-spec.v1.schema.json`` is this function's output (``mlmon schema``); a test keeps
the committed copy fresh and checks the schema against the Draft 2020-12 metaschema with
``jsonschema``.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from mlmon.compiler import model as M
from mlmon.compiler import untested
from mlmon.compiler.dsl import (
    API_VERSION,
    ID_PATTERN,
    KIND,
    LABEL_NAME_PATTERN,
    PAGERDUTY_EU_URL,
    SCHEMA_ID,
    TARGET_PATTERN,
    array,
    boolean,
    duration,
    enum,
    file_ref,
    number,
    obj,
    string,
    string_map,
    url,
)
from mlmon.compiler.exporters import schema as exporters_schema
from mlmon.compiler.kubernetes.schema import deploy_fragment, serving_fragment
from mlmon.compiler.ruler import ruler_fragment
from mlmon.compiler.storage.schema import storage_fragment
from mlmon.conventions import RESERVED_LABELS
from mlmon.registry.config import schema as registry_schema

RESERVED_NOTE = f" (not one of the names mlmon sets: {', '.join(RESERVED_LABELS)}, nor a name starting with '__')"


# --- the spec -----------------------------------------------------------------------------------
def _routing() -> dict[str, Any]:
    g = M.Grouping()
    slack = obj(
        {
            "channel": string("Slack channel, e.g. '#risk-ml-alerts'", pattern=r"^[#@]?[a-z0-9._-]+$"),
            "api_url_file": file_ref("Slack incoming-webhook URL (default: routing.slack_api_url_file)"),
        },
        ("channel",),
        "Slack receiver",
    )
    pagerduty = obj(
        {
            "routing_key_file": file_ref("PagerDuty Events v2 routing key"),
            "service_key_file": file_ref("PagerDuty Events v1 service key"),
            "url": url("PagerDuty Events API endpoint of this team (default: routing.pagerduty_url)"),
        },
        (),
        "PagerDuty receiver: exactly one of routing_key_file, service_key_file",
        minProperties=1,
    )
    r = M.Retraining("")
    retraining = obj(
        {
            "url": url("internal relay that starts retraining (no credentials in it: Alertmanager 0.25 cannot read webhook URLs from files)"),
            "repeat_interval": duration("debounce: resend an unresolved retraining trigger at most this often", r.repeat_interval),
            "group_wait": duration("wait before the first retraining request of a model and reason", r.group_wait),
            "group_interval": duration("wait before a retraining request for a new reason of the same model", r.group_interval),
        },
        ("url",),
        "Webhook receiver for retraining triggers (alerts with action=retrain)",
    )
    team = obj({"slack": slack, "pagerduty": pagerduty, "retraining": retraining}, (), "Where a team's alerts go")
    channels = array(enum(["pagerduty", "slack"], "channel"), "channels, in order", uniqueItems=True)
    hours = obj(
        {
            "weekdays": array(string(pattern=r"^[a-z]+(:[a-z]+)?$"), "e.g. ['monday:friday']", minItems=1),
            "start": string("HH:MM", pattern=r"^([01][0-9]|2[0-4]):[0-5][0-9]$"),
            "end": string("HH:MM", pattern=r"^([01][0-9]|2[0-4]):[0-5][0-9]$"),
            "location": string("IANA time zone, e.g. Europe/Berlin", default="UTC"),
        },
        ("weekdays", "start", "end"),
        "Business hours: tickets notify only inside them (pages always do)",
    )
    return obj(
        {
            "teams": {
                "type": "object",
                "description": "Teams and their receivers",
                "propertyNames": {"pattern": ID_PATTERN},
                "additionalProperties": team,
            },
            "severity": obj(
                {"page": channels, "ticket": channels, "info": channels},
                (),
                "Which channels each alert class reaches. Default: page -> [pagerduty, slack], ticket -> [slack], info -> [slack]",
            ),
            "business_hours": hours,
            "grouping": obj(
                {
                    "group_wait": duration("wait before the first notification of a new alert group", g.group_wait),
                    "group_interval": duration("wait before notifying about alerts added to a group", g.group_interval),
                    "repeat_interval": duration("resend an unresolved group this often", g.repeat_interval),
                },
                (),
                "Timing of Alertmanager's root route (every team's alerts)",
            ),
            "pagerduty_url": url(
                f"PagerDuty Events API endpoint of every PagerDuty receiver (Alertmanager's default is the US one; EU accounts: {PAGERDUTY_EU_URL})"
            ),
            "slack_api_url_file": file_ref("Slack incoming-webhook URL of every Slack receiver without its own api_url_file"),
        },
        (),
        "Teams -> receivers; severity classes -> channels. Secrets only by file path.",
    )


def _alerting() -> dict[str, Any]:
    a = M.Alerting()
    return obj(
        {
            "alertmanagers": array(
                string(pattern=TARGET_PATTERN),
                f"host:port of the Alertmanagers Prometheus sends alerts to (default {', '.join(a.alertmanagers)})",
                minItems=1,
                uniqueItems=True,
            ),
            "scheme": enum(["http", "https"], "scheme Prometheus uses to reach them", a.scheme),
            "path_prefix": string("path prefix of Alertmanager's API, when it is served under one (e.g. /alertmanager)", pattern=r"^/[^\s]*$"),
        },
        (),
        "Where Prometheus sends alerts (prometheus.yml 'alerting'); the same in every file that sets it",
    )


def _serving_overrides() -> dict[str, Any]:
    from mlmon.presets import OVERRIDE_KEYS

    signals = [k for k in OVERRIDE_KEYS if k not in ("model_label", "target_match")]
    props: dict[str, Any] = {
        k: string(f"upstream metric name for signal {k!r}, or a full selector name{{...}} used verbatim", pattern=r"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})?$")
        for k in signals
    }
    props["scales"] = obj(
        {k: number(f"unit factor for signal {k!r}", exclusiveMinimum=0) for k in signals},
        (),
        "factor converting an overridden metric's unit into the normalised one (1e-6 for microseconds, 0.01 for percent)",
    )
    props["model_label"] = string("label whose value is the model's name in the framework", pattern=LABEL_NAME_PATTERN)
    props["target_match"] = string_map('label matchers of the model\'s server-wide series (default job="mlmon-<model id>")')
    props["period"] = duration("aggregation period of the per-period counts a cloud exporter serves (YACE job `period`; default: the preset's)")
    return obj(props, (), "replace the preset's metric names, unit scales or labels (README 'Presets')")


def _serving() -> dict[str, Any]:
    return obj(
        {
            "preset": string("metric dialect of the serving framework (see README 'Presets')", default="mlmon"),
            "targets": array(string(pattern=TARGET_PATTERN), "host:port of the model's /metrics endpoints to scrape", uniqueItems=True),
            "metrics_path": string("path of the metrics endpoint", default="/metrics", pattern=r"^/"),
            "scheme": enum(["http", "https"], "scrape scheme", "http"),
            "scrape_interval": duration("how often Prometheus scrapes the targets", "30s"),
            "match": string_map("label matchers that select this model's series (default: the preset's model label = the model id)"),
            "overrides": _serving_overrides(),
            "kubernetes": serving_fragment(),
        },
        (),
        "Where and how the model is served",
    )


def model_base_properties() -> dict[str, Any]:
    return {
        "id": string("model id, unique across all spec files", pattern=ID_PATTERN),
        "team": string("owning team, a key of routing.teams", pattern=ID_PATTERN),
        "task": enum(
            ["binary_classification", "multiclass_classification", "regression", "ranking", "llm", "other"],
            "what the model does",
            "binary_classification",
        ),
        "description": string("what the model is for"),
        "labels": string_map("extra labels added to every alert of this model" + RESERVED_NOTE),
        "idle_ok": boolean("the model may receive no traffic by design: no-traffic does not alert (absent metrics still do)", False),
        "serving": _serving(),
        untested.KEY: untested.fragment(),
    }


@functools.lru_cache(maxsize=4)
def spec_schema(monitors: Sequence[Any]) -> dict[str, Any]:
    """The whole schema for these monitors (a tuple; the result is cached per tuple and must not
    be modified)."""
    model_props = model_base_properties()
    file_defaults = {
        "scrape_interval": duration("default scrape interval for models", "30s"),
        "evaluation_interval": duration("rule evaluation interval", "1m"),
    }
    for mon in monitors:
        frag = mon.schema()
        if frag is not None and mon.key not in model_props:
            model_props[mon.key] = frag
        if hasattr(mon, "defaults_schema"):  # optional: fields the monitor adds to a file's defaults
            file_defaults.update(mon.defaults_schema())
    model = obj(model_props, ("id", "team"), "One model in production")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "mlmon MonitoringSpec v1",
        "description": "Monitoring-as-code for ML models: one spec -> Prometheus rules, Alertmanager routing, Grafana dashboards.",
        "type": "object",
        "additionalProperties": False,
        "required": ["apiVersion", "kind", "metadata"],
        "properties": {
            "apiVersion": {"const": API_VERSION, "description": "always mlmon/v1"},
            "kind": {"const": KIND, "description": "always MonitoringSpec"},
            "metadata": obj(
                {
                    "name": string("name of this spec", pattern=ID_PATTERN),
                    "description": string("what this spec covers"),
                    "labels": string_map("labels added to every alert from this file" + RESERVED_NOTE),
                },
                ("name",),
            ),
            "defaults": obj(file_defaults, (), "Defaults for every model of this file"),
            "routing": _routing(),
            "alerting": _alerting(),
            "exporters": exporters_schema(),
            "deploy": deploy_fragment(),
            "registry": registry_schema(),
            "ruler": ruler_fragment(),
            "storage": storage_fragment(),
            "models": array(model, "the models this spec monitors"),
        },
    }
