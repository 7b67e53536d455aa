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

import json
from typing import Any, Sequence

from mlmon.artifacts import Panel, Row, Target, Threshold

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
_PANEL_KEYS = frozenset({
    "type", "id", "title", "description", "datasource", "gridPos", "targets", "options", "fieldConfig",
    "transparent", "links", "repeat", "repeatDirection", "maxPerRow", "maxDataPoints", "transformations",
    "interval", "timeFrom", "timeShift", "hideTimeOverride", "pluginVersion", "libraryPanel", "cacheTimeout",
})
# Keys of a Prometheus query (grafana-foundation-sdk prometheus.Dataquery) that mlmon sets.
_TARGET_KEYS = ("datasource", "editorMode", "expr", "format", "instant", "legendFormat", "range", "refId")


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
    return _dashboard(uid=uid, title=title, description=description, tags=tags, rows=rows,
                      annotations=annotations, links=links)


def fleet_dashboard(*, uid: str, title: str, description: str, tags: Sequence[str], rows: Sequence[Row]) -> dict[str, Any]:
    """Fleet overview dashboard (all models)."""
    return _dashboard(uid=uid, title=title, description=description, tags=tags, rows=rows, annotations=(), links=())


# --- dashboard ---------------------------------------------------------------------------------
def _dashboard(*, uid: str, title: str, description: str, tags: Sequence[str], rows: Sequence[Row], annotations: Sequence[tuple[str, str]],
               links: Sequence[tuple[str, str]]) -> dict[str, Any]:
    import grafanalib.core as G

    panels = _layout(rows)
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
    raw = _plain(dash)
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
        "panels": [_finish_panel(rp, spec) for rp, (_, spec) in zip(raw["panels"], panels)],
    }
    return out


def _datasource_variable() -> Any:
    import grafanalib.core as G

    # grafanalib's Template has no datasource-variable shape of its own; it serialises the common
    # fields, _clean_variable() keeps the ones a datasource variable has.
    return G.Template(name=DATASOURCE_VAR, label="Data source", query="prometheus", type="datasource",
                      default="", regex="", refresh=1, hide=0, sort=0, includeAll=False, multi=False)


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
    items: list[dict[str, Any]] = [{
        # Grafana adds this built-in annotation to every dashboard; emitting it keeps diffs quiet.
        "builtIn": 1,
        "datasource": {"type": "grafana", "uid": "-- Grafana --"},
        "enable": True,
        "hide": True,
        "iconColor": "rgba(0, 211, 255, 1)",
        "name": "Annotations & Alerts",
        "type": "dashboard",
    }]
    for i, (name, expr) in enumerate(pairs):
        items.append({
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
        })
    return items


# --- layout ------------------------------------------------------------------------------------
def _layout(rows: Sequence[Row]) -> list[tuple[Any, Row | Panel]]:
    """grafanalib panel objects with ids and grid positions, each paired with its neutral source.
    Panels of a collapsed row are nested in the row panel (Grafana's model); they follow it at top
    level otherwise."""
    import grafanalib.core as G

    out: list[tuple[Any, Row | Panel]] = []
    next_id = 1
    y = 0
    for row in rows:
        row_id = next_id
        next_id += 1
        row_y = y
        y += 1
        x = 0
        line_h = 0
        children: list[tuple[Any, Panel]] = []
        for panel in row.panels:
            _check_panel(panel)
            w = panel.width
            if x + w > GRID_WIDTH:  # wrap
                y += line_h
                x = 0
                line_h = 0
            obj = _panel_object(panel, next_id, G.GridPos(h=panel.height, w=w, x=x, y=y))
            children.append((obj, panel))
            next_id += 1
            x += w
            line_h = max(line_h, panel.height)
        y += line_h
        if row.collapsed:
            # A collapsed row takes one grid line; the panels inside keep their own positions.
            y = row_y + 1
        row_obj = G.RowPanel(title=row.title, id=row_id, collapsed=row.collapsed,
                             gridPos=G.GridPos(h=1, w=GRID_WIDTH, x=0, y=row_y),
                             panels=[o for o, _ in children] if row.collapsed else [])
        out.append((row_obj, row))
        if not row.collapsed:
            out.extend(children)
    return out


def _check_panel(panel: Panel) -> None:
    if panel.kind not in PANEL_KINDS:
        raise ValueError(f"panel {panel.title!r}: unknown kind {panel.kind!r} (expected one of {', '.join(PANEL_KINDS)})")
    if not 1 <= panel.width <= GRID_WIDTH or panel.height < 1:
        raise ValueError(f"panel {panel.title!r}: size {panel.width}x{panel.height} outside the {GRID_WIDTH}-column grid")
    if len(panel.targets) > 26:
        raise ValueError(f"panel {panel.title!r}: more than 26 queries")


