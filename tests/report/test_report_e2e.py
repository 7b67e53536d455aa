"""`mlmon report` (and `mlmon preview --prometheus`) against a real Prometheus on 127.0.0.1 that
serves a fixed six-hour history (tests/report/dataset.py) backfilled with promtool: the JSON
report equals the stored one, its numbers follow from the dataset, and the outputs are the same
bytes on a second run."""

import json
import os
import shutil
import subprocess

import pytest

from tests.conftest import REPO
from tests.helpers.servers import start_prometheus
from tests.report import dataset

pytestmark = [pytest.mark.e2e, pytest.mark.tools]

HERE = REPO / "tests" / "report"
EXPECTED = HERE / "expected" / "report.json"
PERIOD = ["--from", "2026-01-05T00:00:00Z", "--to", "2026-01-05T06:00:00Z"]


@pytest.fixture(scope="module")
def prom(tmp_path_factory):
    if shutil.which("promtool") is None:
        pytest.skip("promtool is not installed")
    handle = start_prometheus(tmp_path_factory.mktemp("prom"), extra_args=["--storage.tsdb.retention.time=100y"])
    try:
        handle.stop()
        om = handle.workdir / "history.om"
        om.write_text(dataset.openmetrics())
        subprocess.run(
            ["promtool", "tsdb", "create-blocks-from", "openmetrics", str(om), str(handle.workdir / "data")], check=True, capture_output=True, timeout=120
        )
        handle.restart()
        yield handle
    finally:
        handle.stop()
        handle.cleanup()


@pytest.fixture(scope="module")
def specs(tmp_path_factory):
    d = tmp_path_factory.mktemp("specs")
    shutil.copy(HERE / "spec.yaml", d / "spec.yaml")
    shutil.copy(HERE / "registry.yaml", d / "registry.yaml")
    (d / "baselines").mkdir()
    shutil.copy(REPO / "specs" / "baselines" / "fraud-detector.yaml", d / "baselines")
    return d


def _report(run_mlmon, prom, specs, out, *extra):
    return run_mlmon("report", ".", "--prometheus", prom.url, *PERIOD, "-o", out, *extra, cwd=specs)


def _normalised(text, prom):
    return text.replace(prom.url, "http://127.0.0.1:PORT")


def test_report_is_the_expected_one_and_deterministic(prom, specs, tmp_path, run_mlmon):
    r = _report(run_mlmon, prom, specs, tmp_path / "a")
    assert r.returncode == 0, r.stderr
    got = _normalised((tmp_path / "a" / "report.json").read_text(), prom)
    if os.environ.get("MLMON_UPDATE_GOLDEN") == "1":
        EXPECTED.parent.mkdir(exist_ok=True)
        EXPECTED.write_text(got)
    assert got == EXPECTED.read_text()
    assert _report(run_mlmon, prom, specs, tmp_path / "b").returncode == 0
    for f in sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file()):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f


def test_numbers_follow_from_the_dataset(prom, specs, tmp_path, run_mlmon):
    assert _report(run_mlmon, prom, specs, tmp_path, "--formats", "json").returncode == 0
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["report"]["spec_revision"]["kind"] == "sha256" and report["report"]["spec_revision"]["files"] == ["spec.yaml"]
    fd = next(m for m in report["models"] if m["id"] == "fraud-detector")
    (slo,) = fd["slos"]
    # errors: 0.1% of 600/min, 1% during one hour of six -> 0.25% of all predictions, half the budget
    assert slo["attainment_percent"] == pytest.approx(99.75, abs=0.005) and slo["budget_spent"] == pytest.approx(0.5, abs=0.01)
    assert slo["budget_remaining_at_end"] == pytest.approx(0.8) and slo["met"] is True
    drift = {f["feature"]: f for f in fd["drift"]}
    assert drift["amount"]["firing_seconds"] == 25 * 60 and [i["severity"] for i in drift["amount"]["incidents"]] == ["critical", "warning"]
    assert drift["amount"]["max_score"] == 0.3 and drift["country"]["firing_seconds"] == 15 * 60 and drift["hour"]["incidents"] == []
    assert {c["check"]: (c["worst"], c["met"]) for c in fd["fairness"]["checks"]} == {
        "demographic_parity_ratio": (0.7, False),
        "equal_opportunity_difference": (0.04, True),
    }
    assert {p["metric"]: (p["min"], p["met"]) for p in fd["performance"]["metrics"]} == {"recall": (0.78, False), "fpr": (0.02, True)}
    # against the training figures: v1 trained at recall 0.9, v2 has none recorded
    assert [(v["version"], v["avg"], v["training"], v["vs_training"]) for v in fd["performance"]["by_version"]] == [
        ("v1", 0.85, 0.9, pytest.approx(-0.05)),
        ("v2", 0.8, None, None),
    ]
    t0 = dataset.T0
    assert fd["versions"] == [
        {"version": "v1", "stage": "production", "first_seen": t0, "last_seen": t0 + 179 * 60},
        {"version": "v2", "stage": "canary", "first_seen": t0 + 150 * 60, "last_seen": t0 + 179 * 60},
        {"version": "v2", "stage": "production", "first_seen": t0 + 180 * 60, "last_seen": t0 + 6 * 3600},
    ]
    burn = next(a for a in fd["alerts"] if a["alertname"] == "MLModelSLOBurnRate")
    assert (burn["fired"], burn["firing_seconds"], burn["receivers"]) == (1, 30 * 60, ["risk-ml-pagerduty", "risk-ml-slack"])
    assert fd["cost"]["spend_usd"] == pytest.approx(12) and fd["cost"]["period_budget_usd"] == pytest.approx(1000 * 6 / 730.5, rel=1e-5)
    assert fd["within_policy"] is False and len(fd["findings"]) == 6
    churn = next(m for m in report["models"] if m["id"] == "churn")
    assert [(s["name"], s["met"]) for s in churn["slos"]] == [("availability", True), ("latency", None)]


