"""Bin values exactly as the generated drift rules expect: on the baseline's edges, through
:func:`mlmon.baseline.bin_index`, with the baseline's bin labels.

A :class:`Binner` knows a feature's complete, ordered list of bin labels (so every bin can be
created at zero) and maps a value to one of them. A value whose label is not in that list (which
``bin_index`` should never produce) is counted in the fallback bin (``__other__`` for categorical
features, the last bin otherwise), so the label set never grows at run time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Callable, Mapping

OTHER = "__other__"


@dataclass(frozen=True)
class Binner:
    name: str
    bins: tuple[str, ...]
    index_fn: Callable[[Any], Any]
    fallback: str

    def index(self, value: Any) -> str:
        try:
            label = self.index_fn(value)
        except (TypeError, ValueError):
            return self.fallback
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

    if isinstance(baseline, os.PathLike) or (isinstance(baseline, str) and "\n" not in baseline and os.path.exists(baseline)):
        path = os.fspath(baseline)
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        return _unwrap(B.load_baseline(text, path), path)
    if isinstance(baseline, str):
        return _unwrap(B.load_baseline(baseline, "<baseline>"), "<baseline>")
    return baseline


def _unwrap(result: Any, where: str) -> Any:
    """load_baseline may return the baseline or (baseline, diagnostics)."""
    if isinstance(result, tuple) and len(result) == 2:
        value, diags = result
        errors = [d for d in (diags or []) if str(getattr(d, "severity", "")).lower().endswith("error")]
        if value is None or errors:
            msgs = "; ".join(str(getattr(d, "message", d)) for d in (errors or diags or []))
            raise ValueError(f"{where}: invalid baseline: {msgs or 'could not be read'}")
        return value
    return result


def _feature_bins(fb: Any) -> tuple[str, ...]:
    from mlmon import baseline as B

    for fn in ("bin_labels", "labels_of"):
        f = getattr(B, fn, None)
        if callable(f):
            return tuple(str(x) for x in f(fb))
    for attr in ("bin_labels", "bins", "labels"):
        v = getattr(fb, attr, None)
        if callable(v):
            v = v()
        if v is not None and not isinstance(v, (str, bytes)):
            return tuple(str(getattr(x, "label", x)) for x in v)
    raise TypeError(f"cannot list the bins of baseline entry {fb!r}")


def _is_categorical(fb: Any, bins: tuple[str, ...]) -> bool:
    kind = getattr(fb, "kind", None) or getattr(fb, "type", None)
    if kind is not None:
        return str(kind).lower().startswith("cat")
    return OTHER in bins


def _binner(name: str, fb: Any) -> Binner:
    from mlmon import baseline as B

    bins = _feature_bins(fb)
    fallback = OTHER if (OTHER in bins) else bins[-1]
    return Binner(name, bins, lambda v, _fb=fb: B.bin_index(_fb, v), fallback)


def _features_of(bl: Any) -> Mapping[str, Any]:
    feats = getattr(bl, "features", None)
    if feats is None and isinstance(bl, Mapping):
        feats = bl.get("features")
    if feats is None:
        return {}
    if isinstance(feats, Mapping):
        return dict(feats)
    return {getattr(f, "name"): f for f in feats}


def _prediction_of(bl: Any) -> Any:
    for attr in ("prediction", "score", "prediction_score"):
        v = getattr(bl, attr, None)
        if v is not None:
            return v
    return None


def binners_from_baseline(baseline: Any) -> tuple[dict[str, Binner], Binner | None]:
    """(feature name -> Binner, prediction-score Binner or None) for a baseline (or None)."""
    if baseline is None:
        return {}, None
    bl = _load(baseline)
    features = {name: _binner(name, fb) for name, fb in _features_of(bl).items()}
    pred = _prediction_of(bl)
    return features, (_binner("prediction", pred) if pred is not None else None)
