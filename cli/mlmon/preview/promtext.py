"""Text that promtool reads and prints (pure): the length of an ``input_series`` value in the
expanding notation, the metric names a query reads, and the samples ``promtool test rules``
prints for a failed ``promql_expr_test`` (Go-quoted labels, values in Go's %E form)."""

from __future__ import annotations

import re
from typing import Any

_EXPANDING = re.compile(r"^(?P<a>_|stale|[-+]?[0-9.eE+-]+?|[-+]?Inf|NaN)(?:(?P<op>[-+])(?P<b>[0-9.eE+-]+))?x(?P<n>\d+)$")


def samples(values: str) -> int:
    """How many sample slots an input_series value spans (``a+bxn`` is n+1, ``_xn`` n)."""
    n = 0
    for tok in str(values).split():
        m = _EXPANDING.match(tok)
        if m is None:
            n += 1
        else:
            n += int(m.group("n")) + (0 if m.group("a") == "_" else 1)
    return n


def metric_names(expr: str) -> set[str] | None:
    """Metric names of every selector in ``expr``; None when it does not parse."""
    import promql_parser

    try:
        tree = promql_parser.parse(expr)
    except ValueError:
        return None
    names: set[str] = set()

    def visit(node: Any) -> bool:
        if isinstance(node, promql_parser.VectorSelector):
            name = node.name or next((m.value for m in node.matchers.matchers if m.name == "__name__"), None)
            if name:
                names.add(name)
        return True

    promql_parser.walk(tree, visit, None)
    return names


_ESC = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


def _go_string(text: str, i: int) -> tuple[str, int]:
    """Decode the Go-quoted string starting at text[i] == '"'; returns (value, index after it)."""
    out = []
    i += 1
    while text[i] != '"':
        c = text[i]
        if c == "\\":
            e = text[i + 1]
            if e in _ESC:
                out.append(_ESC[e])
                i += 2
            elif e in "xuU":
                width = {"x": 2, "u": 4, "U": 8}[e]
                out.append(chr(int(text[i + 2 : i + 2 + width], 16)))
                i += 2 + width
            else:  # octal
                out.append(chr(int(text[i + 1 : i + 4], 8)))
                i += 4
        else:
            out.append(c)
            i += 1
    return "".join(out), i + 1


def parse_samples(text: str) -> list[tuple[dict[str, str], float]]:
    """``{a="x", b="y"} 1E+00, {} 2.5E-01`` -> [({a: x, b: y}, 1.0), ({}, 0.25)]."""
    out: list[tuple[dict[str, str], float]] = []
    i, n = 0, len(text)
    while i < n:
        while i < n and text[i] in " ,":
            i += 1
        if i >= n:
            break
        if text[i] != "{":
            raise ValueError(f"unexpected text at {i}: {text[i : i + 20]!r}")
        i += 1
        labels: dict[str, str] = {}
        while text[i] != "}":
            if text[i] in " ,":
                i += 1
                continue
            eq = text.index("=", i)
            name = text[i:eq]
            labels[name], i = _go_string(text, eq + 1)
        i += 1
        end = text.find(",", i)  # values (1E+00, NaN, +Inf) hold no comma
        end = n if end < 0 else end
        out.append((labels, float(text[i:end].strip())))
        i = end
    return out


_RESULT = re.compile(r'^\s*expr: "(?P<expr>(?:[^"\\]|\\.)*)", time: (?P<time>[^,]+),(?: err: (?P<err>.*))?$')
_TAG = re.compile(r"\\n# q(\d+)$")


def parse_test_output(text: str) -> dict[int, list[tuple[dict[str, str], float]] | str]:
    """Results of tagged queries (``EXPR\\n# qN``) from ``promtool test rules`` output: samples, or
    an error text. Queries that returned nothing are absent (their empty expectation held)."""
    results: dict[int, list[tuple[dict[str, str], float]] | str] = {}
    current: int | None = None
    for line in text.splitlines():
        m = _RESULT.match(line)
        if m:
            tag = _TAG.search(m.group("expr"))
            current = int(tag.group(1)) if tag else None
            if current is not None and m.group("err"):
                results[current] = m.group("err")
                current = None
            continue
        stripped = line.strip()
        if current is not None and stripped.startswith("got: "):
            results[current] = parse_samples(stripped[len("got: ") :])
            current = None
    return results
