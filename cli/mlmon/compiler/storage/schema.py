"""The JSON Schema of ``storage`` and its defaults, written once: the schema's descriptions,
``compile``, ``render.storage`` and the docs read them."""

from __future__ import annotations

from typing import Any

from mlmon.compiler.dsl import ID_PATTERN, LABEL_NAME_PATTERN, array, boolean, duration, file_ref, obj, string, url

# The receivers mlmon knows, each with the documented endpoint its URL normally ends in (checked
# by lint, MLM279) and where that is documented (docs/deploy/storage.md cites each).
RECEIVERS: dict[str, str] = {
    "prometheus": "",  # any Prometheus remote-write receiver: Mimir, Cortex, Thanos Receive, VictoriaMetrics ...
    "influxdb": "/api/v1/prom/write",  # InfluxDB 1.8 (with ?db=<database>)
    "telegraf": "",  # InfluxDB 2/3 through Telegraf's http_listener_v2 with data_format prometheusremotewrite (paths of your choice)
    "elasticsearch": "",  # Metricbeat's prometheus remote_write metricset (/write), or the Elastic Agent's receiver (/api/v1/write)
    "splunk": "",  # the Splunk OpenTelemetry Collector's Prometheus remote write receiver (path /metrics by default)
}
RECEIVER = "prometheus"
AUTH_KINDS = ("basic_auth", "authorization", "bearer_token_file", "sigv4")
# queue_config fields of Prometheus 2.42 mlmon passes through (unset: Prometheus' defaults)
QUEUE_INTS = ("capacity", "max_shards", "min_shards", "max_samples_per_send")
QUEUE_DURATIONS = ("batch_send_deadline", "min_backoff", "max_backoff")
ALERTS_SERIES = ("ALERTS", "ALERTS_FOR_STATE")  # Prometheus' own series of alert states, sent with the recorded ones
METRIC_NAME = r"^[a-zA-Z_:][a-zA-Z0-9_:]*$"


def _auth() -> dict[str, Any]:
    return {
        "basic_auth": obj(
            {"username": string("user name (not a secret)"), "password_file": file_ref("password")},
            ("username", "password_file"),
            "HTTP basic auth; the password only from a file",
        ),
        "authorization": obj(
            {"type": string("scheme of the Authorization header", default="Bearer"), "credentials_file": file_ref("credentials (e.g. a token)")},
            ("credentials_file",),
            "Authorization header with credentials from a file",
        ),
        "bearer_token_file": file_ref("bearer token"),
        "sigv4": obj(
            {
                "region": string("AWS region (default: from the environment or profile)"),
                "profile": string("named AWS profile"),
                "role_arn": string("AWS role to assume", pattern=r"^arn:"),
            },
            (),
            "AWS Signature v4 (Amazon Managed Service for Prometheus): keys come from the AWS environment variables, profile or instance role, never from the spec",
        ),
    }


def _remote_write() -> dict[str, Any]:
    props: dict[str, Any] = {
        "name": string("name of the remote-write queue (Prometheus metrics and logs label it)", pattern=ID_PATTERN),
        "url": url("remote-write endpoint of the receiver"),
        "receiver": {
            "type": "string",
            "enum": list(RECEIVERS),
            "default": RECEIVER,
            "description": "what receives the samples: prometheus (any remote-write receiver: Mimir, Cortex, Thanos Receive ...), influxdb (1.8, "
            "/api/v1/prom/write?db=...), telegraf (InfluxDB 2/3), elasticsearch (Metricbeat or Elastic Agent), splunk (Splunk OpenTelemetry Collector)",
        },
        **_auth(),
        "recorded": boolean("send the series mlmon's rules record (and ALERTS, ALERTS_FOR_STATE)", True),
        "series": array(string(pattern=METRIC_NAME), "raw metric names to send as well (e.g. the serving framework's request counter)", uniqueItems=True),
        "all": boolean("send every series Prometheus has (no write_relabel_configs); recorded and series are then ignored", False),
        "queue": obj(
            {
                **{k: {"type": "integer", "minimum": 1, "description": f"queue_config.{k}"} for k in QUEUE_INTS},
                **{k: duration(f"queue_config.{k}") for k in QUEUE_DURATIONS},
            },
            (),
            "Prometheus' queue_config for this receiver (unset fields: Prometheus' defaults)",
        ),
        "tls": obj(
            {
                "ca_file": string("CA certificate file", pattern=r"^/"),
                "cert_file": string("client certificate file", pattern=r"^/"),
                "key_file": string("client key file", pattern=r"^/"),
                "server_name": string("server name to verify"),
            },
            (),
            "TLS settings (files only)",
        ),
    }
    return obj(props, ("name", "url"), "One remote-write receiver; at most one of basic_auth, authorization, bearer_token_file, sigv4")


def storage_fragment() -> dict[str, Any]:
    count = {"type": "integer", "minimum": 1}
    return obj(
        {
            "remote_write": array(_remote_write(), "receivers Prometheus sends samples to (prometheus.yml remote_write)"),
            "external_labels": {
                "type": "object",
                "description": "labels Prometheus adds to every series it sends (global.external_labels); Thanos needs ones that tell each Prometheus apart",
                "propertyNames": {"pattern": LABEL_NAME_PATTERN},
                "additionalProperties": {"type": "string"},
            },
            "thanos_sidecar": obj(
                {
                    "bucket": string("S3 bucket"),
                    "endpoint": string("S3 endpoint host, e.g. s3.eu-west-1.amazonaws.com", pattern=r"^[A-Za-z0-9.\-]+(:[0-9]{1,5})?$"),
                    "region": string("AWS region"),
                    "prefix": string("path prefix inside the bucket"),
                    "insecure": boolean("plain HTTP (S3-compatible stores on a private network)", False),
                },
                ("bucket", "endpoint"),
                "write generated/thanos/objstore.yml for a Thanos sidecar uploading Prometheus' blocks to S3; credentials from the AWS "
                "environment variables, ~/.aws/credentials or the instance profile, never from the spec",
            ),
            "series_budget": obj(
                {
                    "total": {**count, "description": "the most series the spec's scrape and rules may create (estimated; see `mlmon series`)"},
                    "per_model": {**count, "description": "the most series one model may create (estimated)"},
                },
                (),
                "lint fails (MLM280) when the estimated series count is over the budget",
            ),
        },
        (),
        "Long-term storage of the metrics and the series budget; define it in one spec file",
    )
