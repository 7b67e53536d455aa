"""A generated Grafana dashboard as the preview draws it, and the data that fills its panels (pure).

Only what the preview shows is kept: rows and panels with their grid positions, titles, units,
decimals, min/max, threshold steps and style, and each target's PromQL, legend and whether it is
an instant query. Grafana's interval variables are substituted the way Grafana computes them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from mlmon.compiler.units import format_duration

GRID_COLUMNS = 24


@dataclass(frozen=True)
class Target:
    ref: str
    expr: str
    legend: str
    instant: bool
    table: bool


@dataclass(frozen=True)
class Step:
    color: str
    value: float | None  # None: the base step


@dataclass(frozen=True)
class Panel:
    id: int
    type: str  # row, timeseries, stat, gauge, bargauge, table
    title: str
    x: int
    y: int
    w: int
    h: int
    description: str = ""
    unit: str = "short"
    decimals: int | None = None
    min: float | None = None
    max: float | None = None
    steps: tuple[Step, ...] = ()
    threshold_lines: bool = False
    targets: tuple[Target, ...] = ()


@dataclass(frozen=True)
class Dashboard:
    uid: str
    title: str
    description: str
    panels: tuple[Panel, ...]  # rows included, in grid order

    @property
    def height(self) -> int:
        return max((p.y + p.h for p in self.panels), default=0)


@dataclass(frozen=True)
class Series:
    name: str  # legend text
    labels: tuple[tuple[str, str], ...]
    points: tuple[tuple[float, float], ...]  # (seconds, value), time ascending
    ref: str = "A"  # the target it came from


@dataclass(frozen=True)
class PanelData:
    series: tuple[Series, ...] = ()
    errors: tuple[str, ...] = ()
    note: str = ""  # where the data came from, shown under the title
    start: float = 0.0
    end: float = 0.0
    absolute: bool = True  # times are Unix seconds (else seconds since a scenario began)


def parse(dashboard: dict[str, Any]) -> Dashboard:
    panels = []
    for raw in dashboard.get("panels", []):
        panels.append(_panel(raw))
        panels.extend(_panel(p) for p in raw.get("panels", []))  # panels of a collapsed row
    panels.sort(key=lambda p: (p.y, p.x, p.id))
    return Dashboard(dashboard.get("uid", ""), dashboard.get("title", ""), dashboard.get("description", ""), tuple(panels))


def _panel(raw: dict[str, Any]) -> Panel:
    g = raw.get("gridPos", {})
    d = raw.get("fieldConfig", {}).get("defaults", {})
    steps = tuple(Step(s.get("color", "green"), s.get("value")) for s in d.get("thresholds", {}).get("steps", []))
    style = d.get("custom", {}).get("thresholdsStyle", {}).get("mode", "off")
    targets = tuple(
        Target(t.get("refId", "A"), t.get("expr", ""), t.get("legendFormat", ""), bool(t.get("instant")), t.get("format") == "table")
        for t in raw.get("targets", [])
        if t.get("expr")
    )
    return Panel(
        int(raw.get("id", 0)),
        raw.get("type", "timeseries"),
        raw.get("title", ""),
        int(g.get("x", 0)),
        int(g.get("y", 0)),
        int(g.get("w", 12)),
        int(g.get("h", 8)),
        raw.get("description", ""),
        d.get("unit") or "short",
        d.get("decimals"),
        d.get("min"),
        d.get("max"),
        steps,
        style in ("line", "dashed", "line+area", "dashed+area"),
        targets,
    )


def rate_interval(step: float, scrape_interval: float) -> float:
    """Grafana's ``$__rate_interval``: max($__interval + scrape interval, 4 x scrape interval)."""
    return max(step + scrape_interval, 4 * scrape_interval)


_VARIABLE = re.compile(r"\$(?:\{(\w+)\}|(\w+))")


def substitute(expr: str, *, step: float, scrape_interval: float, range_seconds: float) -> str:
    """The PromQL Grafana would send: interval variables replaced; others left (and reported)."""
    values = {
        "__rate_interval": format_duration(rate_interval(step, scrape_interval)),
        "__interval": format_duration(step),
        "__range": format_duration(range_seconds),
    }

    def sub(m: re.Match[str]) -> str:
        name = m.group(1) or m.group(2)
        return values.get(name, m.group(0))

    return _VARIABLE.sub(sub, expr)


_LEGEND = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def legend(fmt: str, labels: dict[str, str]) -> str:
    """Grafana's legend: ``{{label}}`` replaced; an empty format shows the series' labels."""
    if fmt:
        return _LEGEND.sub(lambda m: labels.get(m.group(1), ""), fmt)
    name = labels.get("__name__", "")
    rest = ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items()) if k != "__name__")
    return f"{name}{{{rest}}}" if rest else (name or "value")


def threshold_color(steps: tuple[Step, ...], value: float | None) -> str:
    color = steps[0].color if steps else "green"
    if value is None:
        return color
    for s in steps:
        if s.value is None or value >= s.value:
            color = s.color
    return color
