"""Cost per hour, cost per 1,000 predictions (or tokens), and month-to-date and projected
month-end spend against a monthly budget. Without a `cost` section nothing is generated: mlmon
cannot guess prices.

```yaml
cost:
  hourly_usd_per_replica: 3.06        # static prices: per replica ...
  hourly_usd_per_gpu: 2.48            # ... plus per GPU x gpus_per_replica
  gpus_per_replica: 2
  replicas_from: {namespace: genai, deployment: vllm-support-chat}   # or `replicas: 3`; without either: targets up
  monthly_budget_usd: 9000            # enables month-to-date, projection and the budget alerts
  projected_over_budget_ratio: 1.0    # ticket when the projection exceeds this x budget
  fast_burn_days: 7                   # page when the spend rate would use the whole budget within 7 days
  max_usd_per_1k: 0.05                # optional ticket on the cost per 1,000 predictions (tokens for task: llm)
  no_data_for: 30m
# or: prices from OpenCost (needs infra.exporters: [opencost] with namespace/pod)
cost: {source: opencost, monthly_budget_usd: 20000}
```

**Cost per hour** (`mlmon_cost:usd_per_hour:sum`):

- `source: static`: replicas x (`hourly_usd_per_replica` + `gpus_per_replica` x
  `hourly_usd_per_gpu`). Replicas are the model's scrape targets that are up, or
  `kube_deployment_status_replicas` of `replicas_from: {namespace, deployment}`, or a fixed
  `replicas: N`.
- `source: opencost`: the CPU + RAM + GPU prices of the model's pods from OpenCost, recorded by
  the OpenCost preset of the model's `infra` section.
- `source: cloud_bill`: the model's share of a cloud bill, recorded by a bill preset of the
  model's `infra` section (`aws-billing`: the charges' increase per hour over the last day, times
  the model's share of the requests its serving preset counts; see
  [cloud endpoints and bills](../../integrations/clouds.md#cost-from-the-cloud-bill)).

**Inputs** (the normalised signals recorded by the model's preset, group `mlmon-<id>-signals`):

| Input | Used for |
| --- | --- |
| `mlmon_model:replicas:count` (scrape targets of job `mlmon-<id>` that are up) | replicas, without `replicas` or `replicas_from` |
| `kube_deployment_status_replicas{namespace, deployment}` (kube-state-metrics) | replicas with `replicas_from` |
| `mlmon_model:opencost_hourly_cost_usd:sum` (OpenCost CPU + RAM + GPU prices of the model's pods) | cost with `source: opencost` |
| `mlmon_model:cloud_bill_hourly_cost_usd:sum` (the model's share of a cloud bill) | cost with `source: cloud_bill` |
| `mlmon_model:requests:rate5m` / `mlmon_model:tokens:rate5m` (task `llm`) | cost per 1,000 |

**Records** (labels `{model}`):

| Rule | Meaning |
| --- | --- |
| `mlmon_cost:replicas:count` | replicas the static price applies to |
| `mlmon_cost:usd_per_hour:sum` | cost per hour now, USD |
| `mlmon_cost:usd_per_hour:avg1h`, `:avg1d` | average cost per hour over the last hour / 24h |
| `mlmon_cost:usd_per_1k_predictions:ratio_avg1h` (`usd_per_1k_tokens` for `task: llm`) | last hour's cost / (requests or tokens in the last hour) x 1,000; absent without traffic |
| `mlmon_cost:budget_usd:monthly` | the budget |
| `mlmon_cost:spend_usd:completed_day`, `:completed_hour` | sparse: written once per UTC day (hour), the spend of the day (hour) that just ended; label `month_slot` (`day_slot`): that day's month modulo 3 (its day since 1970 modulo 2) |
| `mlmon_cost:spend_usd:month_previous_days`, `:today`, `:month_to_date` | spend on the completed days of this month, since 00:00 UTC, and their sum |
| `mlmon_cost:spend_usd:month_end_projected` | month-to-date + remaining hours of the month x the last 24h's average cost |
| `mlmon_cost:budget_burn_rate:ratio_avg1h` | last hour's cost x hours in the month / budget (1 = spending exactly the budget) |

**Month-to-date, and how exact it is.** PromQL has no "since the 1st" range, and a 30-day range
over the raw cost would be slow and would still cross the month boundary. mlmon records two
sparse series instead: once a day, at the first evaluation after 00:00 UTC, the spend of the day
that ended (24 x its average cost), and once an hour the spend of the hour that ended.
Month-to-date is the day samples of this month's completed days, plus the hour samples of
today's completed hours, plus the current cost for the elapsed part of this hour. A range cannot
depend on the time, so each sample carries a slot label instead: its day's month modulo 3 (for
an hour, its day modulo 2). A constant 31d (1d) range then holds this month's (today's) samples
and otherwise only samples of the other slots, since three months back is more than 31 days
ago; one branch per slot picks the current one (`... and on() month() % 3 == k`). That is five
range reads per evaluation, each of at most 31 (24) samples. Day and hour samples recorded without a slot label
(by a release of mlmon before the slots) are not counted, so right after such an upgrade
month-to-date starts at the upgrade and is complete again from the next 1st. The result is exact when the cost changes only on full
hours. Otherwise the error is at most the change within the hour divided by 61 (Prometheus 2
ranges are closed, so an hour's average holds 61 samples). A midnight or full hour that
Prometheus missed (down for longer than the evaluation interval) is left out of the sum. Months
and days are UTC. The rule group's `interval` is written out, because the once-per-period
samples depend on it.

**Alerts** (`monitor="cost"`)

| Alert | Severity | check | Fires when |
| --- | --- | --- | --- |
| `MLModelCostProjectedOverBudget` | warning | `monthly_budget` | projected month-end spend > `projected_over_budget_ratio` x budget for 1h |
| `MLModelCostFastBudgetBurn` | critical | `monthly_budget` | both the last hour's average cost and the current cost exceed budget / (24 x `fast_burn_days`) USD/h, for 10m. This catches runaway autoscaling, a stuck scale-up or a price change. The page inhibits the ticket. |
| `MLModelCostPerUnitHigh` | warning | `unit_cost` | cost per 1,000 predictions (tokens) > `max_usd_per_1k` for 1h |
| `MLModelCostNoData` | warning | `cost_data` | the cost per hour cannot be computed for `no_data_for`. Examples: no target up, kube-state-metrics or OpenCost not scraped. Without this alert, a missing cost would silence every budget alert. |

**Lint:** static prices missing (MLM102); `replicas` together with `replicas_from` (MLM210);
prices set with `source: opencost` (ignored, warning); `gpus_per_replica` without
`hourly_usd_per_gpu`, or `projected_over_budget_ratio` / `fast_burn_days` without a budget (no
effect, warning); all prices 0 (warning); fixed replicas, or a single replica, costing more than
the budget (warning); `source: opencost` without the OpenCost exporter in `infra`;
`fast_burn_days` above 27 (it would page at the normal pace of a February); `source: cloud_bill`
without a bill exporter in `infra` (MLM329).

**Dashboard:** a **Cost and budget** row (cost per hour and per 1,000, month-to-date and
projected spend against the budget, the burn rate, cost over time, billed replicas); on the
fleet dashboard, cost per hour and spend by model, and the models with the most firing alerts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mlmon.artifacts import AlertRule, Panel, Row, RuleGroup, RuleTest
from mlmon.compiler.context import CompileContext
from mlmon.monitors.cost import cases, panels, rules
from mlmon.monitors.cost.compile import CostConfig, compile_section
from mlmon.monitors.cost.schema import schema


class CostMonitor:
    key = rules.KEY
    title = "Cost and budgets"

    def schema(self) -> dict[str, Any] | None:
        return schema()

    def compile(self, raw: Any, ctx: CompileContext) -> CostConfig | None:
        return compile_section(raw, ctx)

    def rule_groups(self, model: Any, spec: Any) -> Sequence[RuleGroup]:
        cfg: CostConfig | None = model.section(self.key)
        return rules.rule_groups(model, cfg) if cfg is not None else []

    def rule_tests(self, model: Any, spec: Any, alerts: Sequence[AlertRule] = ()) -> Sequence[RuleTest]:
        cfg: CostConfig | None = model.section(self.key)
        return cases.rule_tests(model, cfg) if cfg is not None else []

    def dashboard_rows(self, model: Any, spec: Any) -> Sequence[Row]:
        cfg: CostConfig | None = model.section(self.key)
        return panels.dashboard_rows(model, cfg) if cfg is not None else []

    def fleet_panels(self, spec: Any) -> Sequence[Panel]:
        return panels.fleet_panels(spec)


MONITOR = CostMonitor()
