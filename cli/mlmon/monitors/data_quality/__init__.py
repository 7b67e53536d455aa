"""Live data quality of the features a model receives: per feature, the share of requests with a
missing value, with a number outside the valid range, with a category the reference data never
had, and without the feature at all (or with a value of the wrong type). Rates are counted by
[`mlmon.instrument`](../../metrics/instrument.md) against the model's baseline and alerted on
per feature, with a no-data alert when nothing is checked while the model serves. Without a
`data_quality` key nothing is generated.

## The spec

```yaml
data_quality:
  baseline: baselines/fraud-detector.yaml   # required: the same file as drift's
  window: 1h
  min_samples: 200                          # checked requests a window needs
  max_missing_ratio: 0.02                   # ceilings for every feature ...
  max_out_of_range_ratio: 0.01
  features:
    merchant_category: {max_unseen_ratio: 0.05}   # ... or for one feature
    hour: {enabled: false}
  severity: ticket                          # or page (the no-data alert is always a ticket)
  for: 15m
```

Which checks a feature gets comes from the baseline made by `mlmon baseline`:

| check | features | counted when |
| --- | --- | --- |
| `missing` | all | the value is null, NaN or empty (`mlmon_feature_missing_total`) |
| `out_of_range` | numeric | the number is outside the feature's `range` in the baseline: the reference minimum and maximum, or limits declared with `mlmon baseline --range amount=0:50000` (one side may be open) (`mlmon_feature_out_of_range_total`) |
| `unseen` | categorical | the category is not in the baseline's `seen` list, every category of the reference data (`mlmon_feature_unseen_category_total`; the value still goes to the `__other__` drift bin) |
| `schema` | all | the request has no such feature (`reason="absent"`), or a numeric feature got a non-number (`reason="type"`) (`mlmon_feature_schema_violations_total`) |

The valid range and the reference categories live in the baseline because the instrument counts
against them: the spec and the service read the same file, so they cannot disagree. Baseline
files written before these fields existed stay valid: a numeric feature is then valid between its
outer bin edges (the reference minimum and maximum, rounded outward), and a categorical feature
whose `__other__` bin is not empty cannot be checked for unseen categories (**MLM255**, a
warning: rebuild the baseline). Categorical features with more distinct reference values than
`mlmon baseline` records are not checked for unseen categories either.

**Lint**: a feature that is not in the baseline (MLM211); a window shorter than 4x the scrape
interval (MLM207); every feature disabled (MLM213).

## Metrics expected

From `mlmon.instrument` (`ModelMonitor(..., baseline=...)`, features passed to `predict` or
`observe_features`), labels `model`, `version`, `feature`:

| Metric | Meaning |
| --- | --- |
| `mlmon_feature_rows_total` (no `feature`) | requests whose features were checked: the denominator |
| `mlmon_feature_missing_total` | missing values |
| `mlmon_feature_out_of_range_total` | numbers outside the valid range |
| `mlmon_feature_unseen_category_total` | categories the reference data never had |
| `mlmon_feature_schema_violations_total` (+ `reason="absent"\\|"type"`) | absent features, values of the wrong type |

## Records

| Rule | Labels | Meaning |
| --- | --- | --- |
| `mlmon_dq:rows:increase_window` | model | checked requests in the window (0 when none) |
| `mlmon_dq:feature_<check>:ratio_window` | model, feature | share of checked requests that failed the check; absent below `min_samples` |

## Alerts

Every alert carries `model`, `team`, `severity`, `monitor: data_quality`, `check` and the model's
`labels`; the rate alerts also carry `feature`.

| Alert | check | Fires when |
| --- | --- | --- |
| `MLModelFeatureMissingValues` | `missing` | a feature's missing-value share exceeds its ceiling for `for` |
| `MLModelFeatureOutOfRange` | `out_of_range` | a numeric feature's out-of-range share exceeds its ceiling for `for` |
| `MLModelFeatureUnseenCategories` | `unseen` | a categorical feature's unseen-category share exceeds its ceiling for `for` |
| `MLModelFeatureSchemaViolation` | `schema` | the share of requests without the feature (or with a wrong type) exceeds its ceiling (by default: any) for `for` |
| `MLModelDataQualityNoData` (ticket) | `no_data` | fewer than `min_samples` checked requests in the window, for `no_data_for`, while the model serves (`mlmon_model:requests:rate5m` > 0). In this state the rate alerts cannot fire |

The generated promtool tests prove that clean traffic raises nothing (exact rates), that traffic
above every ceiling raises each alert for each feature with exact labels and annotations, that
serving without checked features (none, or fewer than `min_samples`) raises the no-data alert while
the rate alerts stay quiet, and that no traffic raises nothing.

## Dashboard row

**Data quality**: checked requests in the window, and one panel per check with the share by
feature against its ceiling (the out-of-range panel lists the valid ranges).
"""

from __future__ import annotations

from mlmon.monitors.base import SectionMonitor
from mlmon.monitors.data_quality import cases, panels, rules
from mlmon.monitors.data_quality.compile import compile_section
from mlmon.monitors.data_quality.schema import KEY, section_schema


class DataQualityMonitor(SectionMonitor):
    key = KEY
    title = "Data quality"
    schema = staticmethod(section_schema)
    compile = staticmethod(compile_section)
    section_rules = staticmethod(rules.rule_groups)
    section_tests = staticmethod(cases.rule_tests)
    section_rows = staticmethod(panels.dashboard_rows)


MONITOR = DataQualityMonitor()
