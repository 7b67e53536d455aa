"""A small validator for the spec's JSON Schema, with source positions.

``validate()`` checks data against the schema and reports every problem with its source
position. It implements only the keywords this schema uses (listed in ``_KEYWORDS``), which keeps
``mlmon lint`` free of the ~100 ms ``jsonschema`` import; a property test checks it agrees with
``jsonschema`` on generated documents.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from typing import Any

from mlmon.compiler.dsl import DURATION_PATTERN, SECRET_FIELDS
from mlmon.compiler.secrets import secret_kind
from mlmon.compiler.source import Path, SourceMap, render_path
from mlmon.compiler.units import MAX_DURATION, duration_seconds, number_problem
from mlmon.diagnostics import Diagnostic, Severity

# --- validator ----------------------------------------------------------------------------------
_KEYWORDS = {
    "$schema",
    "$id",
    "title",
    "description",
    "default",
    "type",
    "properties",
    "required",
    "additionalProperties",
    "propertyNames",
    "items",
    "enum",
    "const",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "minLength",
    "examples",
}

_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "number": "a number",
    "integer": "an integer",
    "boolean": "true or false",
    "null": "null",
}


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
        return actual in ("integer", "number")
    return actual == t


class _Validator:
    def __init__(self, smap: SourceMap):
        self.smap = smap
        self.diags: list[Diagnostic] = []
        self.paths: list[Path] = []
        self.secrets: set[Path] = set()  # reported as secrets: scanned no further

    def err(self, path: Path, code: str, msg: str, *, key: bool = False, hint: str | None = None) -> None:
        line, col = self.smap.pos(path, key=key)
        self.diags.append(Diagnostic(self.smap.file, line, col, Severity.ERROR, code, msg, hint))
        self.paths.append(tuple(path))

    def check(self, value: Any, schema: dict[str, Any], path: Path) -> None:
        where = render_path(path)
        if "const" in schema and value != schema["const"]:
            self.err(path, "MLM104", f"{where}: must be {schema['const']!r}, got {value!r}")
            return
        if isinstance(value, str) and self.secret(path, value):
            return
        t = schema.get("type")
        if t is not None and not _is_type(value, t):
            self.err(path, "MLM103", f"{where}: expected {_TYPE_NAMES.get(t, t)}, got {_TYPE_NAMES.get(_type_of(value), _type_of(value))}")
            return
        if t in ("number", "integer") and isinstance(value, (int, float)) and not isinstance(value, bool):
            problem = number_problem(value)
            if problem:
                self.err(path, "MLM221", f"{where}: {problem}")
                return
        if "enum" in schema and value not in schema["enum"]:
            close = difflib.get_close_matches(str(value), [str(v) for v in schema["enum"]], n=1)
            hint = f"did you mean {close[0]!r}?" if close else None
            self.err(path, "MLM104", f"{where}: {value!r} is not one of {', '.join(map(str, schema['enum']))}", hint=hint)
        if isinstance(value, str):
            if schema.get("pattern") == DURATION_PATTERN and not re.search(DURATION_PATTERN, value):
                self.err(
                    path,
                    "MLM203",
                    f"{where}: invalid duration {value!r}",
                    hint="use a number and a unit (ms, s, m, h, d, w, y), largest unit first: 30s, 5m, 1h30m, 30d",
                )
            elif schema.get("pattern") == DURATION_PATTERN and _too_long(value):
                shown = value if len(value) <= 24 else value[:20] + "..."
                self.err(path, "MLM222", f"{where}: duration {shown} is longer than {MAX_DURATION}, the longest a spec may use")
            elif "pattern" in schema and not re.search(schema["pattern"], value):
                self.err(path, "MLM104", f"{where}: {value!r} does not match {schema['pattern']}")
            if "minLength" in schema and len(value) < schema["minLength"]:
                self.err(path, "MLM104", f"{where}: must not be empty")
        if _is_type(value, "number") and not isinstance(value, bool):
            checks: tuple[tuple[str, Callable[[Any, Any], bool], str], ...] = (
                ("minimum", lambda v, b: v >= b, "at least"),
                ("maximum", lambda v, b: v <= b, "at most"),
                ("exclusiveMinimum", lambda v, b: v > b, "greater than"),
                ("exclusiveMaximum", lambda v, b: v < b, "less than"),
            )
            for kw, test, words in checks:
                if kw in schema and not test(value, schema[kw]):
                    self.err(path, "MLM104", f"{where}: must be {words} {schema[kw]}, got {value}")
        if isinstance(value, list):
            if "minItems" in schema and len(value) < schema["minItems"]:
                self.err(path, "MLM104", f"{where}: needs at least {schema['minItems']} item(s)")
            if "maxItems" in schema and len(value) > schema["maxItems"]:
                self.err(path, "MLM104", f"{where}: takes at most {schema['maxItems']} item(s)")
            if schema.get("uniqueItems"):
                seen: list[Any] = []
                for i, item in enumerate(value):
                    if item in seen:
                        self.err(path + (i,), "MLM104", f"{render_path(path + (i,))}: duplicate item {item!r}")
                    seen.append(item)
            if "items" in schema:
                for i, item in enumerate(value):
                    self.check(item, schema["items"], path + (i,))
        if isinstance(value, dict):
            self._object(value, schema, path)

    def secret(self, path: Path, text: str, *, key: bool = False) -> bool:
        """Report ``text`` at ``path`` when it looks like a credential (never echoing it)."""
        kind = secret_kind(text)
        if kind is None:
            return False
        self.err(
            path,
            "MLM208",
            f"{render_path(path)}: looks like {kind}; secrets are never written in a spec (the value is not shown)",
            key=key,
            hint=(
                "a URL must carry no credential: point it at a service that holds them (an internal relay), or let the server read them from a file"
                if "URL" in kind
                else "put it in a file the server reads at run time and reference the file (e.g. api_url_file, routing_key_file)"
            ),
        )
        self.secrets.add(tuple(path))
        return True

    def _object(self, value: dict[str, Any], schema: dict[str, Any], path: Path) -> None:
        where = render_path(path)
        props = schema.get("properties", {})
        # an inline secret (api_url: ...) is one error at its key, not also "missing api_url_file"
        inline = {SECRET_FIELDS[k] for k in value if k not in props and k in SECRET_FIELDS and SECRET_FIELDS[k] in props}
        for name in schema.get("required", []):
            if name not in value and name not in inline:
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
                        kpath,
                        "MLM208",
                        f"{render_path(kpath)}: inline secret; secrets are never written in a spec",
                        key=True,
                        hint=f"put it in a file readable by the server and set '{SECRET_FIELDS[key]}' to its path",
                    )
                    self.secrets.add(kpath)
                    continue
                close = difflib.get_close_matches(key, list(props), n=1)
                self.err(
                    kpath,
                    "MLM101",
                    f"{where}: unknown field '{key}'",
                    key=True,
                    hint=(f"did you mean '{close[0]}'?" if close else f"allowed: {', '.join(sorted(props))}"),
                )
            elif isinstance(addl, dict):
                self.check(item, addl, kpath)


def validate(data: Any, schema: dict[str, Any], smap: SourceMap) -> list[Diagnostic]:
    return [d for _, d in validate_paths(data, schema, smap)]


def validate_paths(data: Any, schema: dict[str, Any], smap: SourceMap) -> list[tuple[Path, Diagnostic]]:
    """Like ``validate``, with the JSON path each diagnostic is about."""
    v = _Validator(smap)
    v.check(data, schema, ())
    _scan_secrets(data, (), v)
    return list(zip(v.paths, v.diags))


def _too_long(text: str) -> bool:
    try:
        return duration_seconds(text) > duration_seconds(MAX_DURATION)
    except ValueError:  # digits beyond any range
        return True


def _scan_secrets(value: Any, path: Path, v: _Validator) -> None:
    """Every string and key the schema pass did not reach (or did not report) that looks like a
    credential."""
    if tuple(path) in v.secrets:
        return
    if isinstance(value, dict):
        for k, item in value.items():
            if isinstance(k, str) and v.secret(path + (k,), k, key=True):
                continue
            _scan_secrets(item, path + (k,), v)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _scan_secrets(item, path + (i,), v)
    elif isinstance(value, str):
        v.secret(path, value)


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
