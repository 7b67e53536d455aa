"""Opt-in: without a `retraining` section nothing is generated.

```yaml
retraining:
  triggers: [drift, performance, staleness, feedback, new_labels]
  drift_level: critical      # warn | critical
  performance_level: warning # warning (min/max) | critical
  feedback_decline: 0.1      # negative-feedback share above its trailing mean
  new_labels: {min: 200000, lookback: 30d}
  for: 1h
routing:
  teams:
    risk-ml:
      retraining: {url: "http://retrain-relay.ml-platform.svc:8080/hooks/risk-ml", repeat_interval: 24h}
```

`MLModelRetrainingTriggered` carries `reason` (`drift`, `performance`, `staleness`, `feedback` or
`new_labels`),
`action="retrain"`, `monitor="retraining"`, `check=<reason>` and `severity="warning"`. It fires
when its condition holds for `for`:

| reason | condition |
|---|---|
| `drift` | a feature's drift score reaches its `drift_level` threshold (needs a drift section). The value is the number of such features |
| `performance` | a metric is worse than its `min`/`max` (`performance_level: warning`) or its `critical` level. The value is the number of such series. Metrics without a level of that kind do not count; with none, the trigger is skipped |
| `staleness` | the newest served version was trained longer ago than `versions.stale_after` (without it, the age the versions monitor's field table gives for this trigger). Read from the training timestamp directly, so the value does not lag one evaluation behind |
| `feedback` | the share of negative user feedback is more than `feedback_decline` above its trailing mean (needs a feedback section: its `mlmon_feedback:negative:ratio` against `mlmon_feedback:negative_ratio:baseline_mean`, so the feedback section's `min_feedback`, window and spike baseline apply). The value is the rise |
| `new_labels` | at least `new_labels.min` ground-truth labels were joined (`mlmon_labels_joined_total`, from `mlmon.instrument`'s `outcome()`) to predictions of the version(s) `mlmon_model_info` says are served, within `new_labels.lookback`: the new labelled samples since the served version was deployed, counted across restarts. A version older than the lookback counts only the labels of the lookback (pair with `staleness`). The value is the count |

`feedback` and `new_labels` are not among the default `triggers`: they are used only when listed. A `new_labels` trigger reads one counter per served version over the whole
lookback at every evaluation: keep the lookback near your training cadence.

A trigger whose monitor has no section on the model is skipped (`new_labels` needs none); with no
trigger left, the monitor generates nothing.

**Routing.** Alertmanager sends `action="retrain"` first to the team's `<team>-retraining` webhook
receiver, with `continue: true`, so the team's ticket channel sees it too. Grouping and the
repeat interval are the debounce:

- `group_by: [model, reason]`
- `group_wait: 1m`
- `group_interval: 1h`
- `repeat_interval` of `routing.teams.<team>.retraining`: a condition that persists re-requests
  retraining at most this often.

`send_resolved` is false. Make the receiving job idempotent per model: for example, ignore a
request while a run for that model is in progress.

**Keeping credentials out of the repo.** Alertmanager 0.25 cannot read a webhook URL from a file
(`url_file` arrived later). The spec's `url` must therefore not be secret. Point it at an internal
relay, for example a small service in the cluster that holds the pipeline's credentials and
starts the retraining run. `mlmon lint` rejects URLs with user info and known secret patterns. If
the relay needs authentication, use Alertmanager's `http_config`
(`authorization.credentials_file`, `basic_auth.password_file`), which reads files at run time.
Another option is to template the URL into `alertmanager.yml` at deploy time from your secret
store, and never commit it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mlmon.artifacts import AlertRule, Panel, Row, RuleGroup, RuleTest
from mlmon.compiler.context import CompileContext
from mlmon.monitors.retraining import cases, panels, rules
from mlmon.monitors.retraining.compile import Retraining, compile_section
from mlmon.monitors.retraining.schema import schema


class RetrainingMonitor:
    key = rules.KEY
    title = "Retraining triggers"
    depends_on = ("drift", "versions", "performance")

    def schema(self) -> dict[str, Any] | None:
        return schema()

    def compile(self, raw: Any, ctx: CompileContext) -> Retraining | None:
        return compile_section(raw, ctx)

    def rule_groups(self, model: Any, spec: Any) -> Sequence[RuleGroup]:
        r: Retraining | None = model.section(self.key)
        return rules.rule_groups(model, r) if r is not None else ()

    def rule_tests(self, model: Any, spec: Any, alerts: Sequence[AlertRule] = ()) -> Sequence[RuleTest]:
        r: Retraining | None = model.section(self.key)
        return cases.rule_tests(model, r) if r is not None else ()

    def dashboard_rows(self, model: Any, spec: Any) -> Sequence[Row]:
        return panels.dashboard_rows(model, spec)

    def fleet_panels(self, spec: Any) -> Sequence[Panel]:
        return panels.fleet_panels(spec)


MONITOR = RetrainingMonitor()