# --- panels ------------------------------------------------------------------------------------
def _panel_object(panel: Panel, pid: int, grid: Any) -> Any:
    """The grafanalib object for one neutral panel."""
    import grafanalib.core as G

    common: dict[str, Any] = dict(title=panel.title, id=pid, gridPos=grid, description=panel.description)
    if panel.kind == "text":
        return G.Text(content=panel.text, mode="markdown", **common)
    common.update(dataSource=dict(DATASOURCE), targets=[_target_object(t, i, panel.kind) for i, t in enumerate(panel.targets)])
    if panel.kind == "timeseries":
        return G.TimeSeries(unit=panel.unit, legendDisplayMode="list", legendPlacement="bottom",
                            tooltipMode="multi", tooltipSort="desc", fillOpacity=10, showPoints="never",
                            **common)
    if panel.kind == "stat":
        return G.Stat(format=panel.unit, graphMode="area", colorMode="value", reduceCalc="lastNotNull",
                      decimals=panel.decimals, **common)
    if panel.kind == "gauge":
        return G.GaugePanel(format=panel.unit, calc="lastNotNull", decimals=panel.decimals,
                            min=_num(panel.min, 0), max=_num(panel.max, 100), **common)
    if panel.kind == "bargauge":
        return G.BarGauge(format=panel.unit, calc="lastNotNull", decimals=panel.decimals, displayMode="gradient",
                          orientation="horizontal", min=_num(panel.min, 0), max=_num(panel.max, 100), **common)
    return G.Table(unit=panel.unit, showHeader=True, **common)  # table


def _target_object(t: Target, i: int, kind: str) -> Any:
    import grafanalib.core as G

    return G.Target(expr=t.expr, legendFormat=t.legend, refId=_ref_id(i), instant=t.instant,
                    format="table" if kind == "table" else "time_series", datasource=dict(DATASOURCE))


def _ref_id(i: int) -> str:
    return chr(ord("A") + i)


def _num(v: float | None, default: float) -> float:
    return default if v is None else v


def _finish_panel(raw: dict[str, Any], spec: Row | Panel) -> dict[str, Any]:
    """Normalise grafanalib's JSON of one panel (or row) to the current Grafana panel model."""
    if isinstance(spec, Row):
        out = {
            "type": "row",
            "id": raw["id"],
            "title": raw["title"],
            "collapsed": raw["collapsed"],
            "gridPos": raw["gridPos"],
            "panels": [_finish_panel(p, s) for p, s in zip(raw["panels"], spec.panels)] if spec.collapsed else [],
        }
        return out
    out = {k: v for k, v in raw.items() if k in _PANEL_KEYS and v is not None}
    for legacy_default in ("cacheTimeout", "interval", "timeFrom", "timeShift", "repeat"):
        out.pop(legacy_default, None)
    if not out.get("description"):
        out.pop("description", None)
    out.pop("maxDataPoints", None)  # grafanalib forces 100; Grafana's default follows the panel width
    out.pop("transformations", None) if not out.get("transformations") else None
    out.pop("links", None) if not out.get("links") else None
    out["hideTimeOverride"] = False
    out["transparent"] = False
    if spec.kind == "text":
        out.pop("datasource", None)
        out.pop("targets", None)
        out["options"] = {
            "mode": "markdown",
            "content": raw["options"]["content"],
            "code": {"language": "plaintext", "showLineNumbers": False, "showMiniMap": False},
        }
        out["fieldConfig"] = {"defaults": {}, "overrides": []}
        return out
    out["datasource"] = dict(DATASOURCE)
    out["targets"] = [_finish_target(t) for t in raw["targets"]]
    out["fieldConfig"] = {"defaults": _field_defaults(raw, spec), "overrides": []}
    out["options"] = _options(raw, spec)
    return out


def _finish_target(raw: dict[str, Any]) -> dict[str, Any]:
    t = {k: raw[k] for k in _TARGET_KEYS if k in raw and raw[k] is not None}
    t["datasource"] = dict(DATASOURCE)
    t["editorMode"] = "code"
    t["range"] = not raw["instant"]
    return t


def _thresholds(spec: Panel) -> dict[str, Any]:
    steps = sorted(spec.thresholds, key=lambda th: (th.value is not None, th.value or 0.0))
    if not steps or steps[0].value is not None:
        steps = [Threshold(None, _BASE_COLOR), *steps]
    bases = [s for s in steps if s.value is None]
    if len(bases) > 1:
        raise ValueError(f"panel {spec.title!r}: more than one base threshold (value None)")
    return {"mode": "absolute", "steps": [{"color": s.color, "value": _float(s.value)} for s in steps]}


def _float(v: float | None) -> float | int | None:
    if v is None:
        return None
    f = float(v)
    return int(f) if f.is_integer() and abs(f) < 2**53 else f


