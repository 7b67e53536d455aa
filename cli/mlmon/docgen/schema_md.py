"""Pages from the spec's JSON Schema: the spec reference and one page per monitor (its package
docstring followed by a table of its section's fields).

Only the schema's own words are used (``description``, ``default``, ``type``, bounds, ``enum``,
``pattern``); a construct the tables do not know is shown by its JSON Schema keyword, so a new
kind of field never breaks generation.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

from mlmon.compiler.dsl import DURATION_PATTERN
from mlmon.docgen.text import cell, code, page, table, value

ALTERNATIVES = ("oneOf", "anyOf", "allOf")
MAP_KEY = "<name>"
FIELD_HEAD = ("field", "type", "default", "description")
MONITOR_DIR = "spec/monitors"
SCHEMA_FILE = "schemas/mlmon-spec.v1.schema.json"


# --- one field ---------------------------------------------------------------------------------------
def type_text(node: Any) -> str:
    """A field's type in words: ``duration``, ``number, > 0 and <= 1``, ``list of string``."""
    if not isinstance(node, dict):
        return "any" if node is True or node is None else str(node)
    if "const" in node:
        return "constant " + code(value(node["const"]))
    if "enum" in node:
        return "one of " + ", ".join(code(value(v)) for v in node["enum"])
    if "$ref" in node:
        return code(str(node["$ref"]).rsplit("/", 1)[-1])
    for key in ALTERNATIVES:
        if key in node and "type" not in node:
            joiner = " and " if key == "allOf" else " or "
            return joiner.join(type_text(alt) for alt in node[key])
    kind = node.get("type")
    if isinstance(kind, list):
        return " or ".join(type_text({**node, "type": k}) for k in kind)
    if kind == "string":
        pattern = node.get("pattern")
        if pattern == DURATION_PATTERN:
            return "duration"
        return "string matching " + code(pattern) if pattern else "string"
    if kind in ("number", "integer"):
        return ", ".join([kind, *_bounds(node)]) if _bounds(node) else kind
    if kind == "array":
        out = "list of " + type_text(node.get("items"))
        extra = [w for w, on in (("unique", node.get("uniqueItems")), (f"at least {node.get('minItems')}", node.get("minItems"))) if on]
        return ", ".join([out, *extra])
    if kind == "object" or "properties" in node:
        addl = node.get("additionalProperties")
        if isinstance(addl, dict) and not node.get("properties"):
            return "map of " + type_text(addl)
        return "object"
    return kind or "any"


def _bounds(node: dict) -> list[str]:
    words = (("minimum", ">="), ("exclusiveMinimum", ">"), ("maximum", "<="), ("exclusiveMaximum", "<"))
    parts = [f"{op} {value(node[k])}" for k, op in words if isinstance(node.get(k), (int, float)) and not isinstance(node.get(k), bool)]
    return [" and ".join(parts)] if parts else []


def default_text(node: Any, required: bool) -> str:
    if required:
        return "required"
    if isinstance(node, dict) and "default" in node:
        return code(value(node["default"]))
    return ""


# --- every field under a node ------------------------------------------------------------------------
def fields(node: Any, path: str, required: bool = False) -> Iterator[tuple[str, Any, bool]]:
    """(path, schema, required) of the node and every field below it, depth first, in schema order."""
    yield path, node, required
    yield from children(node, path)


def children(node: Any, path: str) -> Iterator[tuple[str, Any, bool]]:
    if not isinstance(node, dict):
        return
    for key in ALTERNATIVES:
        for alt in node.get(key) or ():
            yield from children(alt, path)
    req = set(node.get("required") or ())
    for name, child in (node.get("properties") or {}).items():
        yield from fields(child, f"{path}.{name}" if path else name, name in req)
    items = node.get("items")
    if isinstance(items, dict):
        yield from children(items, path + "[]")
    addl = node.get("additionalProperties")
    if isinstance(addl, dict):
        yield from children(addl, f"{path}.{MAP_KEY}")


