"""SLO monitor: the annotation text of a firing burn-rate alert, stated literally and proven by
promtool; the docs page's tier table matches the tiers the rules use; defaults read once."""

from __future__ import annotations

import re

import pytest

from mlmon import conventions as C
from mlmon import pipeline
from mlmon.compiler.units import format_duration, num
from mlmon.diagnostics import format_text
from mlmon.monitors import slo
from mlmon.monitors.slo import schema as slo_schema
from mlmon.monitors.slo.cases import SLOW_CASE
from mlmon.monitors.steps import LONG_CASE, horizon
from tests.helpers.specs import spec
from tests.presets.promtool_util import assert_promtool_passes, run_promtool


def model(models: str):
    s, diags = pipeline.check({"s.yaml": spec(models)})
    assert s is not None, [format_text([d]) for d in diags]
    return s, s.models[0]


def test_fast_burn_page_has_this_annotation_text(tmp_path):
    s, m = model(
        "  - id: m\n    team: risk-ml\n    serving: {targets: ['m:8080']}\n"
        "    slos:\n      - {name: availability, objective: 99.9, sli: {kind: availability}}\n"
    )
    cases = slo.MONITOR.rule_tests(m, s)
    case = next(t for t in cases if "on the 1h/5m tier" in t.name)
    firing = [e for c in case.alert_checks for e in c.exp_alerts if e.labels[C.L_BURN] == "1h/5m"]
    assert len(firing) == 1 and firing[0].labels[C.L_SEVERITY] == "critical"
    assert firing[0].annotations == {
        "summary": "m: availability SLO error budget burning over 14.4x (1h and 5m windows)",
        "description": "The availability SLO (99.9% over 30d) of model m has spent more than 2% of its error budget in the last 1h, "
        "and is still burning in the last 5m. Act now: at this rate the budget is gone within 2d2h.",
        "dashboard": "/d/mlmon-model-m-60c0345dd2",
    }
    # Prometheus renders exactly this text for the generated rule
    assert_promtool_passes(tmp_path, slo.MONITOR.rule_groups(m, s), [case])


def test_the_docs_tier_table_is_the_tiers_the_rules_use():
    rows = [line for line in (slo.__doc__ or "").splitlines() if re.match(r"\| (page|ticket), ", line)]
    period = slo_schema.BASE_PERIOD
    want = [
        f"| {t.severity_class}, {'fast' if i % 2 == 0 else 'slow'} | {format_duration(t.long)} / {format_duration(t.short)} | {num(t.factor)} "
        f"| {num(t.factor * t.long / period * 100)}% | {C.SEVERITY_BY_CLASS[t.severity_class]} | {format_duration(t.for_)} |"
        for i, t in enumerate(slo_schema.TIERS)
    ]
    assert rows == want


def test_default_slos_and_period_come_from_the_schema_defaults():
    _, m = model("  - id: m\n    team: risk-ml\n    serving: {targets: ['m:8080']}\n")
    got = {x.name: (x.objective, x.period, x.no_data_for, x.page, x.ticket) for x in m.section("slos")}
    frag = slo.MONITOR.schema()["items"]["properties"]
    period = 30 * 86400.0
    assert frag["period"]["default"] == "30d" and frag["alerting"]["properties"]["no_data_for"]["default"] == "30m"
    assert got == {"availability": (99.5, period, 1800.0, True, True), "latency": (99.0, period, 1800.0, True, True)}
    assert slo.MONITOR.schema()["description"] == "service level objectives (default: availability 99.5% and latency p99 < 1s, both over 30d)"
    file_default = pipeline.schema()["properties"]["defaults"]["properties"]["slo_period"]
    assert file_default == {"type": "string", "description": "default SLO period", "pattern": file_default["pattern"], "default": "30d"}


