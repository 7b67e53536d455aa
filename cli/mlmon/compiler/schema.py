"""The JSON Schema of spec v1, built from code.

``spec_schema(monitors)`` assembles the schema: the envelope, routing and the model's base fields
here, each monitor's own section from the monitor (the pipeline passes the list in).
``schemas/mlmon-spec.v1.schema.json`` is this function's output (``mlmon schema``); a test keeps
the committed copy fresh and checks the schema against the Draft 2020-12 metaschema with
``jsonschema``.
"""

from __future__ import annotations

import functools
from typing import Any, Sequence

from mlmon.compiler.dsl import (
    API_VERSION, ID_PATTERN, KIND, LABEL_NAME_PATTERN, NAME_PATTERN, SCHEMA_ID,
    array, boolean, duration, enum, file_ref, number, obj, string, string_map,
)  # fmt: skip

# --- the spec -----------------------------------------------------------------------------------
def _routing() -> dict:
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
            "url": string("internal relay that starts retraining (no credentials in it: Alertmanager 0.25 cannot read webhook URLs from files)", pattern=r"^https?://[^\s@]+$"),
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


def _slo() -> dict:
    sli = {
        "type": "object",
        "description": "availability: failed/total requests; latency: requests slower than threshold; ratio: your own good/total PromQL",
        "required": ["kind"],
        "additionalProperties": False,
        "properties": {
            "kind": enum(["availability", "latency", "ratio"], "SLI kind"),
            "threshold": duration("latency SLI: a request is good when faster than this (must be a histogram bucket bound)"),
            "good": string("ratio SLI: PromQL of good events per second; write {{window}} for the range, e.g. rate(x[{{window}}])"),
            "total": string("ratio SLI: PromQL of all events per second, with {{window}}"),
        },
    }
    alerting = obj(
        {
            "page": boolean("page on fast burn (1h/5m at 14.4x, 6h/30m at 6x, scaled to the period)", True),
            "ticket": boolean("ticket on slow burn (1d/2h at 3x, 3d/6h at 1x, scaled to the period)", True),
            "no_data_for": duration("raise the no-data alert after the SLI has had no traffic for this long", "30m"),
        },
        (),
        "Which alerts this SLO raises",
    )
    return obj(
        {
            "name": string("SLO name, unique within the model", pattern=NAME_PATTERN),
            "description": string("what the SLO promises"),
            "objective": number("target in percent, e.g. 99.9", exclusiveMinimum=0, exclusiveMaximum=100),
            "period": duration("SLO period (compliance window)", "30d"),
            "sli": sli,
            "alerting": alerting,
        },
        ("name", "objective", "sli"),
        "A service level objective",
    )


def _serving_overrides() -> dict:
    from mlmon.presets import OVERRIDE_KEYS

    signals = [k for k in OVERRIDE_KEYS if k not in ("model_label", "target_match")]
    props: dict[str, Any] = {
        k: string(f"upstream metric name for signal {k!r}, or a full selector name{{...}} used verbatim", pattern=r"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})?$")
        for k in signals
    }
    props["scales"] = obj(
        {k: number(f"unit factor for signal {k!r}", exclusiveMinimum=0) for k in signals},
        (), "factor converting an overridden metric's unit into the normalised one (1e-6 for microseconds, 0.01 for percent)",
    )  # fmt: skip
    props["model_label"] = string("label whose value is the model's name in the framework", pattern=LABEL_NAME_PATTERN)
    props["target_match"] = string_map('label matchers of the model\'s server-wide series (default job="mlmon-<model id>")')
    return obj(props, (), "replace the preset's metric names, unit scales or labels (README 'Presets')")


def _serving() -> dict:
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
        "slos": array(_slo(), "service level objectives (default: availability 99.5% and latency p99 < 1s, both over 30d)"),
    }


@functools.lru_cache(maxsize=4)
def spec_schema(monitors: Sequence[Any]) -> dict:
    """The whole schema for these monitors (a tuple; the result is cached per tuple and must not
    be modified)."""
    model_props = model_base_properties()
    for mon in monitors:
        frag = mon.schema()
        if frag is not None and mon.key not in model_props:
            model_props[mon.key] = frag
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
            "defaults": obj(
                {
                    "scrape_interval": duration("default scrape interval for models", "30s"),
                    "evaluation_interval": duration("rule evaluation interval", "1m"),
                    "slo_period": duration("default SLO period", "30d"),
                },
                (),
                "Defaults for every model of this file",
            ),
            "routing": _routing(),
            "models": array(model, "the models this spec monitors"),
        },
    }
