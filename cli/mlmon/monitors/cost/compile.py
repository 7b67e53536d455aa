"""The ``cost`` section: raw data -> ``CostConfig`` plus diagnostics."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mlmon.compiler.context import CompileContext
from mlmon.compiler.units import num
from mlmon.monitors.base import duration_field
from mlmon.monitors.cost.schema import DEFAULTS, PRICED

PRICE_FIELDS = ("hourly_usd_per_replica", "hourly_usd_per_gpu", "gpus_per_replica", "replicas", "replicas_from")


@dataclass(frozen=True)
class CostConfig:
    source: str  # static | opencost | cloud_bill
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


def _check_prices(raw: Mapping[str, Any], ctx: CompileContext, source: str) -> bool:
    ok = True
    if source == "static" and "hourly_usd_per_replica" not in raw and "hourly_usd_per_gpu" not in raw:
        ctx.error(
            (),
            "MLM102",
            "static cost needs hourly_usd_per_replica and/or hourly_usd_per_gpu",
            key=True,
            hint="or set source: opencost to take prices from OpenCost",
        )
        ok = False
    if source != "static":
        for k in (k for k in PRICE_FIELDS if k in raw):
            ctx.warning((k,), "MLM210", f"'{k}' is ignored with source: {source} ({PRICED[source]} gives the cost)", key=True)
    if "replicas" in raw and "replicas_from" in raw:
        ctx.error(("replicas_from",), "MLM210", "set either a fixed 'replicas' count or 'replicas_from', not both", key=True)
        ok = False
    if "gpus_per_replica" in raw and "hourly_usd_per_gpu" not in raw and source == "static":
        ctx.warning(("gpus_per_replica",), "MLM210", "gpus_per_replica has no effect without hourly_usd_per_gpu", key=True)
    return ok


def _check_budget(cfg: CostConfig, ctx: CompileContext) -> None:
    """Static prices that overspend the budget by themselves."""
    if cfg.source == "static" and cfg.hourly_per_replica == 0:
        ctx.warning((), "MLM213", "all prices are 0, so the cost is always 0", key=True)
    if cfg.budget is None or cfg.source != "static":
        return
    limit = cfg.budget * cfg.projected_ratio
    if cfg.replicas is None and cfg.hourly_per_replica * 31 * 24 > limit:
        ctx.warning(
            ("monthly_budget_usd",),
            "MLM210",
            f"one replica at {num(cfg.hourly_per_replica)} USD/h costs {num(cfg.hourly_per_replica * 31 * 24)} USD in a 31-day month, over the budget of {num(cfg.budget)} USD",
        )
    if cfg.replicas is not None and cfg.replicas * cfg.hourly_per_replica * 30 * 24 > limit:
        monthly = cfg.replicas * cfg.hourly_per_replica * 30 * 24
        ctx.warning(
            ("monthly_budget_usd",),
            "MLM210",
            f"{cfg.replicas} replicas at {num(cfg.hourly_per_replica)} USD/h cost {num(monthly)} USD in 30 days, over the budget of {num(cfg.budget)} USD: the projected-overspend ticket would always be open",
        )


def compile_section(raw: Any, ctx: CompileContext) -> CostConfig | None:
    if raw is None:
        return None
    d = DEFAULTS
    source = raw.get("source", d.source)
    ok = _check_prices(raw, ctx, source)
    no_data_for = duration_field(ctx, raw, "no_data_for", d.no_data_for)
    if no_data_for is None:
        return None
    budget = raw.get("monthly_budget_usd")
    for k in ("projected_over_budget_ratio", "fast_burn_days"):
        if k in raw and budget is None:
            ctx.warning((k,), "MLM210", f"'{k}' has no effect without monthly_budget_usd", key=True)
    dep = raw.get("replicas_from")
    cfg = CostConfig(
        source=source,
        per_replica=float(raw.get("hourly_usd_per_replica", 0.0)),
        per_gpu=float(raw.get("hourly_usd_per_gpu", 0.0)),
        gpus_per_replica=float(raw.get("gpus_per_replica", d.gpus_per_replica)),
        replicas=raw.get("replicas"),
        deployment=(dep["namespace"], dep["deployment"]) if dep else None,
        budget=float(budget) if budget is not None else None,
        projected_ratio=float(raw.get("projected_over_budget_ratio", d.projected_over_budget_ratio)),
        fast_burn_days=float(raw.get("fast_burn_days", d.fast_burn_days)),
        max_per_1k=float(raw["max_usd_per_1k"]) if "max_usd_per_1k" in raw else None,
        no_data_for=no_data_for,
        unit="tokens" if ctx.task == "llm" else "predictions",
    )
    if not ok:
        return None
    _check_budget(cfg, ctx)
    return cfg
