"""Grafana renderer: layout, datasource wiring, field config, determinism, and validity against the
upstream grafana-foundation-sdk dashboard schema (tests/helpers/grafana_schema.py)."""

from __future__ import annotations

import copy
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ (for helpers.*)

from helpers.grafana_schema import SCHEMA_DIR, validate_dashboard  # noqa: E402
from mlmon.artifacts import Panel, Row, Target, Threshold
from mlmon.render.emit import to_json  # noqa: E402
from mlmon.render.grafana import DATASOURCE, fleet_dashboard, model_dashboard  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
DS = {"type": "prometheus", "uid": "${datasource}"}

ROWS = (
    Row(
        "Service level",
        (
            Panel(
                "Request rate",
                "timeseries",
                (
                    Target('sum(rate(mlmon_predictions_total{model="fraud"}[5m]))', "{{version}}"),
                    Target('sum(rate(mlmon_prediction_errors_total{model="fraud"}[5m]))', "errors"),
                ),
                unit="reqps",
                thresholds=(Threshold(5.0, "red"), Threshold(None, "green"), Threshold(1.0, "orange")),
            ),
            Panel(
                "Availability (30d)",
                "stat",
                (Target('slo:sli_error:ratio_rate30d{model="fraud"}', instant=True),),
                unit="percentunit",
                decimals=3,
                width=6,
                thresholds=(Threshold(None, "red"), Threshold(0.999, "green")),
            ),
            Panel("Error budget left", "gauge", (Target("1 - x", instant=True),), unit="percentunit", min=0, max=1, width=6),
        ),
    ),
    Row(
        "Drift",
        (
            Panel("PSI per feature", "bargauge", (Target("mlmon:psi", "{{feature}}", instant=True),), width=8, height=6),
            Panel("Features", "table", (Target("mlmon:psi", instant=True), Target("mlmon:js", instant=True)), width=16, height=6),
            Panel("About", "text", text="**Drift** is computed against `baselines/fraud.yaml`.", width=24, height=3),
        ),
    ),
    Row("Cost", (Panel("Hourly cost", "timeseries", (Target("x"),), unit="currencyUSD", width=24),), collapsed=True),
    Row("After collapsed", (Panel("Up", "stat", (Target("up"),)),)),
)


def _model(**kw):
    args = dict(
        uid="mlmon-fraud-detector",
        title="fraud-detector",
        description="Model fraud-detector (team risk-ml)",
        tags=("mlmon", "team:risk-ml"),
        rows=ROWS,
        annotations=(("Deployments", 'changes(mlmon_model_info{model="fraud-detector"}[5m]) > 0'),),
        links=(("Runbook", "https://runbooks.example/fraud"),),
    )
    args.update(kw)
    return model_dashboard(**args)


def _all_panels(d):
    for p in d["panels"]:
        yield p
        yield from p.get("panels", [])


# --- validity ----------------------------------------------------------------------------------
def test_model_dashboard_is_valid_against_upstream_schema():
    assert validate_dashboard(_model()) == []


def test_fleet_dashboard_is_valid_against_upstream_schema():
    d = fleet_dashboard(uid="mlmon-fleet", title="ML fleet", description="All models", tags=["mlmon"], rows=ROWS)
    assert validate_dashboard(d) == []
    assert [a["name"] for a in d["annotations"]["list"]] == ["Annotations & Alerts"]
    assert d["links"] == []


def test_empty_dashboard_is_valid():
    d = fleet_dashboard(uid="e", title="empty", description="", tags=[], rows=[])
    assert d["panels"] == []
    assert validate_dashboard(d) == []


# --- dashboard-level settings ------------------------------------------------------------------
def test_dashboard_settings():
    d = _model()
    assert d["uid"] == "mlmon-fraud-detector"
    assert d["title"] == "fraud-detector"
    assert d["tags"] == ["mlmon", "team:risk-ml"]
    assert d["schemaVersion"] == 39
    assert d["time"] == {"from": "now-6h", "to": "now"}
    assert d["refresh"] == "1m"
    assert d["editable"] is False
    for legacy in ("rows", "gnetId", "style", "sharedCrosshair", "hideControls", "__inputs", "id", "version"):
        assert legacy not in d, legacy


def test_datasource_variable_and_every_panel_and_target_use_it():
    d = _model()
    (var,) = d["templating"]["list"]
    assert var["name"] == "datasource" and var["type"] == "datasource" and var["query"] == "prometheus"
    assert DATASOURCE == DS
    n_targets = 0
    for p in _all_panels(d):
        if p["type"] in ("row", "text"):
            assert "targets" not in p
            continue
        assert p["datasource"] == DS, p["title"]
        for t in p["targets"]:
            assert t["datasource"] == DS
            n_targets += 1
    assert n_targets == 9
    deploy = d["annotations"]["list"][1]
    assert deploy["name"] == "Deployments" and deploy["datasource"] == DS
    assert deploy["expr"] == 'changes(mlmon_model_info{model="fraud-detector"}[5m]) > 0'


def test_links():
    (link,) = _model()["links"]
    assert link["title"] == "Runbook" and link["url"] == "https://runbooks.example/fraud" and link["type"] == "link"


