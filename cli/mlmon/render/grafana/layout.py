"""Rows of neutral panels -> grafanalib panel objects with ids and grid positions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mlmon.artifacts import Panel, Row, Target
from mlmon.render.grafana.model import DATASOURCE, GRID_WIDTH, PANEL_KINDS, or_default


def layout(rows: Sequence[Row]) -> list[tuple[Any, Row | Panel]]:
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
        row_obj = G.RowPanel(
            title=row.title,
            id=row_id,
            collapsed=row.collapsed,
            gridPos=G.GridPos(h=1, w=GRID_WIDTH, x=0, y=row_y),
            panels=[o for o, _ in children] if row.collapsed else [],
        )
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
        return G.TimeSeries(
            unit=panel.unit,
            legendDisplayMode="list",
            legendPlacement="bottom",
            tooltipMode="multi",
            tooltipSort="desc",
            fillOpacity=10,
            showPoints="never",
            **common,
        )
    if panel.kind == "stat":
        return G.Stat(format=panel.unit, graphMode="area", colorMode="value", reduceCalc="lastNotNull", decimals=panel.decimals, **common)
    if panel.kind == "gauge":
        return G.GaugePanel(
            format=panel.unit, calc="lastNotNull", decimals=panel.decimals, min=or_default(panel.min, 0), max=or_default(panel.max, 100), **common
        )
    if panel.kind == "bargauge":
        return G.BarGauge(
            format=panel.unit,
            calc="lastNotNull",
            decimals=panel.decimals,
            displayMode="gradient",
            orientation="horizontal",
            min=or_default(panel.min, 0),
            max=or_default(panel.max, 100),
            **common,
        )
    return G.Table(unit=panel.unit, showHeader=True, **common)  # table


def _target_object(t: Target, i: int, kind: str) -> Any:
    import grafanalib.core as G

    return G.Target(
        expr=t.expr,
        legendFormat=t.legend,
        refId=_ref_id(i),
        instant=t.instant,
        format="table" if kind == "table" else "time_series",
        datasource=dict(DATASOURCE),
    )


def _ref_id(i: int) -> str:
    return chr(ord("A") + i)
