"""Ground truth usually arrives hours or days after the prediction (chargebacks, reviews, clicks).
The `performance` monitor scores a model from counters that your label joiner increments **when
a label arrives**. It records accuracy, precision, recall, F1, macro-F1, false-positive rate and
ROC AUC, and it checks label coverage. Without a `performance` section the monitor is off;
`performance: {}` turns it on with the defaults listed in the field table. It needs a model task
of `binary_classification` or `multiclass_classification`.

```yaml
performance:
  window: 1d                       # score the labels that arrived in the last day
  labels_delay: 1d                 # typical prediction -> label delay
  compare_offset: 7d               # "same window last week" for the drop alert
  min_samples: 200                 # each ratio needs this many samples in its denominator
  min: {recall: 0.80, f1: 0.75}    # warning below (metrics where higher is better)
  max: {fpr: 0.02}                 # warning above (fpr: lower is better)
  critical: {recall: 0.6}          # page when worse than this (must be worse than min/max)
  max_drop: 0.05                   # warning: worse than compare_offset ago by more than this
  max_drop_vs_previous_version: 0.03
  score_buckets: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]   # needed for auc
  classes: [cat, dog, bird]        # multiclass_classification only
  watch: [f1, recall]
  label_coverage: {min: 0.5, no_labels_for: 12h}
  concept_drift: true              # needs a drift section on the same model
  for: 1h                          # pending time of the quality alerts
```

- `window` is the range of `increase()`: the labels that **arrived** in it are scored, whatever
  the time of their prediction.
- `labels_delay`: the coverage denominator counts the predictions made this long ago; it also
  delays the labels-missing check.
- `min_samples` gates every ratio on its own denominator (for recall, the actual positives).
- *Watched* metrics (`watch`; without it, the field table says which) get the drop,
  version-regression, no-data and concept-drift alerts.
- `max_drop` and `max_drop_vs_previous_version` are absolute differences; `1` turns the alert
  off. `label_coverage.min: 0` turns the coverage alert off. Set `label_coverage.no_labels_for`
  above your label batch interval.

## Metrics it expects

`mlmon.instrument` emits all of them (`ModelMonitor.outcome(actual, predicted=..., score=...)`).

| metric | type | labels | notes |
|---|---|---|---|
| `mlmon_outcomes_total` | counter | `model, version, outcome=tp\\|fp\\|tn\\|fn` | binary; incremented when the label arrives; initialise all four to 0 |
| `mlmon_confusion_total` | counter | `model, version, predicted, actual` | multiclass; list every class in `classes` |
| `mlmon_labeled_score_bucket` | histogram | `model, version, actual="0"\\|"1", le` | the score of each labelled prediction, for AUC. `le` must equal `score_buckets` (Go `1` and Python `1.0` spellings both match) |
| `mlmon_labels_joined_total` | counter | `model, version` | labels joined to predictions |
| `mlmon_predictions_total` | counter | `model, version` | every prediction |
| `mlmon_label_delay_seconds` | histogram | `model, version` | optional: the dashboard shows its p50/p90 next to `labels_delay` |

Series are selected with `model="<id>"` (or `serving.match` when it is set).

## What it records

Every ratio exists at two levels. `mlmon_perf:<metric>:ratio{model}` covers all versions together;
`mlmon_perf_version:<metric>:ratio{model,version}` covers each version. Multiclass
precision/recall/f1/fpr also carry `class`.

| rule | value |
|---|---|
| `mlmon_perf[_version]:outcomes:increase_window` | labelled predictions per outcome in the window |
| `mlmon_perf[_version]:confusion:increase_window`, `…:class_{tp,predicted,actual}:increase_window` | multiclass counts (0, not absent, for classes without data) |
| `mlmon_perf[_version]:labeled_score_bucket:increase_window` | cumulative labelled scores per `actual`, `le` |
| `accuracy` | (tp+tn) / all |
| `precision` | tp / (tp+fp) |
| `recall` | tp / (tp+fn) |
| `fpr` | fp / (fp+tn) |
| `f1` | 2tp / (2tp+fp+fn) |
| `macro_f1` | binary: mean of the F1 of both classes. Multiclass: mean over the listed classes seen in the window (scikit-learn's default `labels`) |
| `auc` | Σⱼ (Pⱼ−Pⱼ₋₁)(Nⱼ+Nⱼ₋₁) / (2·P·N) over the cumulative bucket counts: the trapezoidal ROC AUC at the bucket edges (Mann-Whitney with ties within a bucket counted ½). Its resolution is set by `score_buckets` |
| `mlmon_labels:joined:increase_window` | labels joined in the window (0 when the counter is missing) |
| `mlmon_labels:predictions_due:increase_window` | predictions in the window, `labels_delay` ago |
| `mlmon_labels:coverage:ratio` | joined / due |

Each ratio is recorded only when its denominator holds at least `min_samples`. Otherwise it is
absent, never NaN. An absent ratio cannot fire an alert, so the no-data alerts below cover it.

## Alerts

All alerts carry `monitor="performance"` and `check=<metric>` (`labels`, `label_coverage` for
the label alerts), except concept drift, which carries `monitor="concept_drift"`.

| alert | severity | fires when | why |
|---|---|---|---|
| `MLModelPerformanceLow` | warning / critical | a metric is below `min` (above `max` for fpr) / worse than `critical` for `for` | absolute quality floor |
| `MLModelPerformanceDrop` | warning | a watched metric is worse than `compare_offset` ago by more than `max_drop` | early warning while still above the floor |
| `MLModelVersionRegression` | warning | the newest version is worse than the previous one by more than `max_drop_vs_previous_version`. Labels: `version`, `previous_version` | a rollout made things worse (canary or full) |
| `MLModelPerformanceBelowTraining` | warning | with the spec's `registry:` block: a version's watched metric is worse than the figure its training run logged in the model registry by more than `max_drop_vs_training`. Label: `version` | production differs from evaluation ([MLflow model registry](../../integrations/mlflow.md)) |
| `MLModelPerformanceNoData` | warning | a watched metric is absent while ≥ `min_samples` predictions were due for labels, or the model exports no prediction counter at all | the quality alerts would be blind |
| `MLModelLabelCoverageLow` | warning | coverage < `label_coverage.min` (a missing label counter counts as 0) | figures rest on few, possibly biased labels |
| `MLModelLabelsMissing` | warning | ≥ `min_samples` predictions were made `labels_delay` earlier, and no label arrived for `no_labels_for` (no extra pending time) | the label pipeline stopped |
| `MLModelConceptDrift` | warning | a watched metric is below its warning level, or dropped by more than `max_drop`, **while every scored feature's drift stays below its warn threshold** | the input→target relationship changed. Data drift (`MLModelFeatureDrift`) explains a drop when inputs moved; concept drift is the drop without it |

**Versions are compared by training time.** The *current* version is the newest-trained version
exported now (`mlmon_model_trained_timestamp_seconds`). The *previous* version is the
newest-trained older one seen within `versions.previous_lookback` (searched at a resolution of
at most 1h, and never coarser than half the `window`). The comparison therefore works during a
canary, while both versions serve, and after the switch, because the old version's last figure
is kept for the lookback. It needs the training-timestamp gauge.

## Lint

- a `performance` section on a task other than classification
- multiclass without `classes`; `classes` on a binary model (ignored, warning)
- `auc` requested without `score_buckets`; `auc` on multiclass
- a threshold for a metric the task lacks
- `min` given for fpr, or `max` for the other metrics
- `critical` not worse than the warning level
- `score_buckets` not increasing
- `window` shorter than `labels_delay` (warning)
- `compare_offset` shorter than `window` (warning)
- `window` or `no_labels_for` shorter than 4× the scrape interval

## Dashboard rows

- **Performance**: one panel per metric, showing now, `compare_offset` ago and per version, with
  its warning and critical levels as thresholds.
- **Labels**: coverage with its minimum, labels/s next to predictions/s, and the label-delay
  quantiles against `labels_delay`.
- **Concept drift vs data drift** (with a drift section): the watched metrics next to the worst
  feature's drift score divided by its warn threshold. Above 1 means data drift.

The fleet dashboard shows label coverage by model and the firing performance alerts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mlmon.artifacts import AlertRule, Panel, Row, RuleGroup, RuleTest
from mlmon.compiler.context import CompileContext
from mlmon.monitors.performance import cases, names, panels, rules
from mlmon.monitors.performance.compile import Performance, compile_section
from mlmon.monitors.performance.schema import schema


class PerformanceMonitor:
    key = names.KEY
    title = "Performance from delayed ground truth"
    depends_on = ("drift", "versions")  # concept drift reads drift scores; version regression the version ordering

    def schema(self) -> dict[str, Any] | None:
        return schema()

    def compile(self, raw: Any, ctx: CompileContext) -> Performance | None:
        return compile_section(raw, ctx)

    def rule_groups(self, model: Any, spec: Any) -> Sequence[RuleGroup]:
        p: Performance | None = model.section(self.key)
        return rules.rule_groups(model, p) if p is not None else ()

    def rule_tests(self, model: Any, spec: Any, alerts: Sequence[AlertRule] = ()) -> Sequence[RuleTest]:
        p: Performance | None = model.section(self.key)
        return cases.rule_tests(model, p, alerts) if p is not None else ()

    def dashboard_rows(self, model: Any, spec: Any) -> Sequence[Row]:
        p: Performance | None = model.section(self.key)
        return panels.dashboard_rows(model, p) if p is not None else ()

    def fleet_panels(self, spec: Any) -> Sequence[Panel]:
        return panels.fleet_panels(spec)


MONITOR = PerformanceMonitor()
