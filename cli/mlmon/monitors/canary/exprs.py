"""The PromQL of one version ("arm") of a canary comparison, built once and read by the recording
rules (gated, recorded per arm) and by ``mlmon gate`` (evaluated as they are, at one instant).

An arm is the model's series as its preset selects them, plus the arm's label matcher: every
source of the preset gets the matcher (``match``), so server-wide and verbatim-overridden series
are split by version too.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from mlmon import conventions as C
from mlmon import presets
from mlmon.compiler.units import format_duration, num
from mlmon.monitors.canary.compile import Canary
from mlmon.monitors.quality import contract_selector

# metric -> (numerator, denominator) as {outcome: weight} over the binary outcome counters
QUALITY = {
    "accuracy": ({"tp": 1, "tn": 1}, {"tp": 1, "tn": 1, "fp": 1, "fn": 1}),
    "precision": ({"tp": 1}, {"tp": 1, "fp": 1}),
    "recall": ({"tp": 1}, {"tp": 1, "fn": 1}),
    "f1": ({"tp": 2}, {"tp": 2, "fp": 1, "fn": 1}),
    "fpr": ({"fp": 1}, {"fp": 1, "tn": 1}),
}


def arm_matcher(c: Canary, arm: str) -> str:
    value = c.baseline if arm == C.ARM_BASELINE else c.candidate
    return presets.matchers({c.label: value})


def _scoped(src: Any, extra: str) -> Any:
    if isinstance(src, tuple):
        return tuple(_scoped(s, extra) for s in src)
    if isinstance(src, presets.Mean):
        return dataclasses.replace(src, total=_scoped(src.total, extra), count=_scoped(src.count, extra))
    if isinstance(src, (presets.Counter, presets.Gauge, presets.Histogram)):
        return dataclasses.replace(src, match=",".join(m for m in (src.match, extra) if m))
    return src  # an Expr: no single selector to split


def arm_preset(model: Any, c: Canary, arm: str) -> presets.Preset:
    """The model's preset with every source narrowed to one arm."""
    p, extra = presets.preset_of(model), arm_matcher(c, arm)
    return dataclasses.replace(
        p,
        requests_src=_scoped(p.requests_src, extra),
        errors_src=_scoped(p.errors_src, extra),
        latency=_scoped(p.latency, extra),
        signals={k: _scoped(v, extra) for k, v in p.signals.items()},
    )


def _sel(model: Any) -> presets.Sel:
    return presets.model_selector(model)


def window(c: Canary) -> str:
    return format_duration(c.window)


def requests(model: Any, c: Canary, arm: str) -> str:
    """Requests of the arm in the window."""
    p = arm_preset(model, c, arm)
    return f"({p.requests_rate(_sel(model), window(c))}) * {num(c.window)}"


def error_ratio(model: Any, c: Canary, arm: str) -> str:
    p = arm_preset(model, c, arm)
    w, sel = window(c), _sel(model)
    return f"({p.errors_rate(sel, w)} or vector(0))\n/\n({p.requests_rate(sel, w)} > 0)"


def latency(model: Any, c: Canary, arm: str) -> str:
    """The latency quantile of the arm (its mean for presets without a histogram), seconds."""
    assert c.latency is not None
    p = arm_preset(model, c, arm)
    if p.latency is not None:
        return presets.hist_quantile(p.latency, _sel(model), window(c), c.latency.quantile)
    src = p.signal("latency_mean")
    assert src is not None  # checked at compile time
    return presets.source_expr(src, _sel(model), window(c))


def _histogram(model: Any, c: Canary, arm: str, le: str = "") -> str:
    """The prediction histogram's buckets of the arm, as a selector."""
    assert c.prediction is not None
    name, match, _ = presets.split_selector(c.prediction.histogram)
    base = match if match is not None else str(_sel(model))
    inner = ",".join(m for m in (base, arm_matcher(c, arm), le) if m)
    return f"{name}_bucket{{{inner}}}"


def cdf(model: Any, c: Canary, arm: str) -> str:
    """The arm's output CDF at every bucket bound: bucket / +Inf bucket, by le."""
    w, total = window(c), _histogram(model, c, arm, presets.matchers({"le": "+Inf"}))
    return f"sum by (le) (rate({_histogram(model, c, arm)}[{w}]))\n  / on() group_left()\n  (sum(rate({total}[{w}])) > 0)"


def divergence(model: Any, c: Canary) -> str:
    """Kolmogorov-Smirnov distance: the largest gap between the two arms' output CDFs."""
    return f"max(abs(\n  {cdf(model, c, C.ARM_CANDIDATE)}\n  -\n  {cdf(model, c, C.ARM_BASELINE)}\n))"


def _outcomes(model: Any, c: Canary, arm: str, outcomes: str = "") -> str:
    assert c.quality is not None
    inner = ",".join(m for m in (contract_selector(model), arm_matcher(c, arm), outcomes) if m)
    return f"sum(increase({C.OUTCOMES_TOTAL}{{{inner}}}[{format_duration(c.quality.window)}]))"


def labels(model: Any, c: Canary, arm: str) -> str:
    """Labelled outcomes of the arm in the quality window."""
    return _outcomes(model, c, arm)


def _weighted(model: Any, c: Canary, arm: str, weights: dict[str, int]) -> str:
    terms = []
    for w in sorted(set(weights.values())):
        names = "|".join(o for o in ("tp", "fp", "tn", "fn") if weights.get(o) == w)
        term = f"({_outcomes(model, c, arm, presets.matchers({'outcome': '~' + names}))} or vector(0))"
        terms.append(term if w == 1 else f"{w} * {term}")
    return " + ".join(terms)


def quality(model: Any, c: Canary, arm: str) -> str:
    """The arm's quality metric from its outcome counters in the quality window."""
    assert c.quality is not None
    num_w, den_w = QUALITY[c.quality.metric]
    return f"({_weighted(model, c, arm, num_w)})\n/\n(({_weighted(model, c, arm, den_w)}) > 0)"
