"""Charts drawn as SVG text (pure, no dependency, deterministic bytes): time series with axes,
thresholds and legends; stat values; gauges; bar gauges. Sizes are pixels."""

from __future__ import annotations

import math
from html import escape

from mlmon.preview.model import Panel, Series, Step, threshold_color
from mlmon.preview.units import format_time, format_value, nice_ticks

# Grafana's named colours (dark theme) and its classic palette for series
COLORS = {
    "green": "#73BF69",
    "red": "#F2495C",
    "orange": "#FF9830",
    "yellow": "#FADE2A",
    "blue": "#5794F2",
    "purple": "#B877D9",
    "transparent": "transparent",
    "text": "#CCCCDC",
}
PALETTE = ("#7EB26D", "#EAB839", "#6ED0E0", "#EF843C", "#E24D42", "#1F78C1", "#BA43A9", "#705DA0", "#508642", "#CCA300", "#447EBC", "#C15C17")
AXIS = "#8E8E9A"
GRID = "#2C3235"
FONT = 'font-family="Inter, Helvetica, Arial, sans-serif"'


def color(name: str) -> str:
    return COLORS.get(name, name)


def _f(x: float) -> str:
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _svg(width: float, height: float, body: str, cls: str) -> str:
    return f'<svg class="{cls}" xmlns="http://www.w3.org/2000/svg" width="{_f(width)}" height="{_f(height)}" viewBox="0 0 {_f(width)} {_f(height)}" {FONT}>{body}</svg>'


def _text(x: float, y: float, text: str, size: int = 11, anchor: str = "start", fill: str = AXIS, weight: str = "normal") -> str:
    return f'<text x="{_f(x)}" y="{_f(y)}" font-size="{size}" text-anchor="{anchor}" fill="{fill}" font-weight="{weight}">{escape(text)}</text>'


