"""Data drift and prediction drift: the distribution of each input feature, and of the model's
prediction score, over a recent window against a **baseline** made from reference (training) data.
The comparison runs in PromQL as recording rules, so it needs no extra service: the model counts
observations per bin, Prometheus computes PSI or Jensen-Shannon, and Alertmanager routes the alerts.

## 1. Make a baseline: `mlmon baseline`

```console
$ mlmon baseline specs/data/fraud-detector-reference.csv --model fraud-detector \\
    --prediction score --ignore transaction_id -o specs/baselines/fraud-detector.yaml
wrote specs/baselines/fraud-detector.yaml: 5 feature(s) + prediction from 500 rows
```

| option | meaning |
|---|---|
| `DATA` | reference data: `.csv` (delimiter sniffed), or `.parquet`/`.pq` when `pyarrow` is installed |
| `--model ID` | required: the model the baseline belongs to (lint warns when a spec uses it for another model) |
| `--prediction COL` | column holding the model's score (or predicted label): becomes the `prediction:` entry |
| `--features a,b` | feature columns; without it every column except `--prediction` and `--ignore` |
| `--numeric a,b` / `--categorical c` | force the column type; otherwise numeric when every value is a number |
| `--ignore id,ts` | columns to leave out (ids, timestamps, the label) |
| `--bins N` | quantile bins per numeric column (plus 2 overflow bins) |
| `--top-k N` | categories kept per categorical column (plus `__other__`) |
| `--edges COL=e1,e2,...` | fixed edges for a column, e.g. the `le` buckets of an existing histogram |
| `--min-rows N` | refuse smaller reference data |
| `-o FILE` | output (`-`: stdout); written atomically, and not at all when the data has a problem |

**Bins.** Numeric columns get the reference quantiles q(0), q(1/k), ..., q(1) as edges (linear
interpolation as numpy's default; 6 significant digits, lowest edge rounded down and highest up;
duplicate edges are dropped, so a column with few distinct values gets fewer bins). Bins are
right-closed like Prometheus buckets and labelled by index: `"0"` = (-Inf, edges[0]], `"i"` =
(edges[i-1], edges[i]], and `"n"` = (edges[n-1], +Inf). Categorical columns get their `top_k` most
frequent categories (ties by name), each its own bin, plus `__other__`. Missing values (empty,
`NA`, `NaN`, `null`, `None`) are not binned; their number is kept as `nulls`.

**Smoothing.** An empty reference bin would make PSI infinite, and the overflow bins are empty by
construction, so fractions are additively smoothed: `fraction_i = (count_i + 0.5) / (n + 0.5 * B)`
(0.5 pseudo-observations per bin, `n` non-null values, `B` bins). Every fraction is positive and
they sum to 1; the raw `counts` are kept next to them. The file is versioned and deterministic (no
timestamps or absolute paths):

```yaml
apiVersion: mlmon/v1
kind: Baseline
model: fraud-detector
created_from: fraud-detector-reference.csv   # file name only
rows: 500
smoothing: {method: additive, pseudo_count: 0.5}
features:
  amount:     {type: numeric, edges: [...], counts: [...], fractions: [...], nulls: 0}
  country:    {type: categorical, categories: [DE, FR, ...], counts: [...], fractions: [...], nulls: 0}
prediction:   {column: score, type: numeric, edges: [...], counts: [...], fractions: [...], nulls: 0}
```

Bad data gives one diagnostic per problem (with the CSV line of a bad value) and writes nothing:
a missing column, a column with only missing values, too few rows, a non-number (or `inf`) in a
numeric column, a ragged CSV row, duplicate header names. Exit codes: 0 written, 1 bad data, 2
unreadable or missing file, bad option, or Parquet without `pyarrow`.

## 2. Metrics the model must expose

| metric | type | labels | emitted by |
|---|---|---|---|
| `mlmon_feature_bin_total` | counter | `model`, `feature`, `bin` (+ `version`, `instance`: summed away) | `mlmon.instrument` (`ModelMonitor(..., baseline=...)`) |
| `mlmon_prediction_bin_total` | counter | `model`, `bin` | `mlmon.instrument` (`p.score(...)`) |
| or: `<name>_bucket` | classic histogram | `le` (+ optional feature label) | your own code or framework (`source: {histogram: <name>}`) |

`bin` values must be the baseline's bin labels: the instrumentation bins every value with
`mlmon.baseline.bin_index(feature_baseline, value)`, the function the baseline is built with, and
pre-initialises every bin at 0. Counters of bins that never appeared count as 0 observations.
**Bin labels the baseline lacks** (a service binning with another baseline, code writing labels
itself) are counted in the `__other__` bin, so their observations still move the score instead
of silently dropping out of it, and `MLModelDriftContractViolation` names them. Counted numeric
features and the prediction get an `__other__` bin for this, after the baseline's bins, with the
method's floor (1e-4 PSI, 1e-12 JS) as its reference fraction: empty, it adds exactly 0 to the
score. `mlmon.instrument` creates it at 0 too, and counts any label it could not place there. A
classic histogram works for numeric features when its `le` bounds include every baseline edge
(extra buckets are fine); make the baseline with `--edges COL=<the buckets>` to guarantee it. Both
`le` spellings (`1` and `1.0`) are matched. The top-level `source` reads every numeric feature from
`<name>_bucket{<feature_label>="<feature>"}`; a feature's own `source` reads `<name>_bucket` for
that feature alone, unless it names a `feature_label`.

## 3. The spec

```yaml
drift:
  baseline: baselines/fraud-detector.yaml   # required; made by `mlmon baseline`, relative to the spec file
  method: js                   # psi | js
  js: {base: "2", form: distance}   # required with method js: base e|2, form distance|divergence
  window: 1h                   # current distribution = counts over this window
  min_samples: 120             # below this many observations in the window: no score (and the no-data alert)
  warn: 0.1                    # thresholds of every feature and the prediction (their defaults depend on the method)
  critical: 0.2
  for: 15m                     # a threshold must hold this long before alerting
  no_data_for: 1h              # no-data alert after this long without scores
  features:                    # optional; names must exist in the baseline
    amount: {warn: 0.15, critical: 0.3, source: {histogram: transaction_amount}}
    hour: {enabled: false}
  dataset: {enabled: true, drifted_share: 0.5, severity: critical}
  prediction: {enabled: true, warn: 0.1, critical: 0.25, source: {histogram: fraud_score}}
  source: {histogram: mlmon_feature_value, feature_label: feature}   # optional: every numeric feature from one histogram
  max_bins_per_group: 256      # feature rules in groups of at most this many bin series (0: one group)
```

Every baseline feature is monitored unless disabled. A section with only `baseline:` monitors every
feature, and the prediction when the baseline has one, with the defaults in the table below, and
raises the dataset-drift and no-data alerts.

**Lint** (at the field's line and column): baseline missing or unreadable (MLM211, with the
`mlmon baseline` command as hint); baseline invalid (each problem at its line in the baseline
file); baseline made for another model (warning); a `features:` entry not in the baseline (MLM211,
with a did-you-mean); every feature disabled (MLM213); `method: js` without both `base` and `form`
(MLM102); `js:` with method psi (warning); a threshold <= 0 (MLM104) or one the score can never
reach (JS distance base 2 is at most 1, base e at most sqrt(ln 2), divergence base e at most ln 2;
MLM213); a PSI threshold above 10 (warning); warn above critical (MLM210; equal is a warning);
window shorter than 4x the scrape interval (MLM207; shorter than 10x the evaluation interval is a
warning); a histogram source on a categorical feature (MLM213); `drifted_share: 0` (MLM213);
`min_samples` below the number of bins (warning); `prediction` configured but not in the baseline
(MLM211).

## 4. What it records

Two groups per model: `mlmon-<model>-drift-reference` (constants and the set of bins without a
count, evaluated every 2m, well inside Prometheus' 5m lookback, or at the model's evaluation
interval when that is longer) and `mlmon-<model>-drift`. Every series carries `model`.

**Wide models.** When the monitored features have more bin series in all than
`max_bins_per_group` (256 by default: about 20 features of 10 quantile bins), their rules go to
groups `mlmon-<model>-drift-features-1`, `-2`, ..., written between the two: the fewest sets of
consecutive features (by name) that keep each within the limit, as even as that number of sets
allows; a feature with more bins than the limit has a set of its own. Each set's rules read and
record only its features' series (`feature=~"<its features>"`), so no two groups ever write the
same series, and Prometheus evaluates the sets' groups side by side instead of one after another.
`mlmon-<model>-drift` keeps the model-level rules (the count and share of drifted features), the
prediction and every alert; it reads the sets' scores from their latest evaluation, at most one
evaluation interval old (the window is an hour by default). The generated rule tests evaluate the
sets first (`group_eval_order`), so they check what one group computes. Adding or removing a
feature can move features to another set: their series keep their names and labels, only the
group that records them changes.

| record | labels | value |
|---|---|---|
| `mlmon_drift:feature_bin:baseline_ratio` | feature, bin | reference fraction q (smoothed) |
| `mlmon_drift:feature_bin:increase_window` | feature, bin | observations in the window |
| `mlmon_drift:feature_samples:increase_window` | feature | observations in the window (all bins) |
| `mlmon_drift:feature_bin:unknown_increase_window` | feature, bin | observations in the window of counters whose bin label the baseline lacks (recorded with the constants; normally no series) |
| `mlmon_drift:feature_bin:absent_floor` | feature, bin | the floor, for each baseline bin of a counted feature whose counter has no count in the window (a lazy exporter creates a bin's counter at its first observation); normally no series at all |
| `mlmon_drift:feature_bin:ratio_window` | feature, bin | current fraction p, floored at the method's floor (1e-4 for PSI, 1e-12 for JS) so logarithms stay finite; bins without a count take the floor from `absent_floor`; unknown bin labels count in `__other__` |
| `mlmon_drift:feature:score` | feature | PSI or JS; **absent** below `min_samples` |
| `mlmon_drift:feature:warn_threshold`, `:critical_threshold` | feature | the feature's thresholds |
| `mlmon_drift:features_scored:count`, `mlmon_drift:features_drifted:count` | | features with a score / with score >= warn |
| `mlmon_drift:features_drifted:ratio` | | drifted / scored (Evidently's share of drifted columns) |
| `mlmon_drift:prediction_bin:*`, `mlmon_drift:prediction_samples:increase_window`, `mlmon_drift:prediction:score` | bin | the same for the prediction score |

**Math** (p current, q baseline, per bin):

- PSI = sum (max(p, 1e-4) - q) ln(max(p, 1e-4) / q). 1e-4 is Evidently's empty-bin floor; q is
  smoothed, never 0.
- JSD = 1/2 sum p' ln(p'/m) + 1/2 sum q ln(q/m), p' = max(p, 1e-12), m = (p' + q)/2. The clamp
  keeps `0 ln 0` from becoming NaN (which would poison the whole sum). Base 2 divides by ln 2;
  distance = sqrt(max(JSD, 0)).
- Current fractions are renormalised by the sum of the bins (never by a separate `_count`), so
  `increase()` extrapolation cancels out. From a histogram, bin j = `clamp_min(C(le_j) -
  C(le_{j-1}), 0)` over the window (clamping non-monotonic bucket snapshots).

Numbers are exact: the generated promtool tests assert each score equals an independent
computation within 1e-6, and mlmon's own test suite checks PromQL against numpy for PSI and all
four JS variants, from counters and from histograms. mlmon's fixed reference bins follow NannyML's
approach; Evidently re-bins reference and current together, so its values differ.

## 5. When it alerts, and why

| alert | severity | labels (`monitor: drift`) | fires when |
|---|---|---|---|
| `MLModelFeatureDrift` | warning / critical | `check` and `feature` = the feature | its score >= its warn / critical threshold for `for` |
| `MLModelPredictionDrift` | warning / critical | `check: prediction` | the prediction score's drift >= warn / critical for `for` |
| `MLModelDatasetDrift` | `dataset.severity` | `check: dataset` | drifted / scored features >= `drifted_share` for `for` |
| `MLModelDriftContractViolation` | warning | `check: contract` (+ `feature`) / `prediction_contract` | for `for`, bin counters carry a bin label the baseline lacks (their observations count in `__other__`) |
| `MLModelDriftNoData` | warning | `check: features` / `prediction` | for `no_data_for`, monitored features lack a score (counters absent, fewer than `min_samples` observations in the window, or histogram buckets missing a baseline edge), or the prediction score is absent |

A score that cannot be computed never compares true, so without the no-data alert drift
monitoring would go silently blind when instrumentation breaks or traffic drops. With
`idle_ok: true` only absent counters raise it. Critical inhibits warning for the same
`[model, monitor, check]`. Every alert has `summary`, `description` (what changed, why it
matters, what to check) and a `dashboard` link.

## 6. Dashboard row

Per model: the drift score per feature over time, drawn against the feature's own alert thresholds
(one panel per set of thresholds when features override the section's), the ten most drifted
features now (bar gauge, coloured by the section's thresholds), the share of drifted features, the number of features without a score, observations per feature against
`min_samples`, and prediction drift with its observation count. The fleet overview adds the
drifted-feature share by model.

## 7. Cost

`make bench` measures the rules of one model with 50 features x 10 quantile bins plus the
prediction in a real Prometheus (2,194 recorded series) and prints the evaluation time per group
and per rule. The rules are written to read as few per-bin vectors as possible:

- The 650 feature bin series of that model are over `max_bins_per_group`, so its feature rules run
  in three groups of 16 to 17 features. Each group takes about a third of the time the same rules
  take in one group (the bench measures both in the same server), and Prometheus runs the groups
  side by side: what grows with the number of features is the number of groups, not the time of
  one. The total work per evaluation stays about the same.
- The current fraction is floored where it is recorded, so the score reads each input once per
  use instead of re-clamping it.
- Bins without a count are filled from a set recorded with the constants (`absent_floor`), not by
  re-reading every reference fraction at each evaluation; which bins have no count changes only
  when a bin sees its first observation or a window without samples. When a bin's counter
  disappears, its floor can take up to 2m to arrive; until then that bin is left out of the score
  (alerts hold for `for`). The set covers only features that have counted bins, so a start-up
  does not create (and then leave stale) a series per bin.
- Bin labels the baseline lacks are found with the constants too (`unknown_increase_window`,
  normally empty), so the fractions fold them into `__other__` without re-reading every reference
  bin. An exporter that does not create the `__other__` bin of a numeric feature at 0 leaves one
  `absent_floor` series per such feature (mlmon.instrument creates it).
- The per-feature drift alerts set `model`, `team`, `monitor` and `check` in their expression
  (`label_replace`) rather than under `labels:`: Prometheus expands every `labels:` and
  `annotations:` value as a Go template for each alert instance at every evaluation, and these
  alerts can fire for dozens of features at once. Only `severity` (which tells the warning and the
  critical rule apart) stays a template. The labels the alerts carry, their routing and their rule
  tests are the same either way.
"""

from __future__ import annotations

from typing import Any

from mlmon.monitors.base import SectionMonitor
from mlmon.monitors.drift import alerts, cases, panels, rules
from mlmon.monitors.drift.compile import Drift, compile_section
from mlmon.monitors.drift.schema import KEY, section_schema


class DriftMonitor(SectionMonitor):
    key = KEY
    title = "Data and prediction drift"
    schema = staticmethod(section_schema)
    compile = staticmethod(compile_section)
    section_rules = staticmethod(rules.rule_groups)
    section_tests = staticmethod(cases.rule_tests)
    section_rows = staticmethod(panels.dashboard_rows)
    fleet_panels = staticmethod(panels.fleet_panels)

    # For other monitors' cases that expect a drift alert beside their own (the feature alert's
    # labels are templates, so it cannot be found by its labels among the rules).
    def alert_labels(self, model: Any, severity: str, check: str) -> dict[str, str]:
        return alerts.labels(model, severity, check)

    def feature_annotations(self, model: Any, s: Drift, level: str, feature: str = alerts.T_FEATURE, value: str = alerts.T_SCORE) -> dict[str, str]:
        return alerts.feature_annotations(model, s, level, feature, value)


MONITOR = DriftMonitor()
