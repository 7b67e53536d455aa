"""Validate an object against a Kubernetes structural schema (a CRD's ``openAPIV3Schema``) the way
the API server does with strict field validation (``kubectl apply``'s default), with jsonschema.

The schema is translated first:

- objects with ``properties`` reject unknown fields unless ``additionalProperties`` or
  ``x-kubernetes-preserve-unknown-fields`` allow them (the server drops or rejects them);
- ``nullable`` allows null; ``x-kubernetes-int-or-string`` allows an integer or a string;
- ``x-kubernetes-list-type: set`` means unique items; ``map`` means items unique by
  ``x-kubernetes-list-map-keys``;
- Go's inline ``(?i)`` flags become one flag for the whole pattern (Python accepts flags only
  at the start; the pattern gets slightly more permissive).

Not checked: ``x-kubernetes-validations`` (CEL rules; none applies to the fields mlmon writes)
and integer ``format`` ranges.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

Path = tuple[Any, ...]


def _pattern(p: str) -> str:
    return "(?i)" + p.replace("(?i)", "") if "(?i)" in p else p


def translate(node: Any) -> Any:
    if isinstance(node, list):
        return [translate(v) for v in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for k, v in node.items():
        if k == "properties":
            out[k] = {name: translate(sub) for name, sub in v.items()}
        elif k == "pattern":
            out[k] = _pattern(v)
        elif k in ("items", "additionalProperties", "anyOf", "allOf", "oneOf", "not"):
            out[k] = translate(v)
        elif not k.startswith("x-kubernetes-") and k not in ("nullable", "format"):
            out[k] = v
    if node.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    if node.get("x-kubernetes-int-or-string") and "anyOf" not in out:
        out["type"] = ["integer", "string"]
    if "properties" in node and "additionalProperties" not in node and not node.get("x-kubernetes-preserve-unknown-fields"):
        out["additionalProperties"] = False
    list_type = node.get("x-kubernetes-list-type")
    if list_type == "set":
        out["uniqueItems"] = True
    elif list_type == "map":
        out["x-unique-keys"] = list(node.get("x-kubernetes-list-map-keys") or [])
    return out


def _unique_keys(validator: Any, keys: list[str], instance: Any, schema: dict[str, Any]) -> Iterator[Any]:
    from jsonschema import ValidationError

    if not validator.is_type(instance, "array"):
        return
    seen: dict[tuple[str, ...], int] = {}
    for i, item in enumerate(instance):
        if not isinstance(item, dict):
            continue
        key = tuple(json.dumps(item.get(k), sort_keys=True) for k in keys)
        if key in seen:
            yield ValidationError(f"item {i} has the same {', '.join(keys)} as item {seen[key]} (duplicate {'/'.join(keys)})", path=[i])
        seen.setdefault(key, i)


_VALIDATORS: dict[int, tuple[dict[str, Any], Any]] = {}  # id(schema) -> (schema, validator)


def _validator(schema: dict[str, Any]) -> Any:
    hit = _VALIDATORS.get(id(schema))
    if hit is None or hit[0] is not schema:
        from jsonschema import Draft7Validator, validators

        cls = validators.extend(Draft7Validator, {"x-unique-keys": _unique_keys})
        hit = _VALIDATORS[id(schema)] = (schema, cls(translate(schema)))
    return hit[1]


def errors(obj: Any, schema: dict[str, Any]) -> list[tuple[Path, str]]:
    """(JSON path, message) of every problem, sorted by path."""
    v = _validator(schema)
    out = []
    for e in v.iter_errors(obj):
        out.append((tuple(e.absolute_path), _message(e)))
    return sorted(out, key=lambda pm: (tuple(str(p) for p in pm[0]), pm[1]))


def _message(e: Any) -> str:
    if e.validator == "additionalProperties" and e.validator_value is False:
        allowed = sorted(e.schema.get("properties", {}))
        extra = sorted(set(e.instance) - set(allowed)) if isinstance(e.instance, dict) else []
        return f"unknown field{'s' if len(extra) > 1 else ''} {', '.join(map(repr, extra))} (allowed: {', '.join(allowed)})"
    if e.validator == "required":
        return str(e.message).replace("is a required property", "is required")
    text = str(e.message)
    return text if len(text) <= 300 else text[:297] + "..."
