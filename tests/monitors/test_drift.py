"""Drift monitor: spec checks (lint), PromQL that parses, and exact PSI / Jensen-Shannon values:
an independent numpy implementation on the generated counts, asserted against the PromQL value by
the real promtool within 1e-6."""

from __future__ import annotations

import dataclasses
import math
import shutil
import subprocess
from pathlib import Path

import pytest

from mlmon import baseline as B
from mlmon import conventions as C
from mlmon import pipeline
from mlmon.artifacts import AlertRule, ExprCheck, RecordingRule, RuleTest, Sample
from mlmon.monitors import drift
from mlmon.monitors.drift import alerts as drift_alerts
from mlmon.monitors.drift.scores import JS_FLOOR, PSI_FLOOR
from mlmon.render import prometheus, rule_tests
from tests.helpers.specs import spec

np = pytest.importorskip("numpy")
REPO = Path(__file__).resolve().parents[2]
PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(PROMTOOL is None, reason="promtool not installed")


# --- fixtures ----------------------------------------------------------------------------------------
def make_baseline(model: str = "fraud-detector", with_pred: bool = True, edges: dict | None = None) -> str:
    rng = np.random.default_rng(7)
    n = 400
    cols = {
        "amount": [f"{x:.2f}" for x in rng.lognormal(3.5, 1.0, n)],
        "age": [str(int(x)) for x in rng.exponential(800, n)],
        "country": list(rng.choice(["DE", "FR", "NL", "US"], n, p=[0.5, 0.2, 0.2, 0.1])),
        "score": [f"{x:.4f}" for x in rng.beta(1, 8, n)],
    }
    opts = B.Options(
        model=model,
        created_from="ref.csv",
        prediction="score" if with_pred else None,
        ignore=frozenset() if with_pred else frozenset({"score"}),
        bins=6,
        top_k=3,
        edges=edges,
    )
    b, diags = B.compute_baseline(cols, opts, "ref.csv")
    assert b is not None, diags
    return B.dump_baseline(b)


def compile_drift(section: str, files: dict[str, str] | None = None, extra: str = ""):
    files = {"baselines/fd.yaml": make_baseline()} if files is None else files
    text = spec("  - id: fraud-detector\n    team: risk-ml\n    serving: {targets: ['fd:8080']}\n" + extra + f"    drift: {section}\n")

    def read_file(spec_file: str, ref: str):
        if ref in files:
            return files[ref], None
        return None, "file not found"

    return pipeline.check({"specs/payments.yaml": text}, read_file)


def messages(diags) -> list[str]:
    return [f"{d.severity.label} {d.code} {d.message}" for d in diags]


# --- compile / lint ------------------------------------------------------------------------------------
def test_defaults_compile_to_psi_with_prediction_and_thresholds():
    s, diags = compile_drift("{baseline: baselines/fd.yaml}")
    assert s is not None, messages(diags)
    d = s.models[0].section("drift")
    assert (d.method, d.warn, d.critical) == ("psi", 0.1, 0.25)
    assert [f.name for f in d.features] == ["age", "amount", "country"]
    assert d.prediction is not None and d.prediction.name == "score"
    assert d.min_samples == 10 * max(len(f.bins) - f.added_other for f in d.features + (d.prediction,))  # the baseline's bins
    # counted numeric distributions get an __other__ bin (for bin labels the baseline lacks) with the floor as its fraction
    amount = next(f for f in d.features if f.name == "amount")
    assert amount.added_other and amount.bins[-1] == C.DRIFT_OTHER_BIN and amount.fractions[-1] == PSI_FLOOR
    country = next(f for f in d.features if f.name == "country")
    assert not country.added_other and country.bins.count(C.DRIFT_OTHER_BIN) == 1
    assert d.drifted_share == 0.5 and d.window == 3600


