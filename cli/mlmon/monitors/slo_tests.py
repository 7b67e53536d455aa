"""promtool rule tests for SLOs, with expectations computed by simulating the rules.

Each SLO gets these cases (interval 1m; counters start at 0 so ``rate()`` extrapolation cancels
out of every ratio and the simulation below is exact):

- healthy, then fast burn: traffic at 10% of the budget raises nothing for an hour; then errors
  at 1.1 x 14.4 x budget page no later than the designed detection time (long window x factor /
  burn) + ``for`` + 2m;
- healthy, then slow burn: nothing for 6h (every page window full of healthy traffic); then
  1.1 x 6 x budget pages within its detection time;
- low burn: 2 x budget (above the 1x tier, under the 3x one): a ticket opens and no page ever;
- no data: traffic stops (and, separately, no series at all): the no-data alert fires; an idle-ok
  model only alerts on missing series.

Which alerts are firing at each checked instant comes from a simulation of the generated rules
(window ratios from the counters, ``for`` state machine), so the test encodes the design and
promtool proves the generated PromQL matches it.
"""

from __future__ import annotations

import functools
import math
from typing import Any

from mlmon import conventions as C
from mlmon import presets
from mlmon.artifacts import AlertCheck, ExpAlert, RuleTest
from mlmon.compiler.units import fmt_float, format_duration, le_strings
from mlmon.presets import signals as S

TOTAL_PER_MIN = 1000.0  # synthetic requests per minute


def _m(seconds: float) -> int:
    return int(round(seconds / 60.0))


def series_values(increments: list[tuple[float, int]]) -> str:
    """Counter samples from (increment per minute, minutes) segments, in promtool notation."""
    parts = []
    value = 0.0
    first = True
    for inc, n in increments:
        if n <= 0:
            continue
        if first:
            parts.append(f"0+{fmt_float(round(inc, 9))}x{n}")
            value = inc * n
            first = False
        else:
            start = value + inc
            parts.append(f"{fmt_float(round(start, 9))}+{fmt_float(round(inc, 9))}x{n - 1}")
            value = start + inc * (n - 1)
    return " ".join(parts)


def cumulative(increments: list[tuple[float, int]]) -> list[float]:
    out = [0.0]
    for inc, n in increments:
        for _ in range(n):
            out.append(out[-1] + inc)
    return out


class _Sim:
    """Burn-rate alert states of one SLO over minute-spaced counters (evaluated every minute)."""

    def __init__(self, budget: float, tiers: tuple, total: list[float], errors: list[float]):
        self.budget = budget
        self._tiers = list(tiers)
        self.total = total
        self.errors = errors
        self._cond: dict[Any, list[bool]] = {}
        self._streak: dict[Any, list[int]] = {}
        # a fleet shares one simulation per distinct SLO shape, so answers are kept
        self._firing_at: dict[int, tuple] = {}
        self._margin: dict[int, bool] = {}
        self._first: dict[tuple, int | None] = {}

    def ratio(self, t: int, w: int) -> float:
        i0 = max(0, t - w)
        if t >= len(self.total) or t - i0 < 1:
            return math.nan
        dt = self.total[t] - self.total[i0]
        if dt <= 0:
            return math.nan
        return (self.errors[t] - self.errors[i0]) / dt

    def _conds(self, tier: Any) -> list[bool]:
        key = tier
        if key not in self._cond:
            eb, lw, sw, f = self.budget, _m(tier.long), _m(tier.short), tier.factor
            # NaN compares false, as in PromQL
            self._cond[key] = [self.ratio(t, lw) / eb > f and self.ratio(t, sw) / eb > f for t in range(len(self.total) + 3)]
        return self._cond[key]

    def cond(self, tier: Any, t: int) -> bool:
        c = self._conds(tier)
        return c[t] if 0 <= t < len(c) else False

    def firing(self, tier: Any, t: int) -> bool:
        key = tier
        if key not in self._streak:
            run, out = 0, []
            for c in self._conds(tier):
                run = run + 1 if c else 0
                out.append(run)
            self._streak[key] = out
        streak = self._streak[key][t] if t < len(self._streak[key]) else 0
        return streak > 0 and streak - 1 >= _m(tier.for_)

    def firing_set(self, t: int) -> tuple:
        hit = self._firing_at.get(t)
        if hit is None:
            hit = self._firing_at[t] = tuple(i for i, tier in enumerate(self.tiers) if self.firing(tier, t))
        return hit

    def first_firing(self, tier: Any, start: int, end: int) -> int | None:
        """First minute in [start, end) at which ``tier`` fires, or None."""
        key = (tier, start, end)
        if key not in self._first:
            self._first[key] = next((s for s in range(start, end) if self.firing(tier, s)), None)
        return self._first[key]

    @property
    def tiers(self) -> list:
        return self._tiers

    def margin_ok(self, t: int) -> bool:
        """No condition flips within 2 minutes of ``t`` (keeps checks off the edges)."""
        hit = self._margin.get(t)
        if hit is None:
            hit = self._margin[t] = all(len({self.cond(tr, s) for s in range(t - 2, t + 3)}) == 1 for tr in self.tiers)
        return hit


