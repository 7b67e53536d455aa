"""Label values that satisfy (or break) PromQL label matchers, for the input series of the rule
tests of a ratio SLI: ``=``, ``!=``, ``=~`` and ``!~`` (regexes anchored, as Prometheus does)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

Matcher = tuple[str, str, str]  # (label, op, value), op one of = != =~ !~

FILLERS = ("x", "ok", "other", "200", "2xx", "500", "5xx", "a")


def matches(op: str, value: str, actual: str) -> bool:
    """Whether label value ``actual`` ("" = label absent) satisfies the matcher."""
    if op == "=":
        return actual == value
    if op == "!=":
        return actual != value
    try:
        hit = re.fullmatch(value, actual) is not None
    except re.error:
        return False
    return hit if op == "=~" else not hit


def example(pattern: str) -> str | None:
    """A short string that ``pattern`` matches in full, or None when this simple generator cannot
    find one (literals, classes, ``.``, alternation, groups and repeats are handled)."""
    try:
        from re import _parser as sre  # type: ignore[attr-defined]

        parsed = sre.parse(pattern)
    except Exception:  # noqa: BLE001 - any pattern Python cannot read is simply not synthesised
        return None
    try:
        text = _gen(list(parsed), sre)
    except (ValueError, TypeError, IndexError):
        return None
    try:
        return text if re.fullmatch(pattern, text) else None
    except re.error:
        return None


def _gen(items: list[Any], sre: Any) -> str:
    c = sre._constants if hasattr(sre, "_constants") else sre
    out = []
    for op, av in items:
        if op is c.LITERAL:
            out.append(chr(av))
        elif op is c.ANY:
            out.append("a")
        elif op is c.IN:
            out.append(_in(av, c))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT):
            lo, _, sub = av
            out.append(_gen(list(sub), sre) * max(lo, 0))
        elif op is c.SUBPATTERN:
            out.append(_gen(list(av[-1]), sre))
        elif op is c.BRANCH:
            out.append(_gen(list(av[1][0]), sre))
        elif op is c.AT:
            continue
        else:
            raise ValueError(op)
    return "".join(out)


def _in(av: list[Any], c: Any) -> str:
    if av and av[0][0] is c.NEGATE:
        raise ValueError("negated class")
    for op, v in av:
        if op is c.LITERAL:
            return chr(v)
        if op is c.RANGE:
            return chr(v[0])
        if op is c.CATEGORY:
            return {c.CATEGORY_DIGIT: "0", c.CATEGORY_WORD: "a", c.CATEGORY_SPACE: " "}.get(v, "a")
    raise ValueError("empty class")


def candidates(ms: Sequence[Matcher]) -> list[str]:
    """Values worth trying for one label: the matchers' own literals and regex examples, then
    fillers (each also with a suffix, so a value can differ from an excluded one)."""
    out: list[str] = []
    for _, op, value in ms:
        if op == "=":
            out.append(value)
        elif op == "=~":
            ex = example(value)
            if ex is not None:
                out.append(ex)
        out.append(value + "-not")
    out += list(FILLERS)
    return list(dict.fromkeys(out))


def value_for(label: str, want: Sequence[Matcher], avoid: Sequence[Matcher] = ()) -> str | None:
    """A value of ``label`` satisfying every matcher of ``want`` and breaking at least one of
    ``avoid`` (when given); "" means the label is absent. None when no candidate does."""
    mine = [m for m in want if m[0] == label]
    other = [m for m in avoid if m[0] == label]
    values = candidates(mine + other)
    for v in [*values, ""] if avoid else ["", *values]:
        if all(matches(op, val, v) for _, op, val in mine) and (not avoid or not all(matches(op, val, v) for _, op, val in other)):
            return v
    return None
