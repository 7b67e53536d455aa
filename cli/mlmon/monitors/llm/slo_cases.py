"""promtool cases of the TTFT / TPOT SLOs, in the preset's own dialect, with the alerts expected at
each checked instant taken from ``burnrate.Sim``:

- healthy requests (slow ones at 10% of the budget) raise nothing, then a burn at 1.1x the first
  alerting tier's factor fires that tier, with exact error ratios;
- the same burn on every other spelling of the histogram (older/newer names) fires too;
- slow requests halfway between each ticket tier's factor and the next open that ticket, without a page;
- every request slower than the threshold from the start (no bucket at the threshold at all)
  fires the fastest tier;
- no series at all, and traffic that stops, raise the no-data alert.

Rules are evaluated at the model's evaluation interval (the test files' ``evaluation_interval``).
"""

from __future__ import annotations

import math
from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import AlertCheck, ExpAlert, RuleTest
from mlmon.compiler.units import fmt_float, format_duration, le_strings
from mlmon.monitors import burnrate
from mlmon.monitors.burnrate import whole_minutes as _m
from mlmon.monitors.llm import slos as R
from mlmon.monitors.llm.compile import LatencySLO
from mlmon.monitors.steps import sim_case_step
from mlmon.monitors.testkit import minutes, value_check
from mlmon.presets import signals as S

PER_MIN = 1000.0  # requests per minute


def inputs(
    model: Any, slo: LatencySLO, name: str, incs_t: list[tuple[float, int]], incs_e: list[tuple[float, int]], step: float | None = None
) -> list[tuple[str, str]]:
    """The histogram ``name`` (one spelling of the SLO's signal): all requests, and those within
    the threshold (all but ``incs_e``; both in the same segments), sampled for rules evaluated
    every ``step`` seconds (the model's interval unless given)."""
    h, _ = R.histogram(model, slo)
    lab = S.series_labels(h, S.model_labels(model), model.id)
    step = step or model.evaluation_interval
    good = burnrate.per_sample([(t - e, n) for (t, n), (e, _) in zip(incs_t, incs_e, strict=True)], step)
    incs_t = burnrate.per_sample(incs_t, step)
    le = le_strings(slo.threshold / h.scale)[0]
    return [(f'{name}_bucket{{{lab},le="{le}"}}', S.counter_values(good)), (f"{name}_count{{{lab}}}", S.counter_values(incs_t))]


def _sampled(step: float) -> str:
    """The interval of the input samples for rules evaluated every ``step`` seconds."""
    return format_duration(burnrate.sample_step(step))


def _check(model: Any, slo: LatencySLO, sim: burnrate.Sim, t: int) -> AlertCheck:
    tiers = [sim.tiers[i] for i in sim.firing_set(t)]
    return AlertCheck(minutes(t), C.ALERT_SLO_BURN, tuple(ExpAlert(R.burn_labels(model, slo, tr), R.burn_annotations(model, slo, tr)) for tr in tiers))


