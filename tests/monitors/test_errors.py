"""Errors monitor: schema, compile diagnostics, defaults by preset, z-score math, expressions parse."""

from __future__ import annotations

import promql_parser
import pytest

from mlmon import conventions as C
from mlmon import pipeline
from mlmon.artifacts import AlertRule, RecordingRule
from mlmon.diagnostics import format_text
from mlmon.monitors import errors
from mlmon.monitors.errors.anomaly import anomaly_rules
from tests.helpers.specs import assert_error_at, spec


def model(models: str):
    s, diags = pipeline.check({"s.yaml": spec(models)})
    assert s is not None, [format_text([d]) for d in diags]
    return s.models[0]


def errors_of(models: str) -> list[str]:
    _, diags = pipeline.check({"s.yaml": spec(models)})
    return [format_text([d]) for d in diags if d.severity.name == "ERROR"]


def rules(m) -> list:
    return [r for g in errors.MONITOR.rule_groups(m, None) for r in g.rules]


def alert_names(m) -> set[str]:
    return {r.alert for r in rules(m) if isinstance(r, AlertRule)}


def test_native_contract_gets_every_check():
    m = model("  - id: m\n    team: risk-ml\n    serving: {targets: ['m:8080']}\n")
    assert alert_names(m) == {"MLModelErrorRatioHigh", "MLModelAnomaly", "MLModelConstantPredictions", "MLModelInvalidOutputs", "MLModelErrorsNoData"}
    signals = {r.labels.get("signal") for r in rules(m) if isinstance(r, RecordingRule) and r.record == C.ANOMALY_ZSCORE}
    assert signals == {"requests", "error_ratio", "prediction_mean"}
    assert errors.MONITOR.depends_on == ("infra",)


def test_kserve_has_no_error_ratio_and_no_prediction_checks_by_default():
    m = model("  - id: m\n    team: risk-ml\n    serving: {preset: kserve, targets: ['k:8080']}\n")
    assert alert_names(m) == {"MLModelAnomaly", "MLModelErrorsNoData"}
    signals = {r.labels.get("signal") for r in rules(m) if isinstance(r, RecordingRule) and r.record == C.ANOMALY_ZSCORE}
    assert signals == {"requests"}


def test_idle_ok_drops_the_request_anomaly():
    m = model("  - id: m\n    team: risk-ml\n    idle_ok: true\n    serving: {preset: triton, targets: ['t:8002']}\n")
    signals = {r.labels.get("signal") for r in rules(m) if isinstance(r, RecordingRule) and r.record == C.ANOMALY_ZSCORE}
    assert signals == {"error_ratio"}


def test_zscore_baseline_excludes_the_alert_window_and_guards_the_denominator():
    m = model("  - id: m\n    team: risk-ml\n    serving: {targets: ['m:8080']}\n    errors: {anomaly: {window: 6h, for: 10m}}\n")
    z = [r for r in rules(m) if isinstance(r, RecordingRule) and r.record == C.ANOMALY_ZSCORE and r.labels["signal"] == "requests"][0]
    assert "clamp_min(" in z.expr and "offset 1h55m)" in z.expr  # gate: baseline window at least 1/4 full
    mean = [r for r in rules(m) if isinstance(r, RecordingRule) and r.record == C.ANOMALY_BASELINE_MEAN and r.labels["signal"] == "requests"][0]
    assert "offset 25m" in mean.expr  # the baseline ends for + 15m ago
    # error ratio alerts only upwards; request rate both ways
    anomaly = {r.labels[C.L_CHECK]: r.expr for r in rules(m) if isinstance(r, AlertRule) and r.alert == "MLModelAnomaly"}
    assert anomaly["anomaly_requests"].startswith("abs(") and not anomaly["anomaly_error_ratio"].startswith("abs(")


