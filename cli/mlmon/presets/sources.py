"""Source kinds (how an upstream metric becomes a signal), the selectors of a model's series in
each scope, and the PromQL each kind reads. The ``Preset`` built from them is in
``presets.dialect``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field

from mlmon.compiler.units import fmt_float

SCOPES = ("model", "target", "pod", "node", "bill")


# --- source kinds ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Counter:
    """A counter (or several alternative spellings of it); its signal is ``sum(rate(..)) * scale``."""

    names: tuple[str, ...]
    scale: float = 1.0
    match: str = ""  # extra PromQL matchers, e.g. 'status=~"5.."'
    scope: str = "model"
    example: Mapping[str, str] = field(default_factory=dict)  # labels that satisfy ``match`` (rule tests)
    # > 0: not a counter but a gauge holding the amount counted during the last ``period`` seconds
    # (CloudWatch Sum, Azure Monitor's per-minute counts): its rate is avg_over_time(..) / period
    period: float = 0.0

    @property
    def name(self) -> str:
        return self.names[0]


@dataclass(frozen=True)
class Gauge:
    """A gauge; its signal is ``agg(..) * scale`` (agg: sum, avg, max, min, count)."""

    names: tuple[str, ...]
    scale: float = 1.0
    agg: str = "sum"
    match: str = ""
    scope: str = "model"
    example: Mapping[str, str] = field(default_factory=dict)
    lookback: str = ""  # read the last sample within this range (cloud metrics arrive late and sparse)

    @property
    def name(self) -> str:
        return self.names[0]


@dataclass(frozen=True)
class Histogram:
    """A classic histogram ``<name>_bucket{le}``, ``_sum``, ``_count``; ``scale`` converts the
    framework's unit into seconds (0.001 for milliseconds)."""

    name: str
    scale: float = 1.0
    buckets: tuple[float, ...] = ()  # the framework's default bucket bounds, in its own unit
    alt_names: tuple[str, ...] = ()  # older/newer spellings, OR-ed after ``name``
    scope: str = "model"
    match: str = ""
    example: Mapping[str, str] = field(default_factory=dict)  # labels that satisfy ``match`` (rule tests)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.alt_names)

    def expected_quantile(self, latency_s: float, q: float) -> float:
        """What histogram_quantile returns when every observation equals ``latency_s``."""
        u = latency_s / self.scale
        bounds = sorted(self.buckets) if self.buckets else [u]
        hi = next((b for b in bounds if u <= b * (1 + 1e-12)), float("inf"))
        lo = max([b for b in bounds if b < hi], default=0.0)
        if hi == float("inf"):
            return lo * self.scale
        return (lo + (hi - lo) * q) * self.scale


@dataclass(frozen=True)
class Mean:
    """A mean from two counters: ``rate(total) / rate(count) * scale`` (Triton's cumulative
    ``*_duration_us`` counters over ``nv_inference_request_success``)."""

    total: Counter
    count: Counter
    scale: float = 1.0


@dataclass(frozen=True)
class Expr:
    """A PromQL template for what the kinds above cannot say (joins, ``1 - idle``)."""

    template: str
    scopes: tuple[str, ...] = ("pod",)
    metrics: tuple[str, ...] = ()  # upstream metric names it reads (docs)
    # For generated rule tests: gauges that give the signal the value v, as (metric, a, b): a*v + b.
    fixture: tuple[tuple[str, float, float], ...] = ()


Source = Counter | Gauge | Histogram | Mean | Expr


# --- selectors ---------------------------------------------------------------------------------------
class Sel(str):
    """The model-scope label matchers (a plain ``str`` for templates), carrying the matchers of
    the other scopes for sources that need them."""

    scopes: Mapping[str, str]
    model_id: str

    def __new__(cls, model: str, scopes: Mapping[str, str] | None = None, model_id: str = "") -> Sel:
        s = super().__new__(cls, model)
        s.scopes = dict(scopes or {})
        s.scopes.setdefault("model", model)
        s.model_id = model_id
        return s

    def of(self, scope: str) -> str:
        return self.scopes.get(scope, str(self))


