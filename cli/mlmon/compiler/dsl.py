"""The schema DSL: small builders of JSON Schema fragments, and the patterns and secret-field
names the spec's schema and its checks share.

Monitors build their section's schema with these; ``compiler.schema`` assembles the whole spec.
"""

from __future__ import annotations

from typing import Any

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

ID_PATTERN = r"^[a-z][a-z0-9-]{0,62}$"
NAME_PATTERN = r"^[a-z][a-z0-9_-]{0,62}$"
DURATION_PATTERN = r"^([0-9]+(ms|s|m|h|d|w|y))+$"
LABEL_NAME_PATTERN = r"^[a-zA-Z_][a-zA-Z0-9_]*$"
FILE_PATH_PATTERN = r"^/[^\s]*$"
URL_PATTERN = r"^https?://[^\s@]+$"
TARGET_PATTERN = r"^[A-Za-z0-9.\-_\[\]:]+:[0-9]{1,5}$"
PAGERDUTY_EU_URL = "https://events.eu.pagerduty.com/v2/enqueue"


# --- schema building helpers ------------------------------------------------------------------
def obj(props: dict[str, Any], required: tuple[str, ...] = (), desc: str | None = None, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object", "additionalProperties": False, "properties": props}
    if required:
        out["required"] = list(required)
    if desc:
        out["description"] = desc
    out.update(extra)
    return out


def string(desc: str | None = None, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "string", **extra}
    if desc:
        out["description"] = desc
    return out


def duration(desc: str, default: str | None = None) -> dict[str, Any]:
    out = string(desc, pattern=DURATION_PATTERN)
    if default:
        out["default"] = default
    return out


def number(desc: str, minimum: float | None = None, maximum: float | None = None, default: Any = None, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "number", "description": desc, **extra}
    if minimum is not None:
        out["minimum"] = minimum
    if maximum is not None:
        out["maximum"] = maximum
    if default is not None:
        out["default"] = default
    return out


def ratio(desc: str, default: float | None = None) -> dict[str, Any]:
    return number(desc + " (a ratio in [0, 1])", 0, 1, default)


def boolean(desc: str, default: bool | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "boolean", "description": desc}
    if default is not None:
        out["default"] = default
    return out


def enum(values: list[str], desc: str, default: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "string", "enum": values, "description": desc}
    if default is not None:
        out["default"] = default
    return out


def array(items: dict[str, Any], desc: str, **extra: Any) -> dict[str, Any]:
    return {"type": "array", "items": items, "description": desc, **extra}


def string_map(desc: str, key_pattern: str = LABEL_NAME_PATTERN) -> dict[str, Any]:
    return {"type": "object", "description": desc, "propertyNames": {"pattern": key_pattern}, "additionalProperties": {"type": "string"}}


def file_ref(desc: str) -> dict[str, Any]:
    return string(desc + " (absolute path of a file that holds the secret; never the secret itself)", pattern=FILE_PATH_PATTERN)


def url(desc: str) -> dict[str, Any]:
    return string(desc + " (http or https; no user name, password or token in it)", pattern=URL_PATTERN)
