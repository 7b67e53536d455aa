"""Export an Evidently data-drift report to Prometheus, for the ``drift_scores`` monitor.

Evidently 0.7 has no Prometheus exporter (its monitoring service was removed with the legacy
API). This sets the gauges that service exported, from a report's result, so that teams that
already run Evidently offline can alert and route its drift through mlmon (``drift_scores:
{preset: evidently}``):

```python
from evidently import Report
from evidently.presets import DataDriftPreset
from prometheus_client import CollectorRegistry, push_to_gateway
from mlmon.instrument.evidently import EvidentlyExport

export = EvidentlyExport(registry=CollectorRegistry())
snapshot = Report([DataDriftPreset()]).run(current_data=current, reference_data=reference)
export.update(snapshot.dict(), dataset_name="fraud-detector")
push_to_gateway("pushgateway:9091", job="evidently-fraud-detector", registry=export.registry)
```

Only the report's JSON is read (``snapshot.dict()``): this module does not import Evidently.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Gauge

VALUE = "evidently:data_drift:value"  # {dataset_name, feature, stat_test}: per-column drift value
SHARE = "evidently:data_drift:share_drifted_features"  # {dataset_name}
COUNT = "evidently:data_drift:n_drifted_features"  # {dataset_name}
VALUE_DRIFT = "evidently:metric_v2:ValueDrift"  # config.type of a report's per-column drift metric
DRIFTED_COLUMNS = "evidently:metric_v2:DriftedColumnsCount"


class EvidentlyExport:
    """The gauges, in their own registry (or the one given)."""

    def __init__(self, registry: CollectorRegistry | None = None):
        self.registry = registry if registry is not None else CollectorRegistry()
        self.value = Gauge(
            VALUE,
            "Evidently per-column data drift value (a p-value or a distance, see stat_test)",
            ["dataset_name", "feature", "stat_test"],
            registry=self.registry,
        )
        self.share = Gauge(SHARE, "Evidently share of drifted columns", ["dataset_name"], registry=self.registry)
        self.count = Gauge(COUNT, "Evidently number of drifted columns", ["dataset_name"], registry=self.registry)
        self._columns: dict[str, set[tuple[str, str]]] = {}  # dataset -> (feature, stat_test) set last time

    def update(self, report: Mapping[str, Any], dataset_name: str) -> int:
        """Set the gauges from a report result (``snapshot.dict()``); returns the number of
        columns set. Columns of an earlier report that this one lacks are removed."""
        seen: set[tuple[str, str]] = set()
        for metric in report.get("metrics", ()):
            config = metric.get("config") or {}
            kind, value = config.get("type"), metric.get("value")
            if kind == VALUE_DRIFT and isinstance(value, (int, float)):
                key = (str(config.get("column")), str(config.get("method", "")))
                self.value.labels(dataset_name, *key).set(float(value))
                seen.add(key)
            elif kind == DRIFTED_COLUMNS and isinstance(value, Mapping):
                self.share.labels(dataset_name).set(float(value.get("share", 0.0)))
                self.count.labels(dataset_name).set(float(value.get("count", 0.0)))
        for gone in self._columns.get(dataset_name, set()) - seen:
            self.value.remove(dataset_name, *gone)
        self._columns[dataset_name] = seen
        return len(seen)
