"""promtool rule tests for the cost monitor, with expected values from ``sim.CostSim``: two days
of steady cost with exact recorded values and nothing firing; a runaway scale-up that pages
(fast burn) and may open the projection ticket; traffic falling under fixed replicas (cost per
1,000 too high); the cost inputs vanishing (MLModelCostNoData)."""

from __future__ import annotations

import math
from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import AlertCheck, ExpAlert, RuleTest
from mlmon.compiler.units import fmt_float, format_duration, num
from mlmon.monitors.cost import exprs as X
from mlmon.monitors.cost.compile import CostConfig
from mlmon.monitors.cost.rules import FAST_BURN_FOR, PROJECTED_FOR, UNIT_COST_FOR, alerts
from mlmon.monitors.cost.sim import CostSim
from mlmon.monitors.steps import Clock, coarse_step, sim_case_step
from mlmon.monitors.testkit import at, exp_alert, gauge_steps, in_minutes, minutes, value_check

HEALTHY_STEP = 1800.0  # seconds between evaluations of the day-long healthy case


class CostCases:
    def __init__(self, model: Any, cfg: CostConfig):
        self.model, self.cfg = model, cfg
        self.lab = f'{C.L_MODEL}="{model.id}"'
        self.rules = alerts(model, cfg)
        self.ck = Clock(model)  # checks sit on evaluations; the inputs stay 1-minute gauges

    def inputs(self, replicas: list[tuple[float | None, int]], unit_rate: float) -> tuple[list[tuple[str, str]], list[float | None]]:
        """Input series in normalised form and the resulting cost per hour per minute. The
        segments are replicas, or USD/h straight from OpenCost."""
        cfg, s = self.cfg, self.lab
        text, reps = gauge_steps(replicas)
        series: list[tuple[str, str]] = []
        if cfg.source != "static":
            series, cost = [(f"{X.priced_input(cfg)}{{{s}}}", text)], reps
        elif cfg.replicas is not None:
            cost = [None if r is None else cfg.replicas * cfg.hourly_per_replica for r in reps]
        else:
            name = X.deployment_replicas(*cfg.deployment) if cfg.deployment is not None else f"{C.REPLICAS}{{{s}}}"
            series, cost = [(name, text)], [None if r is None else r * cfg.hourly_per_replica for r in reps]
        series.append((f"{X.unit_rate_metric(cfg)}{{{s}}}", f"{fmt_float(unit_rate)}+0x{len(reps) - 1}"))
        return series, cost

    def base_segments(self) -> float:
        """A healthy level: replicas (USD/h for OpenCost) at most 60% of the budget pace."""
        cfg = self.cfg
        if cfg.source != "static":
            return round(cfg.budget / (31 * 24) * 0.6 * min(1.0, cfg.projected_ratio), 2) if cfg.budget else 10.0
        if cfg.replicas is not None or cfg.budget is None or cfg.hourly_per_replica <= 0:
            return 4.0
        level = cfg.budget / (31 * 24) * 0.6 * min(1.0, cfg.projected_ratio) / cfg.hourly_per_replica
        return float(math.floor(level))  # 0 when one replica alone overspends (compile warns)

    def clock(self, horizon_min: int) -> Clock:
        """The evaluations of a case lasting ``horizon_min``: the model's, or every 5m for a long one
        (``sim_case_step``: the simulation follows the step; the rules' once-per-period samples
        are written at the same first evaluation of each day and hour on a 5m grid)."""
        return Clock(self.model, sim_case_step(self.model, horizon_min * 60.0))

    def every(self, ck: Clock) -> str | None:
        """The case's ``evaluation_interval``: None when it is the model's."""
        return None if ck.step == self.ck.step else format_duration(ck.step)

    def _exp(self, alert: str, value: float | None = None) -> ExpAlert:
        rule = next(r for r in self.rules if r.alert == alert)
        return exp_alert(self.rules, alert, rule.labels, value)

    def healthy(self) -> RuleTest:
        """Two days and a bit with a cost change on day 1: exact recorded values, nothing fires."""
        cfg = self.cfg
        base = self.base_segments()
        low = round(base / 2, 2) if cfg.source != "static" else float(math.floor(base / 2))
        # with a budget: into day 2 so month-to-date adds a completed day and hours
        end = 1440 + 2 * 60 + 30 if cfg.budget is not None else 150
        change = 6 * 60 if cfg.budget is not None else 30
        segs: list[tuple[float | None, int]] = [(low, change), (base, end + 1 - change)]  # low first (00:00-06:00 on day 1), then base
        top = max(c for c in self.inputs(segs, 1.0)[1] if c is not None)
        # traffic that keeps the cost per 1,000 at or under half the limit
        rate = 5.0 if cfg.max_per_1k is None else max(5.0, round(top / (1.8 * cfg.max_per_1k), 3))
        series, cost = self.inputs(segs, rate)
        # the day-long case evaluates every 30m: its cost changes on a full hour, each full hour
        # and midnight is an evaluation (the rules write the hour and day samples there), and the
        # chain's values at that step come from the same simulation
        ck = Clock(self.model, max(float(self.model.evaluation_interval), HEALTHY_STEP)) if cfg.budget is not None else self.clock(end)
        sim = CostSim(cost, ck)
        te = ck.last_s(end * 60.0)
        ev = at(te)
        now, a1h = sim.at(te), sim.avg1h(te)
        assert now is not None and a1h is not None
        checks = [value_check(C.COST_PER_HOUR, self.lab, ev, now), value_check(C.COST_PER_HOUR_AVG1H, self.lab, ev, a1h)]
        checks.append(value_check(X.unit_cost_metric(cfg), self.lab, ev, a1h / (rate * 3.6)))
        if cfg.budget is not None:
            for name, value in (
                (C.COST_SPEND_PREVIOUS_DAYS, sim.previous_days(te)),
                (C.COST_SPEND_TODAY, sim.today(te)),
                (C.COST_SPEND_MTD, sim.mtd(te)),
                (C.COST_SPEND_PROJECTED, sim.projected(te)),
                (C.COST_BUDGET_BURN, a1h * 24 * 31 / cfg.budget),
            ):
                assert value is not None
                checks.append(value_check(name, self.lab, ev, value))
        return RuleTest(
            f"{self.model.id}/cost: a cost change at {minutes(change)} then steady cost until {ev}: exact cost, per-1k"
            + (", month-to-date and projection" if cfg.budget is not None else "")
            + "; nothing fires",
            "1m",
            tuple(series),
            tuple(AlertCheck(ev, r.alert, ()) for r in self.rules),
            tuple(checks),
            evaluation_interval=self.every(ck),
        )

    def runaway(self, budget: float) -> RuleTest:
        """A runaway scale-up at 02:00 on day 1: the fast-burn page fires; quiet before."""
        cfg = self.cfg
        thr = cfg.fast_burn_threshold
        per = 1.0 if cfg.source != "static" else cfg.hourly_per_replica
        high = round(thr * 1.5, 2) if cfg.source != "static" else math.ceil(thr * 1.5 / per)
        start, length = 120, 300
        series, cost = self.inputs([(self.base_segments(), start), (high, length - start)], 1.0)
        # at the model's interval: the once-per-hour samples behind month-to-date are written at
        # the first evaluation of each hour, which only the model's own cadence proves
        ck = self.ck
        sim = CostSim(cost, ck)
        limit = budget * cfg.projected_ratio

        def fast(t: float) -> bool:
            return (sim.avg1h(t) or 0) > thr and (sim.at(t) or 0) > thr

        def proj(t: float) -> bool:
            p = sim.projected(t)
            return p is not None and p > limit

        end = ck.last_s((length - 1) * 60.0)
        t_fire = next(t for t in ck.evals(start * 60.0, end) if ck.fires(fast, t, FAST_BURN_FOR))
        paged, quiet = ck.next_s(t_fire + 120), at(ck.before(start * 60.0))
        exp = (self._exp(C.ALERT_COST_PROJECTED, sim.projected(end)),) if ck.fires(proj, end, PROJECTED_FOR) else ()
        checks = [
            AlertCheck(quiet, C.ALERT_COST_FAST_BURN, ()),
            AlertCheck(at(paged), C.ALERT_COST_FAST_BURN, (self._exp(C.ALERT_COST_FAST_BURN, sim.avg1h(paged)),)),
            AlertCheck(at(end), C.ALERT_COST_PROJECTED, exp),
            AlertCheck(quiet, C.ALERT_COST_PROJECTED, ()),
        ]
        mtd = sim.mtd(end)
        assert mtd is not None
        return RuleTest(
            f"{self.model.id}/cost: a scale-up to {num(high)} x {num(per)} USD/h at 02:00 pages within {num((t_fire - start * 60) / 60)}m (fast burn: above {num(thr)} USD/h)",
            "1m",
            tuple(series),
            tuple(checks),
            (value_check(C.COST_SPEND_MTD, self.lab, at(end), mtd),),
            evaluation_interval=self.every(ck),
        )

    def unit_cost(self, max_per_1k: float) -> RuleTest:
        """Traffic falls to a quarter while replicas stay: the cost per 1,000 doubles past the limit."""
        cfg = self.cfg
        n, drop = 300, 100
        series, cost = self.inputs([(max(1.0, self.base_segments()), n)], 1.0)
        cost_h = cost[0]
        assert cost_h is not None
        high_rate = round(cost_h / (1.8 * max_per_1k), 6)  # half the limit
        low_rate = high_rate / 4  # twice the limit
        src = X.unit_rate_metric(cfg)
        series = [x for x in series if not x[0].startswith(src)]
        series.append((f"{src}{{{self.lab}}}", f"{fmt_float(high_rate)}+0x{drop - 1} {fmt_float(low_rate)}+0x{n - drop - 1}"))
        rates = [high_rate] * drop + [low_rate] * (n - drop)
        ck = self.clock(n)  # 5h: every 5m when the model's interval is shorter, simulated at that step
        sim = CostSim(cost, ck)

        def per_1k(t: float) -> float:
            r = rates[max(0, math.ceil((t - 3600) / 60)) : int(t // 60) + 1]  # the raw 1-minute rates in [t - 1h, t]
            return (sim.avg1h(t) or 0.0) / (sum(r) / len(r) * 3.6)

        t_fire = next(t for t in ck.evals(drop * 60.0, (n - 1) * 60.0) if ck.fires(lambda t: per_1k(t) > max_per_1k, t, UNIT_COST_FOR))
        ticket = ck.next_s(t_fire + 120)
        return RuleTest(
            f"{self.model.id}/cost: traffic falls to a quarter: cost per 1,000 {cfg.unit} doubles past the limit, a ticket opens",
            "1m",
            tuple(series),
            (
                AlertCheck(in_minutes(ck.before(drop * 60.0)), C.ALERT_COST_UNIT, ()),
                AlertCheck(at(ticket), C.ALERT_COST_UNIT, (self._exp(C.ALERT_COST_UNIT, per_1k(ticket)),)),
            ),
            evaluation_interval=self.every(ck),
        )

    def nodata(self) -> RuleTest:
        cfg = self.cfg
        base = self.base_segments()
        if cfg.replicas is not None:
            # a fixed count never goes missing; prove the no-data alert stays quiet
            series, _ = self.inputs([(base, 60)], 1.0)
            return RuleTest(
                f"{self.model.id}/cost: fixed replicas: cost is always known, no no-data alert",
                "1m",
                tuple(series),
                (AlertCheck("59m", C.ALERT_COST_NODATA, ()),),
            )
        nd = int(cfg.no_data_for // 60)
        run = 30
        series, _ = self.inputs([(base, run), (None, nd + 10)], 1.0)
        ck = Clock(self.model, coarse_step(self.model, (run + nd + 10) * 60.0))  # 5m when over an hour
        return RuleTest(
            f"{self.model.id}/cost: the cost inputs vanish at {run}m: MLModelCostNoData fires after {format_duration(cfg.no_data_for)}",
            "1m",
            tuple(series),
            (
                AlertCheck(in_minutes(ck.before(run * 60.0)), C.ALERT_COST_NODATA, ()),
                AlertCheck(ck.at(run + nd + 7 + ck.late), C.ALERT_COST_NODATA, (self._exp(C.ALERT_COST_NODATA),)),
            ),
            evaluation_interval=self.every(ck),
        )


def rule_tests(model: Any, cfg: CostConfig) -> list[RuleTest]:
    c = CostCases(model, cfg)
    out = [c.healthy()]
    if cfg.budget is not None and (cfg.replicas is None or cfg.source != "static"):
        out.append(c.runaway(cfg.budget))
    if cfg.max_per_1k is not None:
        out.append(c.unit_cost(cfg.max_per_1k))
    out.append(c.nodata())
    return out
