"""Infra and errors monitors: rules + generated rule tests pass the real promtool, one model per
preset family, inputs in each framework's own dialect."""

from __future__ import annotations

import pytest

from mlmon import pipeline
from mlmon.monitors import errors, infra
from tests.presets.promtool_util import assert_promtool_passes_at_their_intervals

HEAD = """
apiVersion: mlmon/v1
kind: MonitoringSpec
metadata: {name: t}
routing:
  teams:
    ml: {slack: {channel: "#ml", api_url_file: /etc/am/slack}}
models:
"""

CASES = {
    "mlmon": "  - id: m1\n    team: ml\n    serving: {preset: mlmon, targets: ['m1:8080']}\n    infra: {latency: {max: 500ms, critical: 2s}, throughput: {min_rps: 1}}\n",
    "triton-dcgm": (
        "  - id: m2\n    team: ml\n    serving: {preset: triton, targets: ['m2:8002']}\n"
        "    infra: {exporters: [dcgm, cadvisor, opencost], namespace: ml, pod: 'm2-.*'}\n"
    ),
    "vllm": "  - id: llm\n    team: ml\n    task: llm\n    serving: {preset: vllm, targets: ['llm:8000']}\n",
    "torchserve-node": (
        "  - id: m3\n    team: ml\n    serving: {preset: torchserve, targets: ['m3:8082']}\n"
        "    infra: {exporters: [node], node: {instance: 'gpu-1:9100'}}\n    errors: {anomaly: {window: 2h}}\n"
    ),
    "kserve": "  - id: m4\n    team: ml\n    serving: {preset: kserve, targets: ['m4:8080']}\n    errors: {anomaly: {window: 2h}}\n",
    "bentoml": "  - id: m5\n    team: ml\n    idle_ok: true\n    serving: {preset: bentoml, targets: ['m5:3000']}\n",
    "errors-off": (
        "  - id: m7\n    team: ml\n    serving: {preset: mlmon, targets: ['m7:8080']}\n"
        "    infra: {throughput: {min_rps: 2}, traffic_drop: {window: 30m, compare: last_week}}\n    errors: {enabled: false}\n"
    ),
    "mlserver": "  - id: m6\n    team: ml\n    serving: {preset: mlserver}\n    errors: {anomaly: {window: 2h, signals: [error_ratio]}}\n",
    # for: and windows that make every case longer than an hour, none a multiple of 5m: the cases
    # evaluate every 5m (steps.COARSE_MINUTE_CASE) and their checks allow for it
    "long-for": (
        "  - id: m8\n    team: ml\n    serving: {preset: mlmon, targets: ['m8:8080']}\n"
        "    infra: {exporters: [dcgm, cadvisor], namespace: ml, pod: 'm8-.*', no_data_for: 61m, latency: {for: 63m},"
        " throughput: {min_rps: 1, for: 67m}, traffic_drop: {window: 2h, for: 41m}, gpu: {saturated_for: 73m, idle_for: 79m, memory_for: 83m},"
        " memory: {for: 89m}, scrape: {for: 97m}}\n"
        "    errors: {no_data_for: 61m, ratio: {for: 61m}, degenerate: {for: 67m, window: 50m}, anomaly: {window: 8h, for: 59m}}\n"
    ),
}


def compile_one(body: str):
    spec, diags = pipeline.check({"t.yaml": HEAD + body})
    assert spec is not None, [str(d) for d in diags]
    return spec, spec.models[0]


@pytest.mark.parametrize("case", sorted(CASES))
def test_rules_and_generated_tests_pass_promtool(case, tmp_path):
    spec, model = compile_one(CASES[case])
    groups = [*infra.MONITOR.rule_groups(model, spec), *errors.MONITOR.rule_groups(model, spec)]
    tests = [*infra.MONITOR.rule_tests(model, spec), *errors.MONITOR.rule_tests(model, spec)]
    assert tests
    if case == "errors-off":  # without the errors monitor, infra watches the request rate itself
        assert any("MLModelInfraNoData for requests" in t.name for t in tests)
    if case == "long-for":  # the no-scrape-job case lasted 20 minutes whatever the scrape for: was
        assert {t.every(model) for t in tests} == {"5m"}
    assert_promtool_passes_at_their_intervals(tmp_path, groups, tests, model)
