"""SLO monitor: the annotation text of a firing burn-rate alert, stated literally and proven by
promtool; the docs page's tier table matches the tiers the rules use; defaults read once."""

from __future__ import annotations

import re

from mlmon import conventions as C
from mlmon import pipeline
from mlmon.compiler.units import format_duration, num
from mlmon.diagnostics import format_text
from mlmon.monitors import slo
from mlmon.monitors.slo import schema as slo_schema
from tests.helpers.specs import spec
from tests.presets.promtool_util import assert_promtool_passes


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