def field_rows(node: Any, path: str, links: dict[str, tuple[str, str]] | None = None) -> list[list[str]]:
    """Table rows for the node and its fields; a path in ``links`` gets one row pointing at its own
    page instead of its fields."""
    links = links or {}
    rows: list[list[str]] = []
    seen: set[str] = set()
    skip: tuple[str, ...] = ()
    for p, n, req in fields(node, path):
        if p in seen or (skip and p.startswith(skip)):
            continue
        seen.add(p)
        desc = _desc(n)
        if p in links:
            skip = (*skip, p + ".", p + "[]")
            href, label = links[p]
            desc = cell(desc.rstrip(". ")) + (". " if desc else "") + f"Fields: [{label}]({href})"
            rows.append([code(p), cell(type_text(n)), cell(default_text(n, req)), desc])
            continue
        rows.append([code(p), cell(type_text(n)), cell(default_text(n, req)), cell(desc)])
    return rows


# --- pages -------------------------------------------------------------------------------------------
def monitor_path(key: str) -> str:
    return f"{MONITOR_DIR}/{key}.md"


def monitor_page(key: str, title: str, doc: str, fragment: dict) -> str:
    """The monitor's package docstring as the page, then its fields from the schema."""
    text = inspect.cleandoc(doc or "").strip()
    body: list[str] = []
    if not text.startswith("# "):
        body += [f"# {title}", ""]
    body += [text or f"The `{key}` monitor.", ""]
    body += ["## Spec fields", "", f"Every field of a model's `{key}` section, from the spec's JSON Schema (`{SCHEMA_FILE}`).", ""]
    body += table(FIELD_HEAD, field_rows(fragment, key))
    return page(f"the docstring of the `{key}` monitor package and its schema", body)


def monitors_index(monitors: list[tuple[str, str, str, dict]]) -> str:
    body = [
        "# Monitors",
        "",
        "One monitor per capability; each has a section under a model entry of the spec, named by its key. "
        "The pages are made from each monitor package's docstring and schema.",
        "",
    ]
    rows = [[f"[{code(key)}]({key}.md)", cell(title), cell(_first_sentence(frag.get("description", "")))] for key, title, _, frag in monitors]
    body += table(("key", "monitor", "section"), rows)
    return page("the monitor registry (mlmon.pipeline.monitor_pages)", body)


def _desc(node: Any) -> str:
    return str(node.get("description", "")) if isinstance(node, dict) else ""


def _first_sentence(text: str) -> str:
    return text.split(". ", 1)[0].split("\n", 1)[0]


def spec_reference(schema: dict, monitors: list[tuple[str, str]]) -> str:
    """Every field of the spec from the schema; a monitor's section (key, title) links to its page."""
    links = {f"models[].{key}": (f"../{monitor_path(key)}", title) for key, title in monitors}
    body = [
        "# Spec reference",
        "",
        f"Every field of a `{schema.get('properties', {}).get('kind', {}).get('const', 'MonitoringSpec')}` file, "
        f"from the JSON Schema that `mlmon schema` prints (committed as `{SCHEMA_FILE}`). "
        "Durations are Prometheus durations (`30s`, `5m`, `1h30m`, `30d`); `<name>` stands for a key you choose. "
        "Each monitor's section has its own page.",
        "",
    ]
    if schema.get("description"):
        body += [cell(schema["description"]), ""]
    required = set(schema.get("required") or ())
    props = schema.get("properties") or {}
    body += ["## Top level", ""]
    body += table(FIELD_HEAD, [[code(n), cell(type_text(x)), cell(default_text(x, n in required)), cell(_desc(x))] for n, x in props.items()])
    for name, node in props.items():
        rows = field_rows(node, name, links)[1:]
        if rows:
            body += ["", f"## `{name}`", ""] + table(FIELD_HEAD, rows)
    return page("the spec's JSON Schema (mlmon.pipeline.schema)", body)
