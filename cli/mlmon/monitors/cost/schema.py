"""The ``cost`` section's schema and its defaults (written here once)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlmon.compiler import dsl as S

SOURCES = ("static", "opencost", "cloud_bill")
# where each priced source's cost per hour comes from (recorded by the model's presets in group mlmon-<id>-signals)
PRICED = {"opencost": "OpenCost's price metrics for the model's pods", "cloud_bill": "the cloud bill's share of the model (by its traffic)"}
FAST_BURN_MAX_DAYS = 27  # from 28 days on, the fast-burn threshold falls to the normal pace of a February


@dataclass(frozen=True)
class Defaults:
    source: str = "static"
    gpus_per_replica: int = 1
    projected_over_budget_ratio: float = 1.0
    fast_burn_days: int = 7
    no_data_for: str = "30m"


DEFAULTS = Defaults()


def schema() -> dict[str, Any]:
    d = DEFAULTS
    return S.obj(
        {
            "source": S.enum(list(SOURCES), "where prices come from: static prices below, OpenCost metrics, or a cloud bill split by traffic", d.source),
            "hourly_usd_per_replica": S.number("price of one replica per hour, USD", 0),
            "hourly_usd_per_gpu": S.number("price of one GPU per hour, USD", 0),
            "gpus_per_replica": S.number("GPUs per replica (with hourly_usd_per_gpu)", 0, default=d.gpus_per_replica),
            "replicas": {"type": "integer", "minimum": 1, "description": "fixed replica count (default: the model's scrape targets that are up)"},
            "replicas_from": S.obj(
                {"namespace": S.string("Kubernetes namespace", minLength=1), "deployment": S.string("Deployment name", minLength=1)},
                ("namespace", "deployment"),
                "count replicas from kube-state-metrics kube_deployment_status_replicas of this Deployment",
            ),
            "monthly_budget_usd": S.number("monthly budget, USD (enables month-to-date, projection and budget alerts)", exclusiveMinimum=0),
            "projected_over_budget_ratio": S.number(
                "ticket when projected month-end spend exceeds this x the budget", exclusiveMinimum=0, default=d.projected_over_budget_ratio
            ),
            "fast_burn_days": S.number(
                "page when the current spend rate would use the whole monthly budget within this many days",
                exclusiveMinimum=0,
                maximum=FAST_BURN_MAX_DAYS,
                default=d.fast_burn_days,
            ),
            "max_usd_per_1k": S.number("ticket when the cost per 1,000 predictions (tokens for task llm) exceeds this, USD", exclusiveMinimum=0),
            "no_data_for": S.duration("raise MLModelCostNoData after the cost per hour has been unknown this long", d.no_data_for),
        },
        (),
        "Cost per hour, per 1,000 predictions (tokens), and spend against a monthly budget",
    )
