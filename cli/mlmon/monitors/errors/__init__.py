"""# Errors and anomalies (`errors`)

Error-ratio thresholds; z-score anomalies of the request rate, the error ratio and the prediction
mean against a trailing window (optionally weekly seasonal); degenerate output (constant
predictions, invalid or NaN outputs).

```yaml
errors:
  ratio: {warning: 0.02, critical: 0.1, for: 5m, min_rps: 1}
  anomaly: {signals: [requests, error_ratio, prediction_mean], z: 4, window: 2d, seasonality: weekly, for: 30m}
  degenerate: {enabled: true, window: 2h, min_stddev: 0.0001, invalid_ratio: 0.05, for: 30m}
  no_data_for: 30m
```

It reads the normalised signals the infra monitor writes (`mlmon_model:requests:rate5m`,
`mlmon_model:errors:ratio_rate5m`) and, for the prediction checks, the metric contract's
`mlmon_prediction_score` histogram (`_sum`/`_count`, `conventions.PREDICTION_SCORE`) and
`mlmon_invalid_outputs_total`.

Which checks a model gets: error-ratio alerts when its preset counts errors (KServe does not: set
`serving.overrides.errors`); anomalies on the request rate (unless `idle_ok`) and on the error
ratio (when counted); the prediction-mean anomaly and the degenerate-output checks for preset
`mlmon` (the native contract), or when listed in `anomaly.signals` / set with
`degenerate.enabled: true`. `enabled: false` on the section writes nothing.

## What it records

`mlmon_model:anomaly_signal:value{signal}`, `mlmon_model:anomaly_baseline:mean{signal}`,
`mlmon_model:anomaly_baseline:stddev{signal}`, `mlmon_model:anomaly:zscore{signal}`,
`mlmon_model:prediction_score:mean5m`, `mlmon_model:invalid_outputs:ratio_rate5m`.

- **z-score**: `z = (value − mean) / max(stddev + rel·|mean|, floor)`, the baseline
  (`avg_over_time` / `stddev_over_time` over `window`) ending `for + 15m` ago, so an anomaly is
  not part of its own baseline. It is recorded only once the baseline holds at least a quarter of
  the window (no alerts on a fresh deploy). `rel`/`floor` (requests 5%/0.01, error ratio
  5%/0.001, prediction mean 2%/0.001) keep a perfectly flat baseline from dividing by zero.
- **`seasonality: weekly`** expects the same hour last week plus this week's trend:
  `avg_over_time(x[1h] offset 1w-30m) + avg_over_time(x[1w] offset o) - avg_over_time(x[1w] offset 1w+o)`
  with `o` the baseline's offset, and uses that hour's own spread as the stddev (a trailing
  stddev would be inflated by the daily swing and hide real drops). It falls back to the trailing
  baseline until a full previous week is recorded.
- **Constant predictions**: the 5m prediction mean's `stddev_over_time` over `degenerate.window`
  below `min_stddev` while traffic flows (a real score distribution gives a stddev of σ/√n, far
  above it).

## Alerts

| alert | severity | fires when |
|---|---|---|
| `MLModelErrorRatioHigh` {check=error_ratio} | warning / critical | `errors:ratio_rate5m > warning / critical` (and requests/s > `min_rps` when set) |
| `MLModelAnomaly` {check=anomaly_<signal>, signal} | warning | `abs(z) > z` (error ratio: only `z > z`) for `for` |
| `MLModelConstantPredictions` {check=constant_predictions} | warning | the prediction mean is constant over `degenerate.window` |
| `MLModelInvalidOutputs` {check=invalid_outputs} | warning | `mlmon_invalid_outputs_total` / requests > `invalid_ratio` |
| `MLModelErrorsNoData` {check=requests\\|prediction_score\\|invalid_outputs} | warning | an input the checks read is absent for `no_data_for` |

`mlmon lint` rejects `ratio.critical` not above `ratio.warning`, an anomaly `window` under 1h and
a degenerate `window` under 20m (four 5m rate windows); it warns when the anomaly window holds
more than 20000 samples per evaluation.

## Dashboards

Row "Errors and anomalies": the error ratio with its thresholds, the z-scores, each signal against
its expected band (mean ± z·stddev), the prediction mean and the invalid outputs. Fleet
dashboard: error ratio by model.

## Generated rule tests

Every alert has generated promtool tests in the model's own dialect: it fires on its incident
with exact labels and annotations, healthy traffic (1% errors, varying predictions) raises
nothing, and missing inputs raise the no-data alert instead. The anomaly case jumps each watched
signal in turn after a steady baseline, and each jump fires its own signal's alert only. They exercise the trailing
baseline; a project test runs three weeks of a day/night pattern through promtool to show the
weekly baseline catches a daytime drop that the trailing one misses.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mlmon.artifacts import AlertRule, Panel, Row, RuleGroup, RuleTest
from mlmon.compiler.context import CompileContext
from mlmon.monitors.errors import panels, rules, schema
from mlmon.monitors.errors.compile import Errors, compile_errors


class ErrorsMonitor:
    key = schema.KEY
    title = "Errors and anomalies"
    depends_on = ("infra",)  # reads the normalised signals written by the infra monitor

    def schema(self) -> dict[str, Any]:
        return schema.fragment()

    def compile(self, raw: Any, ctx: CompileContext) -> Errors:
        return compile_errors(raw, ctx)

    def rule_groups(self, model: Any, spec: Any) -> list[RuleGroup]:
        return rules.rule_groups(model)

    def rule_tests(self, model: Any, spec: Any, alerts: Sequence[AlertRule] = ()) -> list[RuleTest]:
        from mlmon.monitors.errors import cases  # test inputs are only built by generate

        return cases.tests(model)

    def dashboard_rows(self, model: Any, spec: Any) -> list[Row]:
        return panels.rows(model)

    def fleet_panels(self, spec: Any) -> list[Panel]:
        return panels.fleet()


MONITOR = ErrorsMonitor()
