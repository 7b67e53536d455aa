"""PromQL in one spelling, printed from the parsed tree (``promql-parser``), for comparing.

Servers return queries re-printed (Prometheus' ``/api/v1/rules``, the Mimir ruler); files hold them as
written. Both sides are parsed and printed here the way Prometheus prints an expression (label
matchers sorted, ``sum by (job) (x)``, numbers and durations in one spelling, keywords lower case),
so spellings of the same query compare equal and different queries differ. Strings are compared
by value: whitespace and escapes inside them are kept exactly.

Beyond Prometheus' printer: ``{__name__="x"}`` prints as ``x`` and repeated matchers once.
Parentheses and the order of grouping labels stay as written (Prometheus keeps them too, so the
plan shows what the files say). A query that does not parse is compared as whitespace-normalised
text.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from mlmon.remote.durations import spelled

_METRIC_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
_OPS = {"MatchOp.Equal": "=", "MatchOp.NotEqual": "!=", "MatchOp.Re": "=~", "MatchOp.NotRe": "!~"}
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}


def canonical(query: Any) -> str:
    text = str(query).strip()
    try:
        import promql_parser

        tree = promql_parser.parse(text)
    except Exception:  # the parser raises plain exceptions; unparseable here: compare the text
        return " ".join(text.split())
    return _print(tree)


def quote(value: str) -> str:
    """A double-quoted string literal as Go's ``%q`` writes it."""
    out = []
    for ch in value:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ch.isprintable():
            out.append(ch)
        elif ord(ch) < 0x80:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(f"\\u{ord(ch):04x}" if ord(ch) < 0x10000 else f"\\U{ord(ch):08x}")
    return '"' + "".join(out) + '"'


def number(value: float) -> str:
    """Go's ``FormatFloat(v, 'f', -1, 64)``: 0.001, 1000, +Inf, NaN."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "+Inf" if value > 0 else "-Inf"
    return format(Decimal(repr(value)).normalize(), "f")


def _print(e: Any) -> str:
    import promql_parser as p

    if isinstance(e, p.VectorSelector):
        return _selector(e) + _at(e.at) + _offset(e.offset)
    if isinstance(e, p.MatrixSelector):
        vs = e.vector_selector
        return f"{_selector(vs)}[{_duration(e.range)}]{_at(vs.at)}{_offset(vs.offset)}"
    if isinstance(e, p.SubqueryExpr):
        step = _duration(e.step) if e.step else ""
        return f"{_print(e.expr)}[{_duration(e.range)}:{step}]{_at(e.at)}{_offset(e.offset)}"
    if isinstance(e, p.Call):
        return f"{e.func.name}({', '.join(_print(a) for a in e.args)})"
    if isinstance(e, p.AggregateExpr):
        return _aggregate(e)
    if isinstance(e, p.BinaryExpr) and not _fills(e.modifier):
        return f"{_print(e.lhs)} {e.op}{_bin_modifier(e.modifier)} {_print(e.rhs)}"
    if isinstance(e, p.UnaryExpr):
        return "-" + _print(e.expr)
    if isinstance(e, p.ParenExpr):
        return f"({_print(e.expr)})"
    if isinstance(e, p.NumberLiteral):
        return number(e.val)
    if isinstance(e, p.StringLiteral):
        return quote(e.val)
    return " ".join(str(e).split())  # a node type this printer does not know


def _selector(vs: Any) -> str:
    """Metric name and matchers, without ``@`` and ``offset``."""
    import promql_parser as p

    name = vs.name or ""
    groups = vs.matchers.or_matchers or [vs.matchers.matchers]
    if not name and len(groups) == 1:
        names = [m for m in groups[0] if m.name == "__name__" and m.op == p.MatchOp.Equal and _METRIC_NAME.match(m.value)]
        if len(names) == 1:
            name = names[0].value
            groups = [[m for m in groups[0] if m is not names[0]]]
    printed = sorted(",".join(sorted({f"{m.name}{_OPS[str(m.op)]}{quote(m.value)}" for m in g})) for g in groups)
    body = " or ".join(x for x in printed if x)
    return f"{name}{{{body}}}" if body else name


def _duration(delta: Any) -> str:
    return str(spelled(delta.total_seconds()))


def _offset(delta: Any) -> str:
    if not delta:
        return ""
    seconds = delta.total_seconds()
    return f" offset {'-' if seconds < 0 else ''}{spelled(abs(seconds))}"


def _at(at: Any) -> str:
    import promql_parser as p

    if at is None:
        return ""
    if at.type == p.AtModifierType.Start:
        return " @ start()"
    if at.type == p.AtModifierType.End:
        return " @ end()"
    return f" @ {at.at.timestamp():.3f}"


def _aggregate(e: Any) -> str:
    import promql_parser as p

    mod, head = e.modifier, str(e.op)
    if mod is not None and mod.type == p.AggModifierType.Without:
        head += f" without ({', '.join(mod.labels)}) "
    elif mod is not None and mod.labels:
        head += f" by ({', '.join(mod.labels)}) "
    param = f"{_print(e.param)}, " if e.param is not None else ""
    return f"{head}({param}{_print(e.expr)})"


def _fills(mod: Any) -> bool:
    fill = getattr(mod, "fill_values", None)
    return fill is not None and (fill.lhs is not None or fill.rhs is not None)


def _bin_modifier(mod: Any) -> str:
    import promql_parser as p

    if mod is None:
        return ""
    out = " bool" if mod.return_bool else ""
    grouped = mod.card in (p.VectorMatchCardinality.ManyToOne, p.VectorMatchCardinality.OneToMany)
    matching = mod.matching
    if matching is not None and (matching.labels or matching.type == p.LabelModifierType.Include or grouped):
        tag = "on" if matching.type == p.LabelModifierType.Include else "ignoring"
        out += f" {tag} ({', '.join(matching.labels)})"
    if grouped:
        side = "left" if mod.card == p.VectorMatchCardinality.ManyToOne else "right"
        out += f" group_{side} ({', '.join(mod.group_labels or [])})"
    return out
