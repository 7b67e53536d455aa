"""This monitor is always on. The `versions:` section only tunes it.

```yaml
versions:
  stale_after: 30d          # MLModelStale when the current version is older (unset: no staleness alert)
  change_event_for: 15m     # how long MLModelVersionChanged stays firing
  previous_lookback: 14d    # how far back the previous version is searched
```

**Metrics it reads:**

- `mlmon_model_info{model,version,stage}` (gauge, 1 while the version is served)
- `mlmon_model_trained_timestamp_seconds{model,version}` (gauge, Unix seconds)

Series are selected with `model="<id>"` (or `serving.match` when it is set).

**Versions are ordered by training time.** The *current* version is the newest-trained version
exported now; the *previous* version is the newest-trained older one seen within
`previous_lookback`. So a canary and the version it replaces are compared while both serve, and
after the switch the old version's last figures are kept for the lookback. The performance
monitor's version-regression alert reads this ordering.

**With a model registry** (the spec's `registry:` block, see
[MLflow model registry](../../integrations/mlflow.md)): the registry exporter's series take part
like a service's. A registry file's training times of the current and the previous version are
constants of the rules, used when the service exports no training timestamp of its own; the
staleness alert then counts from the registry's training time, and `MLModelVersionInfoMissing`
is not generated.

**Records:**

- `mlmon_version:trained:timestamp_seconds{model,version}`
- `mlmon_version:current:info` and `mlmon_version:previous:info` (1 for the current and the
  previous version)
- `mlmon_version:age:seconds{model}`

**Alerts** (`monitor="versions"`):

- `MLModelVersionChanged` (severity `info`, `check="version"`, labels `version` and `stage`): a
  version is served now that was not served in the `change_event_for` before that. It resolves by
  itself after `change_event_for`. Note that a fresh Prometheus reports every model once.
- `MLModelStale` (warning, `check="staleness"`): the current version is older than `stale_after`.
- `MLModelVersionInfoMissing` (warning, `check="version_info"`, after 1h): `stale_after` is set
  but the model exports no training timestamp.

`stale_after` is also the age at which the retraining monitor's staleness trigger fires; unset,
that trigger uses the age the field table gives.

**Lint:** `change_event_for` shorter than two rule evaluations (the event would be missed);
`previous_lookback` shorter than `change_event_for`.

**Dashboard:**

- **Deployments** annotation: the same query as `MLModelVersionChanged`.
- **Versions** row: served versions and stage (table), current version age, versions serving over
  time, and, with a performance section, the first watched metric per version.
- Fleet: served versions and current version age by model.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mlmon.artifacts import AlertRule, Panel, Row, RuleGroup, RuleTest
from mlmon.compiler.context import CompileContext
from mlmon.monitors.versions import cases, panels, rules
from mlmon.monitors.versions.compile import Versions, compile_section
from mlmon.monitors.versions.schema import schema

__all__ = ["MONITOR", "Versions", "VersionsMonitor"]


class VersionsMonitor:
    key = rules.KEY
    title = "Model versions and staleness"

    def schema(self) -> dict[str, Any] | None:
        return schema()

    def compile(self, raw: Any, ctx: CompileContext) -> Versions | None:
        return compile_section(raw, ctx)

    def rule_groups(self, model: Any, spec: Any) -> Sequence[RuleGroup]:
        v: Versions | None = model.section(self.key)
        return rules.rule_groups(model, v) if v is not None else ()

    def rule_tests(self, model: Any, spec: Any, alerts: Sequence[AlertRule] = ()) -> Sequence[RuleTest]:
        v: Versions | None = model.section(self.key)
        return cases.rule_tests(model, v) if v is not None else ()

    def dashboard_rows(self, model: Any, spec: Any) -> Sequence[Row]:
        v: Versions | None = model.section(self.key)
        return panels.dashboard_rows(model, v) if v is not None else ()

    def fleet_panels(self, spec: Any) -> Sequence[Panel]:
        return panels.fleet_panels(spec)

    def annotations(self, model: Any, spec: Any) -> list[tuple[str, str]]:
        """Grafana annotation queries of the model dashboard: deployments."""
        return rules.deployment_annotations(model)


MONITOR = VersionsMonitor()
