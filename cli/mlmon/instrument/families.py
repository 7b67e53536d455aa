"""The metric families of the contract (names from ``mlmon.conventions``) and the label-bound
children of one model version, every label combination created at zero so no series is absent."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from mlmon import conventions as C
from mlmon.instrument.groups import Groups
from mlmon.presets import INSTRUMENT_BUCKETS

OTHER = C.DRIFT_OTHER_BIN

#: Latency buckets (seconds); the ``mlmon`` preset's latency SLO thresholds must be one of them.
LATENCY_BUCKETS: tuple[float, ...] = tuple(float(b) for b in INSTRUMENT_BUCKETS)
#: Buckets of the score histograms (prediction score and labelled score for AUC).
SCORE_BUCKETS: tuple[float, ...] = tuple(round(0.1 * i, 1) for i in range(1, 11))
#: Buckets of the user rating histogram (1-5 stars by default).
RATING_BUCKETS: tuple[float, ...] = (1.0, 2.0, 3.0, 4.0, 5.0)
#: Error reasons created at zero; any other reason is counted as ``__other__``.
ERROR_REASONS: tuple[str, ...] = ("exception", "invalid_input", "timeout")
OUTCOMES: tuple[str, ...] = ("tp", "fp", "tn", "fn")
FEEDBACK_KINDS: tuple[str, ...] = ("positive", "negative")
#: Buckets of the label delay histogram (seconds): 1 minute ... 30 days.
LABEL_DELAY_BUCKETS: tuple[float, ...] = (60.0, 300.0, 900.0, 3600.0, 10800.0, 21600.0, 43200.0, 86400.0, 172800.0, 604800.0, 2592000.0)
#: Values of ``positive`` on mlmon_predictions_total when groups are on ("": no decision, e.g. a failed request).
DECISIONS: tuple[str, ...] = ("true", "false", "")


def _base(name: str, suffix: str) -> str:
    """prometheus_client appends ``_total`` to counters itself."""
    return name[: -len(suffix)] if name.endswith(suffix) else name


@dataclass
class _Children:
    """The label-bound metric children of one model version (created once, reused)."""

    predictions: dict[tuple[str, ...], Any]  # (*group values, positive) -> child; () without groups
    latency: Any
    errors: dict[str, Any]
    invalid: Any
    score: Any
    features: dict[str, dict[str, Any]]
    prediction_bins: dict[str, Any]
    outcomes: dict[tuple[str, ...], Any]  # (*group values, outcome) -> child
    confusion: dict[tuple[str, str], Any]
    labels_joined: Any
    labeled_score: dict[str, Any]
    feedback: dict[str, Any]
    rating: Any
    trained: Any
    label_delay: Any
    rows: Any
    quality: dict[str, dict[str, Any]]  # data-quality check -> feature -> child


class Families:
    """Every metric family of the contract, registered in one registry."""

    def __init__(
        self,
        registry: CollectorRegistry,
        latency_buckets: tuple[float, ...],
        score_buckets: tuple[float, ...],
        rating_buckets: tuple[float, ...],
        groups: Groups | None = None,
    ) -> None:
        mv = (C.L_MODEL, C.L_VERSION)
        r = registry
        self.groups = groups or Groups({})
        g = self.groups.labels
        decided = (*g, C.L_POSITIVE) if g else ()
        self.predictions = Counter(_base(C.PREDICTIONS_TOTAL, "_total"), "Predictions served, failed ones included.", (*mv, *decided), registry=r)
        self.errors = Counter(_base(C.PREDICTION_ERRORS_TOTAL, "_total"), "Failed predictions by reason.", (*mv, "reason"), registry=r)
        self.latency = Histogram(C.PREDICTION_LATENCY, "Prediction latency in seconds.", mv, buckets=tuple(latency_buckets), registry=r)
        self.invalid = Counter(_base(C.INVALID_OUTPUTS_TOTAL, "_total"), "Outputs that were NaN, infinite or out of range.", mv, registry=r)
        self.score = Histogram(C.PREDICTION_SCORE, "Prediction scores.", mv, buckets=tuple(score_buckets), registry=r)
        self.info = Gauge(C.MODEL_INFO, "Model version currently served (1).", (*mv, "stage"), registry=r, multiprocess_mode="max")
        self.trained = Gauge(C.MODEL_TRAINED_TIMESTAMP, "Unix time the served version was trained.", mv, registry=r, multiprocess_mode="max")
        self.feature_bins = Counter(_base(C.FEATURE_BIN_TOTAL, "_total"), "Feature values by baseline bin.", (*mv, "feature", "bin"), registry=r)
        self.prediction_bins = Counter(_base(C.PREDICTION_BIN_TOTAL, "_total"), "Prediction scores by baseline bin.", (*mv, "bin"), registry=r)
        self.outcomes = Counter(_base(C.OUTCOMES_TOTAL, "_total"), "Binary outcomes once ground truth arrived.", (*mv, *g, "outcome"), registry=r)
        self.confusion = Counter(
            _base(C.CONFUSION_TOTAL, "_total"), "Multiclass confusion counts once ground truth arrived.", (*mv, "predicted", "actual"), registry=r
        )
        self.labels = Counter(_base(C.LABELS_JOINED_TOTAL, "_total"), "Ground-truth labels joined to predictions.", mv, registry=r)
        self.labeled_score = Histogram(
            C.LABELED_SCORE, "Scores of labelled predictions by actual class (for AUC).", (*mv, "actual"), buckets=tuple(score_buckets), registry=r
        )
        self.feedback = Counter(_base(C.FEEDBACK_TOTAL, "_total"), "User feedback by kind.", (*mv, "kind"), registry=r)
        self.rating = Histogram(C.FEEDBACK_RATING, "User ratings.", mv, buckets=tuple(rating_buckets), registry=r)
        self.label_delay = Histogram(C.LABEL_DELAY, "Time from prediction to its ground-truth label, seconds.", mv, buckets=LABEL_DELAY_BUCKETS, registry=r)
        self.rows = Counter(_base(C.FEATURE_ROWS_TOTAL, "_total"), "Requests whose features were checked.", mv, registry=r)
        quality_help = {
            "missing": "Feature values that were null, NaN or empty.",
            "out_of_range": "Numeric feature values outside the baseline's valid range.",
            "unseen": "Categorical feature values the reference data never had.",
            "schema": "Features absent from a request, or of the wrong type.",
        }
        self.quality = {
            k: Counter(_base(C.DQ_COUNTERS[k], "_total"), quality_help[k], (*mv, C.L_FEATURE, *(("reason",) if k == "schema" else ())), registry=r)
            for k in C.DQ_KINDS
        }

    def children(
        self, model: str, version: str, *, task: str, features: dict[str, Any], prediction_binner: Any, classes: tuple[str, ...], error_reasons: tuple[str, ...]
    ) -> _Children:
        """The children of one version of ``model``."""
        m, v = model, version
        feature_bins = {name: {b: self.feature_bins.labels(m, v, name, b) for b in binner.bins} for name, binner in sorted(features.items())}
        combos = self.groups.combinations()
        prediction_bins = {b: self.prediction_bins.labels(m, v, b) for b in prediction_binner.bins} if prediction_binner else {}
        if task == "multiclass_classification":
            cls = (*classes, OTHER)
            confusion = {(p, a): self.confusion.labels(m, v, p, a) for p in cls for a in cls}
            outcomes: dict[tuple[str, ...], Any] = {}
        else:
            confusion = {}
            binary = task == "binary_classification"
            outcomes = {(*c, o): self.outcomes.labels(m, v, *c, o) for c in combos for o in OUTCOMES} if binary else {}
        keys = [(*c, d) for c in combos for d in DECISIONS] if self.groups.labels else [()]
        predictions = {k: self.predictions.labels(m, v, *k) for k in keys}
        return _Children(
            predictions=predictions,
            latency=self.latency.labels(m, v),
            errors={r: self.errors.labels(m, v, r) for r in error_reasons},
            invalid=self.invalid.labels(m, v),
            score=self.score.labels(m, v),
            features=feature_bins,
            prediction_bins=prediction_bins,
            outcomes=outcomes,
            confusion=confusion,
            labels_joined=self.labels.labels(m, v),
            labeled_score={a: self.labeled_score.labels(m, v, a) for a in ("0", "1")} if task == "binary_classification" else {},
            feedback={k: self.feedback.labels(m, v, k) for k in FEEDBACK_KINDS},
            rating=self.rating.labels(m, v),
            trained=self.trained.labels(m, v),
            label_delay=self.label_delay.labels(m, v),
            rows=self.rows.labels(m, v),
            quality=self._quality_children(m, v, features),
        )

    def _quality_children(self, m: str, v: str, features: dict[str, Any]) -> dict[str, dict[str, Any]]:
        """Every check a feature can fail, at zero: missing and schema for all, out-of-range for
        numeric ones, unseen for categorical ones whose reference categories are known."""
        q = self.quality
        names = sorted(features)
        return {
            "missing": {f: q["missing"].labels(m, v, f) for f in names},
            "out_of_range": {f: q["out_of_range"].labels(m, v, f) for f in names if features[f].numeric},
            "unseen": {f: q["unseen"].labels(m, v, f) for f in names if features[f].checks_unseen},
            "schema": {f"{f}/{r}": q["schema"].labels(m, v, f, r) for f in names for r in C.SCHEMA_REASONS},
        }