@functools.lru_cache(maxsize=4096)
def simulate(budget: float, tiers: tuple, incs_t: tuple, incs_e: tuple) -> _Sim:
    """Shared simulations: a fleet repeats the same SLOs, so each distinct one is simulated once."""
    return _Sim(budget, tiers, cumulative(list(incs_t)), cumulative(list(incs_e)))


def _selector(text: str) -> tuple[str, dict[str, str]] | None:
    """(metric name, equality matchers) of the single vector selector in ``text``, or None."""
    import promql_parser

    sels: list = []
    try:
        expr = promql_parser.parse(text.replace("{{window}}", "5m"))
    except ValueError:
        return None

    def visit(node: Any) -> bool:
        if isinstance(node, promql_parser.VectorSelector):
            sels.append(node)
        return True

    promql_parser.walk(expr, visit, None)
    if len(sels) != 1:
        return None
    matchers: dict[str, str] = {}
    for m in sels[0].matchers.matchers:
        if m.op != promql_parser.MatchOp.Equal:
            return None
        matchers[m.name] = m.value
    name = sels[0].name or matchers.pop("__name__", None)
    matchers.pop("__name__", None)
    return (name, matchers) if name else None


def _series(name: str, labels: dict[str, str]) -> str:
    lab = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    return f"{name}{{{lab}}}" if lab else name


def ratio_inputs(slo: Any) -> list[tuple[str, str]] | None:
    """Series to synthesise for a ratio SLI, as (series, role) with role good, errors or total.

    Works for the usual shapes: good and total on different metrics, or on one metric where
    good adds equality matchers (``code="2xx"``), in which case the failed requests are a second
    series that total also selects. None when the queries are too complex to synthesise."""
    good, total = _selector(slo.sli.good), _selector(slo.sli.total)
    if good is None or total is None:
        return None
    (gname, glab), (tname, tlab) = good, total
    if gname != tname:
        return [(_series(gname, glab), "good"), (_series(tname, tlab), "total")]
    if tlab.items() < glab.items():
        bad = dict(tlab)
        bad.update({k: f"{v}-not" for k, v in glab.items() if k not in tlab})
        return [(_series(gname, glab), "good"), (_series(gname, bad), "errors")]
    return None


class _Scenario:
    """Input series and per-SLO counters for one test case of one model."""

    def __init__(self, monitor: Any, model: Any, slos: list, target: Any, incs_t: list, incs_e: list):
        self.monitor, self.model, self.target = monitor, model, target
        self.length = sum(n for _, n in incs_t)
        self.series: dict[str, str] = {}
        self.counters: dict[str, tuple[tuple, tuple]] = {}  # SLO name -> (total, errors) increments
        self.stopped: set[str] = set()
        self._sims: dict[str, _Sim] = {}
        self.ok = True
        sig = _signature(monitor, model, target)
        if sig is None:
            self.ok = False
            return
        for slo in slos:
            other = _signature(monitor, model, slo)
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
            else:  # healthy background traffic for the model's other SLOs
                ti = [(TOTAL_PER_MIN, self.length)]
                ei = [(0.1 * slo.budget * TOTAL_PER_MIN, self.length)]
            self.counters[slo.name] = (tuple(ti), tuple(ei))
            for name, values in _synthetic(monitor, model, slo, ti, ei) or ():
                self.series.setdefault(name, values)

    def sim(self, slo: Any) -> _Sim:
        if slo.name not in self._sims:
            self._sims[slo.name] = simulate(slo.budget, tuple(slo.tiers()), *self.counters[slo.name])
        return self._sims[slo.name]

    def firing(self, slos: list, t: int) -> list:
        out = []
        for slo in slos:
            sim = self.sim(slo)
            out.extend((slo, sim.tiers[i]) for i in sim.firing_set(t))
        return out

    def stable(self, slos: list, t: int) -> bool:
        return all(self.sim(slo).margin_ok(t) for slo in slos)

    def check(self, slos: list, t: int) -> AlertCheck:
        exp = tuple(
            ExpAlert(self.monitor.burn_labels(self.model, s, tier), self.monitor.burn_annotations(self.model, s, tier))
            for s, tier in self.firing(slos, t)
        )
        return AlertCheck(f"{t}m", C.ALERT_SLO_BURN, exp)