def timeseries(panel: Panel, series: tuple[Series, ...], start: float, end: float, absolute: bool, width: float, height: float) -> str:
    values = [v for s in series for _, v in s.points if math.isfinite(v)]
    lines = [s.value for s in panel.steps if s.value is not None] if panel.threshold_lines else []
    lo = panel.min if panel.min is not None else min([0.0, *values, *lines]) if values else (panel.min or 0.0)
    hi = panel.max if panel.max is not None else max([*values, *lines], default=1.0)
    ticks = nice_ticks(lo, hi if hi > lo else lo + 1)
    if panel.min is None:
        lo = ticks[0]
    if panel.max is None:
        hi = ticks[-1]
    left = 8 + max(len(format_value(t, panel.unit, panel.decimals)) for t in ticks) * 6.2
    top, right, bottom = 6.0, 8.0, 20.0
    pw, ph = max(10.0, width - left - right), max(10.0, height - top - bottom)
    span = max(end - start, 1.0)

    def px(t: float) -> float:
        return left + (t - start) / span * pw

    def py(v: float) -> float:
        return top + ph - (min(max(v, lo), hi) - lo) / ((hi - lo) or 1) * ph

    out = []
    for t in ticks:
        if lo <= t <= hi:
            out.append(f'<line x1="{_f(left)}" x2="{_f(left + pw)}" y1="{_f(py(t))}" y2="{_f(py(t))}" stroke="{GRID}"/>')
            out.append(_text(left - 4, py(t) + 4, format_value(t, panel.unit, panel.decimals), anchor="end"))
    n = max(2, min(8, int(pw // 110))) if end > start else -1
    for i in range(n + 1):
        t = start + span * i / n
        out.append(_text(px(t), height - 5, format_time(t, span, absolute), anchor="middle" if 0 < i < n else ("start" if i == 0 else "end")))
    if panel.threshold_lines:
        for st in panel.steps:
            if st.value is not None and lo <= st.value <= hi:
                y = _f(py(st.value))
                out.append(
                    f'<line class="threshold" x1="{_f(left)}" x2="{_f(left + pw)}" y1="{y}" y2="{y}" stroke="{color(st.color)}" stroke-dasharray="6 4"/>'
                )
    for i, s in enumerate(series):
        c = PALETTE[i % len(PALETTE)]
        for seg in _segments(s.points, span / max(1, len(s.points)) * 3):
            pts = " ".join(f"{_f(px(t))},{_f(py(v))}" for t, v in seg)
            if len(seg) == 1:
                out.append(f'<circle cx="{_f(px(seg[0][0]))}" cy="{_f(py(seg[0][1]))}" r="2" fill="{c}"/>')
            else:
                out.append(f'<polyline fill="none" stroke="{c}" stroke-width="1.5" points="{pts}"><title>{escape(s.name)}</title></polyline>')
    if not series:
        out.append(_text(left + pw / 2, top + ph / 2, "No data", 14, "middle"))
    return _svg(width, height, "".join(out), "chart timeseries")


def _segments(points: tuple[tuple[float, float], ...], gap: float) -> list[list[tuple[float, float]]]:
    """Runs of finite points; a gap in time (a missing sample) or a NaN breaks the line."""
    out: list[list[tuple[float, float]]] = []
    cur: list[tuple[float, float]] = []
    last = None
    for t, v in points:
        if not math.isfinite(v) or (last is not None and t - last > gap):
            if cur:
                out.append(cur)
            cur = []
        if math.isfinite(v):
            cur.append((t, v))
        last = t
    if cur:
        out.append(cur)
    return out


def last_value(s: Series) -> float | None:
    for _, v in reversed(s.points):
        if not math.isnan(v):
            return v
    return None


def stat(panel: Panel, series: tuple[Series, ...], width: float, height: float) -> str:
    items = [(s.name, last_value(s)) for s in series] or [("", None)]
    n = len(items)
    cell_h = height / n
    out = []
    for i, (name, v) in enumerate(items):
        size = int(max(12, min(cell_h * 0.55, width / max(4, len(format_value(v, panel.unit, panel.decimals))) * 1.5, 48)))
        y = i * cell_h + cell_h / 2 + size / 3
        fill = color(threshold_color(panel.steps, v)) if v is not None else AXIS
        if n > 1 and name:
            out.append(_text(8, i * cell_h + 14, name, 11))
        out.append(_text(width / 2, y, format_value(v, panel.unit, panel.decimals), size, "middle", fill, "600"))
    return _svg(width, height, "".join(out), "chart stat")


def _range(panel: Panel) -> tuple[float, float]:
    lo = panel.min if panel.min is not None else 0.0
    hi = panel.max if panel.max is not None else (100.0 if panel.unit == "percent" else 1.0 if panel.unit == "percentunit" else lo + 1)
    return lo, hi if hi > lo else lo + 1


def gauge(panel: Panel, series: tuple[Series, ...], width: float, height: float) -> str:
    v = last_value(series[0]) if series else None
    lo, hi = _range(panel)
    r = max(10.0, min(width / 2 - 16, height - 30))
    cx, cy = width / 2, height - 12
    out = [_arc(cx, cy, r, 0, 1, GRID, 14)]
    for a, b, c in _bands(panel.steps, lo, hi):
        out.append(_arc(cx, cy, r + 10, a, b, color(c), 4))
    if v is not None:
        frac = (min(max(v, lo), hi) - lo) / (hi - lo)
        out.append(_arc(cx, cy, r, 0, frac, color(threshold_color(panel.steps, v)), 14))
    out.append(_text(cx, cy - r / 6, format_value(v, panel.unit, panel.decimals), int(max(12, min(r / 2.2, 32))), "middle", "#CCCCDC", "600"))
    return _svg(width, height, "".join(out), "chart gauge")


def _bands(steps: tuple[Step, ...], lo: float, hi: float) -> list[tuple[float, float, str]]:
    out = []
    for i, s in enumerate(steps):
        a = lo if s.value is None else s.value
        b = steps[i + 1].value if i + 1 < len(steps) and steps[i + 1].value is not None else hi
        a, b = max(lo, a), min(hi, b if b is not None else hi)
        if b > a:
            out.append(((a - lo) / (hi - lo), (b - lo) / (hi - lo), s.color))
    return out


def _arc(cx: float, cy: float, r: float, a: float, b: float, stroke: str, width: float) -> str:
    """An arc of the gauge's half circle from fraction a to b (0 = left, 1 = right)."""
    pa, pb = math.pi * (1 - a), math.pi * (1 - b)
    x1, y1 = cx + r * math.cos(pa), cy - r * math.sin(pa)
    x2, y2 = cx + r * math.cos(pb), cy - r * math.sin(pb)
    return f'<path d="M{_f(x1)} {_f(y1)} A{_f(r)} {_f(r)} 0 0 1 {_f(x2)} {_f(y2)}" fill="none" stroke="{stroke}" stroke-width="{_f(width)}"/>'


def bargauge(panel: Panel, series: tuple[Series, ...], width: float, height: float) -> str:
    items = [(s.name, last_value(s)) for s in series]
    if not items:
        return _svg(width, height, _text(width / 2, height / 2, "No data", 14, "middle"), "chart bargauge")
    lo, hi = _range(panel)
    if panel.max is None:
        hi = max([hi, *[v for _, v in items if v is not None]])
    row = min(40.0, height / len(items))
    label_w = min(width * 0.4, 8 + max(len(n) for n, _ in items) * 6.2)
    out = []
    for i, (name, v) in enumerate(items):
        y = i * row
        bar_w = width - label_w - 70
        frac = 0.0 if v is None else (min(max(v, lo), hi) - lo) / ((hi - lo) or 1)
        out.append(_text(4, y + row / 2 + 4, name, 11, fill="#CCCCDC"))
        out.append(f'<rect x="{_f(label_w)}" y="{_f(y + 3)}" width="{_f(bar_w)}" height="{_f(row - 6)}" fill="{GRID}"/>')
        out.append(
            f'<rect x="{_f(label_w)}" y="{_f(y + 3)}" width="{_f(bar_w * frac)}" height="{_f(row - 6)}" fill="{color(threshold_color(panel.steps, v))}"/>'
        )
        out.append(_text(width - 4, y + row / 2 + 4, format_value(v, panel.unit, panel.decimals), 12, "end", color(threshold_color(panel.steps, v)), "600"))
    return _svg(width, height, "".join(out), "chart bargauge")
