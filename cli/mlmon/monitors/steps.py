"""When the rules of a generated test case are evaluated: the step a case of a given length
takes (the model's interval; a minute, 5 minutes or coarser for long cases), and the ``Clock``
that puts a case's checks on evaluations and simulates ``for:`` there."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from mlmon.artifacts import RuleTest
from mlmon.compiler.units import format_duration
from mlmon.monitors.testkit import at

# At a sub-minute evaluation interval, a case longer than this evaluates every minute (inputs a
# minute apart): its windows and ``for:`` span an hour or more, which a minute resolves as well as
# 5s does, at a twelfth of the evaluations and samples (a 5s spec's SLO and anomaly cases took
# two and a half minutes of promtool CPU each at 5s)
LONG_CASE = 3600.0


def case_step(model: Any, horizon_s: float) -> float:
    """Seconds between the evaluations of a case lasting ``horizon_s``: the model's evaluation
    interval, or a minute for a long case (``LONG_CASE``) of a sub-minute one."""
    step = float(model.evaluation_interval)
    return 60.0 if step < 60.0 and horizon_s > LONG_CASE else step


# A simulated case (SLO burn rates: the expected states come from a simulation of every
# evaluation at the case's step) longer than this evaluates every 5 minutes when the model's
# interval is shorter: its tiers' windows span hours to days and their ``for:`` 15m or more, so
# 5m finds the same crossings within the margin the case allows, at a fifth of the evaluations
COARSE_CASE = 3 * 3600.0
COARSE_STEP = 300.0


def sim_case_step(model: Any, horizon_s: float) -> float:
    """``case_step`` of a simulated case: also 5m for one longer than ``COARSE_CASE``."""
    step = case_step(model, horizon_s)
    return COARSE_STEP if step < COARSE_STEP and horizon_s > COARSE_CASE else step


# A ``coarse`` case built on one-minute steps (steady inputs in phases, checks of alerts firing
# near its end or of states before a change) longer than this evaluates every 5 minutes when the
# model's interval is shorter; each of its firing checks allows ``coarse_margin``. Such a case
# watches a ``for:``, window or baseline of about an hour or more (an idle GPU for 2h, a traffic
# drop against the trailing hour), so 5m finds the same states, two evaluations late at most.
COARSE_MINUTE_CASE = 3600.0


def coarse_step(model: Any, horizon_s: float) -> float:
    """``case_step`` of a ``coarse`` minute-built case: also 5m for one longer than ``COARSE_MINUTE_CASE``."""
    step = case_step(model, horizon_s)
    return COARSE_STEP if step < COARSE_STEP and horizon_s > COARSE_MINUTE_CASE else step


def case_interval(model: Any, horizon_s: float, coarse: bool = False) -> str | None:
    """``RuleTest.evaluation_interval`` of a case built on one-minute steps (which is the same at
    any interval up to a minute): None (the model's), or ``1m`` for a long one (``case_step``);
    ``coarse`` cases, whose checks allow ``coarse_margin``, ``5m`` when longer than ``COARSE_MINUTE_CASE``."""
    step = (coarse_step if coarse else case_step)(model, horizon_s)
    return None if step == float(model.evaluation_interval) else format_duration(step)


def margin_at(model: Any, step: float) -> int:
    """Minutes a firing check moves when its case evaluates every ``step`` seconds: a crossing
    shows up to two evaluations late, beyond what the model's own interval allows."""
    from mlmon.monitors.burnrate import eval_margin

    return eval_margin(step) - eval_margin(float(model.evaluation_interval))


def coarse_margin(model: Any, horizon_s: float) -> int:
    """``margin_at`` the step of a ``coarse`` case of ``horizon_s``."""
    return margin_at(model, coarse_step(model, horizon_s))


def coarse_length(model: Any, n: int) -> int:
    """Minutes of a ``coarse`` case whose firing checks come near its end, ``n`` minutes at the
    model's interval: ``n`` and the ``coarse_margin`` of that long a case."""
    return n + coarse_margin(model, n * 60.0)


def horizon(test: RuleTest) -> float:
    """Seconds to the last check of a case."""
    from mlmon.compiler.units import parse_duration

    times = [c.eval_time for c in test.alert_checks] + [c.eval_time for c in test.expr_checks]
    return max((parse_duration(t) for t in times), default=0.0)


def minute_built(model: Any, tests: Sequence[RuleTest], coarse: bool = False) -> list[RuleTest]:
    """Cases built on one-minute steps, each at ``case_interval`` for its horizon."""
    import dataclasses

    return [t if t.evaluation_interval is not None else dataclasses.replace(t, evaluation_interval=case_interval(model, horizon(t), coarse)) for t in tests]


class Clock:
    """When the rules of a model's test file are evaluated: every ``step`` seconds (the model's
    evaluation interval, the file's ``evaluation_interval``) from 0. A check at time t reads the
    state of the last evaluation at or before t, so a case built on one-minute steps checks at
    ``next(t)`` (the first evaluation at or after t) and computes its expected values there;
    a change at minute t shows in the rules at ``next(t)``, up to one interval late."""

    def __init__(self, model: Any, step: float | None = None):
        self.step = float(step or model.evaluation_interval)

    def next_s(self, seconds: float) -> float:
        """The first evaluation at or after ``seconds``."""
        return math.ceil(seconds / self.step - 1e-9) * self.step

    def next(self, minute: float) -> int | float:
        """``next_s`` in minutes: a whole number when the evaluations fall on whole minutes."""
        m = self.next_s(minute * 60.0) / 60.0
        return int(m) if m == int(m) else m

    def at(self, minute: float) -> str:
        """The eval time of a check of the state at minute ``minute``: the first evaluation at or after it."""
        return at(self.next_s(minute * 60.0))

    @property
    def late(self) -> int:
        """Whole minutes a change can take to show beyond the one-minute design (0 at a minute or less)."""
        return 0 if self.step <= 60.0 else math.ceil(self.step / 60.0)

    @property
    def margin(self) -> int:
        """Minutes to add to a one-minute design's firing check: the condition shows up to one
        interval late and the ``for:`` is counted from that evaluation."""
        from mlmon.monitors.burnrate import eval_margin

        return eval_margin(self.step)

    def last_s(self, seconds: float) -> float:
        """The last evaluation at or before ``seconds``."""
        return math.floor(seconds / self.step + 1e-9) * self.step

    def before(self, seconds: float) -> float:
        """The last evaluation before ``seconds`` (a check there sees the state before a change at ``seconds``)."""
        return (math.ceil(seconds / self.step - 1e-9) - 1) * self.step

    def evals(self, start: float, end: float) -> list[float]:
        """The evaluations from ``start`` to ``end`` seconds, both included."""
        first, last = math.ceil(start / self.step - 1e-9), math.floor(end / self.step + 1e-9)
        return [i * self.step for i in range(max(0, first), last + 1)]

    def fires(self, cond: Callable[[float], bool], t: float, for_s: float) -> bool:
        """An alert on ``cond(evaluation seconds)`` with ``for: for_s`` fires at the evaluation
        ``t``: the condition held at every evaluation from the last one at or before ``t - for_s``."""
        return t - for_s >= 0 and all(cond(s) for s in self.evals(self.last_s(t - for_s), t))

    @property
    def sample_step(self) -> float:
        """Input sample spacing, seconds, for inputs read through ranges: a divisor of a minute
        that every evaluation falls on (a minute at 1m, 2m, ...; 30s at 30s), so windows end on
        samples and ``increase`` is exact."""
        return float(math.gcd(round(self.step), 60))
