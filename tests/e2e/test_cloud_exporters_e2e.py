"""A real Prometheus on 127.0.0.1 scrapes the exporters through the jobs mlmon writes for the
spec's ``exporters:`` (static targets; azure-metrics-exporter's probe parameters), each exporter
played by a local HTTP server serving a payload in its exact format
(``tests/fixtures/upstream/cloud-exporters``), and evaluates the generated signal rules: the cloud
presets' normalised requests, error ratio, latency and replicas come out right."""

from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from mlmon import pipeline
from tests.helpers.servers import serve_text, start_prometheus

pytestmark = pytest.mark.e2e

PAYLOADS = Path(__file__).resolve().parents[1] / "fixtures" / "upstream" / "cloud-exporters"


def serve(payload: str, seen: list[str]) -> tuple[ThreadingHTTPServer, int]:
    """Serve ``payload``; asked for ``metric`` parameters (azure-metrics-exporter's probes), only
    the series of those metrics, as the exporter answers one probe."""

    def body(path: str) -> str:
        asked = [m.lower() for m in urllib.parse.parse_qs(urllib.parse.urlsplit(path).query).get("metric", [])]
        if not asked:
            return payload
        lines = [x for x in payload.splitlines() if not x.startswith("#") and any(f"_{m}_" in x.split("{")[0] for m in asked)]
        return "\n".join(lines) + "\n"

    def answer(path: str) -> str:
        seen.append(path)
        return body(path)

    return serve_text(answer)


SPEC = """\
apiVersion: mlmon/v1
kind: MonitoringSpec
metadata: {{name: clouds}}
defaults: {{evaluation_interval: 2s}}
routing:
  teams:
    t: {{slack: {{channel: "#t", api_url_file: /etc/alertmanager/secrets/slack}}}}
exporters:
  yace: {{targets: ["127.0.0.1:{yace}"], scrape_interval: 1s}}
  azure-metrics: {{targets: ["127.0.0.1:{azure}"], scrape_interval: 1s, params: {{subscription: ["00000000-0000-0000-0000-000000000000"]}}}}
models:
  - id: churn
    team: t
    serving: {{preset: sagemaker, match: {{dimension_EndpointName: churn-prod}}}}
  - id: fraud-az
    team: t
    serving: {{preset: azureml}}
"""


def query(url: str, expr: str) -> float | None:
    with urllib.request.urlopen(f"{url}/api/v1/query?" + urllib.parse.urlencode({"query": expr}), timeout=5) as r:
        result = json.load(r)["data"]["result"]
    return float(result[0]["value"][1]) if result else None


def test_prometheus_scrapes_the_exporter_jobs_and_records_the_cloud_signals(tmp_path: Path) -> None:
    yace_seen: list[str] = []
    azure_seen: list[str] = []
    yace, yport = serve((PAYLOADS / "yace-sagemaker.prom").read_text(), yace_seen)
    azure, aport = serve((PAYLOADS / "azure-metrics-azureml.prom").read_text(), azure_seen)
    try:
        spec, diags = pipeline.check({"clouds.yaml": SPEC.format(yace=yport, azure=aport)})
        assert spec is not None, diags
        files = pipeline.render(spec, dashboards=False)
        rules = {Path(p).name: t for p, t in files.items() if p.startswith("prometheus/rules/") and p.endswith(".infra.rules.yml")}
        config = files["prometheus/prometheus.yml"].replace("rules/*.rules.yml", "mlmon/rules/*.rules.yml")
        expected = {
            'mlmon_model:requests:rate5m{model="churn"}': 3.0,  # 180 invocations per 60s period
            'mlmon_model:errors:ratio_rate5m{model="churn"}': 0.05,
            'mlmon_model:latency_seconds:mean5m{model="churn"}': 0.045,  # 45000 µs
            'mlmon_model:requests:rate5m{model="fraud-az"}': 10.0,  # 600 requests per minute
            'mlmon_model:errors:ratio_rate5m{model="fraud-az"}': 0.03,
            'mlmon_model:replicas:count{model="fraud-az"}': 3.0,
            'up{job="mlmon-exporter-yace"}': 1.0,
            'up{job="mlmon-exporter-azure-metrics-requests"}': 1.0,
        }
        with start_prometheus(tmp_path / "prom", config=config, rules=rules) as prom:
            got: dict[str, float | None] = {}
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                got = {e: query(prom.url, e) for e in expected}
                if all(v is not None and abs(v - expected[e]) < 1e-9 for e, v in got.items()):
                    break
                time.sleep(1)
        assert got == pytest.approx(expected, abs=1e-9), got
        probes = [urllib.parse.parse_qs(urllib.parse.urlsplit(p).query) for p in azure_seen]
        assert {urllib.parse.urlsplit(p).path for p in azure_seen} == {"/probe/metrics/list"}
        assert {q["metric"][0] for q in probes} >= {"RequestsPerMinute", "CpuUtilizationPercentage"}
        assert all(q["subscription"] == ["00000000-0000-0000-0000-000000000000"] for q in probes)
        assert yace_seen and all(p == "/metrics" for p in yace_seen)
    finally:
        yace.shutdown()
        azure.shutdown()