# --- layout ------------------------------------------------------------------------------------
def test_layout_rows_full_width_panels_flow_and_wrap():
    d = _model()
    pos = [(p["id"], p["type"], p["title"], tuple(p["gridPos"][k] for k in "xywh")) for p in d["panels"]]
    assert pos == [
        (1, "row", "Service level", (0, 0, 24, 1)),
        (2, "timeseries", "Request rate", (0, 1, 12, 8)),
        (3, "stat", "Availability (30d)", (12, 1, 6, 8)),
        (4, "gauge", "Error budget left", (18, 1, 6, 8)),
        (5, "row", "Drift", (0, 9, 24, 1)),
        (6, "bargauge", "PSI per feature", (0, 10, 8, 6)),
        (7, "table", "Features", (8, 10, 16, 6)),
        (8, "text", "About", (0, 16, 24, 3)),  # 8 + 16 + 24 > 24: wraps below the tallest panel of the line
        (9, "row", "Cost", (0, 19, 24, 1)),  # collapsed: its panel is nested
        (11, "row", "After collapsed", (0, 20, 24, 1)),
        (12, "stat", "Up", (0, 21, 12, 8)),
    ]
    cost = d["panels"][8]
    assert cost["collapsed"] is True
    assert [(p["id"], p["title"], p["gridPos"]) for p in cost["panels"]] == [(10, "Hourly cost", {"h": 8, "w": 24, "x": 0, "y": 20})]
    assert all(p["panels"] == [] for p in d["panels"] if p["type"] == "row" and not p["collapsed"])


def test_panel_ids_are_sequential():
    ids = [p["id"] for p in _all_panels(_model())]
    assert sorted(ids) == list(range(1, len(ids) + 1))


@pytest.mark.parametrize(
    "bad",
    [
        Panel("w", "stat", width=25),
        Panel("w", "stat", width=0),
        Panel("h", "stat", height=0),
        Panel("k", "graph"),
        Panel("t", "stat", tuple(Target("up") for _ in range(27))),
    ],
)
def test_invalid_panels_raise(bad):
    with pytest.raises(ValueError, match=repr(bad.title)):
        _model(rows=(Row("r", (bad,)),))


# --- panels ------------------------------------------------------------------------------------
def test_targets_ref_ids_and_instant():
    d = _model()
    ts = d["panels"][1]
    assert [(t["refId"], t["legendFormat"], t["instant"], t["range"]) for t in ts["targets"]] == [
        ("A", "{{version}}", False, True),
        ("B", "errors", False, True),
    ]
    stat = d["panels"][2]
    assert (stat["targets"][0]["instant"], stat["targets"][0]["range"]) == (True, False)
    table = d["panels"][6]
    assert [t["refId"] for t in table["targets"]] == ["A", "B"]
    assert {t["format"] for t in table["targets"]} == {"table"}
    assert {t["format"] for t in ts["targets"]} == {"time_series"}


def test_unit_thresholds_min_max_decimals():
    d = _model()
    ts, stat, gauge = d["panels"][1:4]
    assert ts["fieldConfig"]["defaults"]["unit"] == "reqps"
    # sorted, base step first
    assert ts["fieldConfig"]["defaults"]["thresholds"] == {
        "mode": "absolute",
        "steps": [{"color": "green", "value": None}, {"color": "orange", "value": 1}, {"color": "red", "value": 5}],
    }
    assert ts["fieldConfig"]["defaults"]["custom"]["thresholdsStyle"] == {"mode": "line"}
    sd = stat["fieldConfig"]["defaults"]
    assert (sd["unit"], sd["decimals"]) == ("percentunit", 3)
    assert sd["thresholds"]["steps"] == [{"color": "red", "value": None}, {"color": "green", "value": 0.999}]
    assert "min" not in sd and "max" not in sd
    gd = gauge["fieldConfig"]["defaults"]
    assert (gd["min"], gd["max"]) == (0, 1)
    # a panel without thresholds gets a single base step
    assert d["panels"][10]["fieldConfig"]["defaults"]["thresholds"]["steps"] == [{"color": "green", "value": None}]


def test_two_base_thresholds_rejected():
    p = Panel("x", "stat", (Target("up"),), thresholds=(Threshold(None, "red"), Threshold(None, "green")))
    with pytest.raises(ValueError, match="base threshold"):
        _model(rows=(Row("r", (p,)),))


def test_text_panel():
    text = _model()["panels"][7]
    assert text["options"]["mode"] == "markdown"
    assert text["options"]["content"] == "**Drift** is computed against `baselines/fraud.yaml`."
    assert "datasource" not in text


def test_panel_kinds_map_to_grafana_types():
    kinds = {p["title"]: p["type"] for p in _all_panels(_model())}
    assert kinds["PSI per feature"] == "bargauge" and kinds["Features"] == "table" and kinds["Error budget left"] == "gauge"


# --- determinism -------------------------------------------------------------------------------
def test_deterministic_bytes():
    a, b = to_json(_model()), to_json(_model())
    assert a == b
    assert not re.search(r"20\d\d-\d\d-\d\dT", a)  # no timestamps
    assert '"version"' not in a and '"id": null' not in a