def _signature(monitor: Any, model: Any, slo: Any) -> frozenset | None:
    series = _synthetic(monitor, model, slo, [(1.0, 1)], [(0.0, 1)])
    return None if series is None else frozenset(name for name, _ in series)


def _synthetic(monitor: Any, model: Any, slo: Any, incs_t: list, incs_e: list) -> list[tuple[str, str]] | None:
    """Input series in the preset's own dialect (or the ratio SLI's own metrics)."""
    preset = presets.for_model(model)
    labels = dict(model.serving.match) if model.serving.match else {preset.model_label: model.id}
    good_incs = [(t - e, n) for (t, n), (e, _) in zip(incs_t, incs_e)]
    lab = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    if slo.sli.kind == "availability":
        return S.synthetic_requests(preset, labels, series_values(incs_t), series_values(incs_e), series_values(good_incs), model_id=model.id)
    if slo.sli.kind == "latency":
        bound = slo.sli.threshold / preset.latency.scale
        name = preset.latency.name
        return [
            (f'{name}_bucket{{{lab},le="{le_strings(bound)[0]}"}}', series_values(good_incs)),
            (f'{name}_bucket{{{lab},le="+Inf"}}', series_values(incs_t)),
            (f"{name}_count{{{lab}}}", series_values(incs_t)),
        ]
    inputs = ratio_inputs(slo)
    if inputs is None:
        return None
    values = {"good": series_values(good_incs), "total": series_values(incs_t), "errors": series_values(incs_e)}
    return [(series, values[role]) for series, role in inputs]


def _burn_case(monitor: Any, model: Any, slos: list, slo: Any, name: str, prefix_min: int, burn: float,
               tier_index: int | None, check_at: int | None, length: int) -> RuleTest | None:  # fmt: skip
    eb = slo.budget
    healthy = 0.1 * eb * TOTAL_PER_MIN
    burn_inc = min(burn * eb, 1.0) * TOTAL_PER_MIN
    incs_t = [(TOTAL_PER_MIN, prefix_min), (TOTAL_PER_MIN, length - prefix_min)]
    incs_e = [(healthy, prefix_min), (burn_inc, length - prefix_min)]
    sc = _Scenario(monitor, model, slos, slo, incs_t, incs_e)
    if not sc.ok:
        return None
    tiers = slo.tiers()
    checks = []
    before = prefix_min - 1
    if before > 2 and sc.stable(slos, before):
        checks.append(sc.check(slos, before))
    if check_at is not None:
        t = check_at
        while not sc.stable(slos, t) and t < length - 3:
            t += 1
        mine = [tier for s, tier in sc.firing(slos, t) if s is slo]
        if tier_index is not None and tiers[tier_index] not in mine:
            raise AssertionError(f"design error: tier {tier_index} not firing at {t}m for {model.id}/{slo.name}")
        pages = any(tr.severity_class == "page" for tr in mine)
        if pages != (tier_index is not None and tiers[tier_index].severity_class == "page"):
            raise AssertionError(f"design error: unexpected page state at {t}m for {model.id}/{slo.name}")
        checks.append(sc.check(slos, t))
    else:
        t = length
        while not sc.stable(slos, t) and t > 3:
            t -= 1
        checks.append(sc.check(slos, t))
    return RuleTest(name, "1m", tuple(sorted(sc.series.items())), tuple(checks))


def tests_for_model(monitor: Any, model: Any) -> list[RuleTest]:
    slos = list(model.section(monitor.key) or ())
    tests: list[RuleTest] = []
    for slo in slos:
        tests.extend(t for t in _tests_for(monitor, model, slos, slo) if t is not None)
    tests.extend(_nodata_tests(monitor, model, slos))
    return tests


