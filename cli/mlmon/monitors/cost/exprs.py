"""PromQL of the cost monitor: the cost per hour from its source, traffic, and the sparse
once-per-day (hour) spend samples and the slot branches that sum them into month-to-date spend.

Month-to-date spend is computed without state from chained recording rules. Two sparse series
record the spend of each completed UTC day (24 x the trailing-24h average cost, written only at
the first evaluation after midnight) and of each completed hour (the trailing-1h average, written
at each full hour). Month-to-date = the day samples of this month's completed days + the hour
samples of today's completed hours + the current cost x the elapsed part of this hour.

A PromQL range cannot depend on the time, so the samples are told apart by a label instead: each
day sample carries its day's month modulo 3 (``month_slot``), each hour sample its day's number
modulo 2 (``day_slot``). A constant 31d (1d) range then holds this month's (today's) samples and
otherwise only samples of other slots: three months back is more than 31 days ago, and two days
back more than a day. One branch per slot picks the current one: 3 (2) range reads per
evaluation, where a ladder over ``day_of_month()`` (``hour()``) would take 30 (23).
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


MONTH_SLOTS, DAY_SLOTS = 3, 2


def completed_expr(model: Any, period: int, slot: int) -> str:
    """Written once per UTC day (hour): at the first evaluation after midnight (the full hour),
    the spend of the day (hour) that just ended, when that day's slot (its month modulo 3; for
    an hour, its day modulo 2) is ``slot``. The period that ended holds the second before this
    period's start."""
    e = num(float(model.evaluation_interval))
    if period == DAY:
        return (
            f"24 * {C.COST_PER_HOUR_AVG1D}{sel(model)}\nand on()\n(vector(time() % 86400) < {e})\n"
            f"and on()\n(month(vector(time() - time() % 86400 - 1)) % {MONTH_SLOTS} == {slot})"
        )
    return (
        f"{C.COST_PER_HOUR_AVG1H}{sel(model)}\nand on()\n(vector(time() % 3600) < {e})\n"
        f"and on()\n(floor(vector((time() - time() % 3600 - 1) / 86400)) % {DAY_SLOTS} == {slot})"
    )


def _slot_sel(model: Any, metric: str, label: str, slot: int) -> str:
    return f'{metric}{{{C.L_MODEL}="{model.id}",{label}="{slot}"}}'


def month_previous_days_expr(model: Any) -> str:
    """Spend on the completed days of this month: the day samples of this month's slot in the
    last 31 days (the one written at the 1st's midnight closed last month and has its slot)."""
    parts = [
        f"(sum(sum_over_time({_slot_sel(model, C.COST_SPEND_DAY, C.L_MONTH_SLOT, k)}[31d])) and on() month() % {MONTH_SLOTS} == {k})"
        for k in range(MONTH_SLOTS)
    ]
    return "\n or ".join(parts) + "\n or on() vector(0)"


def today_expr(model: Any) -> str:
    """Spend since 00:00 UTC: the hour samples of today's slot in the last day (half an
    evaluation interval short of it, which keeps out the sample written a day ago at the same
    phase, two days' slot back), plus the current cost for the elapsed part of this hour."""
    w = format_duration(DAY - float(model.evaluation_interval) / 2)
    parts = [
        f"(sum(sum_over_time({_slot_sel(model, C.COST_SPEND_HOUR, C.L_DAY_SLOT, k)}[{w}])) and on() floor(vector(time() / 86400)) % {DAY_SLOTS} == {k})"
        for k in range(DAY_SLOTS)
    ]
    hours = "\n or ".join(parts) + "\n or on() vector(0)"
    return f"(\n {hours}\n)\n+ on()\n{C.COST_PER_HOUR}{sel(model)} * (time() % 3600) / 3600"
