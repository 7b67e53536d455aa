"""A ranking or recommendation model's quality, scored when its labels arrive (clicks,
purchases, judgements). [`mlmon.instrument`](../../metrics/instrument.md) scores each labelled
list as served and adds the result to counters; the rules turn their increases over a window into
NDCG@k, hit rate@k and MRR, per model and per version, and read catalogue coverage from a gauge
the instrument keeps. The alerts match the regression monitor's: a metric below its level, the
newest version worse than the previous one, a version worse than at training time, and no data.
Without a `ranking` key nothing is generated; it needs `task: ranking`.

```yaml
ranking:
  k: [5, 10]                  # cut-offs of NDCG@k and hit rate@k: the same as ModelMonitor(k=...)
  window: 1d
  labels_delay: 1h            # clicks arrive within the hour
  min_samples: 500            # labelled lists per window
  min: {ndcg_at_10: 0.3, hit_rate_at_10: 0.5, catalog_coverage: 0.2}
  critical: {ndcg_at_10: 0.2}
  watch: [ndcg_at_10, mrr]    # compared with the previous version and the training figures
  max_drop_vs_previous_version: 0.03   # absolute, as the performance monitor's
  max_drop_vs_training: 0.05
```

Metric names: `ndcg_at_<k>` and `hit_rate_at_<k>` for each `k`, `mrr`, `catalog_coverage`. All
are ratios in [0, 1], higher is better; the margins are absolute, and `1` turns a comparison off.

## How each metric is counted

Per labelled list (`mon.outcome(relevant, predicted=served_list)`; `relevant` is an iterable of
items, gain 1, or a mapping item -> graded gain):

- **NDCG@k**: DCG@k / IDCG@k with linear gains and discount 1/log2(rank + 1); the ideal order
  sorts every relevant item the label names, listed or not. This is scikit-learn's `ndcg_score`
  of one list. The counter sums it; the rules divide by the lists scored (the mean NDCG@k).
- **MRR**: 1 / rank of the first relevant item in the list, 0 when none is listed; summed, then
  divided by the lists scored.
- **Hit rate@k**: lists with a relevant item in the top k, over the lists scored.
- **Lists without a relevant item** (an impression nobody clicked) have no ideal order (IDCG is
  0): the instrument counts them in `mlmon_ranking_no_relevant_total` and leaves them out of
  every metric. (scikit-learn scores such a list 0; leaving them out keeps the figures comparable
  with offline evaluation, which scores judged queries.)
- **Catalogue coverage**: distinct items recommended within the instrument's `coverage_window`
  (default 1d), over the catalogue size. The instrument counts distinct items in fixed memory by
  linear counting over a bitmap (no per-item series, no HyperLogLog; error below 0.1% while the
  distinct items stay under the bitmap's size: see `mlmon.instrument.coverage`) and exports the
  estimate as a gauge, refreshed with each served list (`mon.recommended(items)`). The catalogue
  size comes from `ModelMonitor(catalog_size=...)` or `mon.set_catalog_size(n)`. Each replica
  counts its own lists: the rules take the maximum over replicas (a lower bound of the union).

## Metrics it expects

| metric | type | labels | adds, per labelled list |
|---|---|---|---|
| `mlmon_ranking_requests_total` | counter | `model, version` | 1 (lists with a relevant item) |
| `mlmon_ranking_no_relevant_total` | counter | `model, version` | 1 (lists without one; not scored) |
| `mlmon_ranking_ndcg_total` | counter | `model, version, k` | NDCG@k |
| `mlmon_ranking_reciprocal_rank_total` | counter | `model, version` | 1 / rank of the first relevant item |
| `mlmon_ranking_hits_total` | counter | `model, version, k` | 1 when a relevant item is in the top k |
| `mlmon_ranking_distinct_items` | gauge | `model, version` | distinct items served in the coverage window |
| `mlmon_ranking_catalog_items` | gauge | `model, version` | the catalogue size |
| `mlmon_model_training_metric` | gauge | `model, version, metric` | the version's figures at training time (`mon.set_training_metrics({"ndcg_at_10": 0.41})`) |

`k` takes the values of the spec's `k`: the service must count the same cut-offs.

## What it records

| rule | value |
|---|---|
| `mlmon_ranking_version:<sum>:increase_window`, `mlmon_ranking:<sum>:increase_window` | each counter's increase over the window (`ndcg`, `hits` per `k`) |
| `mlmon_ranking[_version]:ndcg_at_<k>:ratio` | ndcg{k} / requests |
| `mlmon_ranking[_version]:hit_rate_at_<k>:ratio` | hits{k} / requests |
| `mlmon_ranking[_version]:mrr:ratio` | reciprocal_rank / requests |
| `mlmon_ranking_version:catalog_coverage:ratio` | max over replicas of distinct items / catalogue items (the model's: the highest version's) |
| `mlmon_ranking:predictions_due:increase_window` | lists served in the window, `labels_delay` ago |
| `mlmon_training:metric:value` | `{version, metric}` the training figures of the watched metrics |

The counted metrics are recorded only when the window holds `min_samples` scored lists.

## Alerts

All carry `monitor="ranking"` and `check=<metric>`.

| alert | severity | fires when |
|---|---|---|
| `MLModelRankingQualityLow` | warning / critical | a metric is below `min` / `critical` for `for` |
| `MLModelRankingVersionWorse` | warning | a watched metric of the newest version is below the previous version's (its last value within `versions.previous_lookback`) by more than `max_drop_vs_previous_version`. Labels `version`, `previous_version`; needs a `versions` section |
| `MLModelRankingWorseThanTraining` | warning | a watched metric of a version is below its training figure by more than `max_drop_vs_training`. Label `version` |
| `MLModelRankingNoData` | warning | a watched metric is absent while `min_samples` lists were due for labels, or the model exports no `mlmon_ranking_requests_total` at all. Inhibited while the model's serving is down |

The generated promtool tests prove exact values on healthy traffic (with unscored lists beside the
scored ones), each alert firing with its labels and annotations, staying quiet, and the no-data
alert firing, with every other alert quiet, when the counters or all series are missing.

## Lint

A `ranking` section on another task (MLM104); a metric at a cut-off missing from `k`
(MLM340); a critical level not below its warning level (MLM210); a window shorter than 4× the
scrape interval (MLM207) or than `labels_delay` (warning).

## Dashboard row

**Ranking quality**: one panel per metric (all versions, each version, the training figures, the
levels as thresholds) and the lists scored next to the lists due.
"""

from __future__ import annotations

from mlmon.monitors.base import SectionMonitor
from mlmon.monitors.ranking import cases, panels, rules
from mlmon.monitors.ranking.compile import compile_section
from mlmon.monitors.ranking.schema import KEY, section_schema


class RankingMonitor(SectionMonitor):
    key = KEY
    title = "Ranking quality from delayed labels"
    depends_on = ("versions",)  # the version comparison reads the version ordering
    schema = staticmethod(section_schema)
    compile = staticmethod(compile_section)
    section_rules = staticmethod(rules.rule_groups)
    section_tests = staticmethod(cases.rule_tests)
    section_rows = staticmethod(panels.dashboard_rows)


MONITOR = RankingMonitor()
