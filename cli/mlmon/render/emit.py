"""The only place that serialises YAML and JSON. Deterministic bytes: key order as built by the
caller (insertion order where it carries meaning, sorted where it does not), block style, no
aliases, ``\\n`` endings, one trailing newline.

The YAML writer is a small block-style emitter for the plain data mlmon generates (dicts, lists,
strings, numbers, booleans, None). PyYAML's pure-Python representer was most of ``generate``'s
time for large fleets; this one is several times faster, and a property test checks that
``yaml.safe_load`` reads back exactly the data written.
"""

from __future__ import annotations

import functools
import json
import math
import re
from typing import Any

_INDICATORS = set("-?:,[]{}#&*!|>'\"%@`")
_PRINTABLE = re.compile("^[^\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]*$")


@functools.lru_cache(maxsize=8192)
def _resolves_to_str(text: str) -> bool:
    import yaml

    tag: str = yaml.resolver.Resolver().resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return tag == "tag:yaml.org,2002:str"


@functools.lru_cache(maxsize=8192)
def _scalar_str(text: str) -> str:
    plain = (
        bool(text)
        and text[0] not in _INDICATORS
        and text == text.strip()
        and "\t" not in text
        and "\n" not in text
        and ": " not in text
        and " #" not in text
        and not text.endswith(":")
        and _PRINTABLE.fullmatch(text) is not None
        and _resolves_to_str(text)
    )
    if plain:
        return text
    if "\n" not in text and _PRINTABLE.fullmatch(text):
        return "'" + text.replace("'", "''") + "'"
    return _double_quoted(text)


_NONPRINT = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")


def _double_quoted(text: str) -> str:
    """YAML double-quoted scalar; non-printable characters as escapes."""
    body = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + _NONPRINT.sub(lambda m: f"\\u{ord(m.group()):04x}", body) + '"'


def _float(x: float) -> str:
    if math.isnan(x):
        return ".nan"
    if math.isinf(x):
        return ".inf" if x > 0 else "-.inf"
    text = repr(x)
    if "e" in text and "." not in text.split("e")[0]:  # YAML 1.1 floats need a dot: 1e-05 -> 1.0e-05
        mant, exp = text.split("e")
        text = f"{mant}.0e{exp}"
    return text


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, str):
        return _scalar_str(value)
    raise TypeError(f"cannot write {type(value).__name__} as YAML")


def _block_ok(text: str) -> bool:
    """A literal block scalar keeps ``text`` exactly."""
    if not _PRINTABLE.fullmatch(text.replace("\n", "")) or "\r" in text or "\t" in text:
        return False
    lines = text.split("\n")
    if lines[0].startswith(" ") or not lines[0]:
        return False
    return not text.endswith("\n\n") and not any(line != line.rstrip(" ") for line in lines)


_STR_CACHE: dict[str, str] = {}


def _text(value: str) -> str:
    """``_scalar_str`` through a plain dict (cheaper than the lru wrapper on the hot path)."""
    hit = _STR_CACHE.get(value)
    if hit is None:
        if len(_STR_CACHE) > 20_000:  # model-specific strings never repeat across models: keep memory flat in fleet size
            _STR_CACHE.clear()
        hit = _STR_CACHE[value] = _scalar_str(value)
    return hit


def _block(value: str, pad: str, out: list[str]) -> None:
    body = value[:-1] if value.endswith("\n") else value
    out.append(" |\n" if value.endswith("\n") else " |-\n")
    for line in body.split("\n"):
        out.append(f"{pad}  {line}\n" if line else "\n")


def _value(value: Any, indent: int, out: list[str]) -> None:
    """Append ``value`` as the value of a key at ``indent`` (key already written)."""
    if isinstance(value, str):
        if "\n" in value and _block_ok(value):
            _block(value, " " * indent, out)
        else:
            out.append(" " + _text(value) + "\n")
    elif isinstance(value, dict):
        if not value:
            out.append(" {}\n")
            return
        out.append("\n")
        _mapping(value, indent + 2, out)
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append(" []\n")
            return
        out.append("\n")
        _sequence(value, indent, out)
    else:
        out.append(" " + _scalar(value) + "\n")


def _mapping(data: dict[str, Any], indent: int, out: list[str], first_prefix: str | None = None) -> None:
    pad = " " * indent
    prefix = pad if first_prefix is None else first_prefix
    for k, v in data.items():
        if not isinstance(k, str):
            raise TypeError("YAML keys must be strings")
        head = prefix + _text(k) + ":"
        prefix = pad
        if isinstance(v, str) and "\n" not in v:  # the common case, inline
            out.append(head + " " + _text(v) + "\n")
        else:
            out.append(head)
            _value(v, indent, out)


def _sequence(items: Any, indent: int, out: list[str]) -> None:
    pad = " " * indent
    item_prefix = pad + "- "
    for item in items:
        if isinstance(item, str) and "\n" not in item:
            out.append(item_prefix + _text(item) + "\n")
        elif isinstance(item, dict) and item:
            _mapping(item, indent + 2, out, first_prefix=item_prefix)
        elif isinstance(item, (list, tuple)) and item:
            out.append(f"{pad}-\n")
            _sequence(item, indent + 2, out)
        else:
            holder: list[str] = []
            _value(item, indent, holder)
            out.append(f"{pad}-" + "".join(holder))


def to_yaml(data: Any, header: str | None = None) -> str:
    """YAML text of a mapping; ``header`` lines are written as ``#`` comments first."""
    if not isinstance(data, dict):
        raise TypeError("to_yaml writes mappings")
    out: list[str] = []
    if header:
        out.extend((line if line.startswith("#") else ("# " + line).rstrip()) + "\n" for line in header.splitlines())
    if not data:
        out.append("{}\n")
    else:
        _mapping(data, 0, out)
    return "".join(out)


def to_json(data: Any, *, sort_keys: bool = True) -> str:
    """The bytes of ``json.dumps(data, indent=2, sort_keys=..., ensure_ascii=False)`` plus a newline,
    about three times faster (the standard encoder is pure Python when it indents)."""
    out: list[str] = []
    _json(data, "\n", out, sort_keys)
    out.append("\n")
    return "".join(out)


_enc_str = json.encoder.encode_basestring  # the C implementation when available


def _json(o: Any, nl: str, out: list[str], sort_keys: bool) -> None:
    if isinstance(o, str):
        out.append(_enc_str(o))
    elif o is None:
        out.append("null")
    elif o is True:
        out.append("true")
    elif o is False:
        out.append("false")
    elif isinstance(o, int):
        out.append(int.__repr__(o))
    elif isinstance(o, float):
        if o != o or o in (math.inf, -math.inf):
            raise ValueError("Out of range float values are not JSON compliant")
        out.append(float.__repr__(o))
    elif isinstance(o, dict):
        if not o:
            out.append("{}")
            return
        inner = nl + "  "
        out.append("{")
        first = True
        for k in sorted(o) if sort_keys else o:
            if not isinstance(k, str):
                raise TypeError("JSON keys must be strings here")
            out.append(inner if first else "," + inner)
            first = False
            out.append(_enc_str(k))
            out.append(": ")
            _json(o[k], inner, out, sort_keys)
        out.append(nl + "}")
    elif isinstance(o, (list, tuple)):
        if not o:
            out.append("[]")
            return
        inner = nl + "  "
        out.append("[")
        for i, v in enumerate(o):
            out.append(inner if i == 0 else "," + inner)
            _json(v, inner, out, sort_keys)
        out.append(nl + "]")
    else:
        raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")
