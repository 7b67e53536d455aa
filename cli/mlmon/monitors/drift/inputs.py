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


def reference(d: Dist) -> list[float]:
    """The baseline's distribution over ``d.bins``: the ``__other__`` bin the rules add to a
    numeric feature gets nothing (as from ``mlmon.instrument``, which creates it at 0)."""
    return list(d.fractions[: len(d.fractions) - d.added_other]) + [0.0] * d.added_other


def shifted_reference(d: Dist) -> list[float]:
    """``shifted`` over the baseline's own bins (an added ``__other__`` bin stays empty)."""
    return shifted(d.fractions[: len(d.fractions) - d.added_other]) + [0.0] * d.added_other


def unknown_label(d: Dist) -> str:
    """A bin label the baseline does not have."""
    label = "not-in-baseline"
    while label in d.bins:
        label += "-1"
    return label


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


def concentrated(d: Dist) -> list[float]:
    """Every observation in the bin the baseline expects least of (a certain critical drift)."""
    ref = reference(d)
    low = min(range(len(ref)), key=lambda i: (d.fractions[i] if ref[i] > 0 else math.inf, i))
    return [1.0 if i == low else 0.0 for i in range(len(ref))]


def unknown_series(model: Any, d: Dist, inc: float, feature: bool, steps: int) -> tuple[str, str]:
    """A bin counter of ``d`` whose bin label the baseline lacks, growing by ``inc`` each minute."""
    name = C.FEATURE_BIN_TOTAL if feature else C.PREDICTION_BIN_TOTAL
    lab = f"{contract_selector(model)},{'feature=' + q(d.name) + ',' if feature else ''}bin={q(unknown_label(d))}"
    return f"{name}{{{lab}}}", f"0+{fmt_float(inc)}x{steps}"
