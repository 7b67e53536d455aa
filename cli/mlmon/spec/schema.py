"""The JSON Schema of spec v1, built from code, and a small validator for it.

``spec_schema()`` assembles the schema: the envelope, routing and model fields here, each
monitor's own section from its module (``monitors.registry``). ``schemas/mlmon-spec.v1.schema.json``
is this function's output (``mlmon schema``); a test keeps the committed copy fresh and checks
the schema against the Draft 2020-12 metaschema with ``jsonschema``.

``validate()`` checks data against the schema and reports every problem with its source
position. It implements only the keywords this schema uses (listed in ``_KEYWORDS``), which keeps
``mlmon lint`` free of the ~100 ms ``jsonschema`` import; a property test checks it agrees with
``jsonschema`` on generated documents.
"""

from __future__ import annotations

import difflib
import math
import re
from typing import Any

from mlmon.diagnostics import Diagnostic, Severity
from mlmon.spec.source import Path, SourceMap, render_path

SCHEMA_ID = "https://mlmon.dev/schemas/mlmon-spec.v1.schema.json"
API_VERSION = "mlmon/v1"
KIND = "MonitoringSpec"

# Fields that would hold a secret inline; the spec takes a *_file path (or env) instead.
SECRET_FIELDS = {
    "api_url": "api_url_file",
    "routing_key": "routing_key_file",
    "service_key": "service_key_file",
    "token": "token_file",
    "password": "password_file",
    "webhook_url": "webhook_url_file",
    "url": "url_file",
    "bearer_token": "bearer_token_file",
}
SECRET_PATTERNS = (
    re.compile(r"https://hooks\.slack\.com/\S+"),
    re.compile(r"https://events\.pagerduty\.com/\S+"),
    re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    re.compile(r"\bglsa_[A-Za-z0-9_]{20,}"),
)

ID_PATTERN = r"^[a-z][a-z0-9-]{0,62}$"
NAME_PATTERN = r"^[a-z][a-z0-9_-]{0,62}$"
DURATION_PATTERN = r"^([0-9]+(ms|s|m|h|d|w|y))+$"
LABEL_NAME_PATTERN = r"^[a-zA-Z_][a-zA-Z0-9_]*$"
FILE_PATH_PATTERN = r"^/[^\s]*$"


# --- schema building helpers ------------------------------------------------------------------
def obj(props: dict[str, Any], required: tuple[str, ...] = (), desc: str | None = None, **extra: Any) -> dict:
    out: dict[str, Any] = {"type": "object", "additionalProperties": False, "properties": props}
    if required:
        out["required"] = list(required)
    if desc:
        out["description"] = desc
    out.update(extra)
    return out


def string(desc: str | None = None, **extra: Any) -> dict:
    out: dict[str, Any] = {"type": "string", **extra}
    if desc:
        out["description"] = desc
    return out


def duration(desc: str, default: str | None = None) -> dict:
    out = string(desc, pattern=DURATION_PATTERN)
    if default:
        out["default"] = default
    return out


def number(desc: str, minimum: float | None = None, maximum: float | None = None, default: Any = None, **extra: Any) -> dict:
    out: dict[str, Any] = {"type": "number", "description": desc, **extra}
    if minimum is not None:
        out["minimum"] = minimum
    if maximum is not None:
        out["maximum"] = maximum
    if default is not None:
        out["default"] = default
    return out


def ratio(desc: str, default: float | None = None) -> dict:
    return number(desc + " (a ratio in [0, 1])", 0, 1, default)


def boolean(desc: str, default: bool | None = None) -> dict:
    out: dict[str, Any] = {"type": "boolean", "description": desc}
    if default is not None:
        out["default"] = default
    return out


def enum(values: list[str], desc: str, default: str | None = None) -> dict:
    out: dict[str, Any] = {"type": "string", "enum": values, "description": desc}
    if default is not None:
        out["default"] = default
    return out


def array(items: dict, desc: str, **extra: Any) -> dict:
    return {"type": "array", "items": items, "description": desc, **extra}


