"""The feedback rules as Prometheus evaluates them on 1-minute counters starting at 0, for the
expected values of the rule tests."""

from __future__ import annotations

import math

from mlmon.monitors.feedback.compile import Feedback


class FeedbackSim:
    """increase() over a window is exactly the difference of the samples at its ends (no
    extrapolation: a sample sits on each end, or the counter starts at 0)."""

    def __init__(self, f: Feedback, pos: list[float], neg: list[float]):
        self.f, self.pos, self.neg = f, pos, neg
        self.w = int(f.window // 60)
        self._ratio: dict[int, float | None] = {}

    def inc(self, v: list[float], t: int) -> float:
        return v[t] - v[max(0, t - self.w)] if t < len(v) else math.nan

    def events(self, t: int) -> float:
        return self.inc(self.pos, t) + self.inc(self.neg, t)

    def ratio(self, t: int) -> float | None:
        if t not in self._ratio:
            e = self.events(t)
            self._ratio[t] = self.inc(self.neg, t) / e if t >= 0 and e >= self.f.min_feedback else None
        return self._ratio[t]

    def history(self, t: int) -> list[float]:
        end = t - self.w
        start = end - int(self.f.baseline // 60)
        return [r for r in (self.ratio(s) for s in range(max(0, start), end + 1)) if r is not None]

    def baseline(self, t: int) -> tuple[float, float] | None:
        h = self.history(t)
        if len(h) < self.f.history_samples:
            return None
        mean = sum(h) / len(h)
        var = sum((x - mean) ** 2 for x in h) / len(h)
        return mean, math.sqrt(var)

    def spike(self, t: int) -> bool:
        r, b = self.ratio(t), self.baseline(t)
        if r is None or b is None:
            return False
        return r > b[0] + self.f.k * b[1] and r > b[0] + self.f.min_increase
