"""promtool rule tests for SLOs, with expectations computed by simulating the rules (``sim``).

Each SLO gets these cases (evaluated at the model's evaluation interval, ``burnrate.Sim``; a case
longer than 6h every 15m, one longer than 3h every 5m and, under a minute, one longer than an
hour every minute: ``burn_case_step``):

- healthy, then fast burn: traffic at 10% of the budget raises nothing for the tier's long
  window; then errors at 1.1 x the tier's factor x budget page no later than the designed
  detection time (long window x factor / burn) + ``for`` + 2m; one case per page tier;
- ticket burns: for each ticket tier, a burn halfway to the next higher factor (2 x budget for
  the 1x tier, 4.5 x for the 3x one) opens that ticket and no page ever;
- outage with absent good series: every request fails from the start and the good series were
  never created: the fastest tier fires;
- no data: traffic stops (and, separately, no series at all): the no-data alert fires; an idle-ok
  model only alerts on missing series.

Which alerts are firing at each checked instant comes from the simulation, so the test encodes
the design and promtool proves the generated PromQL matches it. When a model's SLOs read disjoint
inputs, the k-th burn case of each SLO (and the outages) run side by side in one case: promtool
evaluates every SLO's rules at every step anyway, and each SLO's alerts are expected from its
own simulation.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import AlertCheck, ExpAlert, RuleTest
from mlmon.compiler.units import fmt_float, format_duration
from mlmon.monitors.burnrate import between_burn, eval_margin, sample_step
from mlmon.monitors.slo import rules
from mlmon.monitors.slo.inputs import signature, synthetic
from mlmon.monitors.slo.model import SLO
from mlmon.monitors.slo.schema import Tier
from mlmon.monitors.slo.sim import Increments, Sim, simulate
from mlmon.monitors.slo.sim import whole_minutes as _m
from mlmon.monitors.steps import COARSE_STEP, Clock, case_step, coarse_step, margin_at, sim_case_step

TOTAL_PER_MIN = 1000.0  # synthetic requests per minute
TICKET_SETTLE = 15  # minutes after the simulated ticket opens that a ticket case checks it


# A burn-rate case longer than this (an SLO's slow page tier and its tickets, whose windows span
# 6h to 3d) evaluates every 15 minutes: every evaluation at that step is simulated, so its
# expected states stay exact, and its firing checks move later by the step's margin
# (``burnrate.eval_margin``: 30m), small beside windows of hours to days
SLOW_CASE = 6 * 3600.0
SLOW_STEP = 900.0


def burn_case_step(model: Any, horizon_s: float) -> float:
    """``sim_case_step`` of a burn-rate case: also 15m for one longer than ``SLOW_CASE``."""
    step = sim_case_step(model, horizon_s)
    return SLOW_STEP if step < SLOW_STEP and horizon_s > SLOW_CASE else step


class Scenario:
    """Input series and per-SLO counters for one test case of one model: each SLO named in
    ``traffic`` follows its (total, errors) increments, and so does every SLO on the same inputs;
    SLOs on other inputs get healthy background traffic."""

    def __init__(
        self,
        model: Any,
        slos: list[SLO],
        traffic: dict[str, tuple[list[tuple[float, int]], list[tuple[float, int]]]],
        absent_good: bool = False,
        step: float | None = None,
    ):
        self.model = model
        self.length = max(sum(n for _, n in incs_t) for incs_t, _ in traffic.values())
        # the model's interval; a minute or 5m for a long case (steps.sim_case_step)
        self.step = step or sim_case_step(model, self.length * 60.0)
        self.series: dict[str, str] = {}
        self.counters: dict[str, tuple[Increments, Increments]] = {}  # SLO name -> (total, errors) increments
        self.stopped: set[str] = set()
        self._sims: dict[str, Sim] = {}
        self.ok = True
        maybe = {slo.name: signature(model, slo) for slo in slos}
        sigs = {name: sig for name, sig in maybe.items() if sig is not None}
        if len(sigs) < len(maybe):
            self.ok = False
            return
        driven = {name: sigs[name] for name in traffic}
        for slo in slos:
            other = sigs[slo.name]
            source = next((name for name, sig in driven.items() if sig == other), None)
            if source is not None:
                ti, ei = traffic[source]
                if ti[-1][0] == 0.0:
                    self.stopped.add(slo.name)
            elif any(other & sig for sig in driven.values()):
                self.ok = False  # partly shared inputs: outcome of the other SLO cannot be simulated
                return
            else:
                ti = [(TOTAL_PER_MIN, self.length)]
                ei = [(0.1 * slo.budget * TOTAL_PER_MIN, self.length)]
            self.counters[slo.name] = (tuple(ti), tuple(ei))
            for name, values in synthetic(model, slo, ti, ei, self.step) or ():
                self.series.setdefault(name, values)
        if absent_good:  # a counter that never grew was never created (e.g. code="2xx" during an outage)
            self.series = {k: v for k, v in self.series.items() if not _never_grows(v)}

    def sim(self, slo: SLO) -> Sim:
        if slo.name not in self._sims:
            self._sims[slo.name] = simulate(slo.budget, tuple(slo.tiers()), *self.counters[slo.name], self.step)
        return self._sims[slo.name]

    def firing(self, slos: list[SLO], t: int) -> list[tuple[SLO, Tier]]:
        out: list[tuple[SLO, Tier]] = []
        for slo in slos:
            sim = self.sim(slo)
            out.extend((slo, sim.tiers[i]) for i in sim.firing_set(t))
        return out

    def stable(self, slos: list[SLO], t: int) -> bool:
        return all(self.sim(slo).margin_ok(t) for slo in slos)

    def check(self, slos: list[SLO], t: int) -> AlertCheck:
        exp = tuple(ExpAlert(rules.burn_labels(self.model, s, tier), rules.burn_annotations(self.model, s, tier)) for s, tier in self.firing(slos, t))
        return AlertCheck(f"{t}m", C.ALERT_SLO_BURN, exp)

    def test(self, name: str, checks: tuple[AlertCheck, ...]) -> RuleTest:
        return RuleTest(
            name, format_duration(sample_step(self.step)), tuple(sorted(self.series.items())), checks, evaluation_interval=format_duration(self.step)
        )


def _never_grows(values: str) -> bool:
    """Whether promtool values (``0+0x10 0+0x5``) stay 0."""
    return all(re.fullmatch(r"0(\+0x\d+)?", part) for part in values.split())


@dataclass(frozen=True)
class Burn:
    """One SLO's burn case: healthy traffic for ``prefix`` minutes, then a ``burn`` x budget burn
    under which tier ``tier_index`` fires by ``check_at`` (moved off any edge, and later by the
    margin of a coarser ``step`` than the model's)."""

    slo: SLO
    name: str
    prefix: int
    burn: float
    tier_index: int
    check_at: int
    step: float


def _burn_test(model: Any, slos: list[SLO], burns: list[Burn]) -> RuleTest | None:
    """One promtool case of ``burns`` (of SLOs on disjoint inputs, at one step) side by side:
    checked before the first burn and at each burn's check time, where every SLO's expected
    alerts come from its own simulation."""
    step = burns[0].step
    length = max(b.check_at for b in burns) + 10
    traffic = {}
    for b in burns:
        eb = b.slo.budget
        traffic[b.slo.name] = (
            [(TOTAL_PER_MIN, b.prefix), (TOTAL_PER_MIN, length - b.prefix)],
            [(0.1 * eb * TOTAL_PER_MIN, b.prefix), (min(b.burn * eb, 1.0) * TOTAL_PER_MIN, length - b.prefix)],
        )
    sc = Scenario(model, slos, traffic, step=step)
    if not sc.ok:
        return None
    checks: dict[int, AlertCheck] = {}
    before = min(b.prefix for b in burns) - 1
    if before > 2 and sc.stable(slos, before):
        checks[before] = sc.check(slos, before)
    for b in burns:
        t = b.check_at
        while not sc.stable(slos, t) and t < length - 3:
            t += 1
        tier = b.slo.tiers()[b.tier_index]
        mine = [tr for s, tr in sc.firing(slos, t) if s is b.slo]
        if tier not in mine:
            raise AssertionError(f"design error: tier {b.tier_index} not firing at {t}m for {model.id}/{b.slo.name}")
        if any(tr.severity_class == "page" for tr in mine) != (tier.severity_class == "page"):
            raise AssertionError(f"design error: unexpected page state at {t}m for {model.id}/{b.slo.name}")
        checks[t] = sc.check(slos, t)
    return sc.test("; ".join(b.name for b in burns), tuple(checks[t] for t in sorted(checks)))


def _disjoint(model: Any, slos: list[SLO]) -> bool:
    """Whether every SLO reads inputs no other SLO reads (their cases can then run side by side)."""
    sigs = [sig for sig in (signature(model, slo) for slo in slos) if sig is not None]
    return len(sigs) == len(slos) and all(not (a & b) for i, a in enumerate(sigs) for b in sigs[i + 1 :])


def tests_for_model(model: Any, slos: list[SLO]) -> list[RuleTest]:
    """Every SLO's burn cases, the k-th of each SLO in one case when the SLOs read disjoint
    inputs and the cases evaluate at the same step (promtool evaluates every SLO's rules at every
    step of every case, so side by side they cost one case's steps instead of one per SLO); the
    outages and the traffic stops likewise; then no series at all."""
    disjoint = _disjoint(model, slos)
    plans = [[*_page_burns(model, slo), *_ticket_burns(model, slo)] for slo in slos]
    rows = [[p[k] for p in plans if k < len(p)] for k in range(max(map(len, plans), default=0))] if disjoint else [[b] for p in plans for b in p]
    tests: list[RuleTest] = []
    for row in rows:
        for step in sorted({b.step for b in row}):
            t = _burn_test(model, slos, [b for b in row if b.step == step])
            if t is not None:
                tests.append(t)
    outages = [slos] if disjoint else [[slo] for slo in slos]
    tests.extend(t for t in (_outage_case(model, slos, failing) for failing in outages if failing) if t is not None)
    tests.extend(_nodata_tests(model, slos, disjoint))
    return tests


def _page_burns(model: Any, slo: SLO) -> list[Burn]:
    out: list[Burn] = []
    eb = slo.budget
    for i, t in enumerate(slo.tiers()):
        if t.severity_class != "page":
            continue
        burn = t.factor * 1.1
        if burn * eb > 1.0:
            burn = (t.factor + 1.0 / eb) / 2.0
        prefix = _m(t.long)
        detect = math.ceil(_m(t.long) * t.factor / burn)  # minutes until the long window averages over factor
        check_at = prefix + detect + _m(t.for_) + 2 + eval_margin(model.evaluation_interval)
        step = burn_case_step(model, (check_at + 10) * 60.0)
        name = (
            f"{model.id}/{slo.name}: healthy traffic (errors at 10% of the budget) for {format_duration(t.long)} raises nothing; "
            f"then on the {t.windows} tier a {fmt_float(round(burn, 3))}x burn pages within "
            f"{format_duration(60 * (detect + _m(t.for_) + 2))} (detection {detect}m + for {format_duration(t.for_)})"
        )
        out.append(Burn(slo, name, prefix, burn, i, check_at + margin_at(model, step), step))
    return out


def _ticket_burns(model: Any, slo: SLO) -> list[Burn]:
    """For each ticket tier, a burn just over its factor (2x for the 1x tier) opens that ticket,
    with no page."""
    tiers = slo.tiers()
    out: list[Burn] = []
    for i, t in enumerate(tiers):
        if t.severity_class != "ticket":
            continue
        burn = between_burn(t, tiers)
        prefix = 60
        horizon = prefix + _m(t.long) + _m(t.for_) + 10 + TICKET_SETTLE + eval_margin(model.evaluation_interval)
        step = burn_case_step(model, horizon * 60.0)
        horizon += margin_at(model, step)
        eb_inc = ((0.1 * slo.budget * TOTAL_PER_MIN, prefix), (min(burn * slo.budget, 1.0) * TOTAL_PER_MIN, horizon - prefix))
        sim = simulate(slo.budget, tuple(tiers), ((TOTAL_PER_MIN, horizon),), eb_inc, step)
        first = sim.first_firing(t, prefix, horizon)
        if first is None:
            raise AssertionError(f"design error: the {fmt_float(burn)}x burn never opens a ticket for {model.id}/{slo.name}")
        name = f"{model.id}/{slo.name}: a {fmt_float(round(burn, 3))}x burn opens a ticket ({t.windows} tier, after {format_duration(60 * (first - prefix))}) and never pages"
        # checked a while after the ticket opens: the long window fills slowly, so a one-sample
        # difference (per-period gauges read with avg_over_time) moves the crossing by minutes
        settle = TICKET_SETTLE + margin_at(model, step)
        out.append(Burn(slo, name, prefix, burn, i, first + settle, step))
    return out


def _outage_case(model: Any, slos: list[SLO], failing: list[SLO]) -> RuleTest | None:
    """Every request of the ``failing`` SLOs (on disjoint inputs) fails from the first one on, so
    the series of good requests (a success counter, a ``code="2xx"`` series, the threshold's
    bucket) is never created: a missing good count is zero good events, and the fastest tier (the
    page tier when paging is on) of each fires."""
    at = max(1 + _m(slo.tiers()[0].for_) + 3 + eval_margin(model.evaluation_interval) for slo in failing)
    # inputs read as per-period gauges count from their first sample, one evaluation before
    # counters do: at intervals over a minute, check where that evaluation changes nothing
    late = Clock(model).late
    length = at + 10 + 3 * late
    # at the model's interval: the fastest tier fires within minutes, however long its ``for:``
    full = ([(TOTAL_PER_MIN, length)], [(TOTAL_PER_MIN, length)])
    sc = Scenario(model, slos, {slo.name: full for slo in failing}, absent_good=True, step=case_step(model, length * 60.0))
    if not sc.ok:
        return None
    while not (sc.stable(slos, at) and sc.firing(slos, at) == sc.firing(slos, at + late)) and at < length - 3 - late:
        at += 1
    for slo in failing:
        tier = slo.tiers()[0]
        if tier not in [tr for s, tr in sc.firing(slos, at) if s is slo]:
            raise AssertionError(f"design error: the {tier.windows} tier not firing at {at}m of the outage for {model.id}/{slo.name}")
    name = "; ".join(
        f"{model.id}/{slo.name}: outage with absent good series (every request fails from the start, only the total/failed "
        f"series exist): the {slo.tiers()[0].windows} tier fires by {at}m"
        for slo in failing
    )
    return sc.test(name, (sc.check(slos, at),))


def _nodata_tests(model: Any, slos: list[SLO], disjoint: bool) -> list[RuleTest]:
    """Traffic stops at 30m (for every SLO at once when they read disjoint inputs, else one SLO
    at a time): the no-data alert of each SLO whose inputs stopped fires; and no series at all."""
    tests: list[RuleTest] = []
    run = 30

    def expected(stopped: list[SLO]) -> tuple[ExpAlert, ...]:
        return tuple(ExpAlert(rules.nodata_labels(model, s), rules.nodata_annotations(model, s)) for s in stopped)

    for group in [slos] if disjoint and slos else [[slo] for slo in slos]:
        length = run + 3 * max(_m(slo.nodata_window) + _m(slo.no_data_for) for slo in group) + 10
        traffic = {slo.name: ([(TOTAL_PER_MIN, run), (0.0, length - run)], [(0.1 * slo.budget * TOTAL_PER_MIN, run), (0.0, length - run)]) for slo in group}
        # checked at the no-data time, not a crossing: a case over an hour evaluates every 15m
        # when the model's interval is shorter, as the long burn cases do (so it shares their
        # file), and its check comes two of those evaluations later
        horizon = run + max(_m(slo.nodata_window) + _m(slo.no_data_for) for slo in group) + 2
        step = coarse_step(model, horizon * 60.0)
        sc = Scenario(model, slos, traffic, step=SLOW_STEP if step == COARSE_STEP else step)
        if not sc.ok:
            continue
        stopped = [s for s in slos if s.name in sc.stopped]
        at = run + max(_m(s.nodata_window) + _m(s.no_data_for) for s in stopped) + 2 + eval_margin(sc.step)
        if model.idle_ok:
            name = "; ".join(f"{model.id}/{slo.name}: idle by design: traffic stops at {run}m and nothing fires" for slo in group)
            tests.append(sc.test(name, (AlertCheck(f"{at}m", C.ALERT_SLO_NODATA, ()), sc.check(slos, at))))
            continue
        name = "; ".join(f"{model.id}/{slo.name}: traffic stops at {run}m: the no-data alert fires after {format_duration(slo.no_data_for)}" for slo in group)
        tests.append(sc.test(name, (AlertCheck(f"{run - 2}m", C.ALERT_SLO_NODATA, ()), AlertCheck(f"{at}m", C.ALERT_SLO_NODATA, expected(stopped)))))
    if slos:
        at = max(_m(s.no_data_for) for s in slos) + 2 + eval_margin(model.evaluation_interval)
        check = AlertCheck(f"{at}m", C.ALERT_SLO_NODATA, expected(slos))
        tests.append(
            RuleTest(
                f"{model.id}: no series at all: every SLO raises its no-data alert",
                "1m",
                (),
                (check,),
                evaluation_interval=format_duration(model.evaluation_interval),
            )
        )
    return tests
