"""Infra monitor: schema, compile diagnostics, defaults by preset, expressions parse."""

from __future__ import annotations

import promql_parser
import pytest

from mlmon import conventions as C
from mlmon import pipeline
from mlmon.artifacts import AlertRule, RecordingRule
from mlmon.diagnostics import format_text
from mlmon.monitors import infra
from tests.helpers.specs import assert_error_at, spec


def check(models: str):
    return pipeline.check({"s.yaml": spec(models)})


def model(models: str):
    s, diags = check(models)
    assert s is not None, [str(d) for d in diags]
    return s, s.models[0]


def errors_of(models: str) -> list[str]:
    _, diags = check(models)
    return [format_text([d]) for d in diags if d.severity.name == "ERROR"]


def alerts(m) -> dict[str, list[AlertRule]]:
    out: dict[str, list[AlertRule]] = {}
    for g in infra.MONITOR.rule_groups(m, None):
        for r in g.rules:
            if isinstance(r, AlertRule):
                out.setdefault(r.alert, []).append(r)
    return out


def test_three_line_model_gets_signals_and_the_checks_its_preset_allows():
    _, m = model("  - id: m\n    team: risk-ml\n    serving: {targets: ['m:8080']}\n")
    groups = infra.MONITOR.rule_groups(m, None)
    assert groups[0].name == "mlmon-m-signals"
    records = {r.record for r in groups[0].rules if isinstance(r, RecordingRule)}
    assert {C.REQUESTS_RATE, C.ERROR_RATIO, C.LATENCY_QUANTILE, C.LATENCY_MEAN, C.REPLICAS} <= records
    a = alerts(m)
    assert set(a) == {"MLModelLatencyHigh", "MLModelTrafficDrop", "MLModelTargetDown", "MLModelServingDown", "MLModelInfraNoData"}
    assert "MLModelGPUIdle" not in a  # no GPU metrics for the native contract without exporters


def test_triton_without_quantiles_alerts_on_the_mean_and_gets_gpu_checks():
    _, m = model("  - id: m\n    team: risk-ml\n    serving: {preset: triton, targets: ['t:8002']}\n")
    a = alerts(m)
    assert C.LATENCY_MEAN in a["MLModelLatencyHigh"][0].expr
    assert {"MLModelGPUSaturated", "MLModelGPUIdle", "MLModelGPUMemoryHigh", "MLModelMemoryHigh"} <= set(a)


def test_idle_ok_disables_traffic_drop_and_llm_latency_default_is_30s():
    _, m = model("  - id: m\n    team: risk-ml\n    task: llm\n    idle_ok: true\n    serving: {preset: vllm, targets: ['v:8000']}\n")
    a = alerts(m)
    assert "MLModelTrafficDrop" not in a
    assert a["MLModelLatencyHigh"][0].expr.endswith("> 30")


def test_enabled_false_keeps_signals_and_drops_alerts():
    _, m = model("  - id: m\n    team: risk-ml\n    serving: {targets: ['m:8080']}\n    infra: {enabled: false}\n")
    groups = infra.MONITOR.rule_groups(m, None)
    assert [g.name for g in groups] == ["mlmon-m-signals"]


def test_alert_labels_follow_the_routing_contract():
    _, m = model("  - id: m\n    team: risk-ml\n    labels: {tier: gold}\n    serving: {targets: ['m:8080']}\n    infra: {memory: {warning: 0.8}}\n")
    for rules in alerts(m).values():
        for r in rules:
            assert {C.L_MODEL, C.L_TEAM, C.L_SEVERITY, C.L_MONITOR, C.L_CHECK, "tier"} <= set(r.labels)
            assert r.labels[C.L_MONITOR] == "infra" and r.labels[C.L_SEVERITY] in ("critical", "warning")
            assert {"summary", "description", "dashboard"} <= set(r.annotations)
            promql_parser.parse(r.expr)


def test_every_expression_parses_with_all_exporters():
    _, m = model(
        "  - id: m\n    team: risk-ml\n    serving: {preset: torchserve, targets: ['t:8082']}\n"
        "    infra: {exporters: [dcgm, cadvisor, node, opencost], namespace: ml, node: {instance: '~gpu-.*'},"
        " traffic_drop: {compare: last_week}, throughput: {min_rps: 2}}\n"
    )
    for g in infra.MONITOR.rule_groups(m, None):
        for r in g.rules:
            promql_parser.parse(r.expr)
    assert "offset 1w" in alerts(m)["MLModelTrafficDrop"][0].expr