def test_renderer_does_not_import_grafanalib_at_module_import():
    code = "import sys, mlmon.render.grafana; print('grafanalib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env={"PYTHONPATH": str(ROOT / "cli")}).stdout.strip()
    assert out == "False"


# --- the validator rejects broken dashboards ---------------------------------------------------
def _break(mutate):
    d = copy.deepcopy(_model())
    mutate(d)
    return validate_dashboard(d)


def _set(path, value):
    def f(d):
        obj = d
        for k in path[:-1]:
            obj = obj[k]
        obj[path[-1]] = value

    return f


def _delete(path):
    def f(d):
        obj = d
        for k in path[:-1]:
            obj = obj[k]
        del obj[path[-1]]

    return f


BROKEN = {
    "legacy rows key": (_set(["rows"], []), "Additional properties are not allowed ('rows'"),
    "gnetId null": (_set(["gnetId"], None), "gnetId: None is not of type 'string'"),
    "missing schemaVersion": (_delete(["schemaVersion"]), "'schemaVersion' is a required property"),
    "panel wider than grid": (_set(["panels", 1, "gridPos", "w"], 30), "panels/1/gridPos/w: 30 is greater than the maximum of 24"),
    "panel sticks out of grid": (_set(["panels", 3, "gridPos", "x"], 20), "exceeds the 24-column grid"),
    "legacy panel key": (_set(["panels", 1, "span"], 6), "panels/1"),
    "bad threshold step": (_set(["panels", 2, "fieldConfig", "defaults", "thresholds", "steps", 0], {"op": "gt", "color": "red", "value": "null"}), "panels/2"),
    "stat options incomplete": (_delete(["panels", 2, "options", "reduceOptions"]), "panels/2/options: 'reduceOptions' is a required property"),
    "gauge options legacy key": (_set(["panels", 3, "options", "fieldOptions"], {}), "panels/3/options: Additional properties"),
    "timeseries custom bad enum": (
        _set(["panels", 1, "fieldConfig", "defaults", "custom", "drawStyle"], "lines"),
        "panels/1/fieldConfig/defaults/custom/drawStyle",
    ),
    "text mode bad": (_set(["panels", 7, "options", "mode"], "md"), "panels/7/options/mode"),
    "target legacy key": (_set(["panels", 1, "targets", 0, "step"], 10), "panels/1/targets/0: Additional properties"),
    "target without expr": (_delete(["panels", 1, "targets", 0, "expr"]), "panels/1/targets/0: 'expr' is a required property"),
    "unknown unit": (_set(["panels", 1, "fieldConfig", "defaults", "unit"], "requests/s"), "unknown unit 'requests/s'"),
    "duplicate panel id": (_set(["panels", 2, "id"], 2), "panels/2/id: duplicate panel id 2"),
    "duplicate refId": (_set(["panels", 1, "targets", 1, "refId"], "A"), "duplicate refId 'A'"),
    "undefined datasource variable": (_set(["templating", "list"], []), "template variable 'datasource' is not defined"),
    "overlapping panels": (_set(["panels", 2, "gridPos", "x"], 6), "panels/2/gridPos: overlaps panels/1"),
    "overlap inside collapsed row": (lambda d: d["panels"][8]["panels"].append(dict(d["panels"][8]["panels"][0], id=99)), "overlaps"),
    "row without collapsed": (_delete(["panels", 0, "collapsed"]), "'collapsed' is a required property"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_validator_rejects_broken_dashboard(name):
    mutate, expected = BROKEN[name]
    problems = _break(mutate)
    assert problems, f"{name}: accepted"
    assert any(expected in p for p in problems), problems


def test_raw_grafanalib_output_is_rejected():
    """Why the renderer normalises: grafanalib 0.7.1's own JSON fails the current schema."""
    import grafanalib.core as G
    from grafanalib._gen import DashboardEncoder

    dash = G.Dashboard(
        title="x",
        uid="x",
        schemaVersion=39,
        panels=[G.Stat(title="s", dataSource=DS, targets=[G.Target(expr="up", refId="A")], gridPos=G.GridPos(h=8, w=12, x=0, y=0))],
    )
    raw = json.loads(json.dumps(dash.to_json_data(), cls=DashboardEncoder))
    problems = validate_dashboard(raw)
    assert any("rows" in p for p in problems) and any("gnetId" in p for p in problems)


# --- fixtures match their provenance ---------------------------------------------------------
def test_schema_fixtures_match_provenance():
    text = (SCHEMA_DIR / "PROVENANCE.md").read_text(encoding="utf-8")
    listed = dict(re.findall(r"^\| (\S+\.jsonschema\.json) \|.*\| `([0-9a-f]{64})` \|$", text, re.M))
    files = {p.name for p in SCHEMA_DIR.glob("*.jsonschema.json")}
    assert set(listed) == files and len(files) == 9
    for name, digest in listed.items():
        assert hashlib.sha256((SCHEMA_DIR / name).read_bytes()).hexdigest() == digest, name
