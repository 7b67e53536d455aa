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

from mlmon.compiler.dsl import (
    API_VERSION,
    ID_PATTERN,
    KIND,
    LABEL_NAME_PATTERN,
    SCHEMA_ID,
    array,
    boolean,
    duration,
    enum,
    file_ref,
    number,
    obj,
    string,
    string_map,
)
from mlmon.registry.config import schema as registry_schema


# --- the spec -----------------------------------------------------------------------------------
def _routing() -> dict[str, Any]:
    slack = obj(
        {
            "channel": string("Slack channel, e.g. '#risk-ml-alerts'", pattern=r"^[#@]?[a-z0-9._-]+$"),
            "api_url_file": file_ref("Slack incoming-webhook URL"),
        },
        ("channel", "api_url_file"),
        "Slack receiver",
    )
    pagerduty = obj(
        {
            "routing_key_file": file_ref("PagerDuty Events v2 routing key"),
            "service_key_file": file_ref("PagerDuty Events v1 service key"),
        },
        (),
        "PagerDuty receiver: exactly one of routing_key_file, service_key_file",
        minProperties=1,
        maxProperties=1,
    )
    retraining = obj(
        {
            "url": string(
                "internal relay that starts retraining (no credentials in it: Alertmanager 0.25 cannot read webhook URLs from files)",
                pattern=r"^https?://[^\s@]+$",
            ),
            "repeat_interval": duration("debounce: resend an unresolved retraining trigger at most this often", "24h"),
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
        },
        (),
        "Teams -> receivers; severity classes -> channels. Secrets only by file path.",
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
    return obj(props, (), "replace the preset's metric names, unit scales or labels (README 'Presets')")


def _serving() -> dict[str, Any]:
    return obj(
        {
            "preset": string("metric dialect of the serving framework (see README 'Presets')", default="mlmon"),
            "targets": array(string(pattern=r"^[A-Za-z0-9.\-_\[\]:]+:[0-9]{1,5}$"), "host:port of the model's /metrics endpoints to scrape", uniqueItems=True),
            "metrics_path": string("path of the metrics endpoint", default="/metrics", pattern=r"^/"),
            "scheme": enum(["http", "https"], "scrape scheme", "http"),
            "scrape_interval": duration("how often Prometheus scrapes the targets", "30s"),
            "match": string_map("label matchers that select this model's series (default: the preset's model label = the model id)"),
            "overrides": _serving_overrides(),
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
        "labels": string_map("extra labels added to every alert of this model"),
        "idle_ok": boolean("the model may receive no traffic by design: no-traffic does not alert (absent metrics still do)", False),
        "serving": _serving(),
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
                    "labels": string_map("labels added to every alert from this file"),
                },
                ("name",),
            ),
            "defaults": obj(file_defaults, (), "Defaults for every model of this file"),
            "routing": _routing(),
            "registry": registry_schema(),
            "models": array(model, "the models this spec monitors"),
        },
    }
