"""YAML text -> plain data plus a source map of 1-based (line, col) positions.

Pure: takes text, returns values. The reader guards against hostile input: duplicate keys,
alias expansion ("billion laughs"), unsupported tags, and reports each problem as a Diagnostic
with its position instead of raising.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from mlmon.diagnostics import Diagnostic, Severity

try:  # the C composer is ~5x faster; fall back when libyaml is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Path = tuple[Any, ...]  # a JSON path: ("models", 0, "slos", 1, "objective")

MAX_NODES = 200_000  # after alias expansion; a real spec has a few thousand
MAX_DEPTH = 64

_MERGE_TAG = "tag:yaml.org,2002:merge"
_COLLECTION_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}


@dataclass
class SourceMap:
    """Positions of every value (and of every mapping key) by JSON path."""

    file: str
    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def pos(self, path: Path, *, key: bool = False) -> tuple[int, int]:
        """Best position for ``path``: the key when asked and known, else the value, else the
        nearest ancestor that has one."""
        path = tuple(path)
        while True:
            if key and path in self.keys:
                return self.keys[path]
            if path in self.values:
                return self.values[path]
            if path in self.keys:
                return self.keys[path]
            if not path:
                return (1, 1)
            path = path[:-1]


@dataclass
class Document:
    file: str
    data: Any
    source: SourceMap
    rejected: tuple[Path, ...] = ()  # paths the reader reported and replaced by None (no follow-on errors there)


class _TooBig(Exception):
    def __init__(self, node: yaml.Node, what: str):
        self.node = node
        self.what = what


class _Builder:
    def __init__(self, file: str):
        self.file = file
        self.smap = SourceMap(file)
        self.diags: list[Diagnostic] = []
        self.rejected: list[Path] = []
        self.count = 0
        self._scalar_loader = yaml.SafeLoader("")

    def diag(self, node: yaml.Node, code: str, msg: str, hint: str | None = None) -> None:
        m = node.start_mark
        self.diags.append(Diagnostic(self.file, m.line + 1, m.column + 1, Severity.ERROR, code, msg, hint))

    def build(self, node: yaml.Node, path: Path, depth: int = 0) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooBig(node, f"more than {MAX_NODES} values after alias expansion")
        if depth > MAX_DEPTH:
            raise _TooBig(node, f"nesting deeper than {MAX_DEPTH} levels")
        m = node.start_mark
        self.smap.values.setdefault(path, (m.line + 1, m.column + 1))
        if not isinstance(node, yaml.ScalarNode) and node.tag not in _COLLECTION_TAGS:
            self._unsupported_tag(node, path)
            return None
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        if node.tag not in _SCALAR_TAGS:
            if node.tag.startswith("tag:yaml.org,2002:"):
                kind = node.tag.rsplit(":", 1)[-1]
                if kind == "timestamp":  # keep dates as the text the user wrote
                    return node.value
            self._unsupported_tag(node, path)
            return None
        try:
            return self._scalar_loader.construct_object(node)
        except ValueError:  # an integer of more than 4300 digits: Python refuses to convert it
            self.rejected.append(path)
            self.diag(node, "MLM221", f"{render_path(path)}: number with {len(node.value)} digits is out of range", "write a number below 1e15")
            return None

    def _unsupported_tag(self, node: yaml.Node, path: Path) -> None:
        self.rejected.append(path)
        self.diag(
            node,
            "MLM003",
            f"unsupported YAML tag {node.tag!r} at {render_path(path)}",
            "a spec holds plain mappings, lists, strings, numbers and booleans; remove the tag",
        )

    def _mapping(self, node: yaml.MappingNode, path: Path, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        merged: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                src = self.build(value_node, path + ("<<",), depth + 1)
                for item in src if isinstance(src, list) else [src]:
                    if isinstance(item, dict):
                        for k, v in item.items():
                            merged.setdefault(k, v)
                    else:
                        self.diag(value_node, "MLM003", f"merge key '<<' at {render_path(path)} needs a mapping")
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.diag(key_node, "MLM003", f"mapping keys must be plain scalars at {render_path(path)}")
                continue
            key = key_node.value
            if key in out:
                first = self.smap.keys.get(path + (key,), (0, 0))
                self.diag(key_node, "MLM003", f"duplicate key {key!r} at {render_path(path)} (first defined on line {first[0]})")
                continue
            km = key_node.start_mark
            self.smap.keys[path + (key,)] = (km.line + 1, km.column + 1)
            out[key] = self.build(value_node, path + (key,), depth + 1)
        for k, v in merged.items():
            out.setdefault(k, v)
        return out


def render_path(path: Path) -> str:
    """("models", 0, "slos", 1, "objective") -> models[0].slos[1].objective"""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "<root>"


_BOMS = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"), (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"))


def encoding_problem(data: bytes) -> tuple[str, str, int, int] | None:
    """(code, message, line, col) when ``data`` is not UTF-8 text: UTF-16/32 and 8-bit encodings
    are named (MLM005, at the first byte that is not UTF-8), binary data is MLM001; None for
    UTF-8."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return "MLM005", f"the file is {name} text; spec files are UTF-8 (save it as UTF-8)", 1, 1
    head = data[:8192]
    if b"\x00" in head:
        for zeros in (head[1::2], head[0::2]):  # ASCII text in UTF-16 without a byte-order mark
            if len(zeros) >= 2 and zeros.count(0) >= 0.9 * len(zeros):
                return "MLM005", "the file looks like UTF-16 text; spec files are UTF-8 (save it as UTF-8)", 1, 1
        return "MLM001", "binary file (contains NUL bytes), not a YAML spec", 0, 0
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        try:
            data.decode("cp1252")
            guess = "Latin-1 or Windows-1252"
        except UnicodeDecodeError:
            guess = "an 8-bit encoding"
        return "MLM005", f"not UTF-8 text: byte 0x{data[exc.start]:02X} is not UTF-8 (the file looks like {guess}); save it as UTF-8", line, col
    return None


def parse_documents(text: str, file: str) -> tuple[list[Document], list[Diagnostic]]:
    """Parse every YAML document in ``text``. Empty documents are skipped."""
    docs: list[Document] = []
    diags: list[Diagnostic] = []
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or "invalid YAML"
        if exc.context:
            problem = f"{exc.context}: {problem}" if "while" not in exc.context else f"{problem} ({exc.context})"
        diags.append(Diagnostic(file, line, col, Severity.ERROR, "MLM002", f"YAML syntax error: {problem}"))
        return docs, diags
    except yaml.YAMLError as exc:  # pragma: no cover - unmarked reader errors
        diags.append(Diagnostic(file, 1, 1, Severity.ERROR, "MLM002", f"YAML error: {exc}"))
        return docs, diags
    for node in nodes:
        if node is None:
            continue
        b = _Builder(file)
        try:
            data = b.build(node, ())
        except _TooBig as big:
            b.diag(big.node, "MLM003", f"document rejected: {big.what}", "remove YAML aliases that multiply content")
            diags.extend(b.diags)
            continue
        except RecursionError:
            b.diag(node, "MLM003", "document rejected: recursive alias")
            diags.extend(b.diags)
            continue
        diags.extend(b.diags)
        docs.append(Document(file, data, b.smap, tuple(b.rejected)))
    return docs, diags