@pytest.mark.parametrize(
    "section, code, fragment",
    [
        ("{baseline: baselines/missing.yaml}", "MLM211", "file not found"),
        ("{baseline: baselines/fd.yaml, features: {amuont: {warn: 0.2}}}", "MLM211", "'amuont' is not in baseline"),
        ("{baseline: baselines/fd.yaml, warn: 0.3, critical: 0.2}", "MLM210", "warn 0.3 is above critical 0.2"),
        ("{baseline: baselines/fd.yaml, features: {amount: {warn: 0.5}}}", "MLM210", "warn 0.5 is above critical 0.25"),
        ("{baseline: baselines/fd.yaml, method: js}", "MLM102", "method js needs js"),
        ("{baseline: baselines/fd.yaml, method: js, js: {base: e}}", "MLM102", "missing required field 'form'"),
        ("{baseline: baselines/fd.yaml, method: js, js: {base: '2', form: distance}, critical: 1.5}", "MLM213", "can never be reached"),
        ("{baseline: baselines/fd.yaml, method: js, js: {base: e, form: divergence}, warn: 0.7, critical: 0.8}", "MLM213", "at most 0.69314718056"),
        ("{baseline: baselines/fd.yaml, window: 1m}", "MLM207", "shorter than 4x the scrape interval"),
        ("{baseline: baselines/fd.yaml, window: 1x}", "MLM203", "invalid duration"),
        ("{baseline: baselines/fd.yaml, warn: -1}", "MLM104", "greater than 0"),
        ("{baseline: baselines/fd.yaml, features: {country: {source: {histogram: x}}}}", "MLM213", "categorical"),
        ("{baseline: baselines/fd.yaml, dataset: {drifted_share: 1.5}}", "MLM104", "at most 1"),
        ("{baseline: baselines/fd.yaml, mehtod: psi}", "MLM101", "unknown field 'mehtod'"),
        ("{method: psi}", "MLM102", "missing required field 'baseline'"),
    ],
)
def test_lint_errors(section, code, fragment):
    s, diags = compile_drift(section)
    assert s is None
    hits = [d for d in diags if d.code == code and fragment in d.message]
    assert hits, messages(diags)
    assert all(d.file == "specs/payments.yaml" and d.line > 0 for d in hits)


def test_prediction_requested_but_missing_from_baseline():
    files = {"b.yaml": make_baseline(with_pred=False)}
    s, diags = compile_drift("{baseline: b.yaml, prediction: {warn: 0.2}}", files)
    assert s is None and any(d.code == "MLM211" and "no prediction entry" in d.message for d in diags), messages(diags)
    s, diags = compile_drift("{baseline: b.yaml}", files)  # default: silently no prediction drift
    assert s is not None and s.models[0].section("drift").prediction is None


def test_baseline_of_another_model_is_a_warning():
    s, diags = compile_drift("{baseline: b.yaml}", {"b.yaml": make_baseline(model="other")})
    assert s is not None
    assert any(d.code == "MLM211" and d.severity.label == "warning" and "'other'" in d.message for d in diags)


def test_invalid_baseline_file_is_reported_in_that_file():
    bad = make_baseline().replace("kind: Baseline", "kind: Spec")
    s, diags = compile_drift("{baseline: baselines/fd.yaml}", {"baselines/fd.yaml": bad})
    assert s is None
    where = [d for d in diags if d.file == "specs/baselines/fd.yaml"]
    assert where and where[0].line == 3 and "kind" in where[0].message, messages(diags)


def test_disabled_feature_and_overrides():
    s, diags = compile_drift("{baseline: baselines/fd.yaml, features: {age: {enabled: false}, amount: {warn: 0.2, critical: 0.4}}}")
    assert s is not None, messages(diags)
    d = s.models[0].section("drift")
    assert [f.name for f in d.features] == ["amount", "country"]
    assert (d.features[0].warn, d.features[0].critical) == (0.2, 0.4)


# --- PromQL structure ----------------------------------------------------------------------------------
def all_rules(section: str, **kw):
    s, diags = compile_drift(section, **kw)
    assert s is not None, messages(diags)
    model = s.models[0]
    groups = drift.MONITOR.rule_groups(model, s)
    return s, model, groups


@pytest.mark.parametrize("method", ["psi", "js, js: {base: e, form: distance}", "js, js: {base: '2', form: divergence}"])
def test_every_expression_parses_and_alerts_carry_routing_labels(method):
    promql_parser = pytest.importorskip("promql_parser")
    _, model, groups = all_rules(f"{{baseline: baselines/fd.yaml, method: {method}, features: {{amount: {{source: {{histogram: tx_amount}}}}}}}}")
    assert [g.name for g in groups] == ["mlmon-fraud-detector-drift-reference", "mlmon-fraud-detector-drift"]
    for r in (r for g in groups for r in g.rules):
        promql_parser.parse(r.expr)
        if isinstance(r, AlertRule):
            assert {"model", "team", "severity", "monitor", "check"} <= set(r.labels)
            assert r.labels["monitor"] == "drift" and r.annotations["summary"] and r.annotations["description"]
    names = {r.record for g in groups for r in g.rules if isinstance(r, RecordingRule)}
    assert {C.DRIFT_FEATURE_SCORE, C.DRIFT_PREDICTION_SCORE, C.DRIFT_DRIFTED_SHARE, C.DRIFT_BIN_BASELINE} <= names


