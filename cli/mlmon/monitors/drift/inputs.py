"""Input series of the drift rule tests: per-bin counters (or cumulative histogram buckets) that
grow by a given distribution every minute."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import promql_string as q
from mlmon.compiler.units import fmt_float
from mlmon.monitors.drift.compile import Dist
from mlmon.monitors.drift.promql import contract_selector, framework_selector

PREDICTION = "__prediction__"  # key of the prediction among the features' names


def key(d: Dist, feature: bool) -> str:
    return d.name if feature else PREDICTION


def shifted(fractions: Sequence[float]) -> list[float]:
    """An incident distribution: the baseline rolled one bin up, with the lowest bin emptied
    (exercises the 0 -> floor clamp)."""
    rolled = list(fractions[-1:]) + list(fractions[:-1])
    rolled[0] = 0.0
    tot = sum(rolled)
    return [x / tot for x in rolled]


def per_minute(fractions: Sequence[float], scale: float) -> list[float]:
    """Per-bin increments per minute, rounded to 3 decimals (promtool series notation)."""
    return [round(x * scale, 3) for x in fractions]


def series_for(model: Any, d: Dist, incs: Sequence[float], feature: bool, steps: int) -> list[tuple[str, str]]:
    """The input series of one distribution growing by ``incs`` (per bin) each minute for ``steps`` minutes."""
    out = []
    if d.source is None:
        name = C.FEATURE_BIN_TOTAL if feature else C.PREDICTION_BIN_TOTAL
        sel = contract_selector(model)
        for b, inc in zip(d.bins, incs):
            lab = f"{sel},{'feature=' + q(d.name) + ',' if feature else ''}bin={q(b)}"
            out.append((f"{name}{{{lab}}}", f"0+{fmt_float(inc)}x{steps}"))
        return out
    sel = framework_selector(model)
    if d.source.feature_label:
        sel += f",{d.source.feature_label}={q(d.name)}"
    cum = 0.0
    bounds = list(d.edges) + [math.inf]
    for bound, inc in zip(bounds, incs):
        cum = round(cum + inc, 6)
        out.append((f"{d.source.histogram}_bucket{{{sel},le={q(fmt_float(bound))}}}", f"0+{fmt_float(cum)}x{steps}"))
    return out
