"""Multi-window, multi-burn-rate alerting (the SRE workbook's tiers), shared by every monitor that
alerts on an error budget: the SLOs of ``slos`` and the LLM latency SLOs of ``llm``.

The tier table, how a period other than 30 days scales its windows, and a simulation of the
burn-rate rules over minute-spaced counters (the rule-test cases take the alerts expected at each
checked instant from it). Counters start at 0 so ``rate()`` extrapolation cancels out of every
ratio and the simulation is exact.
"""

from __future__ import annotations

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


def cumulative(increments: Increments) -> list[float]:
    out = [0.0]
    for inc, n in increments:
        for _ in range(n):
            out.append(out[-1] + inc)
    return out


class Sim:
    """Burn-rate alert states of one error budget (evaluated every minute)."""

    def __init__(self, budget: float, tiers: tuple[Tier, ...], total: list[float], errors: list[float]):
        self.budget = budget
        self.tiers = list(tiers)
        self.total = total
        self.errors = errors
        self._cond: dict[Tier, list[bool]] = {}
        self._streak: dict[Tier, list[int]] = {}
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

    def _conds(self, tier: Tier) -> list[bool]:
        if tier not in self._cond:
            eb, lw, sw, f = self.budget, whole_minutes(tier.long), whole_minutes(tier.short), tier.factor
            # NaN compares false, as in PromQL
            self._cond[tier] = [self.ratio(t, lw) / eb > f and self.ratio(t, sw) / eb > f for t in range(len(self.total) + 3)]
        return self._cond[tier]

    def cond(self, tier: Tier, t: int) -> bool:
        c = self._conds(tier)
        return c[t] if 0 <= t < len(c) else False

    def firing(self, tier: Tier, t: int) -> bool:
        if tier not in self._streak:
            run, out = 0, []
            for c in self._conds(tier):
                run = run + 1 if c else 0
                out.append(run)
            self._streak[tier] = out
        streak = self._streak[tier][t] if t < len(self._streak[tier]) else 0
        return streak > 0 and streak - 1 >= whole_minutes(tier.for_)

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
            self._first[key] = next((s for s in range(start, end) if self.firing(tier, s)), None)
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
