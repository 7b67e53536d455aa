"""The cost rules evaluated the way Prometheus 2.x does it (closed range windows, instant
lookback 5m, subquery steps aligned to multiples of the step), over 1-minute samples of the cost
per hour: the expected values of the generated cases."""

from __future__ import annotations

from collections.abc import Callable, Sequence

MIN_PER_DAY = 1440


class CostSim:
    def __init__(self, cost: Sequence[float | None]):
        self.cost = cost  # cost per hour at minute i (None: absent)

    def at(self, t: int) -> float | None:
        return self.cost[t] if 0 <= t < len(self.cost) else None

    def avg(self, series: Callable[[int], float | None], t: int, w: int) -> float | None:
        vals = [v for v in (series(s) for s in range(max(0, t - w), t + 1)) if v is not None]
        return sum(vals) / len(vals) if vals else None

    def avg1h(self, t: int) -> float | None:
        return self.avg(self.at, t, 60)

    def avg1d(self, t: int) -> float | None:
        return self.avg(self.at, t, MIN_PER_DAY)

    def previous_days(self, t: int) -> float:
        """Per-day samples (24 x avg1d, written at each midnight) inside the last N days minus
        half a minute, N = day_of_month - 1 (epoch 0 is 1970-01-01, so in January
        day_of_month = elapsed days + 1)."""
        n = t // MIN_PER_DAY
        if n == 0:
            return 0.0
        days = (self.avg1d(m) for m in range(0, t + 1, MIN_PER_DAY) if m >= t - n * MIN_PER_DAY + 0.5)
        return sum(24 * a for a in days if a is not None)

    def today(self, t: int) -> float | None:
        n = (t % MIN_PER_DAY) // 60
        hours = (self.avg1h(m) for m in range(0, t + 1, 60) if n and m >= t - n * 60 + 0.5)
        vals = [a for a in hours if a is not None]
        now = self.at(t)
        if now is None:
            return None
        return sum(vals) + now * (t % 60) / 60

    def mtd(self, t: int) -> float | None:
        today = self.today(t)
        return None if today is None else self.previous_days(t) + today

    def projected(self, t: int) -> float | None:
        mtd, a = self.mtd(t), self.avg1d(t)
        if mtd is None or a is None:
            return None
        remaining_h = (31 * 86400 - (t // MIN_PER_DAY) * 86400 - (t * 60) % 86400) / 3600
        return mtd + a * remaining_h

    def true_spend(self, t: int) -> float:
        """The exact integral of the cost since the month started (step function per minute)."""
        return sum((self.cost[i] or 0.0) / 60 for i in range(0, t))