def _tests_for(monitor: Any, model: Any, slos: list, slo: Any) -> list[RuleTest | None]:
    tests: list[RuleTest | None] = []
    tiers = slo.tiers()
    page_tiers = [i for i, t in enumerate(tiers) if t.severity_class == "page"]
    ticket_tiers = [i for i, t in enumerate(tiers) if t.severity_class == "ticket"]
    label = f"{model.id}/{slo.name}"
    eb = slo.budget

    for i in page_tiers:
        t = tiers[i]
        burn = t.factor * 1.1
        if burn * eb > 1.0:
            burn = (t.factor + 1.0 / eb) / 2.0
        prefix = _m(t.long)
        detect = math.ceil(_m(t.long) * t.factor / burn)  # minutes until the long window averages over factor
        check_at = prefix + detect + _m(t.for_) + 2
        tests.append(_burn_case(
            monitor, model, slos, slo,
            f"{label}: healthy traffic (errors at 10% of the budget) for {format_duration(t.long)} raises nothing; "
            f"then on the {format_duration(t.long)}/{format_duration(t.short)} tier a {fmt_float(round(burn, 3))}x burn pages within "
            f"{format_duration(60 * (detect + _m(t.for_) + 2))} (detection {detect}m + for {format_duration(t.for_)})",
            prefix, burn, i, check_at, check_at + 10,
        ))  # fmt: skip
    if ticket_tiers:
        i = ticket_tiers[-1]
        t = tiers[i]
        burn = 2.0 if t.factor < 2.0 else t.factor * 1.1
        prefix = 60
        horizon = prefix + _m(t.long) + _m(t.for_) + 10
        eb_inc = [(0.1 * eb * TOTAL_PER_MIN, prefix), (min(burn * eb, 1.0) * TOTAL_PER_MIN, horizon - prefix)]
        sim = simulate(slo.budget, tuple(tiers), ((TOTAL_PER_MIN, horizon),), tuple(eb_inc))
        first = sim.first_firing(t, prefix, horizon)
        if first is None:
            raise AssertionError(f"design error: the {fmt_float(burn)}x burn never opens a ticket for {label}")
        check_at = first + 2
        tests.append(_burn_case(
            monitor, model, slos, slo,
            f"{label}: a {fmt_float(burn)}x burn opens a ticket ({format_duration(t.long)}/{format_duration(t.short)} tier, after "
            f"{format_duration(60 * (first - prefix))}) and never pages",
            prefix, burn, i, check_at, check_at + 10,
        ))  # fmt: skip
    return tests


def _nodata_tests(monitor: Any, model: Any, slos: list) -> list[RuleTest]:
    tests: list[RuleTest] = []
    run = 30
    fire_all = tuple(ExpAlert(monitor.nodata_labels(model, s), monitor.nodata_annotations(model, s)) for s in slos)
    for slo in slos:
        w = _m(monitor.nodata_window(slo))
        nd_for = _m(slo.no_data_for)
        length = run + 3 * (w + nd_for) + 10
        incs_t = [(TOTAL_PER_MIN, run), (0.0, length - run)]
        incs_e = [(0.1 * slo.budget * TOTAL_PER_MIN, run), (0.0, length - run)]
        sc = _Scenario(monitor, model, slos, slo, incs_t, incs_e)
        if not sc.ok:
            continue
        stopped = [s for s in slos if s.name in sc.stopped]
        at = run + max(_m(monitor.nodata_window(s)) + _m(s.no_data_for) for s in stopped) + 2
        label = f"{model.id}/{slo.name}"
        if model.idle_ok:
            tests.append(RuleTest(f"{label}: idle by design: traffic stops at {run}m and nothing fires", "1m", tuple(sorted(sc.series.items())),
                                  (AlertCheck(f"{at}m", C.ALERT_SLO_NODATA, ()), sc.check(slos, at))))  # fmt: skip
            continue
        exp = tuple(ExpAlert(monitor.nodata_labels(model, s), monitor.nodata_annotations(model, s)) for s in stopped)
        tests.append(RuleTest(
            f"{label}: traffic stops at {run}m: the no-data alert fires after {format_duration(slo.no_data_for)}",
            "1m", tuple(sorted(sc.series.items())),
            (AlertCheck(f"{run - 2}m", C.ALERT_SLO_NODATA, ()), AlertCheck(f"{at}m", C.ALERT_SLO_NODATA, exp)),
        ))  # fmt: skip
    if slos:
        at = max(_m(s.no_data_for) for s in slos) + 2
        tests.append(RuleTest(f"{model.id}: no series at all: every SLO raises its no-data alert", "1m", (),
                              (AlertCheck(f"{at}m", C.ALERT_SLO_NODATA, fire_all),)))  # fmt: skip
    return tests
