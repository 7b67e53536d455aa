"""A regression model's quality, scored when its labels arrive (the actual value of a forecast,
the final amount of a claim). [`mlmon.instrument`](../../metrics/instrument.md) adds each label's
error to a few counters; the rules turn their increases over a window into MAE, RMSE, MAPE and
bias, per model and per version, and alert when an error rises above its level, when the newest
version errs more than the previous one, and when a version errs more than it did at training
time. Without a `regression` key nothing is generated; it needs `task: regression`.

```yaml
regression:
  window: 1d                  # score the labels that arrived in the last day
  labels_delay: 3d            # typical prediction -> label delay (for the no-data alert)
  min_samples: 200
  max: {mae: 40, mape: 0.25, bias: 10}   # warning above (bias: |bias| above)
  critical: {mae: 80}
  watch: [mae, rmse]          # compared with the previous version and the training figures
  max_increase_vs_previous_version: 0.1  # 10% more error than the version before it
  max_increase_vs_training: 0.2          # 20% more error than at training time
  for: 1h
```

- The metrics are **errors**: lower is better, and the levels are ceilings (`max`, `critical`).
  `bias` is signed (above 0: the model over-predicts); its level bounds `|bias|`, and it is never
  compared with other versions or the training figures.
- The comparisons are **relative** (`0.1` = 10% more error), as the errors are in the target's
  units. Each needs its input: the previous version needs a `versions` section (versions are
  ordered by training time, as for the performance monitor), the training figures need the
  service to export them.
- **MAPE and actuals of 0**: the percentage error of a label whose actual is 0 is undefined. The
  instrument counts such labels (`mlmon_regression_zero_actuals_total`) and leaves them out of
  the MAPE sum; MAPE is the mean over the other labels and needs `min_samples` of them. (This
  differs from scikit-learn's `mean_absolute_percentage_error`, which divides by a tiny epsilon
  instead and reports huge values.) MAE, RMSE and bias count every label.

## Metrics it expects

`mlmon.instrument` emits all of them: `ModelMonitor(..., task="regression")`, then
`mon.outcome(actual, predicted=...)` when a label arrives. Labels `model`, `version`; every
counter is created at 0 for each version. The signed error is split into over- and
under-prediction so that every counter only grows (`increase()` reads a decrease as a reset).

| metric | type | adds, per label |
|---|---|---|
| `mlmon_regression_samples_total` | counter | 1 (labels with a finite actual and prediction) |
| `mlmon_regression_over_prediction_total` | counter | predicted − actual, when the prediction is above the actual |
| `mlmon_regression_under_prediction_total` | counter | actual − predicted, when the prediction is below the actual |
| `mlmon_regression_squared_error_total` | counter | (predicted − actual)² |
| `mlmon_regression_absolute_percentage_error_total` | counter | \\|predicted − actual\\| / \\|actual\\|, when actual ≠ 0 |
| `mlmon_regression_zero_actuals_total` | counter | 1 when actual = 0 |
| `mlmon_predictions_total` | counter | (every prediction: the no-data alert's due count) |
| `mlmon_model_training_metric` | gauge | `metric="mae"` ...: the version's figure at training time (`mon.set_training_metrics({...})`) |

## What it records

| rule | value |
|---|---|
| `mlmon_regression_version:<sum>:increase_window`, `mlmon_regression:<sum>:increase_window` | each counter's increase over the window, per version and per model |
| `mlmon_regression[_version]:mae:window` | (over_prediction + under_prediction) / samples |
| `mlmon_regression[_version]:rmse:window` | √(squared_error / samples) |
| `mlmon_regression[_version]:mape:window` | absolute_percentage_error / (samples − zero_actuals) |
| `mlmon_regression[_version]:bias:window` | (over_prediction − under_prediction) / samples |
| `mlmon_regression:predictions_due:increase_window` | predictions in the window, `labels_delay` ago |
| `mlmon_training:metric:value` | `{version, metric}` the training figures of the watched metrics |

A metric is recorded only when its denominator holds at least `min_samples`: absent, never NaN.

## Alerts

All carry `monitor="regression"` and `check=<metric>`.

| alert | severity | fires when |
|---|---|---|
| `MLModelRegressionErrorHigh` | warning / critical | a metric is above `max` / `critical` (bias: \\|bias\\|) for `for` |
| `MLModelRegressionVersionWorse` | warning | a watched metric of the newest version exceeds the previous version's (its last value within `versions.previous_lookback`) × (1 + `max_increase_vs_previous_version`). Labels `version`, `previous_version` |
| `MLModelRegressionWorseThanTraining` | warning | a watched metric of a version exceeds its training figure × (1 + `max_increase_vs_training`). Label `version` |
| `MLModelRegressionNoData` | warning | a watched metric is absent while `min_samples` predictions were due for labels, or the model exports no `mlmon_regression_samples_total` at all. Inhibited while the model's serving is down |

The generated promtool tests prove exact values on healthy traffic (with an actual of 0 in every
batch), each alert firing with its labels and annotations, staying quiet (an equally good
version, figures within the margin) and the no-data alert firing, with every other alert quiet,
when the counters or all series are missing.

## Lint

A `regression` section on another task (MLM104); a critical level not above its warning level
(MLM210); a window shorter than 4× the scrape interval (MLM207) or than `labels_delay` (warning).

## Dashboard row

**Regression quality**: one panel per metric (all versions, each version, the training figures,
the levels as thresholds) and the labels scored next to the predictions due.
"""

from __future__ import annotations

from mlmon.monitors.base import SectionMonitor
from mlmon.monitors.regression import cases, panels, rules
from mlmon.monitors.regression.compile import compile_section
from mlmon.monitors.regression.schema import KEY, section_schema


class RegressionMonitor(SectionMonitor):
    key = KEY
    title = "Regression quality from delayed labels"
    depends_on = ("versions",)  # the version comparison reads the version ordering
    schema = staticmethod(section_schema)
    compile = staticmethod(compile_section)
    section_rules = staticmethod(rules.rule_groups)
    section_tests = staticmethod(cases.rule_tests)
    section_rows = staticmethod(panels.dashboard_rows)


MONITOR = RegressionMonitor()
