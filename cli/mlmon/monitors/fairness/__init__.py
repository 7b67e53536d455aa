"""Fairness across the groups of one label (region, tenant, age band, ...): the selection rate
per group, demographic parity (difference and ratio) and equal opportunity (difference of the
true-positive rates), from per-group counters of decisions and outcomes. Without a `fairness`
key nothing is generated: mlmon cannot guess the protected attribute.

## The spec

```yaml
fairness:
  group_label: region                 # required: the label that holds the group
  window: 1d                          # counting window of the selection rates
  min_samples: 500                    # decisions a group needs in the window to be assessed
  groups: [eu, uk, us]                # optional: groups that must be present
  demographic_parity: {min_ratio: 0.8, max_difference: 0.1}   # max_difference is off unless set
  equal_opportunity: {max_difference: 0.1, window: 7d, min_positives: 30}   # optional
  severity: ticket                    # or page
  for: 1h
```

Equal opportunity is assessed only when `equal_opportunity` is present (`equal_opportunity: {}`
takes the defaults). `min_ratio: 0` turns the ratio alert off.

**Lint**: a `group_label` that mlmon or Prometheus already uses (`model`, `version`, `positive`,
`outcome`, `le`, `job`, `instance`; MLM213); a window shorter than 4x the scrape interval (MLM207);
`equal_opportunity` on a model whose task is not binary classification (warning: it needs tp/fn
outcome counters); `min_ratio: 0` without `max_difference` (warning: demographic parity is not
alerted on).

## Metrics expected

Emitted by your service, or by `mlmon.instrument` given the protected attribute and its values
(`ModelMonitor(..., groups={"region": ["eu", "uk", "us"]})`: opt-in, and bounded because any
other value counts as `__other__`; see [the instrument](../../metrics/instrument.md#fairness-groups)):

| Metric | Type | Labels |
| --- | --- | --- |
| `mlmon_predictions_total` | counter | `model`, `version`, `<group_label>`, `positive="true"\\|"false"` (the decision at the serving threshold) |
| `mlmon_outcomes_total` | counter | `model`, `version`, `<group_label>`, `outcome="tp"\\|"fp"\\|"tn"\\|"fn"` (incremented when the label arrives) |

Series without the group label or without `positive` (for example failed requests) are ignored.

## Records

`group` holds the value of `group_label`:

| Rule | Labels | Meaning |
| --- | --- | --- |
| `mlmon_fairness:predictions:increase` | model, group | decisions in the window |
| `mlmon_fairness:positive_predictions:increase` | model, group | positive decisions (0 when none) |
| `mlmon_fairness:selection_rate:ratio` | model, group | positive / decisions |
| `mlmon_fairness:selection_rate_groups:count` | model | groups with >= `min_samples` decisions |
| `mlmon_fairness:demographic_parity:difference` | model | max - min selection rate of the assessed groups (0 = parity) |
| `mlmon_fairness:demographic_parity:ratio` | model | min / max selection rate (1 = parity; absent when no assessed group has any positive) |
| `mlmon_fairness:actual_positives:increase` | model, group | tp + fn in the outcome window |
| `mlmon_fairness:true_positive_rate:ratio` | model, group | tp / (tp + fn) |
| `mlmon_fairness:true_positive_rate_groups:count` | model | groups with >= `min_positives` actual positives |
| `mlmon_fairness:equal_opportunity:difference` | model | max - min TPR of the assessed groups |

The definitions are Fairlearn's `between_groups` ones: difference = largest minus smallest, so it
is never negative; ratio = smallest over largest. Only groups with enough samples take part, and
there must be at least two such groups; otherwise the parity rules are absent and the low-sample
alert fires. A tiny group with an extreme rate therefore cannot page anyone, and a model with too
little data is reported, not silently passed. **The default `min_ratio` is the "four-fifths
rule", a screening convention from US employment guidance. It is not a legal test, and it is the
wrong threshold for many uses (Fairlearn's documentation warns the same). Choose it on purpose.**

## Alerts

Severity from `severity`, except the low-sample alerts, which are always tickets. Every alert
carries `model`, `team`, `severity`, `monitor: fairness`, `check` and the model's `labels`.

| Alert | check | Fires when |
| --- | --- | --- |
| `MLModelDemographicParityRatioLow` | `demographic_parity` | ratio < `min_ratio` for `for` |
| `MLModelDemographicParityDifferenceHigh` | `demographic_parity` | difference > `max_difference` for `for` |
| `MLModelEqualOpportunityDifferenceHigh` | `equal_opportunity` | TPR difference > `max_difference` for `for` |
| `MLModelFairnessLowSamples` | `demographic_parity` / `equal_opportunity` | fewer than 2 groups can be assessed, including when there are no series at all |
| `MLModelFairnessLowSamples` (label `group`) | `groups` | a group listed in `groups` is missing or below `min_samples` |

The generated promtool tests prove each alert fires on a disparity with exact labels and
annotations, stays quiet on healthy data (a tiny group with an extreme rate included), and that
missing or too few decisions raise the low-sample alert.

## Dashboard row

**Fairness across `<group_label>`**: selection rate by group, the parity ratio and difference,
decisions by group, both parity metrics over time, the selection rate by group over time, and,
with equal opportunity, the TPR by group and the equal-opportunity difference.
"""

from __future__ import annotations

from mlmon.monitors.base import SectionMonitor
from mlmon.monitors.fairness import cases, panels, rules
from mlmon.monitors.fairness.compile import compile_section
from mlmon.monitors.fairness.schema import KEY, section_schema


class FairnessMonitor(SectionMonitor):
    key = KEY
    title = "Fairness"
    schema = staticmethod(section_schema)
    compile = staticmethod(compile_section)
    section_rules = staticmethod(rules.rule_groups)
    section_tests = staticmethod(cases.rule_tests)
    section_rows = staticmethod(panels.dashboard_rows)


MONITOR = FairnessMonitor()
