"""The baseline's values: a reference distribution per feature and for the prediction."""

from __future__ import annotations

from dataclasses import dataclass

from mlmon import conventions as C

API_VERSION = "mlmon/v1"
KIND = "Baseline"
OTHER = C.DRIFT_OTHER_BIN
DEFAULT_BINS = 10
DEFAULT_TOP_K = 10
DEFAULT_MIN_ROWS = 100
DEFAULT_PSEUDO_COUNT = 0.5
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

    @property
    def bins(self) -> tuple[str, ...]:
        """Bin labels, in bin order (the ``bin`` label values of the counters)."""
        if self.kind == NUMERIC:
            return tuple(str(i) for i in range(len(self.edges) + 1))
        return self.categories + (OTHER,)

    def bin_fractions(self) -> dict[str, float]:
        return dict(zip(self.bins, self.fractions))


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