OUTAGE_MODELS = (
    "  - id: ratio\n    team: risk-ml\n    serving: {preset: kserve, targets: ['r:8080']}\n"
    "    slos:\n      - name: availability\n        objective: 99.9\n        sli:\n          kind: ratio\n"
    '          good: sum(rate(revision_app_request_count{service_name="r",response_code_class="2xx"}[{{window}}]))\n'
    '          total: sum(rate(revision_app_request_count{service_name="r"}[{{window}}]))\n'
    "  - id: counters\n    team: risk-ml\n    serving: {preset: triton, targets: ['t:8000']}\n"
    "  - id: hist\n    team: risk-ml\n    serving: {targets: ['h:8080']}\n"
    "    slos:\n      - {name: latency, objective: 99, sli: {kind: latency, threshold: 250ms}}\n"
    "      - {name: batch, objective: 99, alerting: {page: false}, sli: {kind: availability}}\n"
)


def test_an_outage_without_good_series_pages_for_every_sli_form(tmp_path):
    """Every request fails from the start, so the good series (code="2xx", Triton's success counter,
    the threshold's bucket) never exist: the error ratio must be 1, not empty, and the fastest
    tier fires (promtool on the generated rules, with only the total/failed series as input)."""
    s, diags = pipeline.check({"s.yaml": spec(OUTAGE_MODELS)})
    assert s is not None, [format_text([d]) for d in diags]
    good_series = {("ratio", "availability"): '2xx"', ("counters", "availability"): "request_success", ("hist", "latency"): 'le="0.25"'}
    seen = set()
    for m in s.models:
        for x in m.section("slos"):
            case = next(t for t in slo.MONITOR.rule_tests(m, s) if f"{m.id}/{x.name}: outage with absent good series" in t.name)
            fired = [e.labels for c in case.alert_checks for e in c.exp_alerts if e.labels[C.L_SLO] == x.name]
            assert x.tiers()[0].windows in {f[C.L_BURN] for f in fired}, case.name
            assert C.SEVERITY_BY_CLASS[x.tiers()[0].severity_class] in {f[C.L_SEVERITY] for f in fired}
            if (m.id, x.name) in good_series:
                assert not [n for n, _ in case.input_series if good_series[m.id, x.name] in n], case.input_series
            seen.add((m.id, x.name))
            d = tmp_path / f"{m.id}-{x.name}"
            d.mkdir()
            assert_promtool_passes(d, slo.MONITOR.rule_groups(m, s), [case])
    assert seen == {*good_series, ("hist", "batch")}


def test_the_payments_availability_slo_pages_in_an_outage_without_good_series(tmp_path):
    """The shipped specs/payments.yaml measures availability as a ratio of queue-proxy counters
    (response_code_class="2xx" / all): with only the failed requests' series, it pages."""
    from pathlib import Path

    from mlmon.commands._common import load

    s, diags, _ = load([Path(__file__).resolve().parents[2] / "specs" / "payments.yaml"])
    assert s is not None, [format_text([d]) for d in diags]
    m = next(x for x in s.models if x.id == "fraud-detector")
    case = next(t for t in slo.MONITOR.rule_tests(m, s) if t.name.startswith("fraud-detector/availability: outage with absent good series"))
    assert [series for series, _ in case.input_series if "revision_app_request_count" in series] == [
        'revision_app_request_count{response_code_class="2xx-not",service_name="fraud-detector-predictor"}'
    ]
    pages = [e.labels for c in case.alert_checks for e in c.exp_alerts if e.labels[C.L_SLO] == "availability"]
    assert [(p[C.L_BURN], p[C.L_SEVERITY]) for p in pages] == [("1h/5m", "critical")]
    assert_promtool_passes(tmp_path, slo.MONITOR.rule_groups(m, s), [case])


def test_no_generated_expression_or_panel_reads_none():
    """A preset without a failed-request counter (KServe) has no error-ratio query of its own: the
    Traffic row takes the ratio SLI's, or shows none, and never renders a missing query as None."""
    from mlmon import presets

    ratio = (
        "    slos:\n      - name: availability\n        objective: 99.9\n        sli:\n          kind: ratio\n"
        '          good: sum(rate(requests_total{code="2xx"}[{{window}}]))\n          total: sum(rate(requests_total[{{window}}]))\n'
    )
    entries = []
    for name in presets.names("serving"):
        for i, slos in enumerate(("", ratio)):
            entries.append(f"  - id: {name}-{i}\n    team: risk-ml\n    serving: {{preset: {name}, targets: ['x:8080']}}\n{slos}")
    s, diags = pipeline.check({"s.yaml": spec("".join(entries))})
    assert s is not None, [format_text([d]) for d in diags]
    texts = list(pipeline.render_dashboards(s).values())
    texts += [r.expr for m in s.models for _, groups in pipeline.model_groups(s, m) for g in groups for r in g.rules]
    assert texts and not [t for t in texts if re.search(r"\bNone\b", t)]
    kserve = pipeline.render_dashboards(s)["grafana/dashboards/kserve-1.json"]
    assert "Error ratio (availability SLI)" in kserve


