"""The regression monitor's promtool cases (``monitors.delayed_cases``) on synthetic labelled
traffic with one knob, the error scale ``s`` (a power of two).

Every step, ``r`` copies of one batch are labelled: actuals ``ACTUALS``, predictions
``actual + s * OFFSETS``. The batch holds one actual of 0 (counted, left out of MAPE). Each
metric is proportional to ``s`` and every sum is an exact binary fraction, so the values are
exact; ``reference`` computes them the textbook way (a mean over every labelled sample), which
the tests compare with numpy."""

from __future__ import annotations

import math
from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import RuleTest
from mlmon.monitors import delayed as D
from mlmon.monitors.delayed_cases import Cases, Values, exact_counter, timing
from mlmon.monitors.quality import base_labels
from mlmon.monitors.regression.compile import Regression
from mlmon.monitors.regression.rules import KIND, kinds, rule_groups
from mlmon.monitors.testkit import alert_rules, series

ACTUALS = (0.0, 8.0, 16.0, 32.0, 64.0)
OFFSETS = (1.0, 1.0, -2.0, 2.0, -4.0)  # prediction - actual at scale 1
SCALES = tuple(2.0**j for j in range(-9, 31))  # every metric at least 1e-4 (written without exponent), sums exact


def batch_sums(s: float) -> dict[str, float]:
    """What one batch adds to each counter at scale ``s``."""
    errs = [s * o for o in OFFSETS]
    return {
        "samples": float(len(ACTUALS)),
        "over_prediction": math.fsum(e for e in errs if e > 0),
        "under_prediction": math.fsum(-e for e in errs if e < 0),
        "squared_error": math.fsum(e * e for e in errs),
        "absolute_percentage_error": math.fsum(abs(e) / abs(a) for e, a in zip(errs, ACTUALS) if a != 0),
        "zero_actuals": float(sum(1 for a in ACTUALS if a == 0)),
    }


def reference(s: float, copies: int) -> dict[str, float]:
    """The metrics over ``copies`` batches at scale ``s``, computed per sample (the definitions)."""
    actual = [a for _ in range(copies) for a in ACTUALS]
    pred = [a + s * o for _ in range(copies) for a, o in zip(ACTUALS, OFFSETS)]
    errs = [p - a for p, a in zip(pred, actual)]
    nonzero = [(e, a) for e, a in zip(errs, actual) if a != 0]
    return {
        "mae": math.fsum(abs(e) for e in errs) / len(errs),
        "rmse": math.sqrt(math.fsum(e * e for e in errs) / len(errs)),
        "mape": math.fsum(abs(e) / abs(a) for e, a in nonzero) / len(nonzero),
        "bias": math.fsum(errs) / len(errs),
    }


class RegressionTraffic:
    def __init__(self, r: Regression):
        self.r = r
        t = timing(r.window, r.labels_delay, r.for_)
        self.steps = t.n(t.W)
        nonzero = sum(1 for a in ACTUALS if a != 0)
        self.copies = max(1, math.ceil(4 * r.min_samples / (nonzero * max(1, self.steps))))

    def labelled(self) -> int:
        return self.copies * len(ACTUALS)

    def counters(self, model: Any, version: str, q: float, n: int) -> list[tuple[str, str]]:
        sums = batch_sums(q)
        base = {**base_labels(model), C.L_VERSION: version}
        return [(series(C.REG_COUNTERS[k], base), exact_counter(sums[k] * self.copies, n)) for k in kinds(self.r)]

    def values(self, q: float) -> Values:
        """Each metric as the rules compute it from one window's sums (same float operations)."""
        w = {k: (v * self.copies) * self.steps for k, v in batch_sums(q).items()}
        n = w["samples"]
        if n < self.r.min_samples:
            return {m: None for m in self.r.metrics}
        nz = w["samples"] - w["zero_actuals"]
        out = {
            "mae": (w["over_prediction"] + w["under_prediction"]) / n,
            "rmse": math.sqrt(w["squared_error"] / n),
            "mape": w["absolute_percentage_error"] / nz if nz >= self.r.min_samples else None,
            "bias": (w["over_prediction"] - w["under_prediction"]) / n,
        }
        return {m: out[m] for m in self.r.metrics}

    def _breaches(self, s: float, levels: int) -> list[bool]:
        vals = self.values(s)
        return [D.breaches(KIND, m, vals[m], b) for m in self.r.metrics for b in self.r.thresholds(m)[:levels] if b is not None]

    def healthy(self) -> float:
        """The largest scale up to 1 at which no metric reaches a level."""
        return next((s for s in reversed(SCALES) if s <= 1 and not any(self._breaches(s, 2))), SCALES[0])

    def low(self) -> float:
        """The smallest scale at which every level is breached."""
        return next((s for s in SCALES if all(self._breaches(s, 2))), SCALES[-1])

    def worse(self, q: float, factor: float) -> float:
        """A scale whose errors exceed those at ``q`` by more than ``factor`` x the margin."""
        return next((s for s in SCALES if s > q * (1 + factor * self.r.max_vs_previous_version)), SCALES[-1])

    def training(self) -> float:
        return self.healthy()


def rule_tests(model: Any, r: Regression) -> list[RuleTest]:
    rules = alert_rules(rule_groups(model, r))
    return Cases(KIND, model, r, RegressionTraffic(r), rules).all()
