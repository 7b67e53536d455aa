"""The baseline's values: a reference distribution per feature and for the prediction."""

from __future__ import annotations

import math
from dataclasses import dataclass

from mlmon import conventions as C

API_VERSION = "mlmon/v1"
KIND = "Baseline"
OTHER = C.DRIFT_OTHER_BIN
DEFAULT_BINS = 10
DEFAULT_TOP_K = 10
DEFAULT_MIN_ROWS = 100
DEFAULT_PSEUDO_COUNT = 0.5
DEFAULT_MAX_SEEN = 1000  # categorical: the full set of reference categories is recorded up to this many
EDGE_DIGITS = 6
NULL_TEXTS = frozenset({"", "na", "n/a", "nan", "null", "none"})
NUMERIC, CATEGORICAL = "numeric", "categorical"
_SUM_TOLERANCE = 1e-6


@dataclass(frozen=True)
class FeatureBaseline:
    name: str
    kind: str  # numeric | categorical
    counts: tuple[int, ...]
    fractions: tuple[float, ...]
    edges: tuple[float, ...] = ()  # numeric
    categories: tuple[str, ...] = ()  # categorical, without __other__
    nulls: int = 0
    # data quality (optional: older baseline files lack them)
    range: tuple[float | None, float | None] | None = None  # numeric: valid values (reference min/max, or declared; None side: unbounded)
    seen: tuple[str, ...] | None = None  # categorical: every reference category (None: more than the cap, or not recorded)

    @property
    def bins(self) -> tuple[str, ...]:
        """Bin labels, in bin order (the ``bin`` label values of the counters)."""
        if self.kind == NUMERIC:
            return tuple(str(i) for i in range(len(self.edges) + 1))
        return self.categories + (OTHER,)

    def bin_fractions(self) -> dict[str, float]:
        return dict(zip(self.bins, self.fractions))

    @property
    def valid_range(self) -> tuple[float, float]:
        """Numeric: the values that are in range for data quality: ``range`` when recorded (a
        missing side is unbounded), else the outer edges (the reference min and max, rounded
        outward to ``EDGE_DIGITS`` significant digits)."""
        if self.range is None:
            return (self.edges[0], self.edges[-1]) if self.edges else (-math.inf, math.inf)
        lo, hi = self.range
        return (-math.inf if lo is None else lo, math.inf if hi is None else hi)

    @property
    def known_categories(self) -> frozenset[str] | None:
        """Categorical: every category of the reference data, or None when the baseline does not
        know them all (more than the recorded cap, or an older file whose top-k left some out)."""
        if self.seen is not None:
            return frozenset(self.seen)
        if self.counts and self.counts[-1] == 0:  # the top-k hold every reference value
            return frozenset(self.categories)
        return None


@dataclass(frozen=True)
class Baseline:
    model: str
    created_from: str
    rows: int
    features: tuple[FeatureBaseline, ...]  # sorted by name
    prediction: FeatureBaseline | None = None
    pseudo_count: float = DEFAULT_PSEUDO_COUNT

    def feature(self, name: str) -> FeatureBaseline | None:
        for f in self.features:
            if f.name == name:
                return f
        return None

    @property
    def feature_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.features)
