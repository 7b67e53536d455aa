"""Canary and shadow comparison: while a model runs two versions (a canary serving part of the users,
or a shadow getting a copy of the traffic), recording rules and alerts on the differences between
them: error ratio, latency, prediction drift between the versions and, once labels arrive,
quality; every comparison waits for a minimum number of samples. `mlmon gate` asks Prometheus
the same questions at one instant and exits non-zero when the candidate is worse than the spec
allows, for a canary step in CI (Argo Rollouts, KServe). Without a `canary` key nothing is
generated.

## The spec

```yaml
canary:
  mode: shadow                      # the candidate gets a copy of the traffic
  label: version                    # the label that tells the versions apart
  baseline: v3                      # its value on the serving version ("~regex" for a regular expression)
  candidate: v4                     # its value on the version under test
  window: 15m
  min_samples: 200                  # requests each version needs in the window (the sample gate)
  error_ratio: {max_increase: 0.005}
  latency: {quantile: 0.9, max_ratio: 1.3}
  prediction: {max_distance: 0.2}
  quality: {metric: recall, max_drop: 0.02, window: 2h, min_labels: 500}   # binary classification
```

Error ratio and latency are compared by default when the preset has the metrics; prediction
drift by default on the `mlmon` preset (its `mlmon_prediction_score` histogram; name another
histogram with `prediction.histogram`, e.g. `vllm:request_generation_tokens` for the length of
an LLM's answers); quality only when set. `{enabled: false}` turns a comparison off.

## Telling the versions apart

Every series of the model, as its preset selects them, is split by `label`: the baseline's
series carry `label=baseline`, the candidate's `label=candidate`. Typical set-ups:

- **Argo Rollouts**: `canaryMetadata: {labels: {role: canary}}` and
  `stableMetadata: {labels: {role: stable}}` label the pods; a Prometheus relabelling
  (`source_labels: [__meta_kubernetes_pod_label_role]`, `target_label: role`) puts the label
  on their series. The default `label`, `baseline` and `candidate` (table below) match this.
- **KServe**: the canary and the previous revision run as separate revisions; relabel
  `serving.knative.dev/revision` (or `serving.kserve.io/...`) to a label and name the revisions,
  or pass them to `mlmon gate --baseline ... --candidate ...` at each step.
- **mlmon.instrument**: every series carries `version`; set `label: version` and the two
  versions (`mon.predict(..., version="v4")` records a shadow version from the same process).

`mlmon lint` rejects a baseline equal to the candidate, a `label` that is the model's own label,
`quality` on a task without binary outcomes, a comparison the preset has no metrics for, and a
window shorter than four scrape intervals.

## Records

Labels `{model, arm}` with `arm="baseline"|"candidate"`, or `{model}`:

| Rule | Meaning |
| --- | --- |
| `mlmon_canary:requests:increase_window` | requests of each version in the window |
| `mlmon_canary:sample_gate:ok` | 1 when both versions served `min_samples`, 0 when one did not (absent without traffic) |
| `mlmon_canary:error_ratio:ratio`, `mlmon_canary:error_ratio:delta` | each version's error ratio; candidate - baseline |
| `mlmon_canary:latency_seconds:window`, `mlmon_canary:latency:ratio` | each version's latency quantile (the mean for presets without a histogram); candidate / baseline |
| `mlmon_canary:prediction:ks_distance` | Kolmogorov-Smirnov distance: the largest gap between the two versions' output CDFs, bucket by bucket of the histogram |
| `mlmon_canary:labels:increase_window`, `mlmon_canary:quality:ratio`, `mlmon_canary:quality:delta` | labelled outcomes in the quality window; each version's metric (only with `min_labels` each); candidate - baseline |

Every comparison is recorded only while the sample gate is 1, so a candidate with a handful of
requests never alerts on noise.

## Alerts

Every alert carries `model`, `team`, `severity`, `monitor: canary`, `check` and the model's `labels`.

| Alert | Severity | check | Fires when |
| --- | --- | --- | --- |
| `MLModelCanaryErrorRatioHigher` | `severity` | `error_ratio` | candidate error ratio - baseline's > `max_increase` for `for` |
| `MLModelCanaryLatencyHigher` | `severity` | `latency` | candidate latency / baseline's > `max_ratio` for `for` |
| `MLModelCanaryPredictionDivergence` | `severity` | `prediction_drift` | the output distance > `max_distance` for `for` |
| `MLModelCanaryQualityLower` | `severity` | `quality` | the candidate's metric is worse by more than `max_drop` (higher for `fpr`) for `for` |
| `MLModelCanaryStarved` | warning | `samples` | the candidate serves but a version stays under `min_samples` for `starved_for`: nothing can be compared |

No candidate at all (no rollout running) is not an incident: the gate is 0 and nothing fires.

## `mlmon gate`

```sh
mlmon gate specs/ --model fraud-detector --prometheus http://prometheus:9090 \\
  [--candidate 7d9f8c --baseline 5c4b2a] [--wait 10m]
```

It evaluates the same PromQL as the recording rules (no rules need to be loaded) at one instant
and prints each comparison, both versions' values and the limit. Exit codes: 0 the candidate is
within every limit; 1 it is worse than a limit; 4 inconclusive (a version under `min_samples`,
or a comparison without data); 2 usage, spec or HTTP errors. Quality without `min_labels` per
version is reported `pending` and does not block. `--wait` polls (every `--interval`) until the
answer is not inconclusive. See [canary gate in CI](../../deploy/canary-gate.md).

## Dashboards

A **Canary** row: requests by version and the sample gate, error ratio and latency by version
with the candidate's difference and ratio against their limits, the output distance, and
quality and labelled outcomes by version.

## Generated rule tests

In the preset's own dialect, with the label on every series: two equal versions raise nothing
(exact requests per version, gate, differences); a candidate that fails more, is slower,
answers differently or, by its labels, is worse raises exactly that alert; a candidate under the
sample gate raises `MLModelCanaryStarved` and no comparison; no candidate and no series at all
raise nothing.
"""

from __future__ import annotations

from mlmon.monitors.base import SectionMonitor
from mlmon.monitors.canary import cases, panels, rules
from mlmon.monitors.canary.compile import compile_section
from mlmon.monitors.canary.schema import KEY, section_schema


class CanaryMonitor(SectionMonitor):
    key = KEY
    title = "Canary and shadow comparison"
    schema = staticmethod(section_schema)
    compile = staticmethod(compile_section)
    section_rules = staticmethod(rules.rule_groups)
    section_tests = staticmethod(cases.rule_tests)
    section_rows = staticmethod(panels.dashboard_rows)


MONITOR = CanaryMonitor()