def burn_case(model: Any, slo: LatencySLO, name: str) -> RuleTest:
    """Healthy, then a burn at 1.1x the first alerting tier's factor, on the spelling ``name``."""
    tiers = slo.tiers()
    tier = tiers[0]
    eb = slo.budget
    burn = tier.factor * 1.1 if tier.factor * 1.1 * eb <= 1.0 else (tier.factor + 1.0 / eb) / 2.0
    prefix = _m(tier.long)
    detect = math.ceil(_m(tier.long) * tier.factor / burn)
    t = prefix + detect + _m(tier.for_) + 2 + burnrate.eval_margin(model.evaluation_interval)
    step = sim_case_step(model, (t + 10) * 60.0)  # a long case: every minute or 5m (testkit)
    t += burnrate.eval_margin(step) - burnrate.eval_margin(model.evaluation_interval)
    length = t + 10
    incs_t = [(PER_MIN, prefix), (PER_MIN, length - prefix)]
    incs_e = [(0.1 * eb * PER_MIN, prefix), (min(burn * eb, 1.0) * PER_MIN, length - prefix)]
    sim = burnrate.simulate(eb, tuple(tiers), tuple(incs_t), tuple(incs_e), step)
    while not sim.margin_ok(t) and t < length - 3:
        t += 1
    if tier not in [sim.tiers[i] for i in sim.firing_set(t)]:
        raise AssertionError(f"design error: the {tier.windows} tier does not fire at {t}m for {model.id}/{slo.name}")
    checks = [_check(model, slo, sim, t)]
    if prefix - 1 > 2 and sim.margin_ok(prefix - 1):
        checks.insert(0, _check(model, slo, sim, prefix - 1))
    lab = f'{C.L_MODEL}="{model.id}",{C.L_SLO}="{slo.name}"'
    w = _m(slo.windows()[0])
    exprs = (value_check(C.slo_ratio_metric(format_duration(60 * w)), lab, minutes(t), sim.ratio(t, w)),)
    return RuleTest(
        f"{model.id}/{slo.name} ({name}): requests slower than {format_duration(slo.threshold)} at 10% of the budget raise nothing; "
        f"then a {fmt_float(round(burn, 3))}x burn fires the {tier.windows} tier (exact error ratio)",
        _sampled(step),
        tuple(inputs(model, slo, name, incs_t, incs_e, step)),
        tuple(checks),
        exprs,
        evaluation_interval=format_duration(step),
    )


def ticket_cases(model: Any, slo: LatencySLO) -> list[RuleTest]:
    """For each ticket tier, slow requests halfway to the next higher factor (2x for the 1x tier)
    open that ticket, and nothing pages."""
    h, _ = R.histogram(model, slo)
    tiers, eb, margin = slo.tiers(), slo.budget, burnrate.eval_margin(model.evaluation_interval)
    out = []
    for tier in tiers:
        if tier.severity_class != "ticket":
            continue
        burn = burnrate.between_burn(tier, tiers)
        prefix = 60
        length = prefix + _m(tier.long) + _m(tier.for_) + 35 + margin
        step = sim_case_step(model, length * 60.0)
        late = burnrate.eval_margin(step)  # a crossing shows up to this late at the case's step
        length += late - margin
        incs_t = [(PER_MIN, prefix), (PER_MIN, length - prefix)]
        incs_e = [(0.1 * eb * PER_MIN, prefix), (min(burn * eb, 1.0) * PER_MIN, length - prefix)]
        sim = burnrate.simulate(eb, tuple(tiers), tuple(incs_t), tuple(incs_e), step)
        first = sim.first_firing(tier, prefix, length - 10)
        if first is None:
            raise AssertionError(f"design error: the {fmt_float(burn)}x burn never opens the {tier.windows} ticket for {model.id}/{slo.name}")
        at = first + 15 + late  # a while after it opens: the long window fills slowly
        while not sim.margin_ok(at) and at < length - 3:
            at += 1
        firing = [sim.tiers[j] for j in sim.firing_set(at)]
        if tier not in firing or any(t.severity_class == "page" for t in firing):
            raise AssertionError(f"design error: the {tier.windows} ticket is not alone of its kind at {at}m for {model.id}/{slo.name}")
        checks = [_check(model, slo, sim, at)]
        if sim.margin_ok(prefix - 1):
            checks.insert(0, _check(model, slo, sim, prefix - 1))
        out.append(
            RuleTest(
                f"{model.id}/{slo.name}: slow requests at {fmt_float(burn)}x the budget open the {tier.windows} ticket "
                f"(after {format_duration(60 * (first - prefix))}) and never page",
                _sampled(step),
                tuple(inputs(model, slo, h.name, incs_t, incs_e, step)),
                tuple(checks),
                evaluation_interval=format_duration(step),
            )
        )
    return out


