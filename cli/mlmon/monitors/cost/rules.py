"""The cost monitor's rule group (its interval written out: the once-per-period samples depend
on it): cost per hour and per 1,000, the month-to-date chain, and the budget, unit-cost and
no-data alerts."""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import AlertRule, RecordingRule, RuleGroup
from mlmon.compiler.units import format_duration, num
from mlmon.monitors.base import alert_annotations, alert_labels
from mlmon.monitors.cost import exprs as X
from mlmon.monitors.cost.compile import CostConfig
from mlmon.monitors.cost.schema import PRICED

KEY = "cost"
FAST_BURN_FOR = 600.0  # seconds
PROJECTED_FOR = 3600.0
UNIT_COST_FOR = 3600.0


def labels(model: Any, severity: str, check: str) -> dict[str, str]:
    return alert_labels(model, KEY, severity, check)


def recording_rules(model: Any, cfg: CostConfig) -> list[RecordingRule]:
    lab = {C.L_MODEL: model.id}
    s = X.sel(model)
    rules = [RecordingRule(C.COST_REPLICAS, X.replicas_expr(model, cfg), lab)] if cfg.source == "static" else []
    rules += [
        RecordingRule(C.COST_PER_HOUR, X.cost_expr(model, cfg), lab),
        RecordingRule(C.COST_PER_HOUR_AVG1H, f"avg_over_time({C.COST_PER_HOUR}{s}[1h])", lab),
        RecordingRule(C.COST_PER_HOUR_AVG1D, f"avg_over_time({C.COST_PER_HOUR}{s}[1d])", lab),
        RecordingRule(X.unit_cost_metric(cfg), f"{C.COST_PER_HOUR_AVG1H}{s}\n/ on()\n({X.unit_rate_expr(model, cfg)} * 3.6 > 0)", lab),
    ]
    if cfg.budget is None:
        return rules
    b = num(cfg.budget)
    return rules + [
        RecordingRule(C.COST_BUDGET, f"vector({b})", lab),
        *(RecordingRule(C.COST_SPEND_DAY, X.completed_expr(model, X.DAY, k), {**lab, C.L_MONTH_SLOT: str(k)}) for k in range(X.MONTH_SLOTS)),
        *(RecordingRule(C.COST_SPEND_HOUR, X.completed_expr(model, X.HOUR, k), {**lab, C.L_DAY_SLOT: str(k)}) for k in range(X.DAY_SLOTS)),
        RecordingRule(C.COST_SPEND_PREVIOUS_DAYS, X.month_previous_days_expr(model), lab),
        RecordingRule(C.COST_SPEND_TODAY, X.today_expr(model), lab),
        RecordingRule(C.COST_SPEND_MTD, f"{C.COST_SPEND_PREVIOUS_DAYS}{s} + on() {C.COST_SPEND_TODAY}{s}", lab),
        RecordingRule(
            C.COST_SPEND_PROJECTED,
            f"{C.COST_SPEND_MTD}{s}\n+ on()\n{C.COST_PER_HOUR_AVG1D}{s}\n"
            "  * (scalar(days_in_month()) * 86400 - (scalar(day_of_month()) - 1) * 86400 - time() % 86400) / 3600",
            lab,
        ),
        RecordingRule(C.COST_BUDGET_BURN, f"{C.COST_PER_HOUR_AVG1H}{s} * 24 * scalar(days_in_month()) / {b}", lab),
    ]


def budget_alerts(model: Any, cfg: CostConfig, budget: float) -> list[AlertRule]:
    s = X.sel(model)
    b, limit = num(budget), num(budget * cfg.projected_ratio)
    thr, days = num(cfg.fast_burn_threshold), num(cfg.fast_burn_days)
    return [
        AlertRule(
            C.ALERT_COST_PROJECTED,
            f"{C.COST_SPEND_PROJECTED}{s} > {limit}",
            format_duration(PROJECTED_FOR),
            labels(model, C.SEVERITY_TICKET, "monthly_budget"),
            alert_annotations(
                model,
                f'projected month-end spend {{{{ $value | printf "%.2f" }}}} USD exceeds the budget of {b} USD',
                f"At the last 24h's average cost per hour, model {model.id} will spend more than {limit} USD this month "
                f"(monthly budget {b} USD). Check replica counts and autoscaling limits, right-size the instances, or raise the budget.",
            ),
        ),
        AlertRule(
            C.ALERT_COST_FAST_BURN,
            f"{C.COST_PER_HOUR_AVG1H}{s} > {thr}\nand\n{C.COST_PER_HOUR}{s} > {thr}",
            format_duration(FAST_BURN_FOR),
            labels(model, C.SEVERITY_PAGE, "monthly_budget"),
            alert_annotations(
                model,
                f'spending {{{{ $value | printf "%.2f" }}}} USD/h: the monthly budget of {b} USD would be gone within {days} days',
                f"The cost of model {model.id} over the last hour and right now is above {thr} USD/h, a rate that spends the whole "
                f"monthly budget ({b} USD) in {days} days. Usually a runaway autoscaler, a stuck scale-up or a price change: "
                "check the replica count and the deployment's events now.",
            ),
        ),
    ]


def alerts(model: Any, cfg: CostConfig) -> list[AlertRule]:
    s = X.sel(model)
    out = budget_alerts(model, cfg, cfg.budget) if cfg.budget is not None else []
    if cfg.max_per_1k is not None:
        m = num(cfg.max_per_1k)
        out.append(
            AlertRule(
                C.ALERT_COST_UNIT,
                f"{X.unit_cost_metric(cfg)}{s} > {m}",
                format_duration(UNIT_COST_FOR),
                labels(model, C.SEVERITY_TICKET, "unit_cost"),
                alert_annotations(
                    model,
                    f'{{{{ $value | printf "%.4f" }}}} USD per 1,000 {cfg.unit} (limit {m})',
                    f"Over the last hour model {model.id} cost more than {m} USD per 1,000 {cfg.unit}: traffic fell while replicas "
                    "stayed, or the price per replica rose. Scale down or consolidate replicas.",
                ),
            )
        )
    what = PRICED.get(cfg.source, "the replica count")
    out.append(
        AlertRule(
            C.ALERT_COST_NODATA,
            f"absent({C.COST_PER_HOUR}{s})",
            format_duration(cfg.no_data_for),
            labels(model, C.SEVERITY_TICKET, "cost_data"),
            alert_annotations(
                model,
                f"cost per hour unknown for {format_duration(cfg.no_data_for)}",
                f"mlmon cannot compute the cost of model {model.id} from {what}, so the budget alerts cannot fire and "
                "month-to-date spend is undercounted. Check that the inputs are scraped (for target-based replicas: "
                "at least one target up).",
            ),
        )
    )
    return out


def rule_groups(model: Any, cfg: CostConfig) -> list[RuleGroup]:
    rules: list[RecordingRule | AlertRule] = [*recording_rules(model, cfg), *alerts(model, cfg)]
    return [RuleGroup(f"mlmon-{model.id}-cost", tuple(rules), format_duration(float(model.evaluation_interval)))]
