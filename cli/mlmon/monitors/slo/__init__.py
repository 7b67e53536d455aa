"""# Service level objectives (`slos`)

Multi-window, multi-burn-rate alerts as in the SRE workbook, on an availability SLI (failed /
all requests), a latency SLI (requests slower than a histogram bucket bound) or your own ratio
(`good`/`total` PromQL):

```yaml
slos:
  - {name: availability, objective: 99.9, sli: {kind: availability}}
  - {name: latency, objective: 99, period: 28d, sli: {kind: latency, threshold: 250ms}}
  - name: fresh-features
    objective: 99.5
    sli:
      kind: ratio
      good: 'sum(rate(feature_fresh_total[{{window}}]))'
      total: 'sum(rate(feature_reads_total[{{window}}]))'
```

`objective` is the percentage of good events. A ratio SLI writes `{{window}}` where the range
goes; mlmon fills in each alert window. Without `slos`, a model gets an availability SLO when its
preset counts failed requests and a latency SLO when its preset has a latency histogram (the
table of fields below gives their objectives and period); `defaults.slo_period` of a spec file
sets the period of every SLO in it that sets none.

## Burn-rate tiers

| tier | long / short window (30d period) | burn factor | budget spent at detection | severity | `for` |
| --- | --- | --- | --- | --- | --- |
| page, fast | 1h / 5m | 14.4 | 2% | critical | 2m |
| page, slow | 6h / 30m | 6 | 5% | critical | 15m |
| ticket, fast | 1d / 2h | 3 | 10% | warning | 1h |
| ticket, slow | 3d / 6h | 1 | 10% | warning | 3h |

A tier fires when the error ratio over both its long and its short window is above
factor x (1 - objective). Each SLO has its own `period`: windows and `for` scale with
period / 30d (rounded to whole minutes, at least 1m), factors stay, so each tier keeps its
meaning. `alerting.page: false` or `alerting.ticket: false` turns a class of tiers off.

`mlmon lint` rejects:

- an `objective` of 1 or less (it is a percentage: write 99.9, not 0.999);
- a tier that can never fire (factor x (1 - objective) >= 1: the 14.4x tier is dead at
  objectives up to 93.06%, whatever the period);
- alert windows shorter than four scrape intervals;
- an SLI the preset cannot compute (availability without a failed-request counter, latency
  without a histogram); a ratio SLI without `{{window}}`, whose queries do not parse or are
  the same query.

It warns when a latency threshold is not one of the preset's default bucket bounds (the SLI reads
the bucket whose `le` equals the threshold) and when no rule tests can be generated for a ratio
SLI (each query must select one metric; `=`, `!=`, `=~` and `!~` matchers are fine as long as
label values matching each regex can be made up: literals, classes, `.`, alternation, repeats).

## What it records

9 recording rules per SLO (Sloth generates 15 for the same alerts): the error ratio over each of
the 7 distinct alert windows (`mlmon_slo:sli_error:ratio_rate5m` ... `ratio_rate3d` for a 30d
period), over the whole period (`mlmon_slo:sli_error:ratio_period`), and the error budget left
(`mlmon_slo:error_budget_remaining:ratio`). The objective and the budget are literals in the
alert expressions, so no metadata rules are needed.

## Alerts

- `MLModelSLOBurnRate`: one rule per tier, labels `slo` and `burn_window` (e.g. `1h/5m`),
  severity `critical` for page tiers and `warning` for ticket tiers.
- `MLModelSLONoData` (`warning`): **no data never means silence.** A ratio over zero traffic is
  NaN and NaN compares false, so a burn alert alone would go quiet exactly when a model stops
  serving. This alert fires when the SLI's traffic over the shortest alert window is zero or its
  series are absent for `alerting.no_data_for`; for a latency SLI also when the threshold's
  bucket does not exist. A model with `idle_ok: true` (batch or on-demand models) does not alert
  on zero traffic, only on missing series.

## Dashboards

A "Traffic" row (request rate, error ratio, latency quantiles when the preset has a histogram),
then one row per SLO: the SLI over the period against the objective, the error budget left, and
the burn rate per alert window. The fleet dashboard shows the budget left by model and SLO and
the firing SLO alerts.

## Generated rule tests

For every SLO, run by the real `promtool test rules`: healthy traffic (errors at 10% of the
budget) raises nothing; for each page tier, a burn at 1.1 x its factor (14.4x: 15.84x; 6x:
6.6x) pages within the designed detection time (long window x factor / burn + `for` + 2m); a
2x burn opens a ticket and never pages; when traffic stops, and when there are no series at all,
the no-data alert fires (an `idle_ok` model stays quiet when traffic stops); every ticket tier
opens its ticket (a burn halfway to the next tier's factor: 2x for the 1x tier, 4.5x for the 3x
one) without paging; and in an
**outage with absent good series** (every request fails from the first one on, so the good series,
e.g. `code="2xx"`, a success counter or the threshold's bucket, was never created) the fastest
tier fires: a missing good count is zero good events, not missing data. The rules are evaluated at
the model's `evaluation_interval` (the test files say so; input samples are a minute apart, or as
far apart as the interval when it is shorter); a case longer than 6 hours (the slow page tier and
the tickets, whose windows span 6h to 3d) every 15 minutes, and one longer than 3 hours every 5
minutes, when the model's interval is shorter (their firing checks move later by twice the step,
30m and 10m, beside windows of hours to days); a traffic-stop case longer than an hour, checked
once the no-data alert is due, every 15 minutes too (30m later),
and under a minute a case longer than an hour every minute. The expected alerts
at each checked instant come from a simulation of the rules (window ratios of the synthetic
counters and the `for` state machine); the input series are written in the model's preset
dialect, or on the metrics a ratio SLI selects.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mlmon.artifacts import AlertRule, Panel, Row, RuleGroup, RuleTest
from mlmon.compiler.context import CompileContext
from mlmon.monitors.slo import panels, rules, schema
from mlmon.monitors.slo.compile import compile_slos
from mlmon.monitors.slo.model import SLO


class SLOMonitor:
    key = "slos"
    title = "Service level objectives"

    def schema(self) -> dict[str, Any]:
        return schema.fragment()

    def defaults_schema(self) -> dict[str, Any]:
        return schema.file_defaults()

    def compile(self, raw: Any, ctx: CompileContext) -> tuple[SLO, ...]:
        return compile_slos(raw, ctx)

    def slos(self, model: Any) -> tuple[SLO, ...]:
        found: tuple[SLO, ...] = model.section(self.key) or ()
        return found

    def rule_groups(self, model: Any, spec: Any) -> list[RuleGroup]:
        return rules.rule_groups(model, self.slos(model))

    def rule_tests(self, model: Any, spec: Any, alerts: Sequence[AlertRule] = ()) -> list[RuleTest]:
        from mlmon.monitors.slo import cases  # keeps the simulator out of the lint path

        return cases.tests_for_model(model, list(self.slos(model)))

    def dashboard_rows(self, model: Any, spec: Any) -> list[Row]:
        return panels.rows(model, self.slos(model))

    def fleet_panels(self, spec: Any) -> list[Panel]:
        return panels.fleet()


MONITOR = SLOMonitor()