def test_weekly_seasonality_falls_back_to_trailing():
    m = model("  - id: m\n    team: risk-ml\n    serving: {targets: ['m:8080']}\n    errors: {anomaly: {seasonality: weekly}}\n")
    mean = [r for r in rules(m) if isinstance(r, RecordingRule) and r.record == C.ANOMALY_BASELINE_MEAN][0]
    assert "offset 6d23h30m" in mean.expr and "[1w]" in mean.expr and "\nor\n" in mean.expr


def test_every_expression_parses_and_labels_follow_the_contract():
    m = model(
        "  - id: m\n    team: risk-ml\n    labels: {tier: gold}\n    serving: {targets: ['m:8080']}\n    errors: {ratio: {min_rps: 1}, anomaly: {seasonality: weekly}}\n"
    )
    for r in rules(m):
        promql_parser.parse(r.expr)
        if isinstance(r, AlertRule):
            assert {C.L_MODEL, C.L_TEAM, C.L_SEVERITY, C.L_MONITOR, C.L_CHECK, "tier"} <= set(r.labels)
            assert r.labels[C.L_MONITOR] == "errors"
            assert {"summary", "description", "dashboard"} <= set(r.annotations)


def test_disabled_writes_nothing():
    m = model("  - id: m\n    team: risk-ml\n    serving: {targets: ['m:8080']}\n    errors: {enabled: false}\n")
    assert errors.MONITOR.rule_groups(m, None) == []
    assert errors.MONITOR.rule_tests(m, None) == []


@pytest.mark.parametrize(
    "section, code, where",
    [
        ("{ratio: {warning: 0.3, critical: 0.2}}", "MLM210", "ratio.critical"),
        ("{anomaly: {window: 30m}}", "MLM203", "anomaly.window"),
        ("{anomaly: {signals: [latency]}}", "MLM104", "anomaly.signals"),
        ("{degenerate: {window: 10m}}", "MLM203", "degenerate.window"),
        ("{ratio: {for: soon}}", "MLM203", "ratio.for"),
    ],
)
def test_compile_diagnostics(section, code, where):
    errs = errors_of(f"  - id: m\n    team: risk-ml\n    serving: {{targets: ['m:8080']}}\n    errors: {section}\n")
    assert_error_at(errs, code, where)


def test_weekly_seasonality_catches_what_the_trailing_baseline_misses(tmp_path):
    """Three weeks of a day/night request pattern (5m resolution); in week 3 the daytime rate
    falls from 20 to 8 req/s for 80 minutes. Against the same hour last week that is an anomaly;
    against the trailing day (mean 11, stddev 9) it is not."""
    from mlmon.artifacts import AlertCheck, ExpAlert, RuleGroup, RuleTest
    from tests.presets.promtool_util import run_promtool

    day = "2+0x143 20+0x143"  # 288 samples: 12h at 2 req/s, 12h at 20 req/s
    start = 14 * 288 + 156  # week 3, 13h into the day
    values = " ".join([day] * 14) + " 2+0x143 20+0x11 8+0x15 20+0x115 " + " ".join([day] * 2)
    series = (('mlmon_model:requests:rate5m{model="m"}', values),)
    t_alert = f"{(start + 14) * 5}m"  # 70 minutes into the drop
    t_before = f"{(start - 2) * 5}m"
    results = {}
    for seasonality in ("weekly", "none"):
        text = spec(
            "  - id: m\n    team: risk-ml\n    serving: {targets: ['m:8080']}\n"
            f"    errors: {{anomaly: {{seasonality: {seasonality}, window: 1d, for: 30m, signals: [requests]}}}}\n"
        )
        text = text.replace("routing:", "defaults: {evaluation_interval: 5m}\nrouting:", 1)
        s, diags = pipeline.check({"s.yaml": text})
        assert s is not None, [format_text([d]) for d in diags]
        mm = s.models[0]
        an = mm.section("errors").anomaly
        recs = anomaly_rules(mm, an, "requests")
        alert = [r for r in rules(mm) if isinstance(r, AlertRule) and r.alert == "MLModelAnomaly"]
        exp = (ExpAlert({**alert[0].labels, "signal": "requests"}, alert[0].annotations),) if seasonality == "weekly" else ()
        test = RuleTest(f"seasonality {seasonality}", "5m", series, (AlertCheck(t_before, "MLModelAnomaly"), AlertCheck(t_alert, "MLModelAnomaly", exp)))
        d = tmp_path / seasonality
        d.mkdir()
        results[seasonality] = run_promtool(d, [RuleGroup("anomaly", (*recs, *alert))], [test], "5m")
    for seasonality, res in results.items():
        assert res.returncode == 0, seasonality + "\n" + res.stdout[-3000:]


