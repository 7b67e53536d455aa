"""User feedback: the thumbs up/down ratio, the mean rating and the feedback volume, with alerts on
a negative-feedback spike against the model's own history, on an absolute ceiling and a rating
floor, and on feedback that stopped. Without a `feedback` key nothing is generated (mlmon cannot
know whether users can give feedback); `feedback: {}` turns it on with the defaults below.

## The spec

```yaml
feedback:
  window: 1h                          # counting window of the ratio, volume and rating mean
  min_feedback: 30                    # events a window needs before its ratio counts
  spike: {baseline: 7d, k: 3, min_increase: 0.05, min_history: 1d}
  max_negative_ratio: 0.35            # optional ceiling
  min_rating: 3.5                     # optional floor of the mean rating
  stopped_for: 2h                     # volume below min_feedback this long while serving: ticket
  severity: ticket                    # spike / ceiling / rating alerts (or page)
  for: 15m
```

**Lint**: a window shorter than 4x the scrape interval (MLM207); `spike.min_history` longer than
`spike.baseline` (MLM210: spikes could never alert); `spike.min_increase` of 1 or more (MLM350: the
negative share is at most 1, so it can never rise that far above its mean); a baseline shorter than
4 windows (warning).

## Metrics expected

| Metric | Type | Labels |
| --- | --- | --- |
| `mlmon_feedback_total` | counter | `model`, `version`, `kind="positive"\\|"negative"` (thumbs up / down) |
| `mlmon_feedback_rating` (optional) | histogram or summary (`_sum`, `_count`) | `model`, `version` |
| `mlmon_model:requests:rate5m` | recorded by the preset | used to tell "feedback stopped" from "no traffic" |

## Records

Labels `{model}`:

| Rule | Meaning |
| --- | --- |
| `mlmon_feedback:events:increase` | positive + negative events in the window (0 when none) |
| `mlmon_feedback:negative:ratio` | negative / events; absent below `min_feedback` |
| `mlmon_feedback:negative_ratio:baseline_mean`, `:baseline_stddev` | mean and standard deviation of the ratio over `spike.baseline`, ending one window ago (`offset`), so a spike does not raise its own baseline; absent until `min_history` of ratio samples (one per evaluation) exists |
| `mlmon_feedback:rating:mean` | mean rating in the window (at least `min_feedback` ratings) |

## Alerts

Every alert carries `model`, `team`, `severity`, `monitor: feedback`, `check` and the model's
`labels`.

| Alert | Severity | check | Fires when |
| --- | --- | --- | --- |
| `MLModelNegativeFeedbackSpike` | `severity` | `negative_ratio` | ratio > baseline mean + k x stddev **and** > mean + `min_increase`, for `for`. The floor matters because a flat history has stddev 0. Off with `spike: {enabled: false}`. |
| `MLModelNegativeFeedbackHigh` | `severity` | `negative_ratio_max` | ratio > `max_negative_ratio` for `for` |
| `MLModelFeedbackRatingLow` | `severity` | `rating` | mean rating < `min_rating` for `for` |
| `MLModelFeedbackStopped` | ticket | `volume` | fewer than `min_feedback` events (none, or no series at all) in the window, for `stopped_for`, while the model serves requests. In this state the ratio alerts cannot fire, and a broken feedback widget or pipeline is an incident in itself. For a low-traffic model, lower `min_feedback` or lengthen `window`. |

The generated promtool tests prove each alert fires with exact labels and annotations: a day of
history with spread raises nothing (exact ratio, volume and baseline), then a jump raises the
spike alert; feedback that stops, or never starts, while serving raises the stopped alert; no
traffic and no feedback raises nothing.

## Dashboards

The model's **User feedback** row: negative share, volume, mean rating, feedback by kind, and the
negative ratio against its baseline band. The fleet dashboard gets the negative-feedback ratio by
model.
"""

from __future__ import annotations

from mlmon.monitors.base import SectionMonitor
from mlmon.monitors.feedback import cases, panels, rules
from mlmon.monitors.feedback.compile import compile_section
from mlmon.monitors.feedback.schema import KEY, section_schema


class FeedbackMonitor(SectionMonitor):
    key = KEY
    title = "User feedback"
    schema = staticmethod(section_schema)
    compile = staticmethod(compile_section)
    section_rules = staticmethod(rules.rule_groups)
    section_tests = staticmethod(cases.rule_tests)
    section_rows = staticmethod(panels.dashboard_rows)
    fleet_panels = staticmethod(panels.fleet_panels)


MONITOR = FeedbackMonitor()
