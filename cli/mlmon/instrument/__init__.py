"""Make a model service emit mlmon's metric contract from one object.

```python
from mlmon.instrument import ModelMonitor

mon = ModelMonitor("fraud-detector", version="v3", baseline="baselines/fraud-detector.yaml")
mon.start_http_server(8000)                      # /metrics on 127.0.0.1:8000 (or serve mon.exposition())

with mon.predict(features) as p:                 # latency, count, errors (exceptions), feature bins, data quality
    p.score(model.predict_proba(features))       # score histogram + prediction-score bins

mon.outcome(actual=1, score=0.93, delay=3600)    # later, when ground truth arrives: tp/fp/tn/fn, AUC histogram, label delay
mon.feedback(positive=False); mon.rating(4)      # user feedback
mon.set_version("v4", stage="canary", trained_at=1764115200)
```

Fairness needs the protected attribute on the decision and outcome counters: opt in with
``ModelMonitor(..., groups={"region": ["eu", "uk", "us"]})`` (bounded: other values count as
``__other__``; see :mod:`mlmon.instrument.groups`).

Multiprocess servers (gunicorn, uvicorn workers): set ``PROMETHEUS_MULTIPROC_DIR`` before the
workers import prometheus_client, create one ``ModelMonitor`` per worker, and expose
``multiprocess_registry()`` instead of ``mon.registry``. Counters and histograms are summed over
workers; the info and trained-at gauges use ``max``. As prometheus_client allows: removing the
previous version's info series on ``set_version`` is not possible in multiprocess mode (the old
series reads 1 until its worker restarts), so restart workers on a version change.
"""

from mlmon.instrument.bins import Binner
from mlmon.instrument.monitor import (
    LATENCY_BUCKETS,
    OTHER,
    RATING_BUCKETS,
    SCORE_BUCKETS,
    ModelMonitor,
    Prediction,
)


def multiprocess_registry():
    """A registry that collects every worker's metrics (prometheus_client multiprocess mode)."""
    from prometheus_client import CollectorRegistry, multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


__all__ = [
    "Binner",
    "LATENCY_BUCKETS",
    "ModelMonitor",
    "OTHER",
    "Prediction",
    "RATING_BUCKETS",
    "SCORE_BUCKETS",
    "multiprocess_registry",
]