def outage_case(model: Any, slo: LatencySLO) -> RuleTest:
    """Every request slower than the threshold from the first one on: the threshold's bucket is
    never created, which is no fast request (not no data), so the fastest tier fires."""
    tier = slo.tiers()[0]
    at = 1 + _m(tier.for_) + 3 + burnrate.eval_margin(model.evaluation_interval)
    incs = [(PER_MIN, at + 10)]
    sim = burnrate.simulate(slo.budget, tuple(slo.tiers()), tuple(incs), tuple(incs), float(model.evaluation_interval))
    while not sim.margin_ok(at) and at < incs[0][1] - 3:
        at += 1
    if tier not in [sim.tiers[i] for i in sim.firing_set(at)]:
        raise AssertionError(f"design error: the {tier.windows} tier does not fire at {at}m of the outage for {model.id}/{slo.name}")
    h, _ = R.histogram(model, slo)
    series = tuple(x for x in inputs(model, slo, h.name, incs, incs) if "_bucket{" not in x[0])
    return RuleTest(
        f"{model.id}/{slo.name}: outage with absent good series (every request slower than {format_duration(slo.threshold)} from the start, "
        f"no bucket at the threshold): the {tier.windows} tier fires by {at}m",
        _sampled(model.evaluation_interval),
        series,
        (_check(model, slo, sim, at),),
        evaluation_interval=format_duration(model.evaluation_interval),
    )


def nodata_cases(model: Any, llm_slos: tuple[LatencySLO, ...]) -> list[RuleTest]:
    def exp(slos: tuple[LatencySLO, ...]) -> tuple[ExpAlert, ...]:
        return tuple(ExpAlert(R.nodata_labels(model, s), R.nodata_annotations(model, s)) for s in slos)

    every = format_duration(model.evaluation_interval)
    margin = burnrate.eval_margin(model.evaluation_interval)
    at = max(_m(s.no_data_for) for s in llm_slos) + 2 + margin
    out = [
        RuleTest(
            f"{model.id}/llm: no TTFT/TPOT series at all: each SLO raises its no-data alert, no burn alert",
            "1m",
            (),
            (AlertCheck(minutes(at), C.ALERT_SLO_NODATA, exp(llm_slos)), AlertCheck(minutes(at), C.ALERT_SLO_BURN, ())),
            evaluation_interval=every,
        )
    ]
    run = 30
    for slo in llm_slos:
        h, _ = R.histogram(model, slo)
        stop = run + _m(slo.windows()[0]) + _m(slo.no_data_for) + 2 + margin
        series = inputs(model, slo, h.name, [(PER_MIN, run), (0.0, stop + 5 - run)], [(0.0, run), (0.0, stop + 5 - run)])
        others = tuple(s for s in llm_slos if s is not slo)  # no series: their own no-data alerts fire after no_data_for

        def firing(t: int, stopped: bool, slo: LatencySLO = slo, others: tuple[LatencySLO, ...] = others) -> tuple[ExpAlert, ...]:
            last = math.floor(t * 60.0 / model.evaluation_interval) * model.evaluation_interval  # the last evaluation at or before t
            return exp(tuple(s for s in others if last >= s.no_data_for) + ((slo,) if stopped and not model.idle_ok else ()))

        what = "nothing fires (idle by design)" if model.idle_ok else "the no-data alert fires"
        out.append(
            RuleTest(
                f"{model.id}/{slo.name}: requests stop at {run}m: {what}",
                _sampled(model.evaluation_interval),
                tuple(series),
                (AlertCheck(minutes(run - 2), C.ALERT_SLO_NODATA, firing(run - 2, False)), AlertCheck(minutes(stop), C.ALERT_SLO_NODATA, firing(stop, True))),
                evaluation_interval=every,
            )
        )
    return out


def rule_tests(model: Any, llm_slos: tuple[LatencySLO, ...]) -> list[RuleTest]:
    out: list[RuleTest] = []
    for slo in llm_slos:
        h, _ = R.histogram(model, slo)
        out += [burn_case(model, slo, name) for name in h.names]
        out += [*ticket_cases(model, slo), outage_case(model, slo)]
    return out + (nodata_cases(model, llm_slos) if llm_slos else [])
