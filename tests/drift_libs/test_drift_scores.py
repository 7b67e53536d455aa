"""drift_scores: drift computed by a library, alerted and routed like mlmon's own.

The generated rule tests pass promtool for every drift-library preset; a real Evidently 0.7
report, exported by ``mlmon.instrument.evidently``, drives the rules in promtool; MLServer's
``seldon_model_drift`` histogram (registered as ``mlserver.register`` does) gives the share of
detector runs that flagged drift; lint reports what cannot work."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlmon import conventions as C
from mlmon import pipeline
from mlmon.artifacts import AlertCheck, ExpAlert, RuleTest
from mlmon.monitors import drift_scores
from mlmon.monitors import testkit as K
from mlmon.monitors.drift_scores import rules as R
from mlmon.presets import signals as S
from tests.presets.promtool_util import assert_promtool_passes, assert_promtool_passes_at_their_intervals

HEAD = """\
apiVersion: mlmon/v1
kind: MonitoringSpec
metadata: {name: dl}
routing:
  teams:
    t: {slack: {channel: "#t", api_url_file: /etc/alertmanager/secrets/slack}}
models:
  - id: m
    team: t
    serving: {targets: ["m.svc:8080"]}
"""


def compiled(section: str):
    spec, diags = pipeline.check({"dl.yaml": HEAD + section})
    assert spec is not None, diags
    return spec.model("m")


def codes(section: str) -> list[str]:
    return [f"{d.code} {d.message}" for d in pipeline.check({"dl.yaml": HEAD + section})[1]]


@pytest.mark.tools
@pytest.mark.parametrize(
    "section",
    [
        "    drift_scores: {preset: evidently, features: [amount, country], match: {dataset_name: fraud}}\n",
        "    drift_scores: {preset: evidently, statistic: p_value, dataset: {drifted_share: 0.3, severity: warning}}\n",
        "    drift_scores: {preset: mlserver-alibi-detect, window: 30m}\n",
        "    drift_scores: {preset: seldon-alibi-detect, statistic: p_value, features: ['0', '1', '2']}\n",
    ],
)
def test_generated_cases_pass_promtool(tmp_path: Path, section: str) -> None:
    model = compiled(section)
    groups = drift_scores.MONITOR.rule_groups(model, None)
    tests = drift_scores.MONITOR.rule_tests(model, None)
    s = model.section("drift_scores")
    # healthy, drifted, no data; and a dataset case when one drifted feature is under the dataset share
    dataset_case = s.per_feature and s.drifted_share is not None and len(s.features or "ab") * s.drifted_share > 1
    assert len(tests) == 3 + dataset_case
    assert dataset_case == any("features drifted" in t.name for t in tests)
    assert_promtool_passes_at_their_intervals(tmp_path, groups, tests, model)


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ("    drift: {baseline: b.yaml}\n    drift_scores: {preset: evidently}\n", "MLM328"),
        (
            "    drift_scores: {preset: mlserver-alibi-detect, statistic: p_value}\n",
            "MLM328 models[0].drift_scores.statistic: preset 'mlserver-alibi-detect' reports no per-feature values",
        ),
        ("    drift_scores: {preset: evidently, warn: 0.3, critical: 0.2}\n", "MLM210"),
        ("    drift_scores: {preset: evidently, statistic: p_value, warn: 0.05, critical: 0.1}\n", "MLM210"),
        ("    drift_scores: {preset: mlserver-alibi-detect, warn: 2, critical: 3}\n", "MLM213"),
        ("    drift_scores: {preset: nannyml}\n", "MLM104"),
    ],
)
def test_lint(section: str, expected: str) -> None:
    found = codes(section)
    assert any(d.startswith(expected) for d in found), found


def exposition_series(text: str, minutes: int = 40) -> tuple[tuple[str, str], ...]:
    out = []
    for line in text.splitlines():
        if line and not line.startswith("#") and "_created" not in line.split("{")[0]:
            series, value = line.rsplit(" ", 1)
            out.append((series, f"{value}+0x{minutes}"))
    return tuple(out)


@pytest.mark.tools
def test_a_real_evidently_report_fires_the_drifted_features(tmp_path: Path) -> None:
    np = pytest.importorskip("numpy")
    pd = pytest.importorskip("pandas")
    pytest.importorskip("evidently")
    from evidently import Report
    from evidently.presets import DataDriftPreset
    from prometheus_client import generate_latest

    from mlmon.instrument.evidently import EvidentlyExport

    rng = np.random.default_rng(7)
    ref = pd.DataFrame({"amount": rng.normal(0, 1, 600), "hour": rng.normal(12, 3, 600), "country": rng.choice(["DE", "FR", "US"], 600)})
    cur = pd.DataFrame({"amount": rng.normal(0.9, 1, 600), "hour": rng.normal(12, 3, 600), "country": rng.choice(["DE", "FR", "US"], 600, p=[0.6, 0.2, 0.2])})
    report = Report([DataDriftPreset()]).run(current_data=cur, reference_data=ref).dict()
    export = EvidentlyExport()
    assert export.update(report, "fraud") == 3
    text = generate_latest(export.registry).decode()
    values = {m["config"]["column"]: m["value"] for m in report["metrics"] if m["config"]["type"].endswith("ValueDrift")}
    assert all(m["config"]["method"].endswith("p_value") for m in report["metrics"] if m["config"]["type"].endswith("ValueDrift"))
    drifted = sorted(f for f, v in values.items() if v <= 0.01)
    assert drifted == ["amount", "country"] and values["hour"] > 0.05  # the shifted columns, and not the other

    model = compiled("    drift_scores: {preset: evidently, statistic: p_value, match: {dataset_name: fraud}, features: [amount, country, hour]}\n")
    s = model.section("drift_scores")
    rules = R.alerts(model, s)

    def fired(sev: str, f: str) -> ExpAlert:
        lab = {**R.labels(model, sev, f), "feature": f}
        (rule,) = [r for r in rules if r.alert == C.ALERT_DRIFT_FEATURE and r.labels[C.L_SEVERITY] == sev]
        from mlmon.monitors.testkit import expand_all

        return ExpAlert(lab, expand_all(rule.annotations, values[f], lab))

    exp = tuple(fired(sev, f) for f in drifted for sev, _ in R.LEVELS)
    checks = (
        AlertCheck("30m", C.ALERT_DRIFT_FEATURE, exp),
        AlertCheck("30m", C.ALERT_DRIFT_NODATA, ()),
    )
    share = K.exact_check(S.rec("m", C.DRIFT_DRIFTED_SHARE), "30m", 2 / 3)
    assert_promtool_passes(
        tmp_path, drift_scores.MONITOR.rule_groups(model, None), [RuleTest("evidently report", "1m", exposition_series(text), checks, (share,))]
    )


@pytest.mark.tools
def test_mlserver_drift_histogram_gives_the_share_of_flagged_runs(tmp_path: Path) -> None:
    """MLServer registers seldon_model_drift as a prometheus_client Histogram with labels
    model_name, model_version and observes each run's is_drift (runtime.py, metrics/context.py)."""
    from prometheus_client import CollectorRegistry, Histogram, generate_latest

    def scrape(flagged: int, runs: int) -> str:
        reg = CollectorRegistry()
        h = Histogram("seldon_model_drift", "Drift metrics", labelnames=["model_name", "model_version"], registry=reg)
        for i in range(runs):
            h.labels(model_name="income-drift", model_version="v1").observe(1 if i < flagged else 0)
        return generate_latest(reg).decode()

    # the counters of two scrapes 30 minutes apart: 60 runs, of which 54 flagged drift
    first, second = scrape(0, 0), scrape(54, 60)
    del first  # an unobserved histogram exposes no series for the label set: counters start at the first run
    inputs = []
    for line in second.splitlines():
        if line.startswith("seldon_model_drift_sum") or line.startswith("seldon_model_drift_count"):
            series, value = line.rsplit(" ", 1)
            inputs.append((series, f"0+{float(value) / 30}x30 {value}+0x0"))
    model = compiled("    drift_scores: {preset: mlserver-alibi-detect, match: {model_name: income-drift}, window: 30m}\n")
    share = K.exact_check(S.rec("m", C.DRIFT_DRIFTED_SHARE), "30m", 0.9)
    assert_promtool_passes(tmp_path, drift_scores.MONITOR.rule_groups(model, None), [RuleTest("mlserver", "1m", tuple(inputs), (), (share,))])


def test_evidently_export_replaces_the_previous_reports_columns() -> None:
    from prometheus_client import generate_latest

    from mlmon.instrument.evidently import EvidentlyExport

    def report(cols: dict[str, float], share: float) -> dict:
        drift = [{"config": {"type": "evidently:metric_v2:ValueDrift", "column": c, "method": "PSI"}, "value": v} for c, v in cols.items()]
        return {"metrics": [*drift, {"config": {"type": "evidently:metric_v2:DriftedColumnsCount"}, "value": {"count": 1, "share": share}}]}

    export = EvidentlyExport()
    assert export.update(report({"amount": 0.3, "hour": 0.02}, 0.5), "fraud") == 2
    assert export.update(report({"amount": 0.05}, 0.0), "fraud") == 1
    text = generate_latest(export.registry).decode()
    assert 'evidently:data_drift:value{dataset_name="fraud",feature="amount",stat_test="PSI"} 0.05' in text
    assert 'feature="hour"' not in text  # a column the last report lacks is gone, not left stale
    assert 'evidently:data_drift:share_drifted_features{dataset_name="fraud"} 0.0' in text
