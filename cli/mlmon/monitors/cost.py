"""Cost and budgets: cost per hour, cost per 1,000 predictions (or tokens), month-to-date and
projected month-end spend against a monthly budget.

Spec (per model, ``cost:``)::

    cost:
      hourly_usd_per_replica: 3.06      # static prices ...
      hourly_usd_per_gpu: 2.48          #   ... per GPU, times gpus_per_replica (default 1)
      monthly_budget_usd: 5000
    cost: {source: opencost, monthly_budget_usd: 5000}   # prices from OpenCost

Without a ``cost`` section nothing is generated (mlmon cannot guess prices).

Cost per hour (``mlmon_cost:usd_per_hour:sum``):

- ``source: static`` (default): replicas x (``hourly_usd_per_replica`` + ``gpus_per_replica`` x
  ``hourly_usd_per_gpu``). Replicas are the model's scrape targets that are up
  (``mlmon_model:replicas:count``, recorded from ``up{job="mlmon-<model>"}``), or
  ``kube_deployment_status_replicas`` of ``replicas_from: {namespace, deployment}``, or a fixed
  ``replicas: N``.
- ``source: opencost``: ``mlmon_model:opencost_hourly_cost_usd:sum`` (CPU + RAM + GPU prices of the
  model's pods from OpenCost, recorded by the OpenCost preset of the model's ``infra`` section).

Month-to-date spend is computed without state from chained recording rules. Two sparse series
record the spend of each completed UTC day (``mlmon_cost:spend_usd:completed_day``: 24 x the
trailing-24h average cost, written only at the first evaluation after midnight) and of each
completed hour (``...:completed_hour``: the trailing-1h average, written at each full hour).
Month-to-date = the day samples written since the 1st's midnight + the hour samples written since
today's midnight + the current cost x the elapsed part of this hour. A PromQL range cannot depend
on the time, so a ladder of ``and on() day_of_month() == N`` (``hour() == N``) branches picks the
window; every branch reads at most 31 (24) samples. Error: exact when the cost changes only on
full hours (each sampled average covers the period ending at its mark, Prometheus 2 ranges being
closed adds one sample: at most (change)/61 per hour); a mark Prometheus missed (down more than
the evaluation interval around midnight or a full hour) drops that day (hour) from the sum. The
rule group's interval is set explicitly because the once-per-period samples depend on it.

Projected month-end spend = month-to-date + the remaining hours of the month x the trailing-24h
average cost per hour (24h smooths daily autoscaling cycles).

Alerts: ``MLModelCostProjectedOverBudget`` (ticket) when the projection exceeds
``projected_over_budget_ratio`` x budget for 1h; ``MLModelCostFastBudgetBurn`` (page) when the
last hour's average cost AND the current cost would each spend the whole monthly budget within
``fast_burn_days`` days (runaway autoscaling, a price change); ``MLModelCostPerUnitHigh``
(ticket) above ``max_usd_per_1k``; ``MLModelCostNoData`` (ticket) when the cost per hour cannot
be computed for ``no_data_for`` (a missing cost would otherwise silence every budget alert).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

from mlmon import conventions as C
from mlmon.artifacts import AlertCheck, AlertRule, ExpAlert, Panel, RecordingRule, Row, RuleGroup, RuleTest, Target, Threshold
from mlmon.compiler.context import CompileContext
from mlmon.compiler import dsl as S
from mlmon.compiler.units import fmt_float, format_duration, parse_duration
from mlmon.monitors.testkit import expand_all, firing, gauge_steps, value_check

KEY = "cost"
HOURS_PER_MONTH_MAX = 31 * 24
FAST_BURN_FOR = 600.0  # seconds
PROJECTED_FOR = 3600.0
UNIT_COST_FOR = 3600.0


def _num(x: float) -> str:
    return fmt_float(float(f"{x:.12g}"))


@dataclass(frozen=True)
class CostConfig:
    source: str  # static | opencost
    per_replica: float
    per_gpu: float
    gpus_per_replica: float
    replicas: int | None  # fixed count
    deployment: tuple[str, str] | None  # (namespace, deployment)
    budget: float | None
    projected_ratio: float
    fast_burn_days: float
    max_per_1k: float | None
    no_data_for: float
    unit: str  # predictions | tokens

    @property
    def hourly_per_replica(self) -> float:
        return self.per_replica + self.gpus_per_replica * self.per_gpu

    @property
    def fast_burn_threshold(self) -> float:
        """USD per hour at which the monthly budget lasts ``fast_burn_days``."""
        assert self.budget is not None
        return self.budget / (24.0 * self.fast_burn_days)


class CostMonitor:
    key = KEY
    title = "Cost and budgets"

    def schema(self) -> dict | None:
        return S.obj(
            {
                "source": S.enum(["static", "opencost"], "where prices come from: static prices below, or OpenCost metrics", "static"),
                "hourly_usd_per_replica": S.number("price of one replica per hour, USD", 0),
                "hourly_usd_per_gpu": S.number("price of one GPU per hour, USD", 0),
                "gpus_per_replica": S.number("GPUs per replica (with hourly_usd_per_gpu)", 0, default=1),
                "replicas": {"type": "integer", "minimum": 1, "description": "fixed replica count (default: the model's scrape targets that are up)"},
                "replicas_from": S.obj(
                    {"namespace": S.string("Kubernetes namespace", minLength=1), "deployment": S.string("Deployment name", minLength=1)},
                    ("namespace", "deployment"),
                    "count replicas from kube-state-metrics kube_deployment_status_replicas of this Deployment",
                ),
                "monthly_budget_usd": S.number("monthly budget, USD (enables month-to-date, projection and budget alerts)", exclusiveMinimum=0),
                "projected_over_budget_ratio": S.number("ticket when projected month-end spend exceeds this x the budget", exclusiveMinimum=0, default=1.0),
                "fast_burn_days": S.number("page when the current spend rate would use the whole monthly budget within this many days", exclusiveMinimum=0, maximum=27, default=7),
                "max_usd_per_1k": S.number("ticket when the cost per 1,000 predictions (tokens for task llm) exceeds this, USD", exclusiveMinimum=0),
                "no_data_for": S.duration("raise MLModelCostNoData after the cost per hour has been unknown this long", "30m"),
            },
            (),
            "Cost per hour, per 1,000 predictions (tokens), and spend against a monthly budget",
        )

    # --- compile ---------------------------------------------------------------------------
    def compile(self, raw: Any, ctx: CompileContext) -> CostConfig | None:
        if raw is None:
            return None
        source = raw.get("source", "static")
        per_replica = float(raw.get("hourly_usd_per_replica", 0.0))
        per_gpu = float(raw.get("hourly_usd_per_gpu", 0.0))
        prices = [k for k in ("hourly_usd_per_replica", "hourly_usd_per_gpu", "gpus_per_replica", "replicas", "replicas_from") if k in raw]
        ok = True
        if source == "static" and "hourly_usd_per_replica" not in raw and "hourly_usd_per_gpu" not in raw:
            ctx.error((), "MLM102", "static cost needs hourly_usd_per_replica and/or hourly_usd_per_gpu", key=True,
                      hint="or set source: opencost to take prices from OpenCost")  # fmt: skip
            ok = False
        if source == "opencost":
            for k in prices:
                ctx.warning((k,), "MLM210", f"'{k}' is ignored with source: opencost (OpenCost prices the model's pods)", key=True)
        if "replicas" in raw and "replicas_from" in raw:
            ctx.error(("replicas_from",), "MLM210", "set either a fixed 'replicas' count or 'replicas_from', not both", key=True)
            ok = False
        if "gpus_per_replica" in raw and "hourly_usd_per_gpu" not in raw and source == "static":
            ctx.warning(("gpus_per_replica",), "MLM210", "gpus_per_replica has no effect without hourly_usd_per_gpu", key=True)
        try:
            no_data_for = parse_duration(raw.get("no_data_for", "30m"))
        except ValueError as exc:
            ctx.error(("no_data_for",), "MLM203", str(exc))
            return None
        budget = raw.get("monthly_budget_usd")
        for k in ("projected_over_budget_ratio", "fast_burn_days"):
            if k in raw and budget is None:
                ctx.warning((k,), "MLM210", f"'{k}' has no effect without monthly_budget_usd", key=True)
        dep = raw.get("replicas_from")
        cfg = CostConfig(
            source=source, per_replica=per_replica, per_gpu=per_gpu,
            gpus_per_replica=float(raw.get("gpus_per_replica", 1)),
            replicas=raw.get("replicas"), deployment=(dep["namespace"], dep["deployment"]) if dep else None,
            budget=float(budget) if budget is not None else None,
            projected_ratio=float(raw.get("projected_over_budget_ratio", 1.0)),
            fast_burn_days=float(raw.get("fast_burn_days", 7)),
            max_per_1k=float(raw["max_usd_per_1k"]) if "max_usd_per_1k" in raw else None,
            no_data_for=no_data_for, unit="tokens" if ctx.task == "llm" else "predictions",
        )  # fmt: skip
        if cfg.source == "static" and cfg.hourly_per_replica == 0 and ok:
            ctx.warning((), "MLM213", "all prices are 0, so the cost is always 0", key=True)
        if ok and cfg.budget is not None and cfg.source == "static" and cfg.replicas is None and cfg.hourly_per_replica * 31 * 24 > cfg.budget * cfg.projected_ratio:
            ctx.warning(
                ("monthly_budget_usd",), "MLM210",
                f"one replica at {_num(cfg.hourly_per_replica)} USD/h costs {_num(cfg.hourly_per_replica * 31 * 24)} USD in a 31-day month, over the budget of {_num(cfg.budget)} USD",
            )  # fmt: skip
        if ok and cfg.budget is not None and cfg.source == "static" and cfg.replicas is not None:
            monthly = cfg.replicas * cfg.hourly_per_replica * 30 * 24
            if monthly > cfg.budget * cfg.projected_ratio:
                ctx.warning(
                    ("monthly_budget_usd",), "MLM210",
                    f"{cfg.replicas} replicas at {_num(cfg.hourly_per_replica)} USD/h cost {_num(monthly)} USD in 30 days, over the budget of {_num(cfg.budget)} USD: the projected-overspend ticket would always be open",
                )  # fmt: skip
        return cfg if ok else None

    # --- names ------------------------------------------------------------------------------
    @staticmethod
    def sel(model: Any) -> str:
        return f'{{{C.L_MODEL}="{model.id}"}}'

    def unit_cost_metric(self, cfg: CostConfig) -> str:
        return C.COST_PER_1K_TOKENS if cfg.unit == "tokens" else C.COST_PER_1K_PREDICTIONS

    def cost_expr(self, model: Any, cfg: CostConfig) -> str:
        """USD per hour, one series (labels are set by the recording rule)."""
        if cfg.source == "opencost":
            return f"sum({C.OPENCOST_HOURLY}{self.sel(model)})"
        return f"{C.COST_REPLICAS}{self.sel(model)} * {_num(cfg.hourly_per_replica)}"

    def replicas_expr(self, model: Any, cfg: CostConfig) -> str:
        if cfg.replicas is not None:
            return f"vector({cfg.replicas})"
        if cfg.deployment is not None:
            ns, dep = cfg.deployment
            return f'sum(kube_deployment_status_replicas{{namespace="{ns}",deployment="{dep}"}})'
        return f"sum({C.REPLICAS}{self.sel(model)})"

    def unit_rate_expr(self, model: Any, cfg: CostConfig) -> str:
        """Predictions (tokens) per second, averaged over the last hour."""
        src = C.TOKENS_RATE if cfg.unit == "tokens" else C.REQUESTS_RATE
        return f"avg_over_time({src}{self.sel(model)}[1h])"

    @staticmethod
    def eval_interval(model: Any) -> float:
        return float(model.evaluation_interval)

    def completed_expr(self, model: Any, period: int) -> str:
        """Written once per UTC day (hour): at the first evaluation after midnight (the full hour),
        the spend of the day (hour) that just ended. A sparse series, so summing it over a month
        reads at most 31 (24) samples."""
        e = _num(self.eval_interval(model))
        if period == 86400:
            return f"24 * {C.COST_PER_HOUR_AVG1D}{self.sel(model)}\nand on()\n(vector(time() % 86400) < {e})"
        return f"{C.COST_PER_HOUR_AVG1H}{self.sel(model)}\nand on()\n(vector(time() % 3600) < {e})"

    def _window(self, model: Any, n: int, unit: int) -> str:
        # half an evaluation interval short of n units: keeps the sample written at the start of
        # the period (which belongs to the previous period) out, whatever the evaluation phase
        return format_duration(n * unit - self.eval_interval(model) / 2)

    def month_previous_days_expr(self, model: Any) -> str:
        """Spend on the completed days of this month: the per-day samples written since the 1st's
        midnight (which closed last month's last day). The ladder picks the window: on day N+1
        the last N days."""
        s = C.COST_SPEND_DAY + self.sel(model)
        parts = [f"(sum_over_time({s}[{self._window(model, n, 86400)}]) and on() day_of_month() == {n + 1})" for n in range(1, 31)]
        return "\n or ".join(parts) + "\n or on() vector(0)"

    def today_expr(self, model: Any) -> str:
        """Spend since 00:00 UTC: the per-hour samples written since midnight, plus the current cost
        for the elapsed part of this hour."""
        s = C.COST_SPEND_HOUR + self.sel(model)
        parts = [f"(sum_over_time({s}[{self._window(model, n, 3600)}]) and on() hour() == {n})" for n in range(1, 24)]
        hours = "\n or ".join(parts) + "\n or on() vector(0)"
        return f"(\n {hours}\n)\n+ on()\n{C.COST_PER_HOUR}{self.sel(model)} * (time() % 3600) / 3600"

    # --- rules --------------------------------------------------------------------------------
    def rule_groups(self, model: Any, spec: Any) -> Sequence[RuleGroup]:
        cfg: CostConfig | None = model.section(self.key)
        if cfg is None:
            return []
        lab = {C.L_MODEL: model.id}
        s = self.sel(model)
        rules: list = []
        if cfg.source == "static":
            rules.append(RecordingRule(C.COST_REPLICAS, self.replicas_expr(model, cfg), lab))
        rules += [
            RecordingRule(C.COST_PER_HOUR, self.cost_expr(model, cfg), lab),
            RecordingRule(C.COST_PER_HOUR_AVG1H, f"avg_over_time({C.COST_PER_HOUR}{s}[1h])", lab),
            RecordingRule(C.COST_PER_HOUR_AVG1D, f"avg_over_time({C.COST_PER_HOUR}{s}[1d])", lab),
            RecordingRule(
                self.unit_cost_metric(cfg),
                f"{C.COST_PER_HOUR_AVG1H}{s}\n/ on()\n({self.unit_rate_expr(model, cfg)} * 3.6 > 0)", lab,
            ),
        ]  # fmt: skip
        if cfg.budget is not None:
            b = _num(cfg.budget)
            rules += [
                RecordingRule(C.COST_BUDGET, f"vector({b})", lab),
                RecordingRule(C.COST_SPEND_DAY, self.completed_expr(model, 86400), lab),
                RecordingRule(C.COST_SPEND_HOUR, self.completed_expr(model, 3600), lab),
                RecordingRule(C.COST_SPEND_PREVIOUS_DAYS, self.month_previous_days_expr(model), lab),
                RecordingRule(C.COST_SPEND_TODAY, self.today_expr(model), lab),
                RecordingRule(C.COST_SPEND_MTD, f"{C.COST_SPEND_PREVIOUS_DAYS}{s} + on() {C.COST_SPEND_TODAY}{s}", lab),
                RecordingRule(
                    C.COST_SPEND_PROJECTED,
                    f"{C.COST_SPEND_MTD}{s}\n+ on()\n{C.COST_PER_HOUR_AVG1D}{s}\n"
                    "  * (scalar(days_in_month()) * 86400 - (scalar(day_of_month()) - 1) * 86400 - time() % 86400) / 3600",
                    lab,
                ),
                RecordingRule(C.COST_BUDGET_BURN, f"{C.COST_PER_HOUR_AVG1H}{s} * 24 * scalar(days_in_month()) / {b}", lab),
            ]  # fmt: skip
        rules += self.alerts(model, cfg)
        # the interval is explicit: the once-per-day/hour samples depend on it
        return [RuleGroup(f"mlmon-{model.id}-cost", tuple(rules), format_duration(self.eval_interval(model)))]

    def alert_labels(self, model: Any, severity: str, check: str) -> dict[str, str]:
        labels = dict(model.labels)
        labels.update({C.L_MODEL: model.id, C.L_TEAM: model.team, C.L_SEVERITY: severity, C.L_MONITOR: KEY, C.L_CHECK: check})
        return labels

    def _ann(self, model: Any, summary: str, description: str) -> dict[str, str]:
        return {"summary": f"{model.id}: {summary}", "description": description, "dashboard": f"/d/{C.grafana_uid('model', model.id)}"}

    def alerts(self, model: Any, cfg: CostConfig) -> list[AlertRule]:
        s = self.sel(model)
        out = []
        if cfg.budget is not None:
            b = _num(cfg.budget)
            limit = _num(cfg.budget * cfg.projected_ratio)
            out.append(AlertRule(
                C.ALERT_COST_PROJECTED, f"{C.COST_SPEND_PROJECTED}{s} > {limit}", format_duration(PROJECTED_FOR),
                self.alert_labels(model, C.SEVERITY_TICKET, "monthly_budget"),
                self._ann(
                    model, f'projected month-end spend {{{{ $value | printf "%.2f" }}}} USD exceeds' f" the budget of {b} USD",
                    f"At the last 24h's average cost per hour, model {model.id} will spend more than {limit} USD this month "
                    f"(monthly budget {b} USD). Check replica counts and autoscaling limits, right-size the instances, or raise the budget.",
                ),
            ))  # fmt: skip
            thr = _num(cfg.fast_burn_threshold)
            days = _num(cfg.fast_burn_days)
            out.append(AlertRule(
                C.ALERT_COST_FAST_BURN,
                f"{C.COST_PER_HOUR_AVG1H}{s} > {thr}\nand\n{C.COST_PER_HOUR}{s} > {thr}",
                format_duration(FAST_BURN_FOR), self.alert_labels(model, C.SEVERITY_PAGE, "monthly_budget"),
                self._ann(
                    model, f'spending {{{{ $value | printf "%.2f" }}}} USD/h: the monthly' f" budget of {b} USD would be gone within {days} days",
                    f"The cost of model {model.id} over the last hour and right now is above {thr} USD/h, a rate that spends the whole "
                    f"monthly budget ({b} USD) in {days} days. Usually a runaway autoscaler, a stuck scale-up or a price change: "
                    "check the replica count and the deployment's events now.",
                ),
            ))  # fmt: skip
        if cfg.max_per_1k is not None:
            m = _num(cfg.max_per_1k)
            out.append(AlertRule(
                C.ALERT_COST_UNIT, f"{self.unit_cost_metric(cfg)}{s} > {m}", format_duration(UNIT_COST_FOR),
                self.alert_labels(model, C.SEVERITY_TICKET, "unit_cost"),
                self._ann(
                    model, f'{{{{ $value | printf "%.4f" }}}} USD per 1,000 {cfg.unit} (limit {m})',
                    f"Over the last hour model {model.id} cost more than {m} USD per 1,000 {cfg.unit}: traffic fell while replicas "
                    "stayed, or the price per replica rose. Scale down or consolidate replicas.",
                ),
            ))  # fmt: skip
        what = "OpenCost's price metrics for the model's pods" if cfg.source == "opencost" else "the replica count"
        out.append(AlertRule(
            C.ALERT_COST_NODATA, f"absent({C.COST_PER_HOUR}{s})", format_duration(cfg.no_data_for),
            self.alert_labels(model, C.SEVERITY_TICKET, "cost_data"),
            self._ann(
                model, f"cost per hour unknown for {format_duration(cfg.no_data_for)}",
                f"mlmon cannot compute the cost of model {model.id} from {what}, so the budget alerts cannot fire and "
                "month-to-date spend is undercounted. Check that the inputs are scraped (for target-based replicas: "
                "at least one target up).",
            ),
        ))  # fmt: skip
        return out

    # --- rule tests -----------------------------------------------------------------------------
    def rule_tests(self, model: Any, spec: Any, alerts: Sequence[AlertRule] = ()) -> Sequence[RuleTest]:
        cfg: CostConfig | None = model.section(self.key)
        if cfg is None:
            return []
        return CostTests(self, model, cfg).all()

    # --- dashboards -----------------------------------------------------------------------------
    def dashboard_rows(self, model: Any, spec: Any) -> Sequence[Row]:
        cfg: CostConfig | None = model.section(self.key)
        if cfg is None:
            return []
        s = self.sel(model)
        panels = [
            Panel("Cost per hour", "stat", (Target(f"{C.COST_PER_HOUR}{s}", "USD/h", True),), unit="currencyUSD", decimals=2, width=4, height=6,
                  description="Current cost per hour: " + ("OpenCost prices of the model's pods." if cfg.source == "opencost" else
                                                             f"replicas x {_num(cfg.hourly_per_replica)} USD.")),
            Panel(f"Cost per 1,000 {cfg.unit}", "stat", (Target(f"{self.unit_cost_metric(cfg)}{s}", "USD", True),), unit="currencyUSD",
                  decimals=4, width=4, height=6, description=f"Last hour's average cost per hour / {cfg.unit} served in the last hour x 1,000.",
                  thresholds=(Threshold(None, "green"),) + ((Threshold(cfg.max_per_1k, "red"),) if cfg.max_per_1k else ())),
        ]  # fmt: skip
        if cfg.budget is not None:
            b = cfg.budget
            panels += [
                Panel("Month-to-date spend", "stat", (Target(f"{C.COST_SPEND_MTD}{s}", "USD", True),), unit="currencyUSD", decimals=0,
                      width=4, height=6, description="Spend since the 1st of the month, 00:00 UTC (approximation: see README).",
                      thresholds=(Threshold(None, "green"), Threshold(b, "red"))),
                Panel("Projected month-end spend", "stat", (Target(f"{C.COST_SPEND_PROJECTED}{s}", "USD", True),), unit="currencyUSD",
                      decimals=0, width=4, height=6, description=f"Month-to-date + remaining hours x last 24h's average cost. Budget: {_num(b)} USD.",
                      thresholds=(Threshold(None, "green"), Threshold(b * 0.9, "orange"), Threshold(b * cfg.projected_ratio, "red"))),
                Panel("Projected spend / budget", "gauge", (Target(f"100 * {C.COST_SPEND_PROJECTED}{s} / on() {C.COST_BUDGET}{s}", "%", True),),
                      unit="percent", min=0, max=150, width=4, height=6,
                      thresholds=(Threshold(None, "green"), Threshold(90, "orange"), Threshold(100 * cfg.projected_ratio, "red"))),
                Panel("Budget burn rate (1h)", "stat", (Target(f"{C.COST_BUDGET_BURN}{s}", "x", True),), unit="short", decimals=2,
                      width=4, height=6, description=f"Last hour's cost rate / the rate that spends exactly the budget in a month. Pages above {_num(30 / cfg.fast_burn_days)} (approx.).",
                      thresholds=(Threshold(None, "green"), Threshold(1, "orange"), Threshold(30 / cfg.fast_burn_days, "red"))),
            ]  # fmt: skip
        series = [Target(f"{C.COST_PER_HOUR}{s}", "now"), Target(f"{C.COST_PER_HOUR_AVG1H}{s}", "1h average")]
        if cfg.budget is not None:
            series.append(Target(f"{C.COST_BUDGET}{s} / 24 / scalar(days_in_month())", "budget pace"))
        panels += [
            Panel("Cost per hour over time", "timeseries", tuple(series), unit="currencyUSD", width=12, height=8),
            Panel(f"Cost per 1,000 {cfg.unit} over time", "timeseries", (Target(f"{self.unit_cost_metric(cfg)}{s}", "USD / 1k"),),
                  unit="currencyUSD", width=12, height=8),
        ]  # fmt: skip
        if cfg.source == "static":
            panels.append(Panel("Billed replicas", "timeseries", (Target(f"{C.COST_REPLICAS}{s}", "replicas"),), unit="short", width=12, height=6))
        return [Row("Cost and budget", tuple(panels))]

    def fleet_panels(self, spec: Any) -> Sequence[Panel]:
        out = []
        if any(m.section(self.key) is not None for m in spec.models):
            out += [
                Panel("Cost per hour by model", "bargauge", (Target(f"sort_desc(sum by (model) ({C.COST_PER_HOUR}))", "{{model}}", True),),
                      unit="currencyUSD", decimals=2, width=12, height=10),
                Panel("Month-to-date and projected spend by model", "table",
                      (Target(f"sum by (model) ({C.COST_SPEND_MTD})", "month to date", True),
                       Target(f"sum by (model) ({C.COST_SPEND_PROJECTED})", "projected", True),
                       Target(f"sum by (model) ({C.COST_BUDGET})", "budget", True)),
                      unit="currencyUSD", width=12, height=10),
            ]  # fmt: skip
        out.append(
            Panel("Top alerting models (firing alerts)", "bargauge",
                  (Target('topk(10, sort_desc(count by (model) (ALERTS{alertstate="firing",monitor!=""})))', "{{model}}", True),),
                  unit="short", decimals=0, width=12, height=10,
                  description="Models with the most firing mlmon alerts right now (all monitors).",
                  thresholds=(Threshold(None, "green"), Threshold(1, "orange"), Threshold(5, "red")))
        )  # fmt: skip
        return out


# --- rule tests ------------------------------------------------------------------------------
class CostSim:
    """The cost rules evaluated the way Prometheus 2.x does it (closed range windows, instant
    lookback 5m, subquery steps aligned to multiples of the step), over 1-minute samples of the
    cost per hour. Used to compute the expected values of the generated tests."""

    def __init__(self, cost: list[float | None]):
        self.cost = cost  # cost per hour at minute i (None: absent)

    def at(self, t: int) -> float | None:
        return self.cost[t] if 0 <= t < len(self.cost) else None

    def avg(self, series, t: int, w: int) -> float | None:
        vals = [v for v in (series(s) for s in range(max(0, t - w), t + 1)) if v is not None]
        return sum(vals) / len(vals) if vals else None

    def avg1h(self, t: int) -> float | None:
        return self.avg(self.at, t, 60)

    def avg1d(self, t: int) -> float | None:
        return self.avg(self.at, t, 1440)

    def previous_days(self, t: int) -> float:
        """Per-day samples (24 x avg1d, written at each midnight) inside the last N days minus
        half a minute, N = day_of_month - 1 (epoch 0 is 1970-01-01, so in January
        day_of_month = elapsed days + 1)."""
        n = t // 1440
        if n == 0:
            return 0.0
        vals = [24 * self.avg1d(m) for m in range(0, t + 1, 1440) if m >= t - n * 1440 + 0.5 and self.avg1d(m) is not None]
        return sum(vals)

    def today(self, t: int) -> float | None:
        n = (t % 1440) // 60
        vals = [self.avg1h(m) for m in range(0, t + 1, 60) if n and m >= t - n * 60 + 0.5 and self.avg1h(m) is not None]
        now = self.at(t)
        if now is None:
            return None
        return sum(vals) + now * (t % 60) / 60

    def mtd(self, t: int) -> float | None:
        today = self.today(t)
        return None if today is None else self.previous_days(t) + today

    def projected(self, t: int) -> float | None:
        mtd, a = self.mtd(t), self.avg1d(t)
        if mtd is None or a is None:
            return None
        remaining_h = (31 * 86400 - (t // 1440) * 86400 - (t * 60) % 86400) / 3600
        return mtd + a * remaining_h

    def true_spend(self, t: int) -> float:
        """The exact integral of the cost since the month started (step function per minute)."""
        return sum((self.cost[i] or 0.0) / 60 for i in range(0, t))


class CostTests:
    def __init__(self, mon: CostMonitor, model: Any, cfg: CostConfig):
        self.mon, self.model, self.cfg = mon, model, cfg
        self.lab = f'{C.L_MODEL}="{model.id}"'

    def inputs(self, replicas: list[tuple[float | None, int]], unit_rate: float) -> tuple[list[tuple[str, str]], list[float | None]]:
        """Input series in normalised form and the resulting cost per hour per minute."""
        cfg, s = self.cfg, self.lab
        text, reps = gauge_steps(replicas)
        if cfg.source == "opencost":
            # here the segments are USD/h straight from OpenCost
            series = [(f"{C.OPENCOST_HOURLY}{{{s}}}", text)]
            cost = reps
        elif cfg.replicas is not None:
            series = []
            cost = [None if r is None else cfg.replicas * cfg.hourly_per_replica for r in reps]
        elif cfg.deployment is not None:
            ns, dep = cfg.deployment
            series = [(f'kube_deployment_status_replicas{{namespace="{ns}",deployment="{dep}"}}', text)]
            cost = [None if r is None else r * cfg.hourly_per_replica for r in reps]
        else:
            series = [(f"{C.REPLICAS}{{{s}}}", text)]
            cost = [None if r is None else r * cfg.hourly_per_replica for r in reps]
        src = C.TOKENS_RATE if cfg.unit == "tokens" else C.REQUESTS_RATE
        series.append((f"{src}{{{s}}}", f"{fmt_float(unit_rate)}+0x{len(reps) - 1}"))
        return series, cost

    def base_segments(self) -> float:
        """A healthy level: replicas (USD/h for OpenCost) at most 60% of the budget pace."""
        cfg = self.cfg
        if cfg.source == "opencost":
            return round(cfg.budget / (31 * 24) * 0.6 * min(1.0, cfg.projected_ratio), 2) if cfg.budget else 10.0
        if cfg.replicas is not None or cfg.budget is None or cfg.hourly_per_replica <= 0:
            return 4.0
        level = cfg.budget / (31 * 24) * 0.6 * min(1.0, cfg.projected_ratio) / cfg.hourly_per_replica
        return float(math.floor(level))  # 0 when one replica alone overspends (compile warns)

    def low_level(self, base: float) -> float:
        return round(base / 2, 2) if self.cfg.source == "opencost" else float(math.floor(base / 2))

    def all(self) -> list[RuleTest]:
        cfg = self.cfg
        out = [self.healthy()]
        if cfg.budget is not None and (cfg.replicas is None or cfg.source == "opencost"):
            runaway = self.runaway()
            if runaway is not None:
                out.append(runaway)
        if cfg.max_per_1k is not None:
            out.append(self.unit_cost())
        out.append(self.nodata())
        return out

    def _exp(self, alert: str, value: float | None = None) -> ExpAlert:
        for r in self.mon.alerts(self.model, self.cfg):
            if r.alert == alert:
                return ExpAlert(r.labels, expand_all(r.annotations, value))
        raise KeyError(alert)

    def healthy(self) -> RuleTest:
        """Two days and a bit with a replica change on day 1: exact recorded values, nothing fires."""
        cfg = self.cfg
        base = self.base_segments()
        low = self.low_level(base)
        # with a budget: into day 2 so the month-to-date ladders add a completed day and hours
        end = 1440 + 2 * 60 + 30 if cfg.budget is not None else 150
        change = 6 * 60 if cfg.budget is not None else 30
        segs = [(low, change), (base, end + 1 - change)]  # low first (00:00-06:00 on day 1), then base
        _, probe = self.inputs(segs, 1.0)
        top = max(c for c in probe if c is not None)
        # traffic that keeps the cost per 1,000 at or under half the limit
        rate = 5.0 if cfg.max_per_1k is None else max(5.0, round(top / (1.8 * cfg.max_per_1k), 3))
        series, cost = self.inputs(segs, rate)
        sim = CostSim(cost)
        s = self.lab
        checks = []
        ev = format_duration(end * 60)
        checks.append(value_check(C.COST_PER_HOUR, s, ev, cost[end]))
        a1h = sim.avg1h(end)
        checks.append(value_check(C.COST_PER_HOUR_AVG1H, s, ev, a1h))
        um = self.mon.unit_cost_metric(cfg)
        checks.append(value_check(um, s, ev, a1h / (rate * 3.6)))
        if cfg.budget is not None:
            for name, value in (
                (C.COST_SPEND_PREVIOUS_DAYS, sim.previous_days(end)),
                (C.COST_SPEND_TODAY, sim.today(end)),
                (C.COST_SPEND_MTD, sim.mtd(end)),
                (C.COST_SPEND_PROJECTED, sim.projected(end)),
                (C.COST_BUDGET_BURN, a1h * 24 * 31 / cfg.budget),
            ):
                checks.append(value_check(name, s, ev, value))
        alerts = [AlertCheck(ev, r.alert, ()) for r in self.mon.alerts(self.model, cfg)]
        return RuleTest(
            f"{self.model.id}/cost: a cost change at {format_duration(change * 60)} then steady cost until {ev}: exact cost, per-1k"
            + (", month-to-date and projection" if cfg.budget is not None else "") + "; nothing fires",
            "1m", tuple(series), tuple(alerts), tuple(checks),
        )  # fmt: skip

    def runaway(self) -> RuleTest | None:
        """A runaway scale-up at 02:00 on day 1: the fast-burn page fires; quiet before."""
        cfg = self.cfg
        base = self.base_segments()
        per = 1.0 if cfg.source == "opencost" else cfg.hourly_per_replica
        high = math.ceil(cfg.fast_burn_threshold * 1.5 / per) if cfg.source != "opencost" else round(cfg.fast_burn_threshold * 1.5, 2)
        start = 120
        length = start + 180
        series, cost = self.inputs([(base, start), (high, length - start)], 1.0)
        sim = CostSim(cost)
        thr = cfg.fast_burn_threshold
        fb_for = int(FAST_BURN_FOR // 60)
        pr_for = int(PROJECTED_FOR // 60)
        limit = cfg.budget * cfg.projected_ratio

        def fast(t: int) -> bool:
            return (sim.avg1h(t) or 0) > thr and (sim.at(t) or 0) > thr

        def proj(t: int) -> bool:
            p = sim.projected(t)
            return p is not None and p > limit

        t_fire = next(t for t in range(start, length) if firing(fast, t, fb_for))
        check_at = t_fire + 2
        checks = [AlertCheck(format_duration((start - 1) * 60), C.ALERT_COST_FAST_BURN, ())]
        checks.append(AlertCheck(format_duration(check_at * 60), C.ALERT_COST_FAST_BURN, (self._exp(C.ALERT_COST_FAST_BURN, sim.avg1h(check_at)),)))
        end = length - 1
        exp = (self._exp(C.ALERT_COST_PROJECTED, sim.projected(end)),) if firing(proj, end, pr_for) else ()
        checks.append(AlertCheck(format_duration(end * 60), C.ALERT_COST_PROJECTED, exp))
        checks.append(AlertCheck(format_duration((start - 1) * 60), C.ALERT_COST_PROJECTED, ()))
        exprs = (value_check(C.COST_SPEND_MTD, self.lab, format_duration(end * 60), sim.mtd(end)),)
        return RuleTest(
            f"{self.model.id}/cost: a scale-up to {_num(high)} x {_num(per)} USD/h at 02:00 pages within {t_fire - start}m (fast burn: above {_num(thr)} USD/h)",
            "1m", tuple(series), tuple(checks), exprs,
        )  # fmt: skip

    def unit_cost(self) -> RuleTest:
        """Traffic falls to a quarter while replicas stay: the cost per 1,000 doubles past the limit."""
        cfg = self.cfg
        base = max(1.0, self.base_segments())
        n, drop = 300, 100
        series, cost = self.inputs([(base, n)], 1.0)
        cost_h = cost[0]
        high_rate = round(cost_h / (1.8 * cfg.max_per_1k), 6)  # half the limit
        low_rate = high_rate / 4  # twice the limit
        src = C.TOKENS_RATE if cfg.unit == "tokens" else C.REQUESTS_RATE
        series = [x for x in series if not x[0].startswith(src)]
        series.append((f"{src}{{{self.lab}}}", f"{fmt_float(high_rate)}+0x{drop - 1} {fmt_float(low_rate)}+0x{n - drop - 1}"))
        rates = [high_rate] * drop + [low_rate] * (n - drop)
        sim = CostSim(cost)

        def cond(t: int) -> bool:
            r = sum(rates[max(0, t - 60): t + 1]) / len(rates[max(0, t - 60): t + 1])
            return sim.avg1h(t) / (r * 3.6) > cfg.max_per_1k

        for_min = int(UNIT_COST_FOR // 60)
        t_fire = next(t for t in range(drop, n) if firing(cond, t, for_min))
        rr = rates[t_fire + 2 - 60: t_fire + 3]
        exp = (self._exp(C.ALERT_COST_UNIT, sim.avg1h(t_fire + 2) / (sum(rr) / len(rr) * 3.6)),)
        return RuleTest(
            f"{self.model.id}/cost: traffic falls to a quarter: cost per 1,000 {cfg.unit} doubles past the limit, a ticket opens",
            "1m", tuple(series),
            (AlertCheck(f"{drop - 1}m", C.ALERT_COST_UNIT, ()), AlertCheck(format_duration((t_fire + 2) * 60), C.ALERT_COST_UNIT, exp)),
        )  # fmt: skip

    def nodata(self) -> RuleTest:
        cfg = self.cfg
        nd = int(cfg.no_data_for // 60)
        base = self.base_segments()
        if cfg.replicas is not None:
            # a fixed count never goes missing; prove the no-data alert stays quiet
            series, _ = self.inputs([(base, 60)], 1.0)
            return RuleTest(f"{self.model.id}/cost: fixed replicas: cost is always known, no no-data alert", "1m", tuple(series),
                            (AlertCheck("59m", C.ALERT_COST_NODATA, ()),))  # fmt: skip
        run = 30
        length = run + nd + 10
        series, _ = self.inputs([(base, run), (None, length - run)], 1.0)
        exp = (self._exp(C.ALERT_COST_NODATA),)
        return RuleTest(
            f"{self.model.id}/cost: the cost inputs vanish at {run}m: MLModelCostNoData fires after {format_duration(cfg.no_data_for)}",
            "1m", tuple(series),
            (AlertCheck(f"{run - 1}m", C.ALERT_COST_NODATA, ()), AlertCheck(format_duration((run + nd + 7) * 60), C.ALERT_COST_NODATA, exp)),
        )  # fmt: skip


MONITOR = CostMonitor()