def test_error_ratio_ticket_has_this_annotation_text(tmp_path):
    from mlmon.monitors import infra
    from tests.presets.promtool_util import assert_promtool_passes

    s, _ = pipeline.check({"s.yaml": spec("  - id: m\n    team: risk-ml\n    serving: {targets: ['m:8080']}\n")})
    m = s.models[0]
    case = next(t for t in errors.MONITOR.rule_tests(m, s) if "opens a ticket" in t.name)
    firing = [e for c in case.alert_checks for e in c.exp_alerts]
    assert len(firing) == 1 and firing[0].labels[C.L_SEVERITY] == "warning"
    assert firing[0].annotations == {
        "summary": "m: more than 5% of requests fail",
        "description": "More than 5% of the requests to m have failed for 10m. "
        "Check the server logs for the failing reason, recent deploys and dependencies (feature store, GPU).",
        "dashboard": "/d/mlmon-model-m-60c0345dd2",
    }
    # Prometheus renders exactly this text for the generated rule (which reads infra's signals)
    assert_promtool_passes(tmp_path, [*infra.MONITOR.rule_groups(m, s), *errors.MONITOR.rule_groups(m, s)], [case])


def test_a_section_left_out_compiles_to_the_schema_defaults():
    from mlmon.compiler.units import parse_duration
    from tests.monitors.test_infra import _defaults

    m = model("  - id: m\n    team: risk-ml\n    serving: {targets: ['m:8080']}\n")
    defaults = _defaults(errors.MONITOR.schema()["properties"])
    assert len(defaults) == 16
    for path, want in defaults.items():
        got = m.section("errors")
        for k in path:
            got = getattr(got, "for_" if k == "for" else k)
        is_duration = isinstance(want, str) and want[0].isdigit()
        assert got == (parse_duration(want) if is_duration else want), path


def test_the_docs_page_states_the_z_score_floors_the_rules_use():
    from mlmon.monitors.errors.anomaly import Z_FLOOR

    doc = " ".join((errors.__doc__ or "").split())
    stated = ", ".join(f"{s.replace('_', ' ')} {rel * 100:g}%/{floor:g}" for s, (rel, floor) in Z_FLOOR.items())
    assert f"({stated})" in doc


def test_the_docs_page_states_the_baseline_gap_the_rules_use():
    from mlmon.compiler.units import format_duration
    from mlmon.monitors.errors.anomaly import BASELINE_GAP

    assert f"ending `for + {format_duration(BASELINE_GAP)}` ago" in " ".join((errors.__doc__ or "").split())


