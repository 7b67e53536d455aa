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
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from prometheus_client import CollectorRegistry

from mlmon.instrument.bins import Binner, binners_from_baseline
from mlmon.instrument.families import (  # noqa: F401  (re-exported)
    ERROR_REASONS,
    LATENCY_BUCKETS,
    OTHER,
    RATING_BUCKETS,
    SCORE_BUCKETS,
    Families,
    _Children,
)
from mlmon.instrument.groups import Groups
from mlmon.instrument.prediction import Prediction
from mlmon.instrument.quality import observe_quality
from mlmon.instrument.tasks import DEFAULT_K, task_counters, training_gauge


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
    groups:
        Protected attributes for the fairness rules, opt-in: label -> its values, e.g.
        ``{"region": ["eu", "uk", "us"]}``. The label goes on ``mlmon_predictions_total`` (with
        ``positive``) and ``mlmon_outcomes_total``; unlisted or missing values count as
        ``__other__`` (see :mod:`mlmon.instrument.groups` for the series this costs).
    k, catalog_size, coverage_window:
        ``ranking``: the cut-offs of NDCG@k and hit rate@k (the spec's ``ranking.k``), the
        catalogue size and the window of the coverage (see :mod:`mlmon.instrument.tasks`).
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
        groups: Mapping[str, Iterable[Any]] | None = None,
        k: Sequence[int] = DEFAULT_K,
        catalog_size: int | None = None,
        coverage_window: float = 86400.0,
        clock=time.perf_counter,
        wall_clock=None,
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

        self._groups = Groups(groups or {})
        self._m = Families(self.registry, tuple(latency_buckets), tuple(score_buckets), tuple(rating_buckets), self._groups)
        self._task = task_counters(task, self.registry, k, catalog_size, coverage_window, wall_clock)
        self._task_children: dict[str, Any] = {}
        self._training = training_gauge(self.registry)

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
                    self._m.info.remove(self.model, *self._info_labels)
                except KeyError:  # pragma: no cover
                    pass
            self._m.info.labels(self.model, version, stage).set(1)
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
        if ch is None:
            ch = self._m.children(
                self.model,
                version,
                task=self.task,
                features=self._features,
                prediction_binner=self._prediction_binner,
                classes=self.classes,
                error_reasons=self.error_reasons,
            )
            self._children[version] = ch
            if self._task is not None:
                self._task_children[version] = self._task.children(self.model, version)
        return ch

    def _current(self, version: str | None) -> tuple[str, _Children]:
        with self._lock:
            v = self._version if version is None else str(version)
            return v, self._children_for(v)

    # --- predictions ------------------------------------------------------------------------
    @contextmanager
    def predict(
        self, features: Mapping[str, Any] | None = None, *, version: str | None = None, groups: Mapping[str, Any] | None = None
    ) -> Iterator[Prediction]:
        """Time one prediction; bin its features; count it, and count it as failed on exception.

        ``with mon.predict(x) as p: p.score(model(x))``. An exception inside the block is counted
        (reason ``exception``, or its class name when that is a declared reason) and re-raised.
        ``groups``: the request's protected attributes (default: the features of those names).
        """
        v, ch = self._current(version)
        p = Prediction(self, v, groups=self._groups.of(groups, features))
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
        groups: Mapping[str, Any] | None = None,
    ) -> None:
        """Record a prediction that was timed elsewhere (batch jobs, async servers)."""
        v, ch = self._current(version)
        if features is not None:
            self.observe_features(features, version=v)
        p = Prediction(
            self, v, None if score is None else float(score), None if predicted is None else str(predicted), error, groups=self._groups.of(groups, features)
        )
        self._finish(ch, p, latency)

    def _decision(self, p: Prediction) -> str:
        """``positive`` of a finished prediction: the binary decision, or "" when there is none."""
        if p.error_reason is not None or self.task != "binary_classification":
            return ""
        if p.score_value is not None and not math.isnan(p.score_value):
            return "true" if p.score_value >= self.threshold else "false"
        return "" if p.predicted is None else ("true" if _truthy(p.predicted) else "false")

    def _finish(self, ch: _Children, p: Prediction, elapsed: float | None) -> None:
        ch.predictions[(*p.groups, self._decision(p)) if self._groups.labels else ()].inc()
        if elapsed is not None:
            ch.latency.observe(elapsed)
        if p.error_reason is not None:
            reason = p.error_reason if p.error_reason in ch.errors else OTHER
            ch.errors[reason].inc()
            return
        if p.score_value is not None:
            self.observe_score(p.score_value, version=p.version)

    def observe_features(self, features: Mapping[str, Any], *, version: str | None = None) -> None:
        """Count each baseline feature's value in its drift bin, and its data quality: a feature
        absent from ``features`` or of the wrong type (schema), a missing value, a number outside
        the baseline's valid range, a category the reference data never had."""
        _, ch = self._current(version)
        if self._feature_names:
            observe_quality(ch, self._features, features)

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

    def error(self, reason: str = "exception", *, version: str | None = None, groups: Mapping[str, Any] | None = None) -> None:
        """Count a failed request that never reached :meth:`predict` (it is also a prediction)."""
        _, ch = self._current(version)
        ch.predictions[(*self._groups.of(groups, None), "") if self._groups.labels else ()].inc()
        ch.errors[reason if reason in ch.errors else OTHER].inc()

    # --- ground truth -----------------------------------------------------------------------
    def outcome(
        self,
        actual: Any,
        *,
        predicted: Any = None,
        score: float | None = None,
        version: str | None = None,
        groups: Mapping[str, Any] | None = None,
        delay: float | None = None,
        predicted_at: float | None = None,
    ) -> None:
        """Join a ground-truth label to a prediction (call when the label arrives).

        Binary: ``actual`` is truthy for the positive class; ``predicted`` defaults to
        ``score >= threshold``. Multiclass: ``actual`` and ``predicted`` are class names.
        Regression: numbers. Ranking: ``predicted`` is the list as served (best first),
        ``actual`` the relevant items (an iterable, or a mapping item -> graded gain).
        Pass the ``version`` that made the prediction when it may have changed since, its
        ``groups`` (protected attributes) when the monitor has group labels, and how late the
        label is (``delay`` seconds, or ``predicted_at`` Unix time) for ``mlmon_label_delay_seconds``.
        """
        v, ch = self._current(version)
        ch.labels_joined.inc()
        if delay is None and predicted_at is not None:
            delay = time.time() - float(predicted_at)
        if delay is not None:
            ch.label_delay.observe(max(0.0, float(delay)))
        if self._task is not None:
            if predicted is None:
                raise ValueError(f"{self.task} outcome needs predicted=")
            self._task.observe(self._task_children[v], actual, predicted)
            return
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
        ch.outcomes[(*self._groups.of(groups, None), ("t" if yhat == y else "f") + ("p" if yhat else "n"))].inc()
        if score is not None and not (math.isnan(float(score)) or math.isinf(float(score))):
            ch.labeled_score["1" if y else "0"].observe(float(score))

    def recommended(self, items: Iterable[Any], *, version: str | None = None) -> None:
        """``ranking``: the items of a served list, for the catalogue coverage."""
        ch = self._ranking(version)  # first: only a ranking monitor has served lists
        self._task.served(ch, items)

    def set_catalog_size(self, n: int, *, version: str | None = None) -> None:
        """``ranking``: how many items could be recommended (the coverage denominator)."""
        self._ranking(version)["catalog"].set(int(n))

    def _ranking(self, version: str | None) -> Any:
        if self.task != "ranking":
            raise ValueError("only a ModelMonitor of task='ranking' counts served lists and a catalogue")
        return self._task_children[self._current(version)[0]]

    def set_training_metrics(self, metrics: Mapping[str, float], *, version: str | None = None) -> None:
        """The version's figures at training time (``{"mae": 3.2}``, ``{"ndcg_at_10": 0.41}``); the
        regression and ranking alerts compare production with them."""
        v, _ = self._current(version)
        for name, value in sorted(metrics.items()):
            self._training.labels(self.model, v, str(name)).set(float(value))

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