def test_ln_arguments_are_clamped_and_scores_gated():
    _, _, groups = all_rules("{baseline: baselines/fd.yaml, min_samples: 500}")
    rules = {r.record: r for g in groups for r in g.rules if isinstance(r, RecordingRule)}
    # the current fraction is floored where it is recorded (bins without a count get the floor from
    # the set recorded beside the constants), and the score takes its logarithm only from that
    # recorded, floored series
    cur = rules[C.DRIFT_BIN_CURRENT].expr
    assert cur.startswith("clamp_min(") and cur.endswith(f'or on (model, feature, bin)\n{C.DRIFT_BIN_ABSENT}{{model="fraud-detector"}}')
    absent = rules[C.DRIFT_BIN_ABSENT].expr
    assert f"unless on (model, feature, bin)\n    {C.DRIFT_BIN_INCREASE}{{" in absent and f"{PSI_FLOOR}, {PSI_FLOOR}\n)" in absent
    assert f"and on (model, feature)\n  {C.DRIFT_FEATURE_SAMPLES}{{" in absent  # only features with counted bins
    ref = next(g for g in groups if g.name.endswith("-drift-reference"))
    assert C.DRIFT_BIN_ABSENT in {r.record for r in ref.rules} and ref.interval == "2m"
    score = rules[C.DRIFT_FEATURE_SCORE].expr
    assert f"ln({C.DRIFT_BIN_CURRENT}{{" in score and ">= 500" in score


# --- exact numbers: numpy vs PromQL through promtool --------------------------------------------------------
def np_psi(p, q):
    p = np.maximum(np.asarray(p, float), PSI_FLOOR)
    q = np.asarray(q, float)
    return float(np.sum((p - q) * np.log(p / q)))


def np_js(p, q, base, form):
    p = np.maximum(np.asarray(p, float), JS_FLOOR)  # p' of the documented formula
    q = np.asarray(q, float)
    m = (p + q) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        kl_pm = np.where(p > 0, p * np.log(p / m), 0.0).sum()
        kl_qm = np.where(q > 0, q * np.log(q / m), 0.0).sum()
    d = 0.5 * kl_pm + 0.5 * kl_qm
    if base == "2":
        d /= np.log(2)
    return float(np.sqrt(max(d, 0.0)) if form == "distance" else d)


def counts_from_series(values: str, steps: int) -> float:
    start, rest = values.split("+")
    inc, n = rest.split("x")
    return float(inc) * steps  # increase over the test's window: samples at 0 .. steps minutes


def numpy_checks(model, s, test: RuleTest) -> list[ExprCheck]:
    """Expected scores of a generated test case, computed here with numpy from its input series."""
    out = []
    t_end = test.alert_checks[0].eval_time
    steps = int(t_end[:-1])
    by_dist: dict[str, list[float]] = {}
    by_bin: dict[str, dict[str, float]] = {}  # counters: observations by bin label
    for series, values in test.input_series:
        if series.startswith(C.FEATURE_BIN_TOTAL) or series.startswith(C.PREDICTION_BIN_TOTAL):
            feat = series.split('feature="')[1].split('"')[0] if "feature=" in series else "__prediction__"
            label = series.split('bin="')[1].split('"')[0]
            bins = by_bin.setdefault(feat, {})
            bins[label] = bins.get(label, 0.0) + counts_from_series(values, steps)
        elif "_bucket{" in series:  # cumulative histogram in bound order -> per-bin counts
            feat = "amount" if "tx_amount" in series else "__prediction__"
            by_dist.setdefault(feat, []).append(counts_from_series(values, steps))
    for d in s.features + ((s.prediction,) if s.prediction else ()):
        key = d.name if d is not s.prediction else "__prediction__"
        if d.source is not None:
            counts = np.diff(np.concatenate([[0.0], by_dist[key]]))
            q = np.asarray(d.fractions)
        else:  # a bin label the baseline lacks counts in __other__ (added, with the floor as q, when missing)
            bins, fractions = list(d.bins), list(d.fractions)
            if C.DRIFT_OTHER_BIN not in bins:
                bins, fractions = bins + [C.DRIFT_OTHER_BIN], fractions + [PSI_FLOOR if s.method == "psi" else JS_FLOOR]
            seen = dict.fromkeys(bins, 0.0)
            for label, n in by_bin[key].items():
                seen[label if label in seen else C.DRIFT_OTHER_BIN] += n
            counts, q = np.asarray([seen[b] for b in bins]), np.asarray(fractions)
        p = counts / counts.sum()
        val = np_psi(p, q) if s.method == "psi" else np_js(p, q, s.js_base, s.js_form)
        assert math.isclose(val, s.score(list(p), list(q)), rel_tol=1e-9, abs_tol=1e-12)
        metric = C.DRIFT_FEATURE_SCORE if d is not s.prediction else C.DRIFT_PREDICTION_SCORE
        sel = f'model="{model.id}"' + (f',feature="{d.name}"' if d is not s.prediction else "")
        out.append(ExprCheck(f"abs({metric}{{{sel}}} - {val!r}) < bool 1e-6", t_end, (Sample("{" + sel + "}", 1.0),)))
    return out