@pytest.mark.parametrize("every", ["30s", "2m"])
def test_rule_tests_evaluate_at_the_specs_evaluation_interval(every, tmp_path):
    """The SLO and LLM-SLO cases of a spec evaluated every 30s or every 2m say so in their test
    file and pass promtool at that interval (a 2m interval sees changes up to 2m late and a check
    reads the last evaluation before it)."""
    from mlmon.monitors import llm

    text = spec(
        "  - id: m\n    team: risk-ml\n    serving: {targets: ['m:8080']}\n"
        "  - id: chat\n    team: risk-ml\n    serving: {preset: vllm, targets: ['c:8000']}\n    slos: []\n    llm: {}\n"
    ).replace("routing:", f"defaults: {{evaluation_interval: {every}, scrape_interval: 15s, slo_period: 7d}}\nrouting:", 1)
    s, diags = pipeline.check({"s.yaml": text})
    assert s is not None, [format_text([d]) for d in diags]
    for m, mon in ((s.models[1], slo.MONITOR), (s.models[0], llm.MONITOR)):
        groups = list(mon.rule_groups(m, s))
        tests = [t for t in mon.rule_tests(m, s) if t.evaluation_interval == every]
        burn = [t for t in mon.rule_tests(m, s) if C.ALERT_SLO_BURN in {c.alertname for c in t.alert_checks}]
        # a case longer than an hour evaluates every minute under a minute, one longer than 3h every
        # 5m, one longer than 6h every 15m
        assert tests and all(t.evaluation_interval == every for t in burn if horizon(t) <= LONG_CASE)
        assert {t.evaluation_interval for t in burn if horizon(t) > LONG_CASE} <= {every, "1m", "5m", "15m"}
        assert all(t.evaluation_interval == "15m" for t in burn if horizon(t) > SLOW_CASE)
        d = tmp_path / m.id
        d.mkdir()
        assert_promtool_passes(d, groups, tests, every)
        slow = [t for t in burn if t.evaluation_interval == "15m"]
        if slow:  # the slow tiers' cases at their own step, on rules written for this interval
            (d / "15m").mkdir()
            assert_promtool_passes(d / "15m", groups, slow, "15m")
    files = pipeline.render(s)
    assert f"prometheus/tests/m.slos.every-{every}.test.yml" in files
    assert f"\nevaluation_interval: {every}\n" in files[f"prometheus/tests/m.slos.every-{every}.test.yml"]


def test_ratio_slis_with_regex_matchers_get_rule_tests_that_pass(tmp_path):
    """=~ and !~ matchers no longer stop the rule tests (MLM213): label values that match each
    regex are made up, and the cases pass promtool."""
    body = (
        "  - id: m\n    team: risk-ml\n    serving: {preset: kserve, targets: ['m:8080']}\n    slos:\n"
        "      - name: ok\n        objective: 99.9\n        sli:\n          kind: ratio\n"
        '          good: sum(rate(http_requests_total{job=~"m-.*",code=~"2..|3.."}[{{window}}]))\n'
        '          total: sum(rate(http_requests_total{job=~"m-.*"}[{{window}}]))\n'
        "      - name: not-5xx\n        objective: 99\n        sli:\n          kind: ratio\n"
        '          good: sum(rate(grpc_total{code!~"5.."}[{{window}}]))\n'
        "          total: sum(rate(grpc_total[{{window}}]))\n"
    )
    s, diags = pipeline.check({"s.yaml": spec(body)})
    assert s is not None and not [d for d in diags if d.code == "MLM213"], [format_text([d]) for d in diags]
    m = s.models[0]
    tests = [t for t in slo.MONITOR.rule_tests(m, s) if "pages within" in t.name or "outage" in t.name]
    series = sorted({n for t in tests for n, _ in t.input_series})
    assert series == ["grpc_total", 'grpc_total{code="500"}', 'http_requests_total{code="2..|3..-not",job="m-"}', 'http_requests_total{code="2aa",job="m-"}']
    # the two SLOs read disjoint series: one outage case for both
    (outage,) = [t for t in tests if "outage" in t.name]
    assert "m/ok: outage" in outage.name and "m/not-5xx: outage" in outage.name
    assert_promtool_passes(tmp_path, slo.MONITOR.rule_groups(m, s), tests)


