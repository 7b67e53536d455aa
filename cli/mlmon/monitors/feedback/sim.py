"""The feedback rules as Prometheus evaluates them at the model's evaluation interval, on counters
sampled every ``Clock.sample_step`` seconds from 0, for the expected values of the rule tests.
Recorded series (the ratio) hold one sample per evaluation, so the baseline averages the ratios
of the evaluations in its window."""

from __future__ import annotations

import math

from mlmon.monitors.feedback.compile import Feedback
from mlmon.monitors.steps import Clock


class FeedbackSim:
    """Times are evaluations, in seconds. increase() over a window is exactly the difference of
    the samples at its ends (no extrapolation: every evaluation falls on a sample, windows are
    whole minutes, and the counters start at 0)."""

    def __init__(self, f: Feedback, pos: list[float], neg: list[float], clock: Clock):
        self.f, self.pos, self.neg, self.clock = f, pos, neg, clock
        self.ds = clock.sample_step
        self._ratio: dict[float, float | None] = {}
        self._spike: dict[float, bool] = {}

    def inc(self, v: list[float], t: float, w: float | None = None) -> float:
        """increase over the window ``w`` (the feedback window) ending at ``t``."""
        i, j = round(t / self.ds), round(max(0.0, t - (self.f.window if w is None else w)) / self.ds)
        return v[i] - v[j] if i < len(v) else math.nan

    def events(self, t: float) -> float:
        return self.inc(self.pos, t) + self.inc(self.neg, t)

    def ratio(self, t: float) -> float | None:
        if t not in self._ratio:
            e = self.events(t)
            self._ratio[t] = self.inc(self.neg, t) / e if t >= 0 and e >= self.f.min_feedback else None
        return self._ratio[t]

    def history(self, t: float) -> list[float]:
        """The recorded ratios in the baseline window: ``[t - window - baseline, t - window]``."""
        end = t - self.f.window
        return [r for r in (self.ratio(s) for s in self.clock.evals(end - self.f.baseline, end)) if r is not None]

    def baseline(self, t: float) -> tuple[float, float] | None:
        h = self.history(t)
        if len(h) < self.f.history_samples:
            return None
        mean = sum(h) / len(h)
        var = sum((x - mean) ** 2 for x in h) / len(h)
        return mean, math.sqrt(var)

    def spike(self, t: float) -> bool:
        if t not in self._spike:
            r = self.ratio(t)
            b = None if r is None else self.baseline(t)
            self._spike[t] = r is not None and b is not None and r > b[0] + self.f.k * b[1] and r > b[0] + self.f.min_increase
        return self._spike[t]