def string_map(desc: str, key_pattern: str = LABEL_NAME_PATTERN) -> dict:
    return {"type": "object", "description": desc, "propertyNames": {"pattern": key_pattern}, "additionalProperties": {"type": "string"}}


def file_ref(desc: str) -> dict:
    return string(desc + " (absolute path of a file that holds the secret; never the secret itself)", pattern=FILE_PATH_PATTERN)


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


def spec_schema() -> dict:
    from mlmon.monitors import registry  # local import: registry imports this module

    model_props = model_base_properties()
    for mon in registry.MONITORS:
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


# --- validator ----------------------------------------------------------------------------------
_KEYWORDS = {
    "$schema", "$id", "title", "description", "default", "type", "properties", "required",
    "additionalProperties", "propertyNames", "items", "enum", "const", "pattern", "minimum",
    "maximum", "exclusiveMinimum", "exclusiveMaximum", "minItems", "maxItems", "uniqueItems",
    "minProperties", "maxProperties", "minLength", "examples",
}  # fmt: skip

_TYPE_NAMES = {"object": "a mapping", "array": "a list", "string": "a string", "number": "a number", "integer": "an integer", "boolean": "true or false", "null": "null"}


def _type_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _is_type(value: Any, t: str) -> bool:
    actual = _type_of(value)
    if t == "number":
        return actual in ("integer", "number") and not (isinstance(value, float) and math.isnan(value))
    return actual == t


class _Validator:
    def __init__(self, smap: SourceMap):
        self.smap = smap
        self.diags: list[Diagnostic] = []
        self.paths: list[Path] = []

    def err(self, path: Path, code: str, msg: str, *, key: bool = False, hint: str | None = None) -> None:
        line, col = self.smap.pos(path, key=key)
        self.diags.append(Diagnostic(self.smap.file, line, col, Severity.ERROR, code, msg, hint))
        self.paths.append(tuple(path))

    def check(self, value: Any, schema: dict, path: Path) -> None:
        where = render_path(path)
        if "const" in schema and value != schema["const"]:
            self.err(path, "MLM104", f"{where}: must be {schema['const']!r}, got {value!r}")
            return
        t = schema.get("type")
        if t is not None and not _is_type(value, t):
            self.err(path, "MLM103", f"{where}: expected {_TYPE_NAMES.get(t, t)}, got {_TYPE_NAMES.get(_type_of(value), _type_of(value))}")
            return
        if "enum" in schema and value not in schema["enum"]:
            close = difflib.get_close_matches(str(value), [str(v) for v in schema["enum"]], n=1)
            hint = f"did you mean {close[0]!r}?" if close else None
            self.err(path, "MLM104", f"{where}: {value!r} is not one of {', '.join(map(str, schema['enum']))}", hint=hint)
        if isinstance(value, str):
            if schema.get("pattern") == DURATION_PATTERN and not re.search(DURATION_PATTERN, value):
                self.err(path, "MLM203", f"{where}: invalid duration {value!r}", hint="use a number and a unit (ms, s, m, h, d, w, y), largest unit first: 30s, 5m, 1h30m, 30d")
            elif "pattern" in schema and not re.search(schema["pattern"], value):
                self.err(path, "MLM104", f"{where}: {value!r} does not match {schema['pattern']}")
            if "minLength" in schema and len(value) < schema["minLength"]:
                self.err(path, "MLM104", f"{where}: must not be empty")
        if _is_type(value, "number") and not isinstance(value, bool):
            for kw, test, words in (
                ("minimum", lambda v, b: v >= b, "at least"),
                ("maximum", lambda v, b: v <= b, "at most"),
                ("exclusiveMinimum", lambda v, b: v > b, "greater than"),
                ("exclusiveMaximum", lambda v, b: v < b, "less than"),
            ):
                if kw in schema and not test(value, schema[kw]):
                    self.err(path, "MLM104", f"{where}: must be {words} {schema[kw]}, got {value}")
        if isinstance(value, list):
            if "minItems" in schema and len(value) < schema["minItems"]:
                self.err(path, "MLM104", f"{where}: needs at least {schema['minItems']} item(s)")
            if "maxItems" in schema and len(value) > schema["maxItems"]:
                self.err(path, "MLM104", f"{where}: takes at most {schema['maxItems']} item(s)")
            if schema.get("uniqueItems"):
                seen: list = []
                for i, item in enumerate(value):
                    if item in seen:
                        self.err(path + (i,), "MLM104", f"{render_path(path + (i,))}: duplicate item {item!r}")
                    seen.append(item)
            if "items" in schema:
                for i, item in enumerate(value):
                    self.check(item, schema["items"], path + (i,))
        if isinstance(value, dict):
            self._object(value, schema, path)

    def _object(self, value: dict, schema: dict, path: Path) -> None:
        where = render_path(path)
        props = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                self.err(path, "MLM102", f"{where}: missing required field '{name}'", key=True)
        n = len(value)
        if "minProperties" in schema and n < schema["minProperties"]:
            self.err(path, "MLM102", f"{where}: {schema.get('description', 'needs more fields')}", key=True)
        if "maxProperties" in schema and n > schema["maxProperties"]:
            self.err(path, "MLM104", f"{where}: {schema.get('description', 'too many fields')}", key=True)
        addl = schema.get("additionalProperties", True)
        names = schema.get("propertyNames")
        for key, item in value.items():
            kpath = path + (key,)
            if not isinstance(key, str):
                self.err(kpath, "MLM103", f"{where}: keys must be strings, got {key!r}", key=True)
                continue
            if names and "pattern" in names and not re.search(names["pattern"], key):
                self.err(kpath, "MLM104", f"{render_path(kpath)}: key {key!r} does not match {names['pattern']}", key=True)
            if key in props:
                self.check(item, props[key], kpath)
            elif addl is False:
                if key in SECRET_FIELDS and SECRET_FIELDS[key] in props:
                    self.err(
                        kpath, "MLM208", f"{render_path(kpath)}: inline secret; secrets are never written in a spec",
                        key=True, hint=f"put it in a file readable by the server and set '{SECRET_FIELDS[key]}' to its path",
                    )
                    continue
                close = difflib.get_close_matches(key, list(props), n=1)
                self.err(
                    kpath, "MLM101", f"{where}: unknown field '{key}'", key=True,
                    hint=(f"did you mean '{close[0]}'?" if close else f"allowed: {', '.join(sorted(props))}"),
                )
            elif isinstance(addl, dict):
                self.check(item, addl, kpath)