def matchers(labels: Mapping[str, str]) -> str:
    """``{a: x, b: ~re}`` -> ``a="x",b=~"re"``: a value starting with ``~`` is a regex."""
    out = []
    for k, v in sorted(labels.items()):
        if v.startswith("~"):
            out.append(f'{k}=~"{_esc(v[1:])}"')
        elif v.startswith("!~"):
            out.append(f'{k}!~"{_esc(v[2:])}"')
        else:
            out.append(f'{k}="{_esc(v)}"')
    return ",".join(out)


def _esc(v: str) -> str:
    return v.replace("\\", "\\\\").replace('"', '\\"')


def _join(*parts: str) -> str:
    return ",".join(p for p in parts if p)


def _sel(sel: str, scope: str) -> str:
    if scope == "literal":  # an overridden selector, used verbatim (its matchers are in ``match``)
        return ""
    return sel.of(scope) if isinstance(sel, Sel) else sel


# --- PromQL of the kinds -----------------------------------------------------------------------------
def counter_rate(c: Counter, sel: str, w: str) -> str:
    s = _join(_sel(sel, c.scope), c.match)
    fn = "avg_over_time" if c.period else "rate"
    inner = " or ".join(f"{fn}({n}{{{s}}}[{w}])" for n in c.names)
    expr = f"sum({inner})"
    scale = c.scale / c.period if c.period else c.scale
    return expr if scale == 1.0 else f"{expr} * {fmt_float(scale)}"


def gauge_value(g: Gauge, sel: str) -> str:
    s = _join(_sel(sel, g.scope), g.match)
    inner = " or ".join(f"last_over_time({n}{{{s}}}[{g.lookback}])" if g.lookback else f"{n}{{{s}}}" for n in g.names)
    expr = f"{g.agg}({inner})"
    return expr if g.scale == 1.0 or g.agg == "count" else f"{expr} * {fmt_float(g.scale)}"


def hist_rate(h: Histogram, suffix: str, sel: str, w: str, extra: str = "") -> str:
    s = _join(_sel(sel, h.scope), h.match, extra)
    return " or ".join(f"rate({n}_{suffix}{{{s}}}[{w}])" for n in h.names)


def hist_quantile(h: Histogram, sel: str, w: str, q: float) -> str:
    expr = f"histogram_quantile({fmt_float(q)}, sum by (le) ({hist_rate(h, 'bucket', sel, w)}))"
    return expr if h.scale == 1.0 else f"{expr} * {fmt_float(h.scale)}"


def mean_of(src: Histogram | Mean, sel: str, w: str) -> str:
    if isinstance(src, Histogram):
        num, den, scale = f"sum({hist_rate(src, 'sum', sel, w)})", f"sum({hist_rate(src, 'count', sel, w)})", src.scale
    else:
        num = counter_rate(dataclasses.replace(src.total, scale=1.0), sel, w)
        den = counter_rate(dataclasses.replace(src.count, scale=1.0), sel, w)
        scale = src.scale
    expr = f"{num} / ({den} > 0)"
    return expr if scale == 1.0 else f"{expr} * {fmt_float(scale)}"


def expr_of(e: Expr, sel: str, w: str) -> str:
    return e.template.format(w=w, **{s: _sel(sel, s) for s in SCOPES})


def source_expr(src: Source | tuple[Counter, ...], sel: str, w: str) -> str:
    """The signal's value: a rate for counters (summed for a tuple), a value for gauges, a mean
    for Mean/Histogram."""
    if isinstance(src, tuple):
        return sum_rates(src, sel, w)
    if isinstance(src, Counter):
        return counter_rate(src, sel, w)
    if isinstance(src, Gauge):
        return gauge_value(src, sel)
    if isinstance(src, (Histogram, Mean)):
        return mean_of(src, sel, w)
    return expr_of(src, sel, w)


def sum_rates(parts: tuple[Counter, ...], sel: str, w: str) -> str:
    """Sum of counter rates, present when any part is: an absent part counts as 0 (a success
    counter never created because every request failed still leaves the failures), absent when
    every part is (so ``absent()`` of it still sees a model without series)."""
    rates = [counter_rate(p, sel, w) for p in parts]

    def guarded(rs: list[str]) -> str:
        first, *rest = rs
        return " + ".join([first, *(f"({r} or vector(0))" for r in rest)])

    if len(rates) == 1:
        return rates[0]
    return "(" + " or ".join(f"({guarded(rates[i:])})" for i in range(len(rates))) + ")"