def run_promtool(tmp_path: Path, groups, tests) -> subprocess.CompletedProcess:
    (tmp_path / "rules.yml").write_text(prometheus.rules_file(groups, "test"))
    (tmp_path / "tests.yml").write_text(rule_tests.tests_file(["rules.yml"], tests, "test"))
    check = subprocess.run([PROMTOOL, "check", "rules", str(tmp_path / "rules.yml")], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    return subprocess.run([PROMTOOL, "test", "rules", str(tmp_path / "tests.yml")], capture_output=True, text=True, cwd=tmp_path)


VARIANTS = {
    "psi": "method: psi",
    "js-e-distance": "method: js, js: {base: e, form: distance}",
    "js-2-distance": "method: js, js: {base: '2', form: distance}",
    "js-e-divergence": "method: js, js: {base: e, form: divergence}",
    "js-2-divergence": "method: js, js: {base: '2', form: divergence}",
}


@needs_promtool
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_promql_scores_equal_numpy_within_1e6(variant, tmp_path):
    edges = {"amount": (5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 1000.0)}  # histogram buckets of tx_amount
    files = {"baselines/fd.yaml": make_baseline(edges=edges)}
    hist = "features: {amount: {source: {histogram: tx_amount}}}, " if variant in ("psi", "js-2-distance") else ""
    s, model, groups = all_rules(f"{{baseline: baselines/fd.yaml, {hist}{VARIANTS[variant]}}}", files=files)
    section = model.section("drift")
    generated = drift.MONITOR.rule_tests(model, s)
    scored = [t for t in generated if t.expr_checks and t.expr_checks[0].exp_samples]
    assert len(scored) == 4
    tests = [dataclasses.replace(t, expr_checks=t.expr_checks + tuple(numpy_checks(model, section, t))) for t in scored]
    tests += [t for t in generated if t not in scored] if variant == "psi" else []
    res = run_promtool(tmp_path, groups, tests)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-4000:]


@needs_promtool
def test_a_wrong_expected_score_fails_promtool(tmp_path):
    """The exact-value checks can fail: shift numpy's value by 2e-6 and promtool must reject it."""
    s, model, groups = all_rules("{baseline: baselines/fd.yaml}")
    section = model.section("drift")
    case = drift.MONITOR.rule_tests(model, s)[1]
    good = numpy_checks(model, section, case)[0]
    value = float(good.expr.split(" - ")[1].split(")")[0])
    bad = ExprCheck(good.expr.replace(repr(value), repr(value + 2e-6)), good.eval_time, good.exp_samples)
    res = run_promtool(tmp_path, groups, [dataclasses.replace(case, alert_checks=(), expr_checks=(bad,))])
    assert res.returncode != 0 and "exp:" in (res.stdout + res.stderr)


