"""`mlmon gate` against a real Prometheus on 127.0.0.1, holding 40 minutes of two-version traffic
backfilled with `promtool tsdb create-blocks-from openmetrics` (no waiting for scrapes): a healthy
candidate passes (0), a failing one fails (1), a starved one is inconclusive (4), and usage, spec
and HTTP problems exit 2."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import need_tool
from tests.helpers.servers import free_port, start_prometheus
from tests.helpers.specs import spec

pytestmark = pytest.mark.e2e

MINUTES = 40
STEP = 15
CANARY = "    canary: {label: version, baseline: v3, candidate: v4, min_samples: 200, quality: {window: 30m, min_labels: 100}}\n"
MODELS = "".join(f"  - id: {m}\n    team: risk-ml\n    serving: {{targets: ['{m}:8080']}}\n" + CANARY for m in ("good", "bad", "thin"))
MODELS += "  - id: plain\n    team: risk-ml\n    serving: {targets: ['plain:8080']}\n"
LES = ("0.05", "0.1", "0.25", "+Inf")


def traffic(model: str, version: str, rps: float, error_share: float) -> list[tuple[str, dict[str, str], float]]:
    """(metric, labels, increase per second) of one version: requests, errors, a latency and a score
    histogram (every request in the 0.1 bucket) and outcomes (80% right)."""
    lab = {"model": model, "version": version}
    out = [("mlmon_predictions_total", lab, rps), ("mlmon_prediction_errors_total", {**lab, "reason": "exception"}, rps * error_share)]
    for name in ("mlmon_prediction_latency_seconds", "mlmon_prediction_score"):
        out += [(f"{name}_bucket", {**lab, "le": le}, 0.0 if le == "0.05" else rps) for le in LES]
    out += [("mlmon_outcomes_total", {**lab, "outcome": o}, share) for o, share in (("tp", 0.4), ("fn", 0.1), ("tn", 0.4), ("fp", 0.1))]
    return out


def openmetrics(now: int) -> str:
    series = []
    for model, cand_rps, cand_errors in (("good", 2.0, 0.001), ("bad", 2.0, 0.05), ("thin", 0.1, 0.001)):
        series += traffic(model, "v3", 2.0, 0.001) + traffic(model, "v4", cand_rps, cand_errors)
    start = now - MINUTES * 60
    lines = []
    for name, labels, per_s in series:  # one series after the other: samples of a series in time order
        text = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
        lines += [f"{name}{{{text}}} {per_s * (t - start):.6f} {t}" for t in range(start, now + 1, STEP)]
    return "\n".join(lines) + "\n# EOF\n"


@pytest.fixture(scope="module")
def prom(tmp_path_factory):
    need_tool("promtool")
    root = tmp_path_factory.mktemp("gate")
    handle = start_prometheus(root / "prom")
    try:
        handle.stop()
        (root / "series.om").write_text(openmetrics(int(time.time())))
        r = subprocess.run(
            ["promtool", "tsdb", "create-blocks-from", "openmetrics", str(root / "series.om"), str(handle.workdir / "data")],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert r.returncode == 0, r.stdout + r.stderr
        handle.start()
        (root / "spec.yaml").write_text(spec(MODELS))
        yield handle.url, root / "spec.yaml"
    finally:
        handle.cleanup()


def gate(run_mlmon, spec_file: Path, *args: str, env: dict | None = None):
    return run_mlmon("gate", spec_file, *args, env=env)


def test_a_healthy_candidate_passes(prom, run_mlmon):
    url, spec_file = prom
    r = gate(run_mlmon, spec_file, "--model", "good", "--prometheus", url)
    assert r.returncode == 0, r.stdout + r.stderr
    rows = {line.split()[0]: line.split()[-1] for line in r.stdout.splitlines()[2:-1]}
    assert rows == {"samples": "pass", "error_ratio": "pass", "latency": "pass", "prediction_drift": "pass", "quality": "pass"}
    assert r.stdout.splitlines()[-1] == "result: pass (exit 0)"


def test_a_failing_candidate_fails_and_json_has_the_numbers(prom, run_mlmon):
    url, spec_file = prom
    r = gate(run_mlmon, spec_file, "--model", "bad", "--format", "json", env={"MLMON_PROMETHEUS_URL": url})
    assert r.returncode == 1, r.stdout + r.stderr
    data = json.loads(r.stdout)
    checks = {c["check"]: c for c in data["checks"]}
    assert data["outcome"] == "fail" and data["exit_code"] == 1 and (data["baseline"], data["candidate"]) == ("v3", "v4")
    assert checks["error_ratio"]["verdict"] == "fail"
    assert checks["error_ratio"]["candidate"] == pytest.approx(0.05) and checks["error_ratio"]["baseline"] == pytest.approx(0.001)
    assert checks["samples"]["baseline"] == pytest.approx(1200) and checks["latency"]["verdict"] == "pass"
    assert 'version="v4"' in data["queries"]["error_ratio:candidate"]


def test_a_starved_candidate_is_inconclusive_even_after_waiting(prom, run_mlmon):
    url, spec_file = prom
    r = gate(run_mlmon, spec_file, "--model", "thin", "--prometheus", url, "--wait", "10s", "--interval", "2s")
    assert r.returncode == 4, r.stdout + r.stderr
    assert "too few samples" in r.stdout and "result: inconclusive (exit 4)" in r.stdout
    assert "asking again" in r.stderr


def test_the_label_values_can_be_given_at_the_step(prom, run_mlmon):
    url, spec_file = prom
    r = gate(run_mlmon, spec_file, "--model", "bad", "--prometheus", url, "--baseline", "v4", "--candidate", "v3")
    assert r.returncode == 0, r.stdout + r.stderr  # the old version judged against the failing one: better, passes
    r = gate(run_mlmon, spec_file, "--model", "good", "--prometheus", url, "--candidate", "v9")
    assert r.returncode == 4 and "version=v9" in r.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (("--model", "nope"), "no model 'nope'"),
        (("--model", "plain"), "has no canary section"),
        (("--model", "good", "--wait", "soon"), "--wait"),
    ],
)
def test_usage_problems_exit_2(prom, run_mlmon, args, message):
    url, spec_file = prom
    r = gate(run_mlmon, spec_file, *args, "--prometheus", url)
    assert r.returncode == 2 and message in r.stderr, r.stderr


def test_unreachable_prometheus_and_spec_errors_exit_2(prom, run_mlmon, tmp_path):
    _, spec_file = prom
    r = gate(run_mlmon, spec_file, "--model", "good", "--prometheus", f"http://127.0.0.1:{free_port()}", "--timeout", "2")
    assert r.returncode == 2 and "prometheus at http://127.0.0.1" in r.stderr and "connection refused" in r.stderr
    r = gate(run_mlmon, spec_file, "--model", "good")
    assert r.returncode == 2 and "MLMON_PROMETHEUS_URL" in r.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text(spec_file.read_text().replace("min_samples: 200", "min_samples: many"))
    r = gate(run_mlmon, bad, "--model", "good", "--prometheus", "http://127.0.0.1:1")
    assert r.returncode == 2 and "[MLM103]" in r.stderr and "spec has errors" in r.stderr
