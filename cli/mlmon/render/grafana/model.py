"""Constants of the dashboard model mlmon writes (schema version, grid, data source variable) and
the keys of the current Grafana panel and query models."""

from __future__ import annotations

SCHEMA_VERSION = 39
GRID_WIDTH = 24
DATASOURCE_VAR = "datasource"
DATASOURCE = {"type": "prometheus", "uid": "${%s}" % DATASOURCE_VAR}
TIME_FROM = "now-6h"
REFRESH = "1m"
PANEL_KINDS = ("timeseries", "stat", "gauge", "bargauge", "table", "text")
ANNOTATION_COLORS = ("#8F3BB8", "#1F60C4", "#FF9830", "#37872D")  # one per annotation, in order
_BASE_COLOR = "green"
_REFRESH_INTERVALS = ["30s", "1m", "5m", "15m", "30m", "1h", "2h", "1d"]

# Keys of the current Grafana panel model (grafana-foundation-sdk Dashboard.Panel); every other
# key grafanalib emits is legacy and dropped.
_PANEL_KEYS = frozenset(
    {
        "type",
        "id",
        "title",
        "description",
        "datasource",
        "gridPos",
        "targets",
        "options",
        "fieldConfig",
        "transparent",
        "links",
        "repeat",
        "repeatDirection",
        "maxPerRow",
        "maxDataPoints",
        "transformations",
        "interval",
        "timeFrom",
        "timeShift",
        "hideTimeOverride",
        "pluginVersion",
        "libraryPanel",
        "cacheTimeout",
    }
)
# Keys of a Prometheus query (grafana-foundation-sdk prometheus.Dataquery) that mlmon sets.
_TARGET_KEYS = ("datasource", "editorMode", "expr", "format", "instant", "legendFormat", "range", "refId")


def or_default(v: float | None, default: float) -> float:
    return default if v is None else v
