"""Binning: which bin a value falls into, quantile edges, smoothing."""

from __future__ import annotations

import bisect
import math
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from mlmon.baseline.model import CATEGORICAL, DEFAULT_MAX_SEEN, EDGE_DIGITS, NULL_TEXTS, NUMERIC, OTHER, FeatureBaseline


def is_null(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip().lower() in NULL_TEXTS


def to_number(value: Any) -> float | None:
    """A finite float, or None when ``value`` is not a number (booleans are not numbers)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        x = float(value)
    elif isinstance(value, str):
        try:
            x = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return x if math.isfinite(x) else None


def bin_index(feature: FeatureBaseline, value: Any) -> str | None:
    """The ``bin`` label under which ``value`` is counted; None for a missing value.

    The instrumentation library calls this, so counters line up exactly with the rules.
    Numeric: right-closed bins over ``edges`` (see module doc); a value that is not a number
    raises ValueError. Categorical: the category when it is one of the baseline's, else
    ``__other__``.
    """
    if is_null(value):
        return None
    if feature.kind == NUMERIC:
        x = to_number(value)
        if x is None:
            if isinstance(value, float) and math.isinf(value):
                x = value
            else:
                raise ValueError(f"feature {feature.name!r} is numeric, got {value!r}")
        return str(bisect.bisect_left(feature.edges, x))
    text = _category(value)
    return text if text in feature.categories else OTHER


def category_text(value: Any) -> str:
    """The category a value is counted as (booleans lower-case, whole floats as integers)."""
    return _category(value)


def _category(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value).strip()


def quantile(sorted_values: Sequence[float], p: float) -> float:
    """Linear-interpolation quantile (numpy's default "linear" method) of sorted values."""
    n = len(sorted_values)
    h = (n - 1) * p
    lo = math.floor(h)
    hi = min(lo + 1, n - 1)
    return sorted_values[lo] + (h - lo) * (sorted_values[hi] - sorted_values[lo])


def round_sig(x: float, digits: int = EDGE_DIGITS, mode: str = "nearest") -> float:
    """``x`` rounded to ``digits`` significant digits: ``down`` gives a value <= x, ``up`` >= x."""
    if x == 0 or not math.isfinite(x):
        return x
    exp = math.floor(math.log10(abs(x))) - digits + 1
    rounders: dict[str, Callable[[float], int]] = {"down": math.floor, "up": math.ceil, "nearest": round}
    k = rounders[mode](round(x / 10.0**exp, 6))
    y = float(f"{k}e{exp}")
    if mode == "down" and y > x:
        y = float(f"{k - 1}e{exp}")
    elif mode == "up" and y < x:
        y = float(f"{k + 1}e{exp}")
    return y


def quantile_edges(values: Sequence[float], bins: int) -> tuple[float, ...]:
    xs = sorted(values)
    raw = [quantile(xs, i / bins) for i in range(bins + 1)]
    edges = [round_sig(raw[0], mode="down")]
    edges += [round_sig(v) for v in raw[1:-1]]
    edges.append(round_sig(raw[-1], mode="up"))
    out: list[float] = []
    for e in sorted(edges):
        if not out or e > out[-1]:
            out.append(e)
    return tuple(out)


def smooth(counts: Sequence[int], pseudo_count: float) -> tuple[float, ...]:
    n = sum(counts)
    denom = n + pseudo_count * len(counts)
    return tuple((c + pseudo_count) / denom for c in counts)


Range = tuple[float | None, float | None]


def numeric_feature(
    name: str, values: Sequence[float], nulls: int, bins: int, pseudo_count: float, edges: Sequence[float] | None = None, valid: Range | None = None
) -> FeatureBaseline:
    """``valid``: declared valid values (default: the reference min and max)."""
    e = tuple(sorted(set(float(x) for x in edges))) if edges else quantile_edges(values, bins)
    counts = [0] * (len(e) + 1)
    for x in values:
        counts[bisect.bisect_left(e, x)] += 1
    rng = valid if valid is not None else (min(values), max(values))
    return FeatureBaseline(name, NUMERIC, tuple(counts), smooth(counts, pseudo_count), edges=e, nulls=nulls, range=rng)


def categorical_feature(name: str, values: Sequence[str], nulls: int, top_k: int, pseudo_count: float, max_seen: int = DEFAULT_MAX_SEEN) -> FeatureBaseline:
    freq = Counter(values)
    top = sorted((c for c in freq if c != OTHER), key=lambda c: (-freq[c], c))[:top_k]
    cats = tuple(sorted(top))
    counts = [freq[c] for c in cats]
    counts.append(len(values) - sum(counts))
    seen = tuple(sorted(freq)) if len(freq) <= max_seen else None
    return FeatureBaseline(name, CATEGORICAL, tuple(counts), smooth(counts, pseudo_count), categories=cats, nulls=nulls, seen=seen)
