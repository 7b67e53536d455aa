"""PromQL of the cost monitor: the cost per hour from its source, traffic, and the sparse
once-per-day (hour) spend samples and the ladders that sum them into month-to-date spend.

Month-to-date spend is computed without state from chained recording rules. Two sparse series
record the spend of each completed UTC day (24 x the trailing-24h average cost, written only at
the first evaluation after midnight) and of each completed hour (the trailing-1h average, written
at each full hour). Month-to-date = the day samples written since the 1st's midnight + the hour
samples written since today's midnight + the current cost x the elapsed part of this hour. A
PromQL range cannot depend on the time, so a ladder of ``and on() day_of_month() == N``
(``hour() == N``) branches picks the window; every branch reads at most 31 (24) samples.
"""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon.compiler.units import format_duration, num
from mlmon.monitors.cost.compile import CostConfig

DAY, HOUR = 86400, 3600


def sel(model: Any) -> str:
    return f'{{{C.L_MODEL}="{model.id}"}}'


def unit_cost_metric(cfg: CostConfig) -> str:
    return C.COST_PER_1K_TOKENS if cfg.unit == "tokens" else C.COST_PER_1K_PREDICTIONS


def unit_rate_metric(cfg: CostConfig) -> str:
    """The normalised traffic signal the cost per 1,000 divides by."""
    return C.TOKENS_RATE if cfg.unit == "tokens" else C.REQUESTS_RATE


def cost_expr(model: Any, cfg: CostConfig) -> str:
    """USD per hour, one series (labels are set by the recording rule)."""
    if cfg.source != "static":
        return f"sum({priced_input(cfg)}{sel(model)})"
    return f"{C.COST_REPLICAS}{sel(model)} * {num(cfg.hourly_per_replica)}"


def priced_input(cfg: CostConfig) -> str:
    """The normalised cost per hour a priced source reads (recorded by the model's presets)."""
    return C.CLOUD_BILL_HOURLY if cfg.source == "cloud_bill" else C.OPENCOST_HOURLY


def deployment_replicas(namespace: str, deployment: str) -> str:
    return f'kube_deployment_status_replicas{{namespace="{namespace}",deployment="{deployment}"}}'


def replicas_expr(model: Any, cfg: CostConfig) -> str:
    if cfg.replicas is not None:
        return f"vector({cfg.replicas})"
    if cfg.deployment is not None:
        return f"sum({deployment_replicas(*cfg.deployment)})"
    return f"sum({C.REPLICAS}{sel(model)})"


def unit_rate_expr(model: Any, cfg: CostConfig) -> str:
    """Predictions (tokens) per second, averaged over the last hour."""
    return f"avg_over_time({unit_rate_metric(cfg)}{sel(model)}[1h])"


def completed_expr(model: Any, period: int) -> str:
    """Written once per UTC day (hour): at the first evaluation after midnight (the full hour),
    the spend of the day (hour) that just ended. A sparse series, so summing it over a month
    reads at most 31 (24) samples."""
    e = num(float(model.evaluation_interval))
    if period == DAY:
        return f"24 * {C.COST_PER_HOUR_AVG1D}{sel(model)}\nand on()\n(vector(time() % 86400) < {e})"
    return f"{C.COST_PER_HOUR_AVG1H}{sel(model)}\nand on()\n(vector(time() % 3600) < {e})"


def _window(model: Any, n: int, unit: int) -> str:
    # half an evaluation interval short of n units: keeps the sample written at the start of
    # the period (which belongs to the previous period) out, whatever the evaluation phase
    return format_duration(n * unit - float(model.evaluation_interval) / 2)


def month_previous_days_expr(model: Any) -> str:
    """Spend on the completed days of this month: the per-day samples written since the 1st's
    midnight (which closed last month's last day). The ladder picks the window: on day N+1
    the last N days."""
    s = C.COST_SPEND_DAY + sel(model)
    parts = [f"(sum_over_time({s}[{_window(model, n, DAY)}]) and on() day_of_month() == {n + 1})" for n in range(1, 31)]
    return "\n or ".join(parts) + "\n or on() vector(0)"


def today_expr(model: Any) -> str:
    """Spend since 00:00 UTC: the per-hour samples written since midnight, plus the current cost
    for the elapsed part of this hour."""
    s = C.COST_SPEND_HOUR + sel(model)
    parts = [f"(sum_over_time({s}[{_window(model, n, HOUR)}]) and on() hour() == {n})" for n in range(1, 24)]
    hours = "\n or ".join(parts) + "\n or on() vector(0)"
    return f"(\n {hours}\n)\n+ on()\n{C.COST_PER_HOUR}{sel(model)} * (time() % 3600) / 3600"
