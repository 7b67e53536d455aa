"""One self-contained HTML page per dashboard (pure): Grafana's 24-column grid with its 30 px
rows and 8 px gaps, rows as headings, each panel's chart as inline SVG (tables as HTML), legends,
and a note saying where the data came from. No external resources, no timestamps.

A small inline script runs after load and marks every panel with the size it got
(``data-rendered``), and the body with the count of rendered panels and of overlaps, so a headless
browser's DOM dump shows whether the layout held."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from mlmon.preview import svg
from mlmon.preview.model import GRID_COLUMNS, Dashboard, Panel, PanelData, Series
from mlmon.preview.units import format_value

PAGE_WIDTH = 1600  # px of the grid; the PNG is this wide plus the margins
CELL = 30  # Grafana's GRID_CELL_HEIGHT
GAP = 8  # Grafana's GRID_CELL_VMARGIN
MARGIN = 16
HEADER = 64  # dashboard title and source line
PANEL_HEAD = 26
LEGEND_LINE = 16
MAX_LEGEND_LINES = 4

CSS = """
body{margin:0;background:#111217;color:#CCCCDC;font-family:Inter,Helvetica,Arial,sans-serif;font-size:12px}
main{width:%(w)dpx;padding:%(m)dpx}
main>header{height:%(hh)dpx}
h1{font-size:18px;margin:0 0 6px 0;font-weight:500}
.source{color:#8E8E9A}
.grid{display:grid;grid-template-columns:repeat(24,1fr);grid-auto-rows:%(cell)dpx;gap:%(gap)dpx}
.row{font-size:14px;font-weight:500;margin:0;align-self:end;border-bottom:1px solid #2C3235}
.panel{background:#181B1F;border:1px solid #2C3235;border-radius:2px;overflow:hidden;display:flex;flex-direction:column}
.panel>header{height:%(ph)dpx;display:flex;align-items:center;gap:8px;padding:0 8px;white-space:nowrap;overflow:hidden}
.panel h3{font-size:12px;font-weight:500;margin:0}
.note{color:#8E8E9A;font-size:10px;overflow:hidden;text-overflow:ellipsis}
.body{flex:1;min-height:0;padding:0 4px}
.legend{list-style:none;margin:0;padding:0 8px 4px 8px;line-height:%(ll)dpx;white-space:nowrap;overflow:hidden}
.legend li{display:inline-block;margin-right:12px}
.legend i{display:inline-block;width:12px;height:3px;margin-right:4px;vertical-align:middle}
.errors{color:#F2495C;padding:0 8px;margin:0}
table{border-collapse:collapse;width:100%%}
td,th{border-bottom:1px solid #2C3235;padding:2px 6px;text-align:left}
th{color:#8E8E9A;font-weight:500}
"""

SCRIPT = """
addEventListener('load',function(){
  var ps=[].slice.call(document.querySelectorAll('.panel')),ok=0,over=0,boxes=[];
  ps.forEach(function(p){
    var r=p.getBoundingClientRect(),b=p.querySelector('.body').firstElementChild,br=b?b.getBoundingClientRect():null;
    var good=r.width>0&&r.height>0&&br&&br.width>0&&br.height>0&&br.right<=r.right+1&&br.bottom<=r.bottom+1;
    p.setAttribute('data-rendered',good?Math.round(r.width)+'x'+Math.round(r.height):'no');
    if(good)ok++;
    boxes.forEach(function(q){if(r.left<q.right-1&&q.left<r.right-1&&r.top<q.bottom-1&&q.top<r.bottom-1)over++;});
    boxes.push(r);
  });
  document.body.setAttribute('data-panels',ps.length);
  document.body.setAttribute('data-rendered',ok);
  document.body.setAttribute('data-overlaps',over);
});
"""


def column_width() -> float:
    return (PAGE_WIDTH - (GRID_COLUMNS - 1) * GAP) / GRID_COLUMNS


def size(panel: Panel) -> tuple[float, float]:
    """Pixel width and height of a panel on the grid."""
    return panel.w * column_width() + (panel.w - 1) * GAP, panel.h * CELL + (panel.h - 1) * GAP


def page_height(dashboard: Dashboard) -> int:
    return int(2 * MARGIN + HEADER + dashboard.height * (CELL + GAP))


def render(dashboard: Dashboard, data: Mapping[int, PanelData], source: str) -> str:
    css = CSS % {"w": PAGE_WIDTH, "m": MARGIN, "hh": HEADER, "cell": CELL, "gap": GAP, "ph": PANEL_HEAD, "ll": LEGEND_LINE}
    cells = [_row(p) if p.type == "row" else _panel(p, data.get(p.id, PanelData())) for p in dashboard.panels]
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{escape(dashboard.title)}</title>'
        f"<style>{css}</style><script>{SCRIPT}</script></head>\n"
        f'<body><main><header><h1>{escape(dashboard.title)}</h1><div class="source">{escape(source)}</div></header>\n'
        f'<div class="grid">\n' + "\n".join(cells) + "\n</div></main></body></html>\n"
    )


def _place(p: Panel) -> str:
    return f"grid-column:{p.x + 1} / span {p.w};grid-row:{p.y + 1} / span {p.h}"


def _row(p: Panel) -> str:
    return f'<h2 class="row" style="{_place(p)}">{escape(p.title)}</h2>'


def _panel(p: Panel, d: PanelData) -> str:
    width, height = size(p)
    legend = p.type == "timeseries" and len(d.series) > 0
    lines = min(MAX_LEGEND_LINES, max(1, _legend_lines(d.series, width))) if legend else 0
    errors = "".join(f'<p class="errors">{escape(e)}</p>' for e in d.errors[:2])
    body_h = height - PANEL_HEAD - lines * LEGEND_LINE - 4 - 16 * min(2, len(d.errors))
    body_w = width - 10
    if p.type == "timeseries":
        body = svg.timeseries(p, d.series, d.start, d.end, d.absolute, body_w, body_h)
    elif p.type == "stat":
        body = svg.stat(p, d.series, body_w, body_h)
    elif p.type == "gauge":
        body = svg.gauge(p, d.series, body_w, body_h)
    elif p.type == "bargauge":
        body = svg.bargauge(p, d.series, body_w, body_h)
    else:
        body = _table(p, d.series)
    title = f' title="{escape(p.description)}"' if p.description else ""
    note = f'<span class="note">{escape(d.note)}</span>' if d.note else ""
    leg = ""
    if legend:
        items = "".join(f'<li><i style="background:{svg.PALETTE[i % len(svg.PALETTE)]}"></i>{escape(s.name)}</li>' for i, s in enumerate(d.series))
        leg = f'<ul class="legend" style="height:{lines * LEGEND_LINE}px">{items}</ul>'
    return (
        f'<section class="panel" id="panel-{p.id}" data-type="{p.type}" style="{_place(p)}">'
        f"<header><h3{title}>{escape(p.title)}</h3>{note}</header>"
        f'<div class="body">{body}</div>{leg}{errors}</section>'
    )


def _legend_lines(series: tuple[Series, ...], width: float) -> int:
    lines, used = 1, 0.0
    for s in series:
        w = 28 + len(s.name) * 6.2
        if used and used + w > width - 16:
            lines, used = lines + 1, 0.0
        used += w
    return lines


def _table(p: Panel, series: tuple[Series, ...]) -> str:
    """Grafana's table of instant results: one row per label set, a value column per target."""
    refs = sorted({s.ref for s in series}) or [t.ref for t in p.targets]
    keys = sorted({k for s in series for k, _ in s.labels if k != "__name__"})
    rows: dict[tuple[tuple[str, str], ...], dict[str, Series]] = {}
    for s in series:
        ident = tuple((k, v) for k, v in s.labels if k != "__name__")
        rows.setdefault(ident, {})[s.ref] = s
    named = {t.ref: (t.legend if t.legend and "{{" not in t.legend else f"Value #{t.ref}" if len(refs) > 1 else "Value") for t in p.targets}
    head = "".join(f"<th>{escape(k)}</th>" for k in keys) + "".join(f"<th>{escape(named.get(r, r))}</th>" for r in refs)
    body = []
    for ident in sorted(rows):
        labels = dict(ident)
        cells = "".join(f"<td>{escape(labels.get(k, ''))}</td>" for k in keys)
        cells += "".join(f"<td>{escape(format_value(svg.last_value(rows[ident][r]) if r in rows[ident] else None, p.unit, p.decimals))}</td>" for r in refs)
        body.append(f"<tr>{cells}</tr>")
    if not body:
        body.append(f'<tr><td colspan="{max(1, len(keys) + len(refs))}">No data</td></tr>')
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
