"""Bin values exactly as the generated drift rules expect: on the baseline's edges, through
:func:`mlmon.baseline.bin_index`, with the baseline's bin labels.

A :class:`Binner` knows a feature's complete, ordered list of bin labels (so every bin can be
created at zero) and maps a value to one of them. A value whose label is not in that list (which
``bin_index`` should never produce) is counted in the fallback bin (``__other__`` for categorical
features, the last bin otherwise), so the label set never grows at run time.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

OTHER = "__other__"


@dataclass(frozen=True)
class Binner:
    name: str
    bins: tuple[str, ...]
    index_fn: Callable[[Any], Any]
    fallback: str

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

    bins = tuple(fb.bins)
    fallback = OTHER if OTHER in bins else bins[-1]
    return Binner(name, bins, functools.partial(B.bin_index, fb), fallback)


def binners_from_baseline(baseline: Any) -> tuple[dict[str, Binner], Binner | None]:
    """(feature name -> Binner, prediction-score Binner or None) for a baseline (or None)."""
    if baseline is None:
        return {}, None
    bl = _load(baseline)
    features = {fb.name: _binner(fb.name, fb) for fb in bl.features}
    pred = bl.prediction
    return features, (_binner("prediction", pred) if pred is not None else None)
