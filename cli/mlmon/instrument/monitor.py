"""``ModelMonitor``: one object that makes a model service emit mlmon's whole metric contract.

Every metric name comes from :mod:`mlmon.conventions`; features and prediction scores are binned
with :func:`mlmon.baseline.bin_index` on the edges of the committed baseline, so the counters line
up bin for bin with the recording rules ``mlmon generate`` writes for the same baseline.

Guarantees:

- **No absent series.** Every bin of every feature, every outcome (tp/fp/tn/fn), every cell of
  the confusion matrix, every error reason and feedback kind is created at zero when a version
  is set, so ``sum``/``increase`` never silently drop a term.
- **Bounded cardinality.** Label values come from the baseline, the class list or the declared
  error reasons only; anything else folds into ``__other__``.
- **Thread-safe.** prometheus_client metric children are thread-safe; the monitor's own state
  (current version, per-version children) is guarded by a lock.
- **No global state.** Metrics live in the monitor's own ``CollectorRegistry`` unless you pass
  one (pass ``prometheus_client.REGISTRY`` to use the default registry).
"""

from __future__ import annotations

import math
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Mapping, Sequence

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from mlmon import conventions as C
from mlmon.instrument.bins import Binner, binners_from_baseline

OTHER = C.DRIFT_OTHER_BIN if hasattr(C, "DRIFT_OTHER_BIN") else "__other__"

#: Latency buckets (seconds); the ``mlmon`` preset's latency SLO thresholds must be one of them.
LATENCY_BUCKETS: tuple[float, ...] = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
#: Buckets of the score histograms (prediction score and labelled score for AUC).
SCORE_BUCKETS: tuple[float, ...] = tuple(round(0.1 * i, 1) for i in range(1, 11))
#: Buckets of the user rating histogram (1-5 stars by default).
RATING_BUCKETS: tuple[float, ...] = (1.0, 2.0, 3.0, 4.0, 5.0)
#: Error reasons created at zero; any other reason is counted as ``__other__``.
ERROR_REASONS: tuple[str, ...] = ("exception", "invalid_input", "timeout")
OUTCOMES: tuple[str, ...] = ("tp", "fp", "tn", "fn")
FEEDBACK_KINDS: tuple[str, ...] = ("positive", "negative")

try:  # prefer the names the presets use, so SLO thresholds match bucket bounds
    from mlmon.presets import INSTRUMENT_BUCKETS as _PRESET_BUCKETS

    LATENCY_BUCKETS = tuple(float(b) for b in _PRESET_BUCKETS)
except Exception:  # pragma: no cover - presets always present in the package
    pass


def _base(name: str, suffix: str) -> str:
    """prometheus_client appends ``_total`` to counters itself."""
    return name[: -len(suffix)] if name.endswith(suffix) else name


@dataclass
class _Children:
    """The label-bound metric children of one model version (created once, reused)."""

    predictions: Any
    latency: Any
    errors: dict[str, Any]
    invalid: Any
    score: Any
    features: dict[str, dict[str, Any]]
    prediction_bins: dict[str, Any]
    outcomes: dict[str, Any]
    confusion: dict[tuple[str, str], Any]
    labels_joined: Any
    labeled_score: dict[str, Any]
    feedback: dict[str, Any]
    rating: Any
    trained: Any


@dataclass
class Prediction:
    """Handle yielded by :meth:`ModelMonitor.predict`: report the model's output on it."""

    monitor: "ModelMonitor"
    version: str
    score_value: float | None = None
    predicted: str | None = None
    error_reason: str | None = None
    extra: dict = field(default_factory=dict)

    def score(self, value: float) -> float:
        """Record the model's score (probability of the positive class, or any bounded output)."""
        self.score_value = float(value)
        return value

    def label(self, value: Any) -> Any:
        """Record the predicted class (multiclass models)."""
        self.predicted = str(value)
        return value

    def fail(self, reason: str = "exception") -> None:
        """Count this request as failed without raising (e.g. the handler returns HTTP 4xx/5xx)."""
        self.error_reason = reason