def test_anomaly_cases_evaluate_every_10m_only_while_the_jump_stays_a_small_share_of_the_baseline():
    """The firing check of a coarse anomaly case comes two evaluations late, and the baseline then
    holds the jump's first minutes: the default day-long window takes 10m steps (3.4% of it), an
    8h window 5m (a 10m check would see 8% of it, a 5m one 2.4%), a 2h window the model's interval
    (5.4% at 5m); the constant-predictions case joins the 10m file when its 1h window holds 6 of
    those evaluations, not with a 50m window (its half, the rule's offset, is no whole one), which
    takes the 5m of any such case over an hour."""
    from mlmon.monitors.errors import cases

    def every(anomaly: str, degenerate: str = "") -> dict[str, str | None]:
        """Each case's interval by the start of its name (after the model's)."""
        m = model(f"  - id: m\n    team: risk-ml\n    serving: {{targets: ['m:8080']}}\n    errors: {{anomaly: {anomaly}{degenerate}}}\n")
        named = {t.name.split(": ", 1)[1]: t.evaluation_interval for t in cases.tests(m)}
        return {start: next(v for k, v in named.items() if k.startswith(start)) for start in ("a jump in requests", "healthy", "constant predictions")}

    day = every("{window: 1d}")
    assert day["a jump in requests"] == "10m"
    assert day["healthy"] == "10m"
    assert day["constant predictions"] == "10m"
    assert every("{window: 8h}")["a jump in requests"] == "5m"
    assert every("{window: 2h}")["a jump in requests"] == "1m"
    assert every("{window: 1d}", ", degenerate: {window: 50m}")["constant predictions"] == "5m"


def test_a_15m_step_lets_the_jump_into_its_own_baseline_and_promtool_sees_it(tmp_path, monkeypatch):
    """Why the share bound exists: forced to 15m steps, the day-long window's check sees a 5.7%
    share of the jump in the baseline, and the z-score of a drop to a fifth of the traffic falls
    under 3 before the check; at the 10m the bound picks, the same case passes."""
    from mlmon.monitors import infra
    from mlmon.monitors.errors import cases
    from tests.presets.promtool_util import run_promtool

    s, _ = pipeline.check({"s.yaml": spec("  - id: m\n    team: risk-ml\n    serving: {targets: ['m:8080']}\n")})
    m = s.models[0]
    groups = [*infra.MONITOR.rule_groups(m, s), *errors.MONITOR.rule_groups(m, s)]

    def run(name: str):
        case = next(t for t in cases.tests(m) if "a jump in requests" in t.name)
        (tmp_path / name).mkdir()
        return case.evaluation_interval, run_promtool(tmp_path / name, groups, [case], case.evaluation_interval)

    every, ok = run("bounded")
    assert every == "10m" and ok.returncode == 0, ok.stdout[-3000:]
    monkeypatch.setattr(cases, "ANOMALY_STEPS", (900.0, 300.0))
    monkeypatch.setattr(cases, "ANOMALY_SHARE", 1.0)
    every, bad = run("unbounded")
    out = bad.stdout + bad.stderr
    assert every == "15m" and bad.returncode != 0 and "a jump in requests" in out and "got:[]" in out, out[-3000:]


def test_each_jump_of_the_anomaly_case_fires_its_own_signal_only(tmp_path, monkeypatch):
    """The jumps come one after the other in one case, each checked for exactly its own signal's
    alert: a z-score that read another signal (the error ratio's wired to the request rate) fires
    beside the request-rate jump and stays quiet on its own, and promtool fails the case."""
    from mlmon.monitors import infra
    from mlmon.monitors.errors import anomaly, cases
    from tests.presets.promtool_util import run_promtool

    s, _ = pipeline.check({"s.yaml": spec("  - id: m\n    team: risk-ml\n    serving: {targets: ['m:8080']}\n")})
    m = s.models[0]
    case = next(t for t in cases.tests(m) if "a jump in" in t.name)
    assert [c.exp_alerts[0].labels["signal"] for c in case.alert_checks if c.exp_alerts] == ["requests", "error_ratio", "prediction_mean"]

    def run(name: str):
        groups = [*infra.MONITOR.rule_groups(m, s), *errors.MONITOR.rule_groups(m, s)]
        (tmp_path / name).mkdir()
        return run_promtool(tmp_path / name, groups, [case], case.evaluation_interval)

    assert run("right").returncode == 0
    monkeypatch.setitem(anomaly.SOURCE, "error_ratio", anomaly.SOURCE["requests"])
    wrong = run("wired")
    out = wrong.stdout + wrong.stderr
    assert wrong.returncode != 0 and 'signal="error_ratio"' in out, out[-3000:]
