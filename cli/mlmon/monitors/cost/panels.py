"""The cost monitor's dashboard row and fleet panels (cost and spend by model, and the models
with the most firing alerts of any monitor)."""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import Panel, Row, Target, Threshold
from mlmon.compiler.units import num
from mlmon.monitors.cost import exprs as X
from mlmon.monitors.cost.compile import CostConfig
from mlmon.monitors.cost.rules import KEY
from mlmon.monitors.cost.schema import PRICED


def _budget_panels(s: str, cfg: CostConfig, b: float) -> list[Panel]:
    return [
        Panel(
            "Month-to-date spend",
            "stat",
            (Target(f"{C.COST_SPEND_MTD}{s}", "USD", True),),
            unit="currencyUSD",
            decimals=0,
            width=4,
            height=6,
            description="Spend since the 1st of the month, 00:00 UTC (approximation: see README).",
            thresholds=(Threshold(None, "green"), Threshold(b, "red")),
        ),
        Panel(
            "Projected month-end spend",
            "stat",
            (Target(f"{C.COST_SPEND_PROJECTED}{s}", "USD", True),),
            unit="currencyUSD",
            decimals=0,
            width=4,
            height=6,
            description=f"Month-to-date + remaining hours x last 24h's average cost. Budget: {num(b)} USD.",
            thresholds=(Threshold(None, "green"), Threshold(b * 0.9, "orange"), Threshold(b * cfg.projected_ratio, "red")),
        ),
        Panel(
            "Projected spend / budget",
            "gauge",
            (Target(f"100 * {C.COST_SPEND_PROJECTED}{s} / on() {C.COST_BUDGET}{s}", "%", True),),
            unit="percent",
            min=0,
            max=150,
            width=4,
            height=6,
            thresholds=(Threshold(None, "green"), Threshold(90, "orange"), Threshold(100 * cfg.projected_ratio, "red")),
        ),
        Panel(
            "Budget burn rate (1h)",
            "stat",
            (Target(f"{C.COST_BUDGET_BURN}{s}", "x", True),),
            unit="short",
            decimals=2,
            width=4,
            height=6,
            description=f"Last hour's cost rate / the rate that spends exactly the budget in a month. Pages above {num(30 / cfg.fast_burn_days)} (approx.).",
            thresholds=(Threshold(None, "green"), Threshold(1, "orange"), Threshold(30 / cfg.fast_burn_days, "red")),
        ),
    ]


def dashboard_rows(model: Any, cfg: CostConfig) -> list[Row]:
    s = X.sel(model)
    unit_metric = X.unit_cost_metric(cfg)
    price = PRICED[cfg.source] + "." if cfg.source in PRICED else f"replicas x {num(cfg.hourly_per_replica)} USD."
    panels = [
        Panel(
            "Cost per hour",
            "stat",
            (Target(f"{C.COST_PER_HOUR}{s}", "USD/h", True),),
            unit="currencyUSD",
            decimals=2,
            width=4,
            height=6,
            description="Current cost per hour: " + price,
        ),
        Panel(
            f"Cost per 1,000 {cfg.unit}",
            "stat",
            (Target(f"{unit_metric}{s}", "USD", True),),
            unit="currencyUSD",
            decimals=4,
            width=4,
            height=6,
            description=f"Last hour's average cost per hour / {cfg.unit} served in the last hour x 1,000.",
            thresholds=(Threshold(None, "green"),) + ((Threshold(cfg.max_per_1k, "red"),) if cfg.max_per_1k else ()),
        ),
    ]
    if cfg.budget is not None:
        panels += _budget_panels(s, cfg, cfg.budget)
    series = [Target(f"{C.COST_PER_HOUR}{s}", "now"), Target(f"{C.COST_PER_HOUR_AVG1H}{s}", "1h average")]
    if cfg.budget is not None:
        series.append(Target(f"{C.COST_BUDGET}{s} / 24 / scalar(days_in_month())", "budget pace"))
    panels += [
        Panel("Cost per hour over time", "timeseries", tuple(series), unit="currencyUSD", width=12, height=8),
        Panel(f"Cost per 1,000 {cfg.unit} over time", "timeseries", (Target(f"{unit_metric}{s}", "USD / 1k"),), unit="currencyUSD", width=12, height=8),
    ]
    if cfg.source == "static":
        panels.append(Panel("Billed replicas", "timeseries", (Target(f"{C.COST_REPLICAS}{s}", "replicas"),), unit="short", width=12, height=6))
    return [Row("Cost and budget", tuple(panels))]


def fleet_panels(spec: Any) -> list[Panel]:
    out = []
    if any(m.section(KEY) is not None for m in spec.models):
        out += [
            Panel(
                "Cost per hour by model",
                "bargauge",
                (Target(f"sort_desc(sum by (model) ({C.COST_PER_HOUR}))", "{{model}}", True),),
                unit="currencyUSD",
                decimals=2,
                width=12,
                height=10,
            ),
            Panel(
                "Month-to-date and projected spend by model",
                "table",
                (
                    Target(f"sum by (model) ({C.COST_SPEND_MTD})", "month to date", True),
                    Target(f"sum by (model) ({C.COST_SPEND_PROJECTED})", "projected", True),
                    Target(f"sum by (model) ({C.COST_BUDGET})", "budget", True),
                ),
                unit="currencyUSD",
                width=12,
                height=10,
            ),
        ]
    out.append(
        Panel(
            "Top alerting models (firing alerts)",
            "bargauge",
            (Target('topk(10, sort_desc(count by (model) (ALERTS{alertstate="firing",monitor!=""})))', "{{model}}", True),),
            unit="short",
            decimals=0,
            width=12,
            height=10,
            description="Models with the most firing mlmon alerts right now (all monitors).",
            thresholds=(Threshold(None, "green"), Threshold(1, "orange"), Threshold(5, "red")),
        )
    )
    return out
