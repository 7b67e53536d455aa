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
    cache = _STR_CACHE  # _text inlined: this loop writes most of a fleet's bytes
    append = out.append
    for k, v in data.items():
        if not isinstance(k, str):
            raise TypeError("YAML keys must be strings")
        head = prefix + (cache.get(k) or _text(k)) + ":"
        prefix = pad
        if isinstance(v, str) and "\n" not in v:  # the common case, inline
            append(head + " " + (cache.get(v) or _text(v)) + "\n")
        else:
            append(head)
            _value(v, indent, out)


def _sequence(items: Any, indent: int, out: list[str]) -> None:
    pad = " " * indent
    item_prefix = pad + "- "
    cache = _STR_CACHE
    append = out.append
    for item in items:
        if isinstance(item, str) and "\n" not in item:
            append(item_prefix + (cache.get(item) or _text(item)) + "\n")
        elif isinstance(item, dict) and item:
            _mapping(item, indent + 2, out, first_prefix=item_prefix)
        elif isinstance(item, (list, tuple)) and item:
            append(f"{pad}-\n")
            _sequence(item, indent + 2, out)
        else:
            holder: list[str] = []
            _value(item, indent, holder)
            append(f"{pad}-" + "".join(holder))


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


def _leaf(o: Any) -> str | None:
    """The JSON text of a scalar, or None for a container (checked by exact type first: most nodes
    of a dashboard are strings, numbers and booleans)."""
    t = type(o)
    if t is str:
        return _enc_str(o)
    if o is None:
        return "null"
    if t is bool:
        return "true" if o else "false"
    if t is int:
        return int.__repr__(o)
    if t is float:
        if o != o or o in (math.inf, -math.inf):
            raise ValueError("Out of range float values are not JSON compliant")
        return float.__repr__(o)
    if isinstance(o, (dict, list, tuple)):
        return None
    if isinstance(o, str):
        return _enc_str(o)
    if isinstance(o, int):  # bool handled above; int subclasses as int
        return int.__repr__(o)
    if isinstance(o, float):
        return _leaf(float(o))
    raise TypeError(f"Object of type {t.__name__} is not JSON serializable")


def _json(o: Any, nl: str, out: list[str], sort_keys: bool) -> None:
    text = _leaf(o)
    if text is not None:
        out.append(text)
        return
    append = out.append
    inner = nl + "  "
    sep = "," + inner
    if isinstance(o, dict):
        if not o:
            append("{}")
            return
        append("{" + inner)
        first = True
        for k in sorted(o) if sort_keys else o:
            if not isinstance(k, str):
                raise TypeError("JSON keys must be strings here")
            v = o[k]
            if first:
                first = False
            else:
                append(sep)
            text = _leaf(v)
            if text is not None:
                append(_enc_str(k) + ": " + text)
            else:
                append(_enc_str(k) + ": ")
                _json(v, inner, out, sort_keys)
        append(nl + "}")
    else:
        if not o:
            append("[]")
            return
        append("[" + inner)
        for i, v in enumerate(o):
            if i:
                append(sep)
            text = _leaf(v)
            if text is not None:
                append(text)
            else:
                _json(v, inner, out, sort_keys)
        append(nl + "]")
