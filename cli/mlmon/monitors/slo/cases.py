"""promtool rule tests for SLOs, with expectations computed by simulating the rules (``sim``).

Each SLO gets these cases (evaluated at the model's evaluation interval, ``burnrate.Sim``; a case
longer than 3h every 5m and, under a minute, one longer than an hour every minute:
``testkit.sim_case_step``):

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
the design and promtool proves the generated PromQL matches it.
"""

from __future__ import annotations

import math
import re
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
from mlmon.monitors.testkit import Clock, case_step, sim_case_step

TOTAL_PER_MIN = 1000.0  # synthetic requests per minute
TICKET_SETTLE = 15  # minutes after the simulated ticket opens that a ticket case checks it


class Scenario:
    """Input series and per-SLO counters for one test case of one model: the ``target`` SLO's
    inputs follow ``incs_t``/``incs_e``; SLOs on other inputs get healthy background traffic."""

    def __init__(
        self,
        model: Any,
        slos: list[SLO],
        target: SLO,
        incs_t: list[tuple[float, int]],
        incs_e: list[tuple[float, int]],
        absent_good: bool = False,
        step: float | None = None,
    ):
        self.model = model
        self.length = sum(n for _, n in incs_t)
        # the model's interval; a minute or 5m for a long case (testkit.sim_case_step)
        self.step = step or sim_case_step(model, self.length * 60.0)
        self.series: dict[str, str] = {}
        self.counters: dict[str, tuple[Increments, Increments]] = {}  # SLO name -> (total, errors) increments
        self.stopped: set[str] = set()
        self._sims: dict[str, Sim] = {}
        self.ok = True
        sig = signature(model, target)
        if sig is None:
            self.ok = False
            return
        for slo in slos:
            other = signature(model, slo)
            if other is None:
                self.ok = False
                return
            if other == sig:
                ti, ei = incs_t, incs_e
                if incs_t[-1][0] == 0.0:
                    self.stopped.add(slo.name)
            elif other & sig:
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


def _burn_case(
    model: Any, slos: list[SLO], slo: SLO, name: str, prefix_min: int, burn: float, tier_index: int, check_at: int, step: float | None = None
) -> RuleTest | None:
    """Healthy traffic for ``prefix_min``, then a ``burn`` x budget burn; checked before the
    burn and at ``check_at`` (moved off any edge, and later by the margin of a coarser step
    than the model's), where tier ``tier_index`` must fire."""
    if step is None:
        step = sim_case_step(model, (check_at + 10) * 60.0)
        check_at += eval_margin(step) - eval_margin(model.evaluation_interval)
    length = check_at + 10
    eb = slo.budget
    incs_t = [(TOTAL_PER_MIN, prefix_min), (TOTAL_PER_MIN, length - prefix_min)]
    incs_e = [(0.1 * eb * TOTAL_PER_MIN, prefix_min), (min(burn * eb, 1.0) * TOTAL_PER_MIN, length - prefix_min)]
    sc = Scenario(model, slos, slo, incs_t, incs_e, step=step)
    if not sc.ok:
        return None
    tier = slo.tiers()[tier_index]
    checks = []
    before = prefix_min - 1
    if before > 2 and sc.stable(slos, before):
        checks.append(sc.check(slos, before))
    t = check_at
    while not sc.stable(slos, t) and t < length - 3:
        t += 1
    mine = [tr for s, tr in sc.firing(slos, t) if s is slo]
    if tier not in mine:
        raise AssertionError(f"design error: tier {tier_index} not firing at {t}m for {model.id}/{slo.name}")
    if any(tr.severity_class == "page" for tr in mine) != (tier.severity_class == "page"):
        raise AssertionError(f"design error: unexpected page state at {t}m for {model.id}/{slo.name}")
    checks.append(sc.check(slos, t))
    return sc.test(name, tuple(checks))


def tests_for_model(model: Any, slos: list[SLO]) -> list[RuleTest]:
    tests: list[RuleTest] = []
    for slo in slos:
        cases = (*_page_cases(model, slos, slo), *_ticket_cases(model, slos, slo), _outage_case(model, slos, slo))
        tests.extend(t for t in cases if t is not None)
    tests.extend(_nodata_tests(model, slos))
    return tests


def _page_cases(model: Any, slos: list[SLO], slo: SLO) -> list[RuleTest | None]:
    out: list[RuleTest | None] = []
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
        out.append(
            _burn_case(
                model,
                slos,
                slo,
                f"{model.id}/{slo.name}: healthy traffic (errors at 10% of the budget) for {format_duration(t.long)} raises nothing; "
                f"then on the {t.windows} tier a {fmt_float(round(burn, 3))}x burn pages within "
                f"{format_duration(60 * (detect + _m(t.for_) + 2))} (detection {detect}m + for {format_duration(t.for_)})",
                prefix,
                burn,
                i,
                check_at,
            )
        )
    return out


