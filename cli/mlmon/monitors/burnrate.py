"""Multi-window, multi-burn-rate alerting (the SRE workbook's tiers), shared by every monitor that
alerts on an error budget: the SLOs of ``slos`` and the LLM latency SLOs of ``llm``.

The tier table, how a period other than 30 days scales its windows, and a simulation of the
burn-rate rules over minute-spaced counters (the rule-test cases take the alerts expected at each
checked instant from it). Counters start at 0 so ``rate()`` extrapolation cancels out of every
ratio and the simulation is exact.
"""

from __future__ import annotations

import bisect
import functools
import math
from dataclasses import dataclass

from mlmon import conventions as C
from mlmon.artifacts import Panel, Target, Threshold
from mlmon.compiler.units import format_duration, num

BASE_PERIOD = 30 * 86400.0  # the period the tier windows are written for


def round_window(seconds: float) -> float:
    """A scaled window or ``for``: whole minutes, at least one."""
    return max(60.0, round(seconds / 60.0) * 60.0)


@dataclass(frozen=True)
class Tier:
    severity_class: str  # page | ticket
    long: float  # seconds, for a 30d period
    short: float
    factor: float
    for_: float

    def scaled(self, period: float) -> Tier:
        s = period / BASE_PERIOD
        return Tier(self.severity_class, round_window(self.long * s), round_window(self.short * s), self.factor, round_window(self.for_ * s))

    @property
    def windows(self) -> str:
        """``long/short``, e.g. ``1h/5m`` (the burn_window label)."""
        return f"{format_duration(self.long)}/{format_duration(self.short)}"


TIERS = (
    Tier("page", 3600, 300, 14.4, 120),
    Tier("page", 6 * 3600, 1800, 6.0, 900),
    Tier("ticket", 86400, 7200, 3.0, 3600),
    Tier("ticket", 3 * 86400, 6 * 3600, 1.0, 3 * 3600),
)


def tiers_text(severity_class: str, sep: str = ", ") -> str:
    """The tiers of one class as ``1h/5m at 14.4x, 6h/30m at 6x``."""
    return sep.join(f"{t.windows} at {num(t.factor)}x" for t in TIERS if t.severity_class == severity_class)


def scaled_tiers(period: float, page: bool = True, ticket: bool = True) -> list[Tier]:
    """The tiers that alert (page and/or ticket), scaled to ``period``."""
    return [t.scaled(period) for t in TIERS if (page if t.severity_class == "page" else ticket)]


def windows(period: float) -> list[float]:
    """Every window of every tier (alerting or not), scaled, shortest first."""
    return sorted({w for t in (x.scaled(period) for x in TIERS) for w in (t.long, t.short)})


def burn_expr(long_metric: str, short_metric: str, budget: float, factor: float) -> str:
    """The condition of one tier: the error ratio over both windows above factor x budget."""
    eb, f = num(budget), num(factor)
    return f"(\n  {long_metric} / {eb} > {f}\n)\nand\n(\n  {short_metric} / {eb} > {f}\n)"


BUDGET_THRESHOLDS = (Threshold(None, "red"), Threshold(25, "orange"), Threshold(50, "green"))


def budget_panels(title: str, sel: str, objective: float, period: float, description: str) -> tuple[Panel, Panel]:
    """The SLI over the period against the objective, and the error budget left, of one SLO's
    recorded series (``sel``: its label matchers, with braces)."""
    return (
        Panel(
            f"{title}: SLI over {format_duration(period)}",
            "stat",
            (Target(f"100 * (1 - {C.SLO_PERIOD_ERROR_RATIO}{sel})", "SLI", True),),
            unit="percent",
            decimals=3,
            width=6,
            height=6,
            description=f"{description} Objective: {num(objective)}%.",
            thresholds=(Threshold(None, "red"), Threshold(objective, "green")),
        ),
        Panel(
            f"{title}: error budget remaining",
            "gauge",
            (Target(f"100 * {C.SLO_BUDGET_REMAINING}{sel}", "budget left", True),),
            unit="percent",
            min=0,
            max=100,
            width=6,
            height=6,
            description="Share of the period's error budget not yet spent (negative: SLO breached).",
            thresholds=BUDGET_THRESHOLDS,
        ),
    )