TWO_SLOS = (
    "  - id: m\n    team: risk-ml\n    serving: {targets: ['m:8080']}\n    slos:\n"
    "      - {name: availability, objective: 99.9, sli: {kind: availability}}\n"
    "      - {name: latency, objective: 99, sli: {kind: latency, threshold: 250ms}}\n"
)


def test_slos_on_disjoint_inputs_run_their_cases_side_by_side(tmp_path):
    """promtool evaluates every SLO's rules at every step of every case: SLOs on disjoint inputs
    burn side by side in one case (each checked at its own time, every SLO's alerts expected from
    its own simulation), which halves the steps for two SLOs; SLOs on the same inputs keep a case
    each. The side-by-side cases pass promtool, and fail when one SLO's page threshold is wrong."""
    import dataclasses

    from mlmon.artifacts import AlertRule

    s, m = model(TWO_SLOS)
    tests = slo.MONITOR.rule_tests(m, s)
    burns = [t for t in tests if "burn" in t.name]
    assert burns and all("m/availability:" in t.name and "m/latency:" in t.name for t in burns)
    for t in burns:
        fired = {e.labels[C.L_SLO] for c in t.alert_checks for e in c.exp_alerts}
        assert fired == {"availability", "latency"}, t.name
    groups = slo.MONITOR.rule_groups(m, s)
    assert_promtool_passes(tmp_path, groups, burns)
    # latency's page thresholds 10x too high: the side-by-side page cases fail
    wrong = [
        dataclasses.replace(
            g,
            rules=tuple(
                dataclasses.replace(r, expr=r.expr.replace("> 14.4", "> 144")) if isinstance(r, AlertRule) and "latency" in g.name else r for r in g.rules
            ),
        )
        for g in groups
    ]
    assert wrong != list(groups)
    res = run_promtool(tmp_path, wrong, [t for t in burns if "pages within" in t.name])
    assert res.returncode != 0 and 'slo="latency"' in res.stdout + res.stderr
    # two SLOs on the same inputs: one case each
    same = TWO_SLOS.replace(
        "{name: latency, objective: 99, sli: {kind: latency, threshold: 250ms}}", "{name: strict, objective: 99.99, sli: {kind: availability}}"
    )
    s2, m2 = model(same)
    burns2 = [t for t in slo.MONITOR.rule_tests(m2, s2) if "burn" in t.name]
    assert burns2 and all(("m/availability:" in t.name) != ("m/strict:" in t.name) for t in burns2)


def test_a_model_slower_than_the_specs_shortest_interval_has_it_on_its_groups():
    """prometheus.yml evaluates at the shortest interval of all spec files; the groups of a model
    whose file sets a longer one carry it, so Prometheus evaluates them as its tests do."""
    fast = spec("  - id: fast\n    team: risk-ml\n    serving: {targets: ['f:8080']}\n").replace(
        "routing:", "defaults: {evaluation_interval: 30s}\nrouting:", 1
    )
    slow = spec("  - id: slow\n    team: risk-ml\n    serving: {targets: ['s:8080']}\n", routing="", name="slow").replace(
        "models:", "defaults: {evaluation_interval: 2m}\nmodels:", 1
    )
    s, diags = pipeline.check({"a.yaml": fast, "b.yaml": slow})
    assert s is not None, [format_text([d]) for d in diags]
    intervals = {m.id: {g.interval for _, groups in pipeline.model_groups(s, m) for g in groups if g.name.endswith("-slo-availability")} for m in s.models}
    assert intervals == {"fast": {None}, "slow": {"2m"}}
    assert "evaluation_interval: 30s" in pipeline.render(s, dashboards=False)["prometheus/prometheus.yml"]
