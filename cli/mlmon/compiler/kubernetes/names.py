"""Kubernetes naming rules (object names, namespaces, labels, Secret keys, port names), written
once: the spec's schema, the renderer and ``mlmon validate`` read them (pure)."""

from __future__ import annotations

import re

DNS_LABEL = r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"  # RFC 1123 label: namespaces, Service names
DNS_SUBDOMAIN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"  # object names, <= 253
MAX_SUBDOMAIN = 253
_NAME = r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?"
LABEL_KEY = r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?" + _NAME + "$"
LABEL_VALUE = r"^(" + _NAME + ")?$"
SECRET_KEY = r"^[-._a-zA-Z0-9]+$"  # a key of a Secret's data
PORT_NAME = r"^[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$"  # IANA_SVC_NAME: <= 15 characters
MAX_ANNOTATIONS = 256 * 1024  # total size of an object's annotation keys and values

# labels mlmon puts on every object it writes
MANAGED_BY = ("app.kubernetes.io/managed-by", "mlmon")
L_MODEL = "mlmon.dev/model"
L_TEAM = "mlmon.dev/team"
A_SOURCE = "mlmon.dev/source"  # annotation: the spec file(s) the object comes from


def name_problem(name: str, *, label: bool = False) -> str | None:
    """Why ``name`` is not a valid object name (DNS subdomain) or, with ``label``, namespace (DNS label)."""
    if not isinstance(name, str) or not name:
        return "must be a non-empty string"
    if label:
        if not re.match(DNS_LABEL, name):
            return "must be at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit"
        return None
    if len(name) > MAX_SUBDOMAIN:
        return f"is {len(name)} characters long; at most {MAX_SUBDOMAIN}"
    if not re.match(DNS_SUBDOMAIN, name):
        return "must be lowercase letters, digits, '-' and '.', starting and ending with a letter or digit"
    return None


def label_problem(key: str, value: object) -> str | None:
    """Why ``key: value`` is not a valid Kubernetes label."""
    if not isinstance(key, str) or not re.match(LABEL_KEY, key):
        return f"label key {key!r} must be [prefix/]name: name at most 63 letters, digits, '-', '_', '.'; prefix a DNS subdomain"
    prefix = key.rpartition("/")[0]
    if len(prefix) > MAX_SUBDOMAIN:
        return f"label key {key!r}: prefix longer than {MAX_SUBDOMAIN} characters"
    if not isinstance(value, str):
        return f"label {key}: value must be a string, got {type(value).__name__}"
    if not re.match(LABEL_VALUE, value):
        return f"label {key}: value {value!r} must be at most 63 letters, digits, '-', '_', '.', starting and ending with a letter or digit"
    return None