def test_markdown_html_exit_code_and_model_filter(prom, specs, tmp_path, run_mlmon):
    r = _report(run_mlmon, prom, specs, tmp_path, "--model", "fraud-detector", "--exit-code")
    assert r.returncode == 1, r.stderr  # fraud-detector did not stay within policy
    md = (tmp_path / "report.md").read_text()
    assert "## churn" not in md and "**Within policy: no**" in md
    refs = [line.rsplit("](", 1)[1].rstrip(")") for line in md.splitlines() if line.startswith("![")]
    assert len(refs) == 6 and all((tmp_path / ref).read_text().startswith("<svg") for ref in refs)
    html = (tmp_path / "report.html").read_text()
    assert html.count("<svg") == 6 and "<table>" in html and "MLModelSLOBurnRate" in html
    assert run_mlmon("report", ".", "--prometheus", prom.url, "--from", "now", "--to", "now-1d", cwd=specs).returncode == 2


def test_the_dataset_holds_what_the_generated_rules_record(specs, tmp_path, run_mlmon):
    """The history imitates the rules' output: every recorded name in it is one the generated
    rules record, with the labels they give it, so the report reads what a real server holds."""
    import yaml

    assert run_mlmon("generate", ".", "-o", tmp_path / "gen", cwd=specs).returncode == 0
    recorded = {}
    for f in sorted((tmp_path / "gen" / "prometheus" / "rules").glob("*.yml")):
        for g in yaml.safe_load(f.read_text())["groups"]:
            for r in g["rules"]:
                if "record" in r:
                    recorded.setdefault(r["record"], set()).add(tuple(sorted(r.get("labels", {}))))
    raw = {"mlmon_predictions_total", "mlmon_prediction_errors_total", "mlmon_model_info", "ALERTS"}
    names = {line.split("{", 1)[0].split(" ", 1)[0] for line in dataset.openmetrics().splitlines() if not line.startswith("#")}
    assert names - raw <= set(recorded), names - raw - set(recorded)
    for name in names - raw:
        # training figures from the registry file are constants that carry their version and metric
        assert ("model",) in recorded[name] or ("model", "slo") in recorded[name] or ("metric", "model", "version") in recorded[name], name


def test_preview_from_the_live_prometheus(prom, specs, tmp_path, run_mlmon):
    assert run_mlmon("generate", ".", "-o", tmp_path / "gen", cwd=specs).returncode == 0
    r = run_mlmon("preview", tmp_path / "gen", "--prometheus", prom.url, *PERIOD, "--dashboard", "fraud-detector", "-o", tmp_path / "out")
    assert r.returncode == 0, r.stderr
    html = (tmp_path / "out" / "fraud-detector.html").read_text()
    budget = html.split("availability: error budget remaining", 1)[1].split("</section>", 1)[0]
    assert ">80%<" in budget  # the gauge's last value: 100 * 0.8
    drift = html.split("Feature drift", 1)[1].split("</section>", 1)[0]
    assert drift.count("<polyline") >= 4
