"""Bin values exactly as the generated drift rules expect: on the baseline's edges, through
:func:`mlmon.baseline.bin_index`, with the baseline's bin labels.

A :class:`Binner` knows a feature's complete, ordered list of bin labels (so every bin can be
created at zero) and maps a value to one of them. A value whose label is not in that list (which
``bin_index`` should never produce) is counted in ``__other__``, so the label set never grows at
run time and never holds a label the generated rules do not know (they count every unknown label
in ``__other__`` and raise the drift contract alert). Numeric features get an ``__other__`` bin
too, after the baseline's bins: the rules add it with the floor as its reference fraction.

:meth:`Binner.check` also says what is wrong with a value for the data-quality counters: missing,
not a number, outside the baseline's valid range, or a category the reference data never had
(counted *and* still folded into ``__other__`` for drift).
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

OTHER = "__other__"


@dataclass(frozen=True)
class Check:
    """What one value of a feature is, for the drift bins and the data-quality counters."""

    bin: str | None = None  # the drift bin (None: not binned)
    missing: bool = False  # null, NaN or empty
    type_error: bool = False  # not a number for a numeric feature
    out_of_range: bool = False  # numeric, outside the baseline's valid range
    unseen: bool = False  # categorical, not among the reference categories


@dataclass(frozen=True)
class Binner:
    name: str
    bins: tuple[str, ...]
    index_fn: Callable[[Any], Any]
    fallback: str
    numeric: bool = True
    valid: tuple[float, float] = (-math.inf, math.inf)  # numeric: the in-range values
    known: frozenset[str] | None = None  # categorical: every reference category (None: unknown)

    @property
    def checks_unseen(self) -> bool:
        return not self.numeric and self.known is not None

    def check(self, value: Any) -> Check:
        """Bin ``value`` and say what is wrong with it (at most one of missing / type_error)."""
        from mlmon import baseline as B

        if B.is_null(value):
            return Check(missing=True)
        label = self.index(value)
        if label is None:
            return Check(type_error=True)
        if self.numeric:
            x = B.to_number(value)
            x = float(value) if x is None else x  # +-inf: binned in an overflow bin, and out of range
            return Check(label, out_of_range=not self.valid[0] <= x <= self.valid[1])
        return Check(label, unseen=self.known is not None and B.category_text(value) not in self.known)

    def index(self, value: Any) -> str | None:
        """The bin label of ``value``; None for a missing value (not counted)."""
        try:
            label = self.index_fn(value)
        except (TypeError, ValueError):  # not a number for a numeric feature: not counted
            return None
        if label is None:
            return None
        label = str(label)
        return label if label in self._set else self.fallback

    @property
    def _set(self) -> frozenset:
        s = self.__dict__.get("_bins_set")
        if s is None:
            s = frozenset(self.bins)
            object.__setattr__(self, "_bins_set", s)
        return s


def _load(baseline: Any) -> Any:
    """Path, YAML text or an already loaded baseline -> loaded baseline object."""
    from mlmon import baseline as B

    if isinstance(baseline, os.PathLike) or (isinstance(baseline, str) and "\n" not in baseline):
        path = os.fspath(baseline)
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        return _unwrap(B.load_baseline(text, path), path)
    if isinstance(baseline, str):
        return _unwrap(B.load_baseline(baseline, "<baseline>"), "<baseline>")
    from mlmon.baseline import Baseline

    if not isinstance(baseline, Baseline):
        raise TypeError(f"baseline must be a path, YAML text or mlmon.baseline.Baseline, got {type(baseline).__name__}")
    return baseline


def _unwrap(result: Any, where: str) -> Any:
    """``load_baseline`` returns (Baseline | None, diagnostics): raise on errors."""
    from mlmon.diagnostics import format_text

    value, diags = result
    if value is None:
        raise ValueError(f"invalid baseline {where}:\n{format_text(diags)}")
    return value


def _binner(name: str, fb: Any) -> Binner:
    from mlmon import baseline as B

    bins = tuple(fb.bins) + (() if OTHER in fb.bins else (OTHER,))
    fallback = OTHER
    if fb.kind == B.NUMERIC:
        return Binner(name, bins, functools.partial(B.bin_index, fb), fallback, True, fb.valid_range)
    return Binner(name, bins, functools.partial(B.bin_index, fb), fallback, False, known=fb.known_categories)


def binners_from_baseline(baseline: Any) -> tuple[dict[str, Binner], Binner | None]:
    """(feature name -> Binner, prediction-score Binner or None) for a baseline (or None)."""
    if baseline is None:
        return {}, None
    bl = _load(baseline)
    features = {fb.name: _binner(fb.name, fb) for fb in bl.features}
    pred = bl.prediction
    return features, (_binner("prediction", pred) if pred is not None else None)