@pytest.mark.parametrize(
    "section, code, where",
    [
        ("{exporters: [node]}", "MLM213", "exporters"),
        ("{exporters: [gpu-magic]}", "MLM104", "exporters"),
        ("{memory: {warning: 0.95, critical: 0.9}}", "MLM210", "memory.critical"),
        ("{gpu: {idle: 0.9, saturated: 0.5}}", "MLM210", "gpu.idle"),
        ("{latency: {max: 2s, critical: 1s}}", "MLM210", "latency.critical"),
        ("{latency: {quantile: 0.95}}", "MLM213", "latency.quantile"),
        ("{latency: {max: 5x}}", "MLM203", "latency.max"),
        ("{pod: 'fraud-(['}", "MLM213", "infra.pod"),
        ("{exporters: [dcgm], overrides: {gpu_mem_ratio: X}}", "MLM213", "overrides.gpu_mem_ratio"),
        ("{overrides: {gpu_util: X}}", "MLM213", "overrides.gpu_util"),
        ("{traffic_drop: {window: 10m}}", "MLM203", "traffic_drop.window"),
    ],
)
def test_compile_diagnostics(section, code, where):
    errs = errors_of(f"  - id: m\n    team: risk-ml\n    serving: {{targets: ['m:8080']}}\n    infra: {section}\n")
    assert_error_at(errs, code, where)


def test_schema_fragment_is_closed():
    frag = infra.MONITOR.schema()
    assert frag["additionalProperties"] is False
    assert sorted(frag["properties"]["exporters"]["items"]["enum"]) == ["aws-billing", "cadvisor", "dcgm", "node", "opencost"]


def test_target_down_ticket_has_this_annotation_text(tmp_path):
    from tests.presets.promtool_util import assert_promtool_passes

    s, m = model("  - id: m\n    team: risk-ml\n    serving: {targets: ['m:8080']}\n")
    case = next(t for t in infra.MONITOR.rule_tests(m, s) if "one target down" in t.name)
    firing = [e for c in case.alert_checks if c.alertname == "MLModelTargetDown" for e in c.exp_alerts]
    assert len(firing) == 1 and firing[0].labels["instance"] == "10.0.0.2:8080"
    assert firing[0].annotations == {
        "summary": "m: scrape target 10.0.0.2:8080 is down",
        "description": "Prometheus cannot scrape 10.0.0.2:8080 of m: that replica is down or its /metrics endpoint fails, "
        "and its metrics (and alerts) are missing. Check the pod and the endpoint.",
        "dashboard": "/d/mlmon-model-m-60c0345dd2",
    }
    # Prometheus renders exactly this text for the generated rule
    assert_promtool_passes(tmp_path, infra.MONITOR.rule_groups(m, s), [case])


def _defaults(props: dict, path: tuple = ()) -> dict[tuple, object]:
    out = {}
    for k, v in props.items():
        if "default" in v:
            out[path + (k,)] = v["default"]
        if v.get("type") == "object" and "properties" in v:
            out.update(_defaults(v["properties"], path + (k,)))
    return out


def test_a_section_left_out_compiles_to_the_schema_defaults():
    from mlmon.compiler.units import parse_duration

    _, m = model("  - id: m\n    team: risk-ml\n    serving: {targets: ['m:8080']}\n")
    defaults = _defaults(infra.MONITOR.schema()["properties"])
    assert len(defaults) == 25
    for path, want in defaults.items():
        got = m.section("infra")
        for k in path:
            got = getattr(got, "for_" if k == "for" else k)
        is_duration = isinstance(want, str) and want[0].isdigit()
        assert got == (parse_duration(want) if is_duration else want), path


def test_a_traffic_drop_for_as_long_as_its_trailing_window_is_warned_about(tmp_path):
    """A sudden drop becomes part of the trailing average: a drop to zero keeps requests under
    ratio x average for less than the window, so a ``for:`` that long never lets the alert fire.
    lint warns at ``traffic_drop.for``; the generated drop case shows the silence in promtool."""
    from tests.presets.promtool_util import run_promtool

    body = "  - id: m\n    team: risk-ml\n    serving: {{targets: ['m:8080']}}\n    infra: {{traffic_drop: {{window: 30m, for: {f}}}}}\n"
    s, diags = check(body.format(f="30m"))
    assert s is not None
    warned = [format_text([d]) for d in diags if d.code == "MLM210" and d.severity.name == "WARNING"]
    assert len(warned) == 1 and "traffic_drop.for" in warned[0] and "cannot fire" in warned[0], warned
    case = next(t for t in infra.MONITOR.rule_tests(s.models[0], s) if "traffic falling" in t.name)
    res = run_promtool(tmp_path, infra.MONITOR.rule_groups(s.models[0], s), [case], case.every(s.models[0]))
    assert res.returncode != 0 and "MLModelTrafficDrop" in res.stdout + res.stderr
    # last week's window as the baseline, or a for: under the window: no warning
    for text in (body.format(f="30m").replace("window: 30m,", "window: 30m, compare: last_week,"), body.format(f="25m")):
        _, diags = check(text)
        assert not [d for d in diags if d.code == "MLM210"], [str(d) for d in diags]