def validate(data: Any, schema: dict, smap: SourceMap) -> list[Diagnostic]:
    return [d for _, d in validate_paths(data, schema, smap)]


def validate_paths(data: Any, schema: dict, smap: SourceMap) -> list[tuple[Path, Diagnostic]]:
    """Like ``validate``, with the JSON path each diagnostic is about."""
    v = _Validator(smap)
    v.check(data, schema, ())
    _scan_secrets(data, (), v)
    return list(zip(v.paths, v.diags))


def _scan_secrets(value: Any, path: Path, v: _Validator) -> None:
    if isinstance(value, dict):
        for k, item in value.items():
            _scan_secrets(item, path + (k,), v)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _scan_secrets(item, path + (i,), v)
    elif isinstance(value, str):
        for pat in SECRET_PATTERNS:
            if pat.search(value):
                v.err(path, "MLM208", f"{render_path(path)}: looks like an inline secret (webhook URL or token)",
                      hint="store it in a file and reference the file path (e.g. api_url_file)")
                return


def unknown_keywords(schema: Any) -> set[str]:
    """Keywords the validator would ignore (a test asserts this is empty)."""
    found: set[str] = set()
    if isinstance(schema, dict):
        for k, item in schema.items():
            if k in ("properties",):
                for sub in item.values():
                    found |= unknown_keywords(sub)
                continue
            if k not in _KEYWORDS:
                found.add(k)
            if isinstance(item, dict):
                found |= unknown_keywords(item)
    return found