class ModelMonitor:
    """Emit the mlmon metric contract for one model.

    Parameters
    ----------
    model:
        The model id used in the spec (label ``model``).
    version, stage:
        Current model version and deployment stage (``mlmon_model_info{model,version,stage}``).
    baseline:
        The model's baseline: a path to the YAML written by ``mlmon baseline``, its text, or an
        object returned by :func:`mlmon.baseline.load_baseline`. Features and the prediction
        score are binned on its edges. ``None``: no drift counters.
    task:
        ``binary_classification`` (outcomes tp/fp/tn/fn at ``threshold``) or
        ``multiclass_classification`` (confusion counters over ``classes``); anything else
        records labels joined and the labelled score only.
    classes:
        Class names for multiclass confusion counters (others fold into ``__other__``).
    registry:
        Where metrics are registered; a fresh ``CollectorRegistry`` by default.
    """

    def __init__(
        self,
        model: str,
        *,
        version: str = "unknown",
        stage: str = "production",
        baseline: Any = None,
        task: str = "binary_classification",
        classes: Sequence[Any] = (),
        threshold: float = 0.5,
        trained_at: float | None = None,
        registry: CollectorRegistry | None = None,
        latency_buckets: Sequence[float] = LATENCY_BUCKETS,
        score_buckets: Sequence[float] = SCORE_BUCKETS,
        rating_buckets: Sequence[float] = RATING_BUCKETS,
        error_reasons: Iterable[str] = ERROR_REASONS,
        clock=time.perf_counter,
    ) -> None:
        self.model = model
        self.task = task
        self.threshold = float(threshold)
        self.classes = tuple(str(c) for c in classes)
        if task == "multiclass_classification" and not self.classes:
            raise ValueError("multiclass_classification needs classes=[...]")
        self.registry = registry if registry is not None else CollectorRegistry(auto_describe=True)
        self.error_reasons = tuple(dict.fromkeys([*error_reasons, OTHER]))
        self._clock = clock
        self._lock = threading.RLock()
        self._features, self._prediction_binner = binners_from_baseline(baseline)
        self._feature_names = tuple(sorted(self._features))
        self._children: dict[str, _Children] = {}
        self._info_labels: tuple[str, str] | None = None
        self._version = ""
        self._stage = ""

        mv = (C.L_MODEL, C.L_VERSION)
        r = self.registry
        self._m_predictions = Counter(_base(C.PREDICTIONS_TOTAL, "_total"), "Predictions served, failed ones included.", mv, registry=r)
        self._m_errors = Counter(_base(C.PREDICTION_ERRORS_TOTAL, "_total"), "Failed predictions by reason.", (*mv, "reason"), registry=r)
        self._m_latency = Histogram(C.PREDICTION_LATENCY, "Prediction latency in seconds.", mv, buckets=tuple(latency_buckets), registry=r)
        self._m_invalid = Counter(_base(C.INVALID_OUTPUTS_TOTAL, "_total"), "Outputs that were NaN, infinite or out of range.", mv, registry=r)
        self._m_score = Histogram(C.PREDICTION_SCORE, "Prediction scores.", mv, buckets=tuple(score_buckets), registry=r)
        self._m_info = Gauge(C.MODEL_INFO, "Model version currently served (1).", (*mv, "stage"), registry=r, multiprocess_mode="max")
        self._m_trained = Gauge(C.MODEL_TRAINED_TIMESTAMP, "Unix time the served version was trained.", mv, registry=r, multiprocess_mode="max")
        self._m_feature_bins = Counter(
            _base(C.FEATURE_BIN_TOTAL, "_total"), "Feature values by baseline bin.", (*mv, "feature", "bin"), registry=r
        )
        self._m_prediction_bins = Counter(
            _base(C.PREDICTION_BIN_TOTAL, "_total"), "Prediction scores by baseline bin.", (*mv, "bin"), registry=r
        )
        self._m_outcomes = Counter(
            _base(C.OUTCOMES_TOTAL, "_total"), "Binary outcomes once ground truth arrived.", (*mv, "outcome"), registry=r
        )
        self._m_confusion = Counter(
            _base(C.CONFUSION_TOTAL, "_total"), "Multiclass confusion counts once ground truth arrived.", (*mv, "predicted", "actual"), registry=r
        )
        self._m_labels = Counter(_base(C.LABELS_JOINED_TOTAL, "_total"), "Ground-truth labels joined to predictions.", mv, registry=r)
        self._m_labeled_score = Histogram(
            C.LABELED_SCORE, "Scores of labelled predictions by actual class (for AUC).", (*mv, "actual"), buckets=tuple(score_buckets), registry=r
        )
        self._m_feedback = Counter(_base(C.FEEDBACK_TOTAL, "_total"), "User feedback by kind.", (*mv, "kind"), registry=r)
        self._m_rating = Histogram(C.FEEDBACK_RATING, "User ratings.", mv, buckets=tuple(rating_buckets), registry=r)

        self.set_version(version, stage=stage, trained_at=trained_at)

    # --- versions ---------------------------------------------------------------------------
    @property
    def version(self) -> str:
        return self._version

    def set_version(self, version: str, *, stage: str | None = None, trained_at: float | None = None) -> None:
        """Switch the served version: info gauge moves to it and its series start at zero.

        Earlier versions' counters stay exported (Prometheus needs them for ``increase`` across
        the switch); only the info gauge of the previous version is removed.
        """
        version = str(version)
        with self._lock:
            stage = self._stage if stage is None else stage
            stage = stage or "production"
            if self._info_labels is not None:
                try:
                    self._m_info.remove(self.model, *self._info_labels)
                except KeyError:  # pragma: no cover
                    pass
            self._m_info.labels(self.model, version, stage).set(1)
            self._info_labels = (version, stage)
            self._version, self._stage = version, stage
            ch = self._children_for(version)
            if trained_at is not None:
                ch.trained.set(float(trained_at))

    def set_trained(self, timestamp: float | None = None) -> None:
        """Record when the served version was trained (Unix seconds; now when omitted)."""
        with self._lock:
            self._children_for(self._version).trained.set(time.time() if timestamp is None else float(timestamp))

    def _children_for(self, version: str) -> _Children:
        ch = self._children.get(version)
        if ch is not None:
            return ch
        m, v = self.model, version
        features = {
            name: {b: self._m_feature_bins.labels(m, v, name, b) for b in binner.bins}
            for name, binner in sorted(self._features.items())
        }
        prediction_bins = {b: self._m_prediction_bins.labels(m, v, b) for b in self._prediction_binner.bins} if self._prediction_binner else {}
        if self.task == "multiclass_classification":
            cls = (*self.classes, OTHER)
            confusion = {(p, a): self._m_confusion.labels(m, v, p, a) for p in cls for a in cls}
            outcomes: dict[str, Any] = {}
        else:
            confusion = {}
            outcomes = {o: self._m_outcomes.labels(m, v, o) for o in OUTCOMES} if self.task == "binary_classification" else {}
        ch = _Children(
            predictions=self._m_predictions.labels(m, v),
            latency=self._m_latency.labels(m, v),
            errors={r: self._m_errors.labels(m, v, r) for r in self.error_reasons},
            invalid=self._m_invalid.labels(m, v),
            score=self._m_score.labels(m, v),
            features=features,
            prediction_bins=prediction_bins,
            outcomes=outcomes,
            confusion=confusion,
            labels_joined=self._m_labels.labels(m, v),
            labeled_score={a: self._m_labeled_score.labels(m, v, a) for a in ("0", "1")} if self.task == "binary_classification" else {},
            feedback={k: self._m_feedback.labels(m, v, k) for k in FEEDBACK_KINDS},
            rating=self._m_rating.labels(m, v),
            trained=self._m_trained.labels(m, v),
        )
        self._children[version] = ch
        return ch

    def _current(self, version: str | None) -> tuple[str, _Children]:
        with self._lock:
            v = self._version if version is None else str(version)
            return v, self._children_for(v)

    # --- predictions ------------------------------------------------------------------------
    @contextmanager
    def predict(self, features: Mapping[str, Any] | None = None, *, version: str | None = None) -> Iterator[Prediction]:
        """Time one prediction; bin its features; count it, and count it as failed on exception.

        ``with mon.predict(x) as p: p.score(model(x))``. An exception inside the block is counted
        (reason ``exception``, or its class name when that is a declared reason) and re-raised.
        """
        v, ch = self._current(version)
        p = Prediction(self, v)
        if features is not None:
            self.observe_features(features, version=v)
        start = self._clock()
        try:
            yield p
        except BaseException as exc:
            if not isinstance(exc, (GeneratorExit, KeyboardInterrupt, SystemExit)):
                name = type(exc).__name__
                p.error_reason = p.error_reason or (name if name in self.error_reasons else "exception")
            raise
        finally:
            elapsed = max(0.0, self._clock() - start)
            self._finish(ch, p, elapsed)

    def record(
        self,
        features: Mapping[str, Any] | None = None,
        *,
        score: float | None = None,
        predicted: Any = None,
        latency: float | None = None,
        error: str | None = None,
        version: str | None = None,
    ) -> None:
        """Record a prediction that was timed elsewhere (batch jobs, async servers)."""
        v, ch = self._current(version)
        if features is not None:
            self.observe_features(features, version=v)
        p = Prediction(self, v, None if score is None else float(score), None if predicted is None else str(predicted), error)
        self._finish(ch, p, latency)

    def _finish(self, ch: _Children, p: Prediction, elapsed: float | None) -> None:
        ch.predictions.inc()
        if elapsed is not None:
            ch.latency.observe(elapsed)
        if p.error_reason is not None:
            reason = p.error_reason if p.error_reason in ch.errors else OTHER
            ch.errors[reason].inc()
            return
        if p.score_value is not None:
            self.observe_score(p.score_value, version=p.version)

    def observe_features(self, features: Mapping[str, Any], *, version: str | None = None) -> None:
        """Count each baseline feature's value in its bin (missing features are not counted)."""
        _, ch = self._current(version)
        for name in self._feature_names:
            if name not in features:
                continue
            b = self._features[name].index(features[name])
            if b is None:  # missing value: not binned (the baseline does not count nulls either)
                continue
            bins = ch.features[name]
            (bins.get(b) or bins[self._features[name].fallback]).inc()

    def observe_score(self, score: float, *, version: str | None = None) -> bool:
        """Record a prediction score; NaN/inf (or outside the baseline range rules) counts as invalid."""
        _, ch = self._current(version)
        s = float(score)
        if math.isnan(s) or math.isinf(s):
            ch.invalid.inc()
            return False
        ch.score.observe(s)
        if self._prediction_binner is not None:
            b = self._prediction_binner.index(s) or self._prediction_binner.fallback
            (ch.prediction_bins.get(b) or ch.prediction_bins[self._prediction_binner.fallback]).inc()
        return True

    def invalid_output(self, *, version: str | None = None) -> None:
        """Count an output the service had to reject (NaN, out of range, wrong shape)."""
        self._current(version)[1].invalid.inc()

    def error(self, reason: str = "exception", *, version: str | None = None) -> None:
        """Count a failed request that never reached :meth:`predict` (it is also a prediction)."""
        _, ch = self._current(version)
        ch.predictions.inc()
        ch.errors[reason if reason in ch.errors else OTHER].inc()

    # --- ground truth -----------------------------------------------------------------------
    def outcome(self, actual: Any, *, predicted: Any = None, score: float | None = None, version: str | None = None) -> None:
        """Join a ground-truth label to a prediction (call when the label arrives).

        Binary: ``actual`` is truthy for the positive class; ``predicted`` defaults to
        ``score >= threshold``. Multiclass: ``actual`` and ``predicted`` are class names.
        Pass the ``version`` that made the prediction when it may have changed since.
        """
        _, ch = self._current(version)
        ch.labels_joined.inc()
        if self.task == "multiclass_classification":
            if predicted is None:
                raise ValueError("multiclass outcome needs predicted=")
            known = set(self.classes)
            p, a = str(predicted), str(actual)
            ch.confusion[(p if p in known else OTHER, a if a in known else OTHER)].inc()
            return
        if self.task != "binary_classification":
            return
        y = _truthy(actual)
        if predicted is None:
            if score is None:
                raise ValueError("binary outcome needs predicted= or score=")
            yhat = float(score) >= self.threshold
        else:
            yhat = _truthy(predicted)
        ch.outcomes[("t" if yhat == y else "f") + ("p" if yhat else "n")].inc()
        if score is not None and not (math.isnan(float(score)) or math.isinf(float(score))):
            ch.labeled_score["1" if y else "0"].observe(float(score))

    # --- feedback ---------------------------------------------------------------------------
    def feedback(self, positive: bool, *, version: str | None = None) -> None:
        """Thumbs up (``True``) or down (``False``) from a user."""
        self._current(version)[1].feedback["positive" if positive else "negative"].inc()

    def rating(self, value: float, *, version: str | None = None) -> None:
        """A user rating (1-5 stars by default buckets)."""
        self._current(version)[1].rating.observe(float(value))

    # --- exposition -------------------------------------------------------------------------
    def exposition(self) -> bytes:
        """The text format of this monitor's registry (what ``/metrics`` serves)."""
        from prometheus_client import generate_latest

        return generate_latest(self.registry)

    def start_http_server(self, port: int, addr: str = "127.0.0.1"):
        """Serve ``/metrics`` on ``addr:port`` in a daemon thread; returns (server, thread)."""
        from prometheus_client import start_http_server

        return start_http_server(port, addr=addr, registry=self.registry)

    @property
    def features(self) -> tuple[str, ...]:
        return self._feature_names

    def bins(self, feature: str) -> tuple[str, ...]:
        return tuple(self._features[feature].bins)

    def prediction_bins(self) -> tuple[str, ...]:
        return tuple(self._prediction_binner.bins) if self._prediction_binner else ()


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "positive", "pos", "t", "y")
    return bool(value)


__all__ = ["ModelMonitor", "Prediction", "Binner", "OTHER", "LATENCY_BUCKETS", "SCORE_BUCKETS"]
