"""grafanalib's JSON of a panel -> the current Grafana panel model (legacy keys dropped, options and
field defaults as a current Grafana saves them), and grafanalib objects -> plain JSON data."""

from __future__ import annotations

import json
from typing import Any

from mlmon.artifacts import Panel, Row, Threshold
from mlmon.render.grafana.model import _BASE_COLOR, _PANEL_KEYS, _TARGET_KEYS, DATASOURCE, or_default


def finish_panel(raw: dict[str, Any], spec: Row | Panel) -> dict[str, Any]:
    """Normalise grafanalib's JSON of one panel (or row) to the current Grafana panel model."""
    if isinstance(spec, Row):
        out = {
            "type": "row",
            "id": raw["id"],
            "title": raw["title"],
            "collapsed": raw["collapsed"],
            "gridPos": raw["gridPos"],
            "panels": [finish_panel(p, s) for p, s in zip(raw["panels"], spec.panels)] if spec.collapsed else [],
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
        d.setdefault("min", _float(or_default(spec.min, 0)))
        d.setdefault("max", _float(or_default(spec.max, 100)))
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
            "legend": {"displayMode": ro["legend"]["displayMode"], "placement": ro["legend"]["placement"], "showLegend": True, "calcs": []},
            "tooltip": {"mode": ro["tooltip"]["mode"], "sort": ro["tooltip"]["sort"]},
        }
    if spec.kind == "stat":
        return {
            "graphMode": ro["graphMode"],
            "colorMode": ro["colorMode"],
            "justifyMode": ro["justifyMode"],
            "textMode": ro["textMode"],
            "orientation": ro["orientation"],
            "wideLayout": True,
            "showPercentChange": False,
            "percentChangeColorMode": "standard",
            "reduceOptions": _reduce(ro["reduceOptions"]["calcs"][0]),
        }
    if spec.kind == "gauge":
        return {
            "showThresholdLabels": False,
            "showThresholdMarkers": True,
            "sizing": "auto",
            "minVizWidth": 75,
            "minVizHeight": 75,
            "orientation": "auto",
            "reduceOptions": _reduce(raw["fieldConfig"]["defaults"]["calcs"][0]),
        }
    if spec.kind == "bargauge":
        return {
            "displayMode": ro["displayMode"],
            "orientation": ro["orientation"],
            "valueMode": "color",
            "namePlacement": "auto",
            "showUnfilled": True,
            "sizing": "auto",
            "minVizWidth": 8,
            "minVizHeight": 16,
            "maxVizHeight": 300,
            "legend": {"displayMode": "list", "placement": "bottom", "showLegend": False, "calcs": []},
            "reduceOptions": _reduce(ro["fieldOptions"]["calcs"][0]),
        }
    # table
    return {"showHeader": ro["showHeader"], "frameIndex": 0, "cellHeight": "sm", "footer": {"show": False, "reducer": ["sum"], "countRows": False}}


_SCALARS = (str, int, float, bool, type(None))
_SCALAR_TYPES = frozenset(_SCALARS)


def plain(obj: Any) -> Any:
    """grafanalib object -> plain JSON data (dicts, lists, scalars): what a JSON round trip through
    grafanalib's ``DashboardEncoder`` gives, without writing and parsing the text."""
    t = type(obj)
    scalars = _SCALAR_TYPES
    if t is dict:  # scalars inline: most values of a dashboard are
        return {(k if type(k) is str else _key(k)): (v if type(v) in scalars else plain(v)) for k, v in obj.items()}
    if t is list or t is tuple:
        return [v if type(v) in scalars else plain(v) for v in obj]
    if t in scalars:
        return obj
    to_json_data = getattr(obj, "to_json_data", None)
    if to_json_data is not None:
        return plain(to_json_data())
    if isinstance(obj, _SCALARS):  # str/int/float subclasses serialise as their base value
        return json.loads(json.dumps(obj))
    if isinstance(obj, (dict, list, tuple)):
        return plain(dict(obj) if isinstance(obj, dict) else list(obj))
    raise TypeError(f"cannot convert {t.__name__} to dashboard JSON")


def _key(k: Any) -> str:
    """Dict keys as JSON writes them (``True`` -> ``"true"``, ``1`` -> ``"1"``)."""
    if type(k) is str:
        return k
    key: str = json.loads(json.dumps({k: 0})).popitem()[0]
    return key
