"""Validate a Grafana dashboard (the JSON model sent to ``POST /api/dashboards/db``) against the
upstream grafana-foundation-sdk JSON Schemas in ``tests/fixtures/upstream/grafana/``.

``validate_dashboard(d) -> list[str]`` returns one message per problem (empty: valid). Layers:

1. ``dashboard.jsonschema.json`` (draft-07, root ``$ref: #/definitions/Dashboard``): the dashboard,
   its panels (``oneOf [Panel, RowPanel]``), grid positions, variables, annotations, links.
   Every object in it has ``additionalProperties: false``, so legacy or misspelt keys are errors.
2. The panel plugin schemas (``<type>.jsonschema.json``, ``#/definitions/Options`` and
   ``#/definitions/FieldConfig``) for ``panel.options`` and ``panel.fieldConfig.defaults.custom``,
   which the dashboard schema leaves open.
3. ``prometheus.jsonschema.json`` (``#/definitions/Dataquery``) for each query of a panel whose
   datasource is Prometheus (also left open by the dashboard schema).
4. ``units.jsonschema.json``: ``fieldConfig.defaults.unit`` is a known unit id or a custom unit
   (``suffix:``, ``prefix:``, ``time:``, ``si:``, ``count:``, ``currency:``).
5. Checks Grafana performs at load time that a schema cannot express: unique panel ids, panels
   inside the 24-column grid and not overlapping, unique query refIds per panel, and every
   ``${var}`` used as a datasource uid defined as a template variable.

Usage from any test::

    from helpers.grafana_schema import validate_dashboard
    assert validate_dashboard(json.loads(path.read_text())) == []
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "upstream" / "grafana"
PANEL_PLUGINS = ("timeseries", "stat", "gauge", "bargauge", "table", "text")
CUSTOM_UNIT_PREFIXES = ("suffix:", "prefix:", "time:", "si:", "count:", "currency:")
GRID_WIDTH = 24


@cache
def _schema(name: str) -> dict:
    return json.loads((SCHEMA_DIR / f"{name}.jsonschema.json").read_text(encoding="utf-8"))


@cache
def _validator(name: str, definition: str | None = None):
    from jsonschema.validators import validator_for

    schema = _schema(name)
    if definition is not None:
        if definition not in schema["definitions"]:
            return None
        schema = {**schema, "$ref": f"#/definitions/{definition}"}
    cls = validator_for(schema)  # draft-07 per the files' "$schema"
    cls.check_schema(schema)
    return cls(schema)


@cache
def known_units() -> frozenset[str]:
    return frozenset(d["const"] for d in _schema("units")["definitions"].values() if "const" in d)


def _loc(path: Iterable[Any]) -> str:
    return "/".join(str(p) for p in path) or "(root)"


def _leaf_errors(errors) -> list:
    """Replace each ``oneOf``/``anyOf`` failure by the errors of its closest branch (the one with the
    fewest errors), recursively, so messages name the offending key instead of repeating the
    whole panel."""
    out = []
    for e in errors:
        if e.validator in ("oneOf", "anyOf") and e.context:
            branches: dict[int, list] = {}
            for sub in e.context:
                branches.setdefault(sub.relative_schema_path[0], []).append(sub)
            if len(branches) == 1 or len({len(v) for v in branches.values()}) > 1:
                best = min(branches.values(), key=len)
                out.extend(_leaf_errors(best))
                continue
            # a tie: say what each alternative lacks
            why = " | ".join(f"{_loc(x.absolute_path)}: {x.message}" for b in sorted(branches) for x in _leaf_errors(branches[b]))
            e.message = f"matches none of the alternatives: {why}"
        out.append(e)
    return out


def _errors(validator, instance: Any, prefix: str) -> list[str]:
    errs = _leaf_errors(validator.iter_errors(instance))
    msgs = {f"{_join(prefix, _loc(e.absolute_path))}: {e.message}" for e in errs}
    return sorted(msgs)


def _join(prefix: str, loc: str) -> str:
    if not prefix:
        return loc
    return prefix if loc == "(root)" else f"{prefix}/{loc}"


def _panels(d: dict) -> list[tuple[str, dict]]:
    """(json path, panel) for every panel, including those nested in (collapsed) rows."""
    out = []
    for i, p in enumerate(d.get("panels") or []):
        if not isinstance(p, dict):
            continue
        out.append((f"panels/{i}", p))
        for j, c in enumerate(p.get("panels") or []) if p.get("type") == "row" else ():
            if isinstance(c, dict):
                out.append((f"panels/{i}/panels/{j}", c))
    return out


def _uses_prometheus(panel: dict, target: dict) -> bool:
    ds = target.get("datasource") or panel.get("datasource")
    return isinstance(ds, dict) and ds.get("type") == "prometheus"


def _overlaps(a: dict, b: dict) -> bool:
    return a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"]


def _grid(items: list[tuple[str, dict]]) -> list[str]:
    out = []
    boxes = []
    for where, p in items:
        g = p.get("gridPos")
        if not isinstance(g, dict) or not all(isinstance(g.get(k), int) for k in "xywh"):
            continue
        if g["x"] + g["w"] > GRID_WIDTH:
            out.append(f"{where}/gridPos: x + w = {g['x'] + g['w']} exceeds the {GRID_WIDTH}-column grid")
        for other_where, og in boxes:
            if _overlaps(g, og):
                out.append(f"{where}/gridPos: overlaps {other_where}")
        boxes.append((where, g))
    return out


def validate_dashboard(d: dict) -> list[str]:
    """All problems found in dashboard ``d``; ``[]`` when it is valid."""
    problems = _errors(_validator("dashboard"), d, "")
    if not isinstance(d, dict):
        return problems

    variables = {v.get("name") for v in (d.get("templating") or {}).get("list") or [] if isinstance(v, dict)}
    seen_ids: dict[int, str] = {}
    for where, p in _panels(d):
        pid = p.get("id")
        if isinstance(pid, int):
            if pid in seen_ids:
                problems.append(f"{where}/id: duplicate panel id {pid} (also {seen_ids[pid]})")
            seen_ids.setdefault(pid, where)
        kind = p.get("type")
        if kind in PANEL_PLUGINS:
            if "options" in p:
                problems += _errors(_validator(kind, "Options"), p["options"], f"{where}/options")
            custom = ((p.get("fieldConfig") or {}).get("defaults") or {}).get("custom")
            fc = _validator(kind, "FieldConfig")
            if custom is not None and fc is not None:
                problems += _errors(fc, custom, f"{where}/fieldConfig/defaults/custom")
        unit = ((p.get("fieldConfig") or {}).get("defaults") or {}).get("unit")
        if isinstance(unit, str) and unit not in known_units() and not unit.startswith(CUSTOM_UNIT_PREFIXES):
            problems.append(f"{where}/fieldConfig/defaults/unit: unknown unit {unit!r}")
        refs: set[str] = set()
        for k, t in enumerate(p.get("targets") or []):
            if not isinstance(t, dict):
                continue
            if _uses_prometheus(p, t):
                problems += _errors(_validator("prometheus"), t, f"{where}/targets/{k}")
            ref = t.get("refId")
            if ref in refs:
                problems.append(f"{where}/targets/{k}/refId: duplicate refId {ref!r}")
            refs.add(ref)
        for ds_where, ds in (
            (f"{where}/datasource", p.get("datasource")),
            *((f"{where}/targets/{k}/datasource", t.get("datasource")) for k, t in enumerate(p.get("targets") or []) if isinstance(t, dict)),
        ):
            uid = ds.get("uid") if isinstance(ds, dict) else None
            m = re.fullmatch(r"\$\{?(\w+)\}?", uid) if isinstance(uid, str) else None
            if m and m.group(1) not in variables:
                problems.append(f"{ds_where}/uid: template variable {m.group(1)!r} is not defined")

    top = [(f"panels/{i}", p) for i, p in enumerate(d.get("panels") or []) if isinstance(p, dict)]
    problems += _grid(top)
    for i, p in top:
        if p.get("type") == "row" and p.get("panels"):
            problems += _grid([(f"{i}/panels/{j}", c) for j, c in enumerate(p["panels"]) if isinstance(c, dict)])
    return problems
