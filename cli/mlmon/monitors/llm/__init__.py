"""LLM serving: latency SLOs on time to first token (TTFT) and time per output token (TPOT),
generated tokens/s, queue time, token cost against budgets, and evaluation scores (for example
an LLM-as-judge gauge) with drift against their own history. Without an `llm` key nothing is
generated; `llm: {}` turns on the TTFT and TPOT SLOs the model's preset can compute.

## The spec

```yaml
llm:
  ttft: {threshold: 2500ms, objective: 95, period: 7d}  # on by default when the preset has the histogram
  tpot: {threshold: 150ms, objective: 99.5}
  tokens: {min_per_second: 50}                           # generated tokens/s floor while serving
  queue: {max: 5s}                                       # mean queue-time ceiling
  token_cost:
    usd_per_1k_input_tokens: 0.0005
    usd_per_1k_output_tokens: 0.0015
    daily_budget_usd: 250                                # spend of the last 24h
    fast_burn: 3                                         # the last hour's pace x 24 above 3 daily budgets
    max_usd_per_1k_tokens: 0.0012                        # blended price of 1,000 tokens
  evaluations:
    - name: helpfulness                                  # reads mlmon_llm_evaluation_score{model, evaluation="helpfulness"}
      min: 0.7
      drift: {max_drop: 0.1, min_history: 12h}
    - {name: faithfulness, metric: 'ragas_faithfulness{app="support-chat"}', min: 0.8}
  severity: page
```

## Latency SLOs: what was chosen

TTFT and TPOT are SLOs like those of [`slos`](slos.md): multi-window, multi-burn-rate alerts
(the SRE workbook's tiers, scaled to the SLO's `period`) on the share of requests slower than
`threshold`, read from the bucket whose `le` equals the threshold. This monitor writes them
itself from the burn-rate tiers and simulation shared with `slos` (`monitors/burnrate.py`), so
a latency SLO on an LLM needs no hand-written ratio SLI, and the spellings below are read
whatever the server's version. The series and alerts are the SLO monitor's
(`mlmon_slo:sli_error:ratio_rate<window>`, `mlmon_slo:sli_error:ratio_period`,
`mlmon_slo:error_budget_remaining:ratio`, `MLModelSLOBurnRate`, `MLModelSLONoData`) with
`slo="llm:ttft"` or `slo="llm:tpot"` (a name with a colon, which no entry of `slos` can have)
and `monitor="llm"`: the fleet's SLO panels, routes and runbooks cover them.

`mlmon lint` rejects an SLO whose preset has no such histogram (set `serving.overrides.ttft`
or `.tpot`), an objective of 1 or less (a percentage), a tier that can never fire and windows
shorter than four scrape intervals; it warns when the threshold is not a default bucket bound.

## Metric spellings

| Signal | vLLM (`preset: vllm`) | OpenTelemetry GenAI (`preset: otel-genai`) |
| --- | --- | --- |
| TTFT | `vllm:time_to_first_token_seconds` | `gen_ai_server_time_to_first_token_seconds` or `gen_ai_server_time_to_first_token` |
| TPOT | `vllm:request_time_per_output_token_seconds` (>= 0.11, per request) or `vllm:time_per_output_token_seconds` (older, per token) | `gen_ai_server_time_per_output_token_seconds` or `gen_ai_server_time_per_output_token` |
| tokens/s | `vllm:prompt_tokens_total` + `vllm:generation_tokens_total` | `gen_ai_client_token_usage_sum` (`gen_ai_token_type="output"` for generated) |
| queue time | `vllm:request_queue_time_seconds` | - |

Every spelling is read with `or`, so a fleet in the middle of an upgrade is covered; the
generated rule tests feed each spelling and prove the burn-rate alert fires from it. Tokens/s
and queue time are the normalised series the preset records (`mlmon_model:tokens:rate5m`,
`mlmon_model:generation_tokens:rate5m`, `mlmon_model:queue_seconds:mean5m`; see the
[presets](../../metrics/presets.md)).

An evaluation score is a gauge (`mlmon_llm_evaluation_score{model, evaluation}` by default,
see the [metric contract](../../metrics/contract.md)) that an evaluation job sets, for example
the mean judge score of sampled answers.

## Records

| Rule | Labels | Meaning |
| --- | --- | --- |
| `mlmon_slo:sli_error:ratio_rate<window>`, `:ratio_period`, `mlmon_slo:error_budget_remaining:ratio` | `model, slo` | as for `slos` |
| `mlmon_llm:token_cost_usd_per_hour:rate5m` | `model` | (prompt tokens/s x input price + generated tokens/s x output price) x 3.6 |
| `mlmon_llm:token_cost_usd_per_hour:avg1h` | `model` | its mean over the last hour |
| `mlmon_llm:token_spend_usd:sum1d` | `model` | its mean over the last 24h x 24 (the spend of the day; with less history, the pace so far x 24) |
| `mlmon_llm:token_cost_usd_per_1k_tokens:ratio_avg1h` | `model` | the last hour's cost / its tokens x 1,000 |
| `mlmon_llm:evaluation_score:mean` | `model, evaluation` | mean of the gauge over `window` |
| `mlmon_llm:evaluation_score:baseline_mean` | `model, evaluation` | mean of that over `drift.baseline`, ending one window ago; absent until `min_history` of it exists |

## Alerts

Every alert carries `model`, `team`, `severity`, `monitor: llm`, `check` and the model's `labels`.

| Alert | Severity | check | Fires when |
| --- | --- | --- | --- |
| `MLModelSLOBurnRate` | critical (page tiers) / warning (ticket tiers) | `ttft` / `tpot` | the error ratio over a tier's long and short windows is above factor x (1 - objective) |
| `MLModelSLONoData` | warning | `ttft` / `tpot` | no observations (or no bucket at the threshold) for `no_data_for`; only missing series for an `idle_ok` model |
| `MLModelLLMTokenThroughputLow` | `severity` | `tokens` | generated tokens/s < `tokens.min_per_second` while requests are served, for `for` |
| `MLModelLLMQueueTimeHigh` | `severity` | `queue` | mean queue time > `queue.max` for `for` |
| `MLModelLLMTokenBudgetExceeded` | `severity` | `token_budget` | the spend of the last 24h > `daily_budget_usd` for `for` |
| `MLModelLLMTokenBudgetFastBurn` | `severity` | `token_budget_burn` | the last hour's cost per hour x 24 > `fast_burn` x `daily_budget_usd` for `for` |
| `MLModelLLMTokenCostHigh` | `severity` | `token_cost` | the cost of 1,000 tokens over the last hour > `max_usd_per_1k_tokens` for `for` |
| `MLModelLLMEvaluationScoreLow` | `severity` | `evaluation` (+ `evaluation`) | mean score < `min` for `for` |
| `MLModelLLMEvaluationScoreDrift` | `severity` | `evaluation_drift` (+ `evaluation`) | mean score < its baseline mean - `drift.max_drop` for `for` |
| `MLModelLLMNoData` | warning | `tokens` / `queue` / `evaluation` (+ `evaluation`) | an input of the alerts above is absent for `no_data_for` while requests are served: those alerts cannot fire |

## Dashboards

The model's **LLM serving** row: per SLO the share of good requests over the period, the error
budget left and the p50/p99 against the threshold; tokens/s, mean queue time, the token spend
of the day, the cost of 1,000 tokens and the cost per hour, and each evaluation score against its
baseline. The fleet dashboard gets the token spend of the last 24h by model.

## Generated rule tests

Per SLO and per spelling of its histogram: requests slower than the threshold at 10% of the
budget raise nothing, then a burn at 1.1 x the first tier's factor fires that tier at the
instant the simulation of the rules says (exact error ratio). No series at all raises the no-data
alert of every SLO; requests that stop raise it (not for an `idle_ok` model). Healthy inputs raise
nothing (exact token cost and score means); each threshold alert fires on its incident with the
value Prometheus renders; missing inputs while serving raise `MLModelLLMNoData`, and nothing fires
without traffic.
"""

from __future__ import annotations

from mlmon.monitors.base import SectionMonitor
from mlmon.monitors.llm import cases, panels, rules
from mlmon.monitors.llm.compile import compile_section
from mlmon.monitors.llm.schema import KEY, section_schema


class LLMMonitor(SectionMonitor):
    key = KEY
    title = "LLM serving"
    schema = staticmethod(section_schema)
    compile = staticmethod(compile_section)
    section_rules = staticmethod(rules.rule_groups)
    section_tests = staticmethod(cases.rule_tests)
    section_rows = staticmethod(panels.dashboard_rows)
    fleet_panels = staticmethod(panels.fleet_panels)


MONITOR = LLMMonitor()