@needs_promtool
def test_bins_whose_counter_never_appeared_count_as_zero(tmp_path):
    """A lazy exporter creates a bin's counter at the bin's first observation. Drop the counters of
    the bins the shifted case leaves empty: the scores must still equal numpy's on counts of 0 (the
    bins get the floor from the absent-bin set recorded beside the constants)."""
    s, model, groups = all_rules("{baseline: baselines/fd.yaml}")
    section = model.section("drift")
    for case in drift.MONITOR.rule_tests(model, s)[1:3]:
        checks = numpy_checks(model, section, case)  # from every series, the empty bins included
        kept = tuple((series, values) for series, values in case.input_series if not values.startswith("0+0x"))
        assert 0 < len(case.input_series) - len(kept) < len(case.input_series)
        t = checks[0].eval_time
        # the floor sets hold exactly the dropped bins
        dropped = [series for series in dict(case.input_series) if series not in dict(kept)]
        absent = tuple(
            ExprCheck(f'count({name}{{model="{model.id}"}}) or vector(0)', t, (Sample("{}", float(sum(d.startswith(counter) for d in dropped))),))
            for name, counter in ((C.DRIFT_BIN_ABSENT, C.FEATURE_BIN_TOTAL), (C.DRIFT_PRED_BIN_ABSENT, C.PREDICTION_BIN_TOTAL))
        )
        lazy = dataclasses.replace(case, input_series=kept, expr_checks=case.expr_checks + tuple(checks) + absent)
        res = run_promtool(tmp_path, groups, [lazy])
        assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-4000:]
    # a feature without any counter is not filled (it gets no score and no fraction series)
    case = drift.MONITOR.rule_tests(model, s)[0]
    gone = section.features[0].name
    kept = tuple((series, values) for series, values in case.input_series if f'feature="{gone}"' not in series)
    t = case.alert_checks[0].eval_time
    checks = (
        ExprCheck(f'count({C.DRIFT_BIN_ABSENT}{{model="{model.id}"}}) or vector(0)', t, (Sample("{}", 0.0),)),
        ExprCheck(f'count({C.DRIFT_BIN_CURRENT}{{model="{model.id}",feature="{gone}"}}) or vector(0)', t, (Sample("{}", 0.0),)),
        ExprCheck(
            f'{C.DRIFT_FEATURES_SCORED}{{model="{model.id}"}}',
            t,
            (Sample(f'{C.DRIFT_FEATURES_SCORED}{{model="{model.id}"}}', float(len(section.features) - 1)),),
        ),
    )
    res = run_promtool(tmp_path, groups, [dataclasses.replace(case, input_series=kept, alert_checks=(), expr_checks=checks)])
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-4000:]


@needs_promtool
def test_idle_ok_model_alerts_only_on_absent_counters(tmp_path):
    s, diags = compile_drift("{baseline: baselines/fd.yaml}", extra="    idle_ok: true\n")
    assert s is not None, messages(diags)
    model = s.models[0]
    nodata = [r for g in drift.MONITOR.rule_groups(model, s) for r in g.rules if isinstance(r, AlertRule) and r.alert == C.ALERT_DRIFT_NODATA]
    assert all(r.expr.startswith("absent(") for r in nodata)
    res = run_promtool(tmp_path, drift.MONITOR.rule_groups(model, s), drift.MONITOR.rule_tests(model, s))
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-4000:]


def test_dashboard_rows():
    s, model, _ = all_rules("{baseline: baselines/fd.yaml}")
    rows = drift.MONITOR.dashboard_rows(model, s)
    kinds = [p.kind for p in rows[0].panels]
    assert "bargauge" in kinds and "stat" in kinds and kinds.count("timeseries") >= 3
    exprs = " ".join(t.expr for p in rows[0].panels for t in p.targets)
    assert C.DRIFT_FEATURE_SCORE in exprs and C.DRIFT_DRIFTED_SHARE in exprs and C.DRIFT_FEATURE_SAMPLES in exprs


@needs_promtool
def test_histogram_missing_a_baseline_edge_gives_no_score_and_the_nodata_alert(tmp_path):
    edges = {"amount": (5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 1000.0)}
    files = {"baselines/fd.yaml": make_baseline(edges=edges)}
    s, model, groups = all_rules("{baseline: baselines/fd.yaml, no_data_for: 30m, features: {amount: {source: {histogram: tx_amount}}}}", files=files)
    case = drift.MONITOR.rule_tests(model, s)[0]
    steps = 40
    series = tuple((n, v.rsplit("x", 1)[0] + f"x{steps}") for n, v in case.input_series if 'le="25"' not in n)
    assert len(series) == len(case.input_series) - 1
    from mlmon.artifacts import AlertCheck, ExpAlert

    exp = ExpAlert(drift_alerts.labels(model, "warning", "features"), drift_alerts.nodata_annotations(model, model.section("drift"), "features", "1"))
    test = RuleTest(
        "le=25 bucket missing",
        "1m",
        series,
        (AlertCheck(f"{steps}m", C.ALERT_DRIFT_NODATA, (exp,)), AlertCheck(f"{steps}m", C.ALERT_DRIFT_FEATURE, ())),
        (
            ExprCheck(f'{C.DRIFT_FEATURE_SCORE}{{feature="amount"}}', f"{steps}m", ()),
            ExprCheck(f"{C.DRIFT_FEATURES_SCORED}", f"{steps}m", (Sample(f'{C.DRIFT_FEATURES_SCORED}{{model="fraud-detector"}}', 2),)),
        ),
    )
    res = run_promtool(tmp_path, groups, [test])
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-4000:]


