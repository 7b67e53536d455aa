"""# Drift from a library (`drift_scores`)

Teams that already compute drift with a library (Evidently reports, Alibi Detect detectors served
by MLServer or Seldon Core) can alert and route it through mlmon: this section reads the values
the library exports to Prometheus and raises the same alerts, with the same labels
(`monitor: drift`), routes, inhibitions and retraining triggers as the [drift](drift.md) monitor,
which computes PSI or Jensen-Shannon itself from a baseline. A model uses one of the two.

```yaml
drift_scores:
  preset: evidently            # evidently | mlserver-alibi-detect | seldon-alibi-detect
  statistic: score             # score: drift at or above a threshold; p_value: at or below
  match: {dataset_name: fraud} # the model's series (default: the preset's model label = the model id)
  features: [amount, country]  # expected features: each one missing raises the no-data alert
  warn: 0.1
  critical: 0.25
  for: 15m
  dataset: {drifted_share: 0.5, severity: critical}
```

What each library exports, and how it is read, is in the
[drift-library guide](../../integrations/drift-libraries.md) and the
[preset reference](../../metrics/preset-reference.md#drift-libraries).

## What it records

| record | labels | value |
|---|---|---|
| `mlmon_drift:feature:score` | feature | the library's per-feature value (score or p-value) |
| `mlmon_drift:features_scored:count`, `mlmon_drift:features_drifted:count` | | features with a value / past warn |
| `mlmon_drift:features_drifted:ratio` | | drifted / scored; for MLServer's detectors, the share of runs that flagged drift over `window` |

## Alerts (`monitor: drift`)

| alert | severity | fires when |
|---|---|---|
| `MLModelFeatureDrift` {feature, check = the feature} | warning / critical | the feature's value is at or past `warn` / `critical` for `for` |
| `MLModelDatasetDrift` {check=dataset} | `dataset.severity` (warning / critical by threshold for MLServer) | at least `drifted_share` of the features drifted; for MLServer, the share of flagged runs is at or past `warn` / `critical` |
| `MLModelDriftNoData` {check=features} | warning | the values (or one of `features`) are missing for `no_data_for` |

**Lint:** a preset that reports no value of the chosen `statistic` (MLM328); `statistic` or
`features` with a preset that reports only a share (warning, MLM328); `critical` not past `warn`
(MLM210); a p-value or share threshold above 1 (MLM213); `drift` and `drift_scores` on one model
(MLM328).

## Generated rule tests

In the library's own dialect: healthy values raise nothing and are recorded exactly; one drifted
feature (a high share of flagged runs) fires both levels; no values raise the no-data alert.
"""

from __future__ import annotations

from mlmon.monitors.base import SectionMonitor
from mlmon.monitors.drift_scores import cases, panels, rules
from mlmon.monitors.drift_scores.compile import compile_section
from mlmon.monitors.drift_scores.schema import KEY, schema


class DriftScoresMonitor(SectionMonitor):
    key = KEY
    title = "Drift from a library"
    schema = staticmethod(schema)
    compile = staticmethod(compile_section)
    section_rules = staticmethod(rules.rule_groups)
    section_tests = staticmethod(cases.rule_tests)
    section_rows = staticmethod(panels.dashboard_rows)


MONITOR = DriftScoresMonitor()
