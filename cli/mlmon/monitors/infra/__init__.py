"""# Infrastructure (`infra`)

Latency, throughput and traffic drops, GPU saturation and idleness, memory near its limit,
scrape targets down.

```yaml
infra:
  exporters: [dcgm, cadvisor, node, opencost]   # exporters that watch the model's pods, nodes, GPUs
  namespace: ml                                 # the model's pods, for dcgm/cadvisor/opencost
  pod: "fraud-detector-predictor-.*"            # regex over the model's pod names
  container: kserve-container                   # the model server's container
  node: {instance: "gpu-node-1:9100"}           # node_exporter matchers (needed with `node`)
  labels: {pod: exported_pod}                   # exporter label names, when scraped without honor_labels
  overrides: {gpu_util: MY_GPU_UTIL}            # exporter metric names
  latency: {quantile: 0.9, max: 500ms, critical: 2s, for: 5m}
  throughput: {min_rps: 1, for: 30m}
  traffic_drop: {ratio: 0.3, compare: last_week, window: 2h, min_baseline_rps: 1, for: 20m}
  gpu: {saturated: 0.9, idle: 0.1, memory: 0.9, saturated_for: 1h, idle_for: 4h, memory_for: 30m}
  memory: {warning: 0.85, critical: 0.95, for: 10m}
  scrape: {for: 10m}
  no_data_for: 30m
```

With only `serving.preset` set a model gets every check its metrics allow: latency (when its
preset has a latency signal), the traffic drop (unless `idle_ok`), GPU and memory checks (when
the preset or an exporter has those gauges) and scrape checks (when mlmon scrapes it). The
throughput floor is off until `throughput.min_rps` is set. `enabled: false`, on the section or
on a check, turns alerts off.

## Normalised signals

This monitor also writes the model's *normalised signals* (group `mlmon-<id>-signals`): one
recording rule per signal the serving preset and the listed exporters provide (request rate,
error ratio, latency quantiles in seconds, GPU utilisation 0-1, memory bytes, cost per hour ...).
The errors and cost monitors read them, so the group is written even when `infra.enabled` is
false.

## Alerts

| alert | severity | expression (normalised) | why |
|---|---|---|---|
| `MLModelLatencyHigh` {check=latency} | warning at `max` (its default depends on `task`: LLMs are slower), critical at `critical` (only when set) | `latency_seconds:quantile5m{quantile} > max` (the mean for presets without a histogram: Triton, TorchServe, MLServer) | users wait; timeouts turn into errors |
| `MLModelThroughputLow` {check=throughput} | warning | `requests:rate5m < min_rps` (only when set) | callers failed over or stopped |
| `MLModelTrafficDrop` {check=traffic_drop} | warning | `requests < ratio × avg_over_time(requests[window])` (`offset 1w` with `compare: last_week`), only while the baseline is above `min_baseline_rps`; off for `idle_ok` | broken callers, routes, feature flags |
| `MLModelGPUSaturated` {check=gpu_saturated} / `MLModelGPUIdle` {check=gpu_idle} | warning | `gpu_utilization:ratio > saturated` / `< idle` | queueing / paid-for GPUs idle (wasted money) |
| `MLModelGPUMemoryHigh` {check=gpu_memory} | warning | `gpu_memory_used:ratio > memory` | the next batch runs out of memory |
| `MLModelMemoryHigh` {check=memory} | warning / critical | `memory_used:ratio > warning / critical` | OOM kill |
| `MLModelTargetDown` {check=scrape} | warning | `up{job="mlmon-<id>"} == 0` (per instance; `serving.overrides.target_match` replaces the job matcher) | a replica is down or unobservable |
| `MLModelServingDown` {check=scrape} | critical | `absent(up{job="mlmon-<id>"} == 1)` | nothing is up, or the job is missing: every alert is blind |
| `MLModelInfraNoData` {check=latency\\|gpu\\|memory\\|requests} | warning | `absent(<signal>)` for `no_data_for` (latency only while requests flow; requests only when the errors monitor is off and a throughput or traffic-drop check needs them) | wrong preset or exporter: the checks above would never fire |

`mlmon lint` rejects the `node` exporter without `node` matchers, a `pod` that is no regular
expression, an override of a signal no listed exporter provides (or one that is a PromQL
expression over several metrics), a latency `quantile` that is not recorded (0.5, 0.9, 0.99),
`latency.critical` not above `latency.max`, `gpu.idle` not below `gpu.saturated`,
`memory.critical` not above `memory.warning` and a traffic-drop `window` under 20m (four 5m rate
windows). It warns when the scrape interval is longer than 75s (too long for the 5m rate window
of the signals), and when a trailing traffic drop's `for` is not shorter than its `window`: a
sudden drop joins the trailing average before it has lasted that long (a drop to zero stays under
`ratio` x the average for less than the window), so `MLModelTrafficDrop` could not fire on it.

## Dashboards

Row "Infrastructure": requests, latency quantiles and mean, queue, tokens and time to first token
(LLMs), GPU utilisation with the idle and saturated thresholds, GPU memory, KV cache, CPU,
memory / limit with the warning and critical thresholds, replicas up. Fleet dashboard: requests/s
and GPU utilisation by model.

## Generated rule tests

Per model, in its preset's and exporters' dialect: healthy traffic raises nothing (and the
normalised request rate is exact); each alert fires on its incident with exact labels and
annotations; latency, GPU or memory series missing while requests flow raise
`MLModelInfraNoData`; nothing scraped at all raises it for every always-expected signal, and
`MLModelServingDown`; `compare: last_week` is proven with a week of history at 2m resolution.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mlmon.artifacts import AlertRule, Panel, Row, RuleGroup, RuleTest
from mlmon.compiler.context import CompileContext
from mlmon.monitors.infra import panels, rules, schema
from mlmon.monitors.infra.checks import section
from mlmon.monitors.infra.compile import Infra, compile_infra
from mlmon.presets import signals as S


class InfraMonitor:
    key = schema.KEY
    title = "Infrastructure"

    def schema(self) -> dict[str, Any]:
        return schema.fragment()

    def compile(self, raw: Any, ctx: CompileContext) -> Infra:
        return compile_infra(raw, ctx)

    def rule_groups(self, model: Any, spec: Any) -> list[RuleGroup]:
        """The model's normalised signals (always, other monitors read them), then its alerts."""
        groups = [RuleGroup(f"mlmon-{model.id}-signals", tuple(S.signal_rules(model, section(model).placement)))]
        alerts = rules.alert_rules(model)
        if alerts:
            groups.append(RuleGroup(f"mlmon-{model.id}-infra", tuple(alerts)))
        return groups

    def rule_tests(self, model: Any, spec: Any, alerts: Sequence[AlertRule] = ()) -> list[RuleTest]:
        from mlmon.monitors.infra import cases  # test inputs are only built by generate

        return cases.tests(model)

    def dashboard_rows(self, model: Any, spec: Any) -> list[Row]:
        return panels.rows(model)

    def fleet_panels(self, spec: Any) -> list[Panel]:
        return panels.fleet()


MONITOR = InfraMonitor()
