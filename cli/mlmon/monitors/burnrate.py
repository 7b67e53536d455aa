"""Multi-window, multi-burn-rate alerting (the SRE workbook's tiers), shared by every monitor that
alerts on an error budget: the SLOs of ``slos`` and the LLM latency SLOs of ``llm``.

The tier table, how a period other than 30 days scales its windows, and a simulation of the
burn-rate rules at the model's evaluation interval, over counters sampled every minute (or as
often as the rules are evaluated, when that is more often); the rule-test cases take the alerts
expected at each checked instant from it. Counters start at 0 and every series of a ratio shares
its sample times, so ``rate()`` extrapolation cancels out of every ratio and the simulation is
exact.
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


def between_burn(tier: Tier, tiers: list[Tier]) -> float:
    """A burn rate that fires ``tier`` soon and no tier with a higher factor: halfway to the next
    higher factor of ``tiers`` (2x for the 1x tier under the 3x one), or twice its own factor."""
    upper = min((t.factor for t in tiers if t.factor > tier.factor), default=2 * tier.factor)
    return (tier.factor + upper) / 2


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
_DIVISORS_OF_MINUTE = (1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 10.0, 12.0, 15.0, 20.0, 30.0, 60.0)


def whole_minutes(seconds: float) -> int:
    return int(round(seconds / 60.0))


class Cumulative:
    """A counter that starts at 0 and grows by ``increments`` (per minute, evenly within each
    minute), read at any instant in minutes. One entry per segment, not per minute or sample, so
    a long SLO period or a short evaluation interval costs no memory."""

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
        self.length = t + 1  # minutes 0 .. t

    def __len__(self) -> int:
        return self.length

    def at(self, t: float) -> float:
        i = bisect.bisect_right(self.starts, t) - 1
        return 0.0 if i < 0 else self.bases[i] + self.incs[i] * (t - self.starts[i])


def cumulative(increments: Increments) -> Cumulative:
    return Cumulative(increments)


def sample_step(step: float) -> float:
    """Seconds between the samples of the test input for rules evaluated every ``step`` seconds:
    a minute, or the largest divisor of a minute not above ``step`` (every evaluation then sees
    as many samples in a window as Prometheus scraping at that rate does, so a 1m window is never
    one sample)."""
    return max([d for d in _DIVISORS_OF_MINUTE if d <= step] or [1.0])


def per_sample(increments: Increments | list[tuple[float, int]], step: float) -> list[tuple[float, int]]:
    """Per-minute increments as increments per sample (``sample_step(step)``): the counters grow
    evenly within each minute."""
    k = int(round(60.0 / sample_step(step)))
    return [(inc / k, n * k) for inc, n in increments]


def eval_margin(step: float) -> int:
    """Minutes an expected firing time moves at evaluation interval ``step`` (seconds) beyond the
    one-minute design: rules evaluated less often than every minute see a change up to one
    interval late, and a check reads the state of the last evaluation before it."""
    return 0 if step <= 60.0 else 2 * math.ceil(step / 60.0)


class Sim:
    """Burn-rate alert states of one error budget: counters sampled every ``sample_step(step)``
    seconds, rules evaluated every ``step`` seconds over the samples of ``[t - window, t]``; a
    check at minute t reads the state of the last evaluation at or before t, as promtool does.
    Conditions are computed at the evaluations asked for, never stored per evaluation."""

    def __init__(self, budget: float, tiers: tuple[Tier, ...], total: Cumulative, errors: Cumulative, step: float = 60.0):
        self.step = step
        self.tick = sample_step(step)
        self.budget = budget
        self.tiers = list(tiers)
        self.total = total
        self.errors = errors
        # a fleet shares one simulation per distinct SLO shape, so answers are kept
        self._firing_at: dict[int, tuple[int, ...]] = {}
        self._margin: dict[int, bool] = {}
        self._first: dict[tuple[Tier, int, int], int | None] = {}

    def ratio(self, t: float, w: float) -> float:
        """Error ratio over the ``w`` minutes before minute ``t`` (NaN without two samples or traffic)."""
        per_min = 60.0 / self.tick
        last = math.floor(t * per_min + 1e-9)
        first = max(0, math.ceil((t - w) * per_min - 1e-9))
        if last / per_min > len(self.total) - 1 + 1e-9 or last - first < 1:
            return math.nan
        t1, t0 = last / per_min, first / per_min
        dt = self.total.at(t1) - self.total.at(t0)
        if dt <= 0:
            return math.nan
        return (self.errors.at(t1) - self.errors.at(t0)) / dt

    def _last_eval(self, t: float) -> int:
        return math.floor(t * 60.0 / self.step + 1e-9)

    def _hold(self, tier: Tier) -> int:
        """Evaluations after the one that makes the alert active until it fires."""
        return math.ceil(tier.for_ / self.step - 1e-9)

    def _cond(self, tier: Tier, j: int) -> bool:
        """The tier's condition at evaluation ``j`` (NaN compares false, as in PromQL)."""
        if j < 0:
            return False
        t, eb, f = j * self.step / 60.0, self.budget, tier.factor
        return self.ratio(t, tier.long / 60.0) / eb > f and self.ratio(t, tier.short / 60.0) / eb > f

    def cond(self, tier: Tier, t: int) -> bool:
        """The condition at the last evaluation at or before minute ``t``."""
        return self._cond(tier, self._last_eval(t))

    def firing(self, tier: Tier, t: int) -> bool:
        """Whether ``tier`` fires at minute ``t``: its condition held at every evaluation for
        ``for`` up to the last one at or before ``t``."""
        j = self._last_eval(t)
        return all(self._cond(tier, k) for k in range(j, j - self._hold(tier) - 1, -1))

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
            hold, run, found = self._hold(tier), 0, None
            for j in range(self._last_eval(start) - hold, self._last_eval(end - 1) + 1):
                run = run + 1 if self._cond(tier, j) else 0
                if run > hold:
                    s = max(start, math.ceil(j * self.step / 60.0 - 1e-9))
                    if s < end and self._last_eval(s) == j:
                        found = s
                        break
            self._first[key] = found
        return self._first[key]

    def margin_ok(self, t: int) -> bool:
        """No condition flips within 2 minutes of ``t`` (keeps checks off the edges)."""
        hit = self._margin.get(t)
        if hit is None:
            lo, hi = self._last_eval(t - 2 - eval_margin(self.step)), self._last_eval(t + 2)
            hit = self._margin[t] = all(len({self._cond(tr, j) for j in range(lo, hi + 1)}) == 1 for tr in self.tiers)
        return hit


@functools.lru_cache(maxsize=4096)
def simulate(budget: float, tiers: tuple[Tier, ...], incs_t: Increments, incs_e: Increments, step: float = 60.0) -> Sim:
    """Shared simulations: a fleet repeats the same SLOs, so each distinct one is simulated once."""
    return Sim(budget, tiers, cumulative(incs_t), cumulative(incs_e), step)