# --- the simulation ------------------------------------------------------------------------------
Increments = tuple[tuple[float, int], ...]  # (increment per minute, minutes)


def whole_minutes(seconds: float) -> int:
    return int(round(seconds / 60.0))


class Cumulative:
    """A counter that starts at 0 and grows by ``increments``, read by minute index. It keeps one
    entry per segment, not per minute, so a long SLO period (whose scaled windows make the rule
    tests span months of minutes) costs no more memory than a short one."""

    def __init__(self, increments: Increments):
        self.starts: list[int] = []  # first minute of each segment
        self.bases: list[float] = []  # value at that minute
        self.incs: list[float] = []
        t, v = 0, 0.0
        for inc, n in increments:
            if n <= 0:
                continue
            self.starts.append(t)
            self.bases.append(v)
            self.incs.append(inc)
            t, v = t + n, v + inc * n
        self.length = t + 1

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, t: int) -> float:
        if not 0 <= t < self.length:
            raise IndexError(t)
        i = bisect.bisect_right(self.starts, t) - 1
        return 0.0 if i < 0 else self.bases[i] + self.incs[i] * (t - self.starts[i])


def cumulative(increments: Increments) -> Cumulative:
    return Cumulative(increments)


class Sim:
    """Burn-rate alert states of one error budget (evaluated every minute). Conditions are
    computed at the minutes asked for, never stored per minute (see ``Cumulative``)."""

    def __init__(self, budget: float, tiers: tuple[Tier, ...], total: Cumulative, errors: Cumulative):
        self.budget = budget
        self.tiers = list(tiers)
        self.total = total
        self.errors = errors
        # a fleet shares one simulation per distinct SLO shape, so answers are kept
        self._firing_at: dict[int, tuple[int, ...]] = {}
        self._margin: dict[int, bool] = {}
        self._first: dict[tuple[Tier, int, int], int | None] = {}

    def ratio(self, t: int, w: int) -> float:
        i0 = max(0, t - w)
        if t >= len(self.total) or t - i0 < 1:
            return math.nan
        dt = self.total[t] - self.total[i0]
        if dt <= 0:
            return math.nan
        return (self.errors[t] - self.errors[i0]) / dt

    def cond(self, tier: Tier, t: int) -> bool:
        if t < 0:
            return False
        eb, f = self.budget, tier.factor
        # NaN compares false, as in PromQL
        return self.ratio(t, whole_minutes(tier.long)) / eb > f and self.ratio(t, whole_minutes(tier.short)) / eb > f

    def firing(self, tier: Tier, t: int) -> bool:
        """The condition held at every minute from ``t - for`` to ``t``."""
        return all(self.cond(tier, s) for s in range(t, t - whole_minutes(tier.for_) - 1, -1))

    def firing_set(self, t: int) -> tuple[int, ...]:
        """Indexes (into ``tiers``) of the tiers firing at minute ``t``."""
        hit = self._firing_at.get(t)
        if hit is None:
            hit = self._firing_at[t] = tuple(i for i, tier in enumerate(self.tiers) if self.firing(tier, t))
        return hit

    def first_firing(self, tier: Tier, start: int, end: int) -> int | None:
        """First minute in [start, end) at which ``tier`` fires, or None."""
        key = (tier, start, end)
        if key not in self._first:
            hold, run, found = whole_minutes(tier.for_), 0, None
            for s in range(start - hold, end):
                run = run + 1 if self.cond(tier, s) else 0
                if s >= start and run > hold:
                    found = s
                    break
            self._first[key] = found
        return self._first[key]

    def margin_ok(self, t: int) -> bool:
        """No condition flips within 2 minutes of ``t`` (keeps checks off the edges)."""
        hit = self._margin.get(t)
        if hit is None:
            hit = self._margin[t] = all(len({self.cond(tr, s) for s in range(t - 2, t + 3)}) == 1 for tr in self.tiers)
        return hit


@functools.lru_cache(maxsize=4096)
def simulate(budget: float, tiers: tuple[Tier, ...], incs_t: Increments, incs_e: Increments) -> Sim:
    """Shared simulations: a fleet repeats the same SLOs, so each distinct one is simulated once."""
    return Sim(budget, tiers, cumulative(incs_t), cumulative(incs_e))
