"""Grafana dashboards: neutral ``Row``/``Panel``/``Target`` values -> dashboard JSON (a dict[str, Any]).

Pure: values in, a plain ``dict`` out (serialise it with ``render.emit.to_json``). Panels are
built with grafanalib (imported lazily: ``import grafanalib.core`` costs ~130 ms and ``mlmon lint``
must stay fast), then normalised to the current Grafana dashboard model: grafanalib 0.7.1 still
emits legacy keys (``rows``, ``style``, ``gnetId: null``, ``span``, ``op``/``yaxis`` thresholds,
``fieldOptions`` ...) that Grafana migrates on import and that the upstream dashboard schema
(grafana-foundation-sdk ``dashboard.jsonschema.json``) rejects. The normalised output is what a
current Grafana (schemaVersion 39) saves itself, so ``diff`` against a live server stays quiet.

Layout: each ``Row`` becomes a full-width ``row`` panel; its panels flow left to right by
``Panel.width`` / ``Panel.height`` on the 24-column grid and wrap to a new line when the next panel
does not fit. Panel ids are sequential (1, 2, ...) in document order. Every panel and query uses
the ``datasource`` template variable (``{"type": "prometheus", "uid": "${datasource}"}``).
Output is deterministic: no random ids, timestamps or versions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mlmon.artifacts import Row
from mlmon.render.grafana.layout import layout
from mlmon.render.grafana.model import (
    _REFRESH_INTERVALS,
    ANNOTATION_COLORS,
    DATASOURCE,
    DATASOURCE_VAR,
    GRID_WIDTH,
    PANEL_KINDS,
    REFRESH,
    SCHEMA_VERSION,
    TIME_FROM,
)
from mlmon.render.grafana.normalise import finish_panel, plain

__all__ = [
    "ANNOTATION_COLORS",
    "DATASOURCE",
    "DATASOURCE_VAR",
    "GRID_WIDTH",
    "PANEL_KINDS",
    "REFRESH",
    "SCHEMA_VERSION",
    "TIME_FROM",
    "fleet_dashboard",
    "model_dashboard",
]


# --- public API ------------------------------------------------------------------------------
def model_dashboard(
    *,
    uid: str,
    title: str,
    description: str,
    tags: Sequence[str],
    rows: Sequence[Row],
    annotations: Sequence[tuple[str, str]] = (),
    links: Sequence[tuple[str, str]] = (),
) -> dict[str, Any]:
    """Dashboard of one model. ``annotations``: (name, PromQL) pairs shown as Prometheus
    annotation queries (e.g. deployments); ``links``: (title, url) dashboard links."""
    return _dashboard(uid=uid, title=title, description=description, tags=tags, rows=rows, annotations=annotations, links=links)


def fleet_dashboard(*, uid: str, title: str, description: str, tags: Sequence[str], rows: Sequence[Row]) -> dict[str, Any]:
    """Fleet overview dashboard (all models)."""
    return _dashboard(uid=uid, title=title, description=description, tags=tags, rows=rows, annotations=(), links=())


# --- dashboard ---------------------------------------------------------------------------------
def _dashboard(
    *,
    uid: str,
    title: str,
    description: str,
    tags: Sequence[str],
    rows: Sequence[Row],
    annotations: Sequence[tuple[str, str]],
    links: Sequence[tuple[str, str]],
) -> dict[str, Any]:
    import grafanalib.core as G

    panels = layout(rows)
    dash = G.Dashboard(
        title=title,
        uid=uid,
        description=description,
        tags=list(tags),
        editable=False,
        graphTooltip=1,  # shared crosshair
        schemaVersion=SCHEMA_VERSION,
        refresh=REFRESH,
        time=G.Time(TIME_FROM, "now"),
        timezone="browser",
        timePicker=G.TimePicker(refreshIntervals=list(_REFRESH_INTERVALS), timeOptions=[]),
        templating=G.Templating(list=[_datasource_variable()]),
        annotations=G.Annotations(list=_annotations(annotations)),
        links=[G.DashboardLink(title=t, uri=url, type="link", icon="external link", keepTime=True) for t, url in links],
        panels=[p for p, _ in panels],
    )
    raw = plain(dash)
    out: dict[str, Any] = {
        "uid": raw["uid"],
        "title": raw["title"],
        "description": raw["description"],
        "tags": raw["tags"],
        "editable": raw["editable"],
        "graphTooltip": raw["graphTooltip"],
        "schemaVersion": raw["schemaVersion"],
        "refresh": raw["refresh"],
        "time": raw["time"],
        "timezone": raw["timezone"],
        "timepicker": {"refresh_intervals": raw["timepicker"]["refresh_intervals"]},
        "fiscalYearStartMonth": 0,
        "liveNow": False,
        "templating": {"list": [_clean_variable(v) for v in raw["templating"]["list"]]},
        "annotations": raw["annotations"],
        "links": raw["links"],
        "panels": [finish_panel(rp, spec) for rp, (_, spec) in zip(raw["panels"], panels)],
    }
    return out


def _datasource_variable() -> Any:
    import grafanalib.core as G

    # grafanalib's Template has no datasource-variable shape of its own; it serialises the common
    # fields, _clean_variable() keeps the ones a datasource variable has.
    return G.Template(
        name=DATASOURCE_VAR,
        label="Data source",
        query="prometheus",
        type="datasource",
        default="",
        regex="",
        refresh=1,
        hide=0,
        sort=0,
        includeAll=False,
        multi=False,
    )


def _clean_variable(v: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": v["name"],
        "label": v["label"],
        "type": v["type"],
        "query": v["query"],
        "regex": v["regex"] or "",
        "refresh": v["refresh"],
        "hide": v["hide"],
        "includeAll": v["includeAll"],
        "multi": v["multi"],
        "options": [],
        "skipUrlSync": False,
    }


def _annotations(pairs: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = [
        {
            # Grafana adds this built-in annotation to every dashboard; emitting it keeps diffs quiet.
            "builtIn": 1,
            "datasource": {"type": "grafana", "uid": "-- Grafana --"},
            "enable": True,
            "hide": True,
            "iconColor": "rgba(0, 211, 255, 1)",
            "name": "Annotations & Alerts",
            "type": "dashboard",
        }
    ]
    for i, (name, expr) in enumerate(pairs):
        items.append(
            {
                "name": name,
                "datasource": dict(DATASOURCE),
                "enable": True,
                "hide": False,
                "iconColor": ANNOTATION_COLORS[i % len(ANNOTATION_COLORS)],
                "expr": expr,
                "step": "1m",
                "titleFormat": name,
                "textFormat": "",
                "tagKeys": "",
                "useValueForTime": False,
            }
        )
    return items
