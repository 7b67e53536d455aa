"""The cost rules evaluated the way Prometheus 2.x does it (closed range windows, instant
lookback), at the model's evaluation interval over 1-minute input samples of the cost per hour:
the expected values of the generated cases. Recorded series hold one sample per evaluation, so
an average of the recorded cost averages the evaluations in its window, and the once-per-day
(hour) spend samples are written at the first evaluation of each day (hour)."""

from __future__ import annotations

import calendar
from collections.abc import Sequence

from mlmon.monitors.steps import Clock

DAY, HOUR = 86400, 3600


def day_and_days_in_month(t: float) -> tuple[int, int]:
    """PromQL's ``day_of_month()`` and ``days_in_month()`` at ``t`` seconds since the epoch (UTC)."""
    # the proleptic Gregorian date of day number t // 86400 (days since 1970-01-01), counted in
    # 400-year eras from 0000-03-01 so that leap days fall at the end of each year
    z = int(t // DAY) + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day, month = doy - (153 * mp + 2) // 5 + 1, mp + 3 if mp < 10 else mp - 9
    year = yoe + era * 400 + (month <= 2)
    return day, calendar.monthrange(year, month)[1]


class CostSim:
    """Times are evaluations, in seconds."""

    def __init__(self, cost: Sequence[float | None], clock: Clock):
        self.cost = cost  # cost per hour of the input sample at minute i (None: absent)
        self.clock = clock
        self._avg: dict[tuple[float, int], float | None] = {}

    def at(self, t: float) -> float | None:
        """The cost per hour recorded at ``t``: the input's last sample at or before ``t``."""
        i = int(t // 60)
        return self.cost[i] if 0 <= i < len(self.cost) else None

    def avg(self, t: float, w: int) -> float | None:
        """avg_over_time of the recorded cost over ``[t - w, t]``: one sample per evaluation."""
        if (t, w) not in self._avg:
            vals = [v for v in (self.at(s) for s in self.clock.evals(t - w, t)) if v is not None]
            self._avg[(t, w)] = sum(vals) / len(vals) if vals else None
        return self._avg[(t, w)]

    def avg1h(self, t: float) -> float | None:
        return self.avg(t, HOUR)

    def avg1d(self, t: float) -> float | None:
        return self.avg(t, DAY)

    def _firsts(self, period: int, t: float, n: int) -> list[float]:
        """The first evaluations of the periods, up to ``t``, inside the window of the last
        ``n`` periods minus half an evaluation interval (``exprs._window``)."""
        firsts = (self.clock.next_s(p * period) for p in range(int(t // period) + 1))
        return [e for e in firsts if e <= t and e >= t - n * period + self.clock.step / 2]

    def previous_days(self, t: float) -> float:
        """Per-day samples (24 x avg1d, written at the first evaluation of each day) of this
        month's completed days: those inside the last N days minus half an interval, N =
        day_of_month - 1 (the sample written at the 1st's midnight closed last month)."""
        n = day_and_days_in_month(t)[0] - 1
        if n == 0:
            return 0.0
        days = (self.avg1d(e) for e in self._firsts(DAY, t, n))
        return sum(24 * a for a in days if a is not None)

    def today(self, t: float) -> float | None:
        n = int((t % DAY) // HOUR)
        hours = (self.avg1h(e) for e in (self._firsts(HOUR, t, n) if n else ()))
        vals = [a for a in hours if a is not None]
        now = self.at(t)
        if now is None:
            return None
        return sum(vals) + now * ((t % HOUR) / 60) / 60

    def mtd(self, t: float) -> float | None:
        today = self.today(t)
        return None if today is None else self.previous_days(t) + today

    def projected(self, t: float) -> float | None:
        mtd, a = self.mtd(t), self.avg1d(t)
        if mtd is None or a is None:
            return None
        day, days = day_and_days_in_month(t)
        remaining_h = (days * DAY - (day - 1) * DAY - t % DAY) / HOUR
        return mtd + a * remaining_h

    def true_spend(self, t: float) -> float:
        """The exact integral of the cost since the month started (a step function per minute)."""
        start = t - (day_and_days_in_month(t)[0] - 1) * DAY - t % DAY
        return sum((self.cost[i] or 0.0) / 60 for i in range(int(start // 60), int(t // 60)))