def _ticket_cases(model: Any, slos: list[SLO], slo: SLO) -> list[RuleTest | None]:
    """For each ticket tier, a burn just over its factor (2x for the 1x tier) opens that ticket,
    with no page."""
    tiers = slo.tiers()
    out: list[RuleTest | None] = []
    for i, t in enumerate(tiers):
        if t.severity_class != "ticket":
            continue
        burn = between_burn(t, tiers)
        prefix = 60
        horizon = prefix + _m(t.long) + _m(t.for_) + 10 + TICKET_SETTLE + eval_margin(model.evaluation_interval)
        step = sim_case_step(model, horizon * 60.0)
        horizon += eval_margin(step) - eval_margin(model.evaluation_interval)
        eb_inc = ((0.1 * slo.budget * TOTAL_PER_MIN, prefix), (min(burn * slo.budget, 1.0) * TOTAL_PER_MIN, horizon - prefix))
        sim = simulate(slo.budget, tuple(tiers), ((TOTAL_PER_MIN, horizon),), eb_inc, step)
        first = sim.first_firing(t, prefix, horizon)
        if first is None:
            raise AssertionError(f"design error: the {fmt_float(burn)}x burn never opens a ticket for {model.id}/{slo.name}")
        name = f"{model.id}/{slo.name}: a {fmt_float(round(burn, 3))}x burn opens a ticket ({t.windows} tier, after {format_duration(60 * (first - prefix))}) and never pages"
        # checked a while after the ticket opens: the long window fills slowly, so a one-sample
        # difference (per-period gauges read with avg_over_time) moves the crossing by minutes
        settle = TICKET_SETTLE + eval_margin(step) - eval_margin(model.evaluation_interval)
        out.append(_burn_case(model, slos, slo, name, prefix, burn, i, first + settle, step))
    return out


def _outage_case(model: Any, slos: list[SLO], slo: SLO) -> RuleTest | None:
    """Every request fails from the first one on, so the series of good requests (a success
    counter, a ``code="2xx"`` series, the threshold's bucket) is never created: a missing good
    count is zero good events, and the fastest tier (the page tier when paging is on) fires."""
    tier = slo.tiers()[0]
    at = 1 + _m(tier.for_) + 3 + eval_margin(model.evaluation_interval)
    # inputs read as per-period gauges count from their first sample, one evaluation before
    # counters do: at intervals over a minute, check where that evaluation changes nothing
    late = Clock(model).late
    length = at + 10 + 3 * late
    # at the model's interval: the fastest tier fires within minutes, however long its ``for:``
    sc = Scenario(model, slos, slo, [(TOTAL_PER_MIN, length)], [(TOTAL_PER_MIN, length)], absent_good=True, step=case_step(model, length * 60.0))
    if not sc.ok:
        return None
    while not (sc.stable(slos, at) and sc.firing(slos, at) == sc.firing(slos, at + late)) and at < length - 3 - late:
        at += 1
    if tier not in [tr for s, tr in sc.firing(slos, at) if s is slo]:
        raise AssertionError(f"design error: the {tier.windows} tier not firing at {at}m of the outage for {model.id}/{slo.name}")
    name = (
        f"{model.id}/{slo.name}: outage with absent good series (every request fails from the start, only the total/failed "
        f"series exist): the {tier.windows} tier fires by {at}m"
    )
    return sc.test(name, (sc.check(slos, at),))


def _nodata_tests(model: Any, slos: list[SLO]) -> list[RuleTest]:
    tests: list[RuleTest] = []
    run = 30

    def expected(stopped: list[SLO]) -> tuple[ExpAlert, ...]:
        return tuple(ExpAlert(rules.nodata_labels(model, s), rules.nodata_annotations(model, s)) for s in stopped)

    for slo in slos:
        length = run + 3 * (_m(slo.nodata_window) + _m(slo.no_data_for)) + 10
        incs_t = [(TOTAL_PER_MIN, run), (0.0, length - run)]
        incs_e = [(0.1 * slo.budget * TOTAL_PER_MIN, run), (0.0, length - run)]
        sc = Scenario(model, slos, slo, incs_t, incs_e, step=case_step(model, length * 60.0))  # checked at the no-data time, not a crossing
        if not sc.ok:
            continue
        stopped = [s for s in slos if s.name in sc.stopped]
        at = run + max(_m(s.nodata_window) + _m(s.no_data_for) for s in stopped) + 2 + eval_margin(model.evaluation_interval)
        label = f"{model.id}/{slo.name}"
        if model.idle_ok:
            tests.append(
                sc.test(
                    f"{label}: idle by design: traffic stops at {run}m and nothing fires", (AlertCheck(f"{at}m", C.ALERT_SLO_NODATA, ()), sc.check(slos, at))
                )
            )
            continue
        tests.append(
            sc.test(
                f"{label}: traffic stops at {run}m: the no-data alert fires after {format_duration(slo.no_data_for)}",
                (AlertCheck(f"{run - 2}m", C.ALERT_SLO_NODATA, ()), AlertCheck(f"{at}m", C.ALERT_SLO_NODATA, expected(stopped))),
            )
        )
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