def _field_defaults(raw: dict[str, Any], spec: Panel) -> dict[str, Any]:
    d: dict[str, Any] = {
        "unit": spec.unit,
        "thresholds": _thresholds(spec),
        "mappings": [],
        "color": {"mode": "palette-classic" if spec.kind == "timeseries" else "thresholds"},
    }
    if spec.min is not None:
        d["min"] = _float(spec.min)
    if spec.max is not None:
        d["max"] = _float(spec.max)
    if spec.kind in ("gauge", "bargauge"):  # percentage scales need bounds; grafanalib's 0..100 default
        d.setdefault("min", _float(_num(spec.min, 0)))
        d.setdefault("max", _float(_num(spec.max, 100)))
    if spec.decimals is not None:
        d["decimals"] = spec.decimals
    if spec.kind == "timeseries":
        custom = {k: v for k, v in raw["fieldConfig"]["defaults"]["custom"].items() if v is not None}
        custom["stacking"] = {"mode": "none", "group": "A"}
        custom["thresholdsStyle"] = {"mode": "line" if spec.thresholds else "off"}
        d["custom"] = custom
    elif spec.kind == "table":
        raw_custom = raw["fieldConfig"]["defaults"]["custom"]
        # No ``cellOptions``: in the upstream schema its ``oneOf`` variants differ only by a ``type``
        # enum (not a const), so no value can match exactly one; Grafana's default is "auto" anyway.
        d["custom"] = {"align": raw_custom["align"], "inspect": False, "filterable": raw_custom["filterable"]}
    return d


def _reduce(calc: str = "lastNotNull") -> dict[str, Any]:
    return {"calcs": [calc], "fields": "", "values": False}


def _options(raw: dict[str, Any], spec: Panel) -> dict[str, Any]:
    ro = raw.get("options") or {}
    if spec.kind == "timeseries":
        return {
            "legend": {"displayMode": ro["legend"]["displayMode"], "placement": ro["legend"]["placement"],
                       "showLegend": True, "calcs": []},
            "tooltip": {"mode": ro["tooltip"]["mode"], "sort": ro["tooltip"]["sort"]},
        }
    if spec.kind == "stat":
        return {
            "graphMode": ro["graphMode"], "colorMode": ro["colorMode"], "justifyMode": ro["justifyMode"],
            "textMode": ro["textMode"], "orientation": ro["orientation"], "wideLayout": True,
            "showPercentChange": False, "percentChangeColorMode": "standard",
            "reduceOptions": _reduce(ro["reduceOptions"]["calcs"][0]),
        }
    if spec.kind == "gauge":
        return {
            "showThresholdLabels": False, "showThresholdMarkers": True, "sizing": "auto",
            "minVizWidth": 75, "minVizHeight": 75, "orientation": "auto",
            "reduceOptions": _reduce(raw["fieldConfig"]["defaults"]["calcs"][0]),
        }
    if spec.kind == "bargauge":
        return {
            "displayMode": ro["displayMode"], "orientation": ro["orientation"], "valueMode": "color",
            "namePlacement": "auto", "showUnfilled": True, "sizing": "auto", "minVizWidth": 8, "minVizHeight": 16,
            "maxVizHeight": 300, "legend": {"displayMode": "list", "placement": "bottom", "showLegend": False, "calcs": []},
            "reduceOptions": _reduce(ro["fieldOptions"]["calcs"][0]),
        }
    # table
    return {"showHeader": ro["showHeader"], "frameIndex": 0, "cellHeight": "sm",
            "footer": {"show": False, "reducer": ["sum"], "countRows": False}}


_SCALARS = (str, int, float, bool, type(None))


def _plain(obj: Any) -> Any:
    """grafanalib object -> plain JSON data (dicts, lists, scalars): what a JSON round trip through
    grafanalib's ``DashboardEncoder`` gives, without writing and parsing the text."""
    t = type(obj)
    if t is dict:
        return {_key(k): _plain(v) for k, v in obj.items()}
    if t is list or t is tuple:
        return [_plain(v) for v in obj]
    if t in _SCALARS:
        return obj
    to_json_data = getattr(obj, "to_json_data", None)
    if to_json_data is not None:
        return _plain(to_json_data())
    if isinstance(obj, _SCALARS):  # str/int/float subclasses serialise as their base value
        return json.loads(json.dumps(obj))
    if isinstance(obj, (dict, list, tuple)):
        return _plain(dict(obj) if isinstance(obj, dict) else list(obj))
    raise TypeError(f"cannot convert {t.__name__} to dashboard JSON")


def _key(k: Any) -> str:
    """Dict keys as JSON writes them (``True`` -> ``"true"``, ``1`` -> ``"1"``)."""
    if type(k) is str:
        return k
    key: str = json.loads(json.dumps({k: 0})).popitem()[0]
    return key