# --- exact annotation text, written out ---------------------------------------------------------------------
def exp_alert_of(case: RuleTest, alertname: str, **labels: str):
    """The one expected alert of ``alertname`` in ``case`` whose labels include ``labels``."""
    found = [a for c in case.alert_checks if c.alertname == alertname for a in c.exp_alerts if all(a.labels.get(k) == v for k, v in labels.items())]
    assert len(found) == 1, found
    return found[0]


def test_the_generated_case_expects_this_exact_dataset_drift_text():
    """The expected annotations of the generated cases come from the rules' templates; here the text
    Prometheus must render is written out (the committed baseline: 3 of its 5 features shift)."""
    files = {"baselines/fraud-detector.yaml": (REPO / "specs" / "baselines" / "fraud-detector.yaml").read_text()}
    s, model, _ = all_rules("{baseline: baselines/fraud-detector.yaml}", files=files)
    case = next(t for t in drift.MONITOR.rule_tests(model, s) if t.name.startswith("drift: 3 of 5 features"))
    exp = exp_alert_of(case, C.ALERT_DRIFT_DATASET)
    assert dict(exp.labels) == {"model": "fraud-detector", "team": "risk-ml", "severity": "critical", "monitor": "drift", "check": "dataset"}
    assert dict(exp.annotations) == {
        "summary": "fraud-detector: 60% of the features drifted (threshold 50%)",
        "description": "At least 50% of the scored features of model fraud-detector are at or above their warn threshold over the last 1h. "
        "The input data as a whole no longer looks like the baseline baselines/fraud-detector.yaml: look for a pipeline or upstream "
        "change first; otherwise the model needs retraining on recent data.",
        "dashboard": "/d/mlmon-model-fraud-detector-9ff5f7f41d",
    }
    feature = exp_alert_of(case, C.ALERT_DRIFT_FEATURE, feature="country", severity="critical")
    assert feature.annotations["summary"] == "fraud-detector: feature country drifted (PSI 4.291 at or above its critical threshold)"


def test_feature_drift_panels_draw_each_features_own_alert_thresholds():
    """A feature with its own thresholds (in specs/payments.yaml amount alerts at 0.15 / 0.3) is drawn
    against those, not the section's (0.1 / 0.25): every feature is in exactly one score panel, whose
    threshold lines are the ones its alerts compare with (the recorded per-feature thresholds)."""
    import re

    s, model, groups = all_rules("{baseline: baselines/fd.yaml, features: {amount: {warn: 0.15, critical: 0.3}}}")
    recorded = {r.record: r.expr for g in groups for r in g.rules if isinstance(r, RecordingRule)}

    def per_feature(record: str) -> dict[str, float]:
        return {f: float(v) for v, f in re.findall(r'vector\(([^)]+)\), "feature", "([^"]+)"', recorded[record])}

    warn, critical = per_feature(C.DRIFT_FEATURE_WARN), per_feature(C.DRIFT_FEATURE_CRITICAL)
    assert (warn["amount"], critical["amount"], warn["age"], critical["age"]) == (0.15, 0.3, 0.1, 0.25)
    (row,) = drift.MONITOR.dashboard_rows(model, s)
    drawn: dict[str, list[tuple[float, ...]]] = {}
    for p in row.panels:
        if p.kind != "timeseries" or not p.targets[0].expr.startswith(C.DRIFT_FEATURE_SCORE):
            continue
        (target,) = p.targets
        m = re.search(r'feature=~"([^"]*)"', target.expr)
        shown = m.group(1).split("|") if m else list(warn)
        for f in shown:
            drawn.setdefault(f, []).append(tuple(th.value for th in p.thresholds if th.value is not None))
    assert drawn == {f: [(warn[f], critical[f])] for f in warn}
