"""The cloud presets: every metric name re-derived the way the exporter derives it (ports of
YACE's BuildMetricName/PromString, stackdriver_exporter's normalizeMetricName and
azure-metrics-exporter's template naming, each checked against the exporter's own test or
documented output), and the normalised signals computed by the real promtool from exporter
payloads (``tests/fixtures/upstream/cloud-exporters``, provenance in PROVENANCE.md)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from mlmon import conventions as C
from mlmon import presets as P
from mlmon.artifacts import ExprCheck, RuleGroup, RuleTest
from mlmon.monitors import testkit as K
from mlmon.presets import cloud
from mlmon.presets import signals as S
from tests.presets.promtool_util import assert_promtool_passes

PAYLOADS = Path(__file__).resolve().parents[1] / "fixtures" / "upstream" / "cloud-exporters"


# --- YACE (pkg/promutil/prometheus.go, migrate.go) ---------------------------------------------------------
def prom_string(text: str) -> str:
    out, prev = [], ""
    for c in text:
        if c in " ,\t/\\.-:=@<>()“":
            out.append("_")
        elif c == "%":
            out.append("_percent")
        else:
            if c.isupper() and (prev.islower() or prev.isdigit()):
                out.append("_")
            out.append(c.lower())
        prev = c
    return "".join(out)


def yace_name(namespace: str, metric: str, statistic: str) -> str:
    ns = prom_string(namespace[1:].lower() if namespace.startswith("/") else namespace.lower())
    name = ("" if ns.startswith("aws") else "aws_") + ns + "_"
    m, skip = prom_string(metric), 0
    for part in ns.split("_"):
        if m[skip:].startswith(part):
            skip = len(part)
    return name + m[skip:].removeprefix("_") + ("_" + prom_string(statistic) if statistic else "")


@pytest.mark.parametrize(
    ("namespace", "metric", "statistic", "expected"),
    [  # YACE's own cases: TestBuildMetricName (migrate_test.go) and TestUpdateMetrics (exporter_test.go)
        ("AWS/ElastiCache", "CPUUtilization", "Average", "aws_elasticache_cpuutilization_average"),
        ("/aws/sagemaker/TrainingJobs", "CPUUtilization", "Average", "aws_sagemaker_trainingjobs_cpuutilization_average"),
        ("Glue", "glue.driver.aggregate.bytesRead", "Average", "aws_glue_driver_aggregate_bytes_read_average"),
        ("Glue", "aggregate.glue.jobs.bytesRead", "Average", "aws_glue_aggregate_glue_jobs_bytes_read_average"),
        ("AWS/EC2", "CPUUtilization", "Average", "aws_ec2_cpuutilization_average"),
    ],
)
def test_yace_naming_port_matches_yace(namespace: str, metric: str, statistic: str, expected: str) -> None:
    assert yace_name(namespace, metric, statistic) == expected


def test_yace_port_names_the_recorded_upstream_payload() -> None:
    (line,) = [x for x in (PAYLOADS / "yace-ec2.prom").read_text().splitlines() if not x.startswith("#")]
    assert line.startswith(yace_name("AWS/EC2", "CPUUtilization", "Average") + "{")


def source_names(p: P.Preset) -> set[str]:
    out = {c.name for c in (*p.requests_src, *p.errors_src)}
    for src in p.signals.values():
        out |= set(getattr(src, "names", ()))
    if p.latency is not None:
        out.add(p.latency.name)
    return out


def test_sagemaker_and_billing_names_are_yaces() -> None:
    ns, ep = "AWS/SageMaker", "/aws/sagemaker/Endpoints"
    expected = {
        yace_name(ns, "Invocations", "Sum"),
        yace_name(ns, "Invocation5XXErrors", "Sum"),
        yace_name(ns, "ModelLatency", "Average"),
        yace_name(ep, "CPUUtilization", "Average"),
        yace_name(ep, "MemoryUtilization", "Average"),
        yace_name(ep, "GPUUtilization", "Average"),
        yace_name(ep, "GPUMemoryUtilization", "Average"),
    }
    assert source_names(cloud.SAGEMAKER) == expected
    assert yace_name(ns, "Invocation5XXErrors", "Sum") == "aws_sagemaker_invocation5_xxerrors_sum"  # not ..._5xx_errors_...
    assert source_names(cloud.AWS_BILLING) == {yace_name("AWS/Billing", "EstimatedCharges", "Maximum")}


# --- stackdriver_exporter (collectors/monitoring_metrics.go, github.com/fatih/camelcase v1.0.0) -------------
def camel_split(src: str) -> list[str]:
    def cls(r: str) -> int:
        return 1 if r.islower() else 2 if r.isupper() else 3 if unicodedata.category(r) == "Nd" else 4

    runs: list[list[str]] = []
    last = 0
    for r in src:
        c = cls(r)
        if c == last:
            runs[-1].append(r)
        else:
            runs.append([r])
        last = c
    for i in range(len(runs) - 1):
        if runs[i][0].isupper() and runs[i + 1][0].islower():
            runs[i + 1].insert(0, runs[i].pop())
    return ["".join(r) for r in runs if r]


def normalize(name: str) -> str:
    parts = []
    for word in camel_split(name):
        safe = re.sub(r"[^a-zA-Z0-9_]*$", "_", word, count=1).strip("_").lower().strip()
        if safe:
            parts.append(safe)
    return "_".join(parts)


def stackdriver_name(resource: str, metric_type: str) -> str:
    return f"stackdriver_{normalize(resource)}_{normalize(metric_type)}"


def test_stackdriver_port_matches_its_test() -> None:
    assert normalize("This_is__a-MetricName.Example/with:0totals") == "this_is_a_metric_name_example_with_0_totals"


def test_vertex_names_are_stackdriver_exporters() -> None:
    r, m = "aiplatform.googleapis.com/Endpoint", "aiplatform.googleapis.com/prediction/online/"
    expected = {
        stackdriver_name(r, m + x)
        for x in (
            "response_count",
            "prediction_latencies",
            "cpu/utilization",
            "memory/bytes_used",
            "accelerator/duty_cycle",
            "accelerator/memory/bytes_used",
            "replicas",
        )
    }
    assert source_names(cloud.VERTEX_AI) == expected


# --- azure-metrics-exporter (metrics/insights.general.go) -------------------------------------------------
def azure_name(template: str, name: str, metric: str, aggregation: str, unit: str) -> str:
    out = template.replace("{name}", name).replace("{metric}", metric).replace("{aggregation}", aggregation).replace("{unit}", unit)
    out = re.sub(r"[-/. ]", "_", out).lower()
    return re.sub(r"[^a-zA-Z0-9_:]", "", out)


def test_azure_port_names_the_readme_payload() -> None:
    names = {x.split("{")[0] for x in (PAYLOADS / "azure-metrics-keyvault.prom").read_text().splitlines() if not x.startswith("#")}
    t = "{name}_{metric}_{aggregation}_{unit}"
    assert names == {
        azure_name(t, "azure_metric_keyvault", "ServiceApiLatency", "average", "Milliseconds"),
        azure_name(t, "azure_metric_keyvault", "ServiceApiHit", "total", "Count"),
    }


def test_azureml_names_are_what_mlmons_probes_produce() -> None:
    from mlmon.presets.exporters import EXPORTERS

    probes = EXPORTERS["azure-metrics"].probes
    (template,) = probes[0].params["template"]
    (name,) = probes[0].params["name"]
    units = {"RequestsPerMinute": "Count", "RequestLatency": "MilliSeconds", "DeploymentCapacity": "Count"}
    asked = {m for p in probes for m in p.params["metric"]}
    produced = {azure_name(template, name, m, "average", units.get(m, "Percent")) for m in asked}
    assert source_names(cloud.AZUREML) <= produced


# --- payloads through the real promtool -----------------------------------------------------------------
def payload_series(file: str, minutes: int = 30) -> tuple[tuple[str, str], ...]:
    """Each sample of an exposition payload, held for ``minutes`` (the exporter serves it again at every scrape)."""
    out = []
    for line in (PAYLOADS / file).read_text().splitlines():
        if line and not line.startswith("#"):
            series, value = line.rsplit(" ", 1)
            out.append((series, f"{value}+0x{minutes}"))
    return tuple(out)


def cloud_model(preset: str, match: dict[str, str] | None = None, mid: str = "m"):
    from types import SimpleNamespace as NS

    return NS(id=mid, serving=NS(preset=preset, match=match or {}, overrides={}, targets=()))


def check(model_id: str, name: str, value: float, **extra: str) -> ExprCheck:
    return K.exact_check(S.rec(model_id, name, extra or None), "25m", value)


@pytest.mark.parametrize(
    ("file", "preset", "match", "mid", "expected"),
    [
        (
            "yace-sagemaker.prom",
            "sagemaker",
            {"dimension_EndpointName": "churn-prod"},
            "churn",
            # 180 invocations per 60s period, 9 of them 5xx; 45 ms; memory 62.5%, CPU 35% (one core)
            {C.REQUESTS_RATE: 3.0, C.ERRORS_RATE: 0.15, C.ERROR_RATIO: 0.05, C.LATENCY_MEAN: 0.045, C.MEMORY_RATIO: 0.625, C.CPU_UTILIZATION: 0.35},
        ),
        (
            "azure-metrics-azureml.prom",
            "azureml",
            None,
            "fraud-az",
            # 600 requests per minute (570 2xx, 12 4xx, 18 5xx); 85 ms; 3 instances
            {
                C.REQUESTS_RATE: 10.0,
                C.ERRORS_RATE: 0.3,
                C.ERROR_RATIO: 0.03,
                C.LATENCY_MEAN: 0.085,
                C.CPU_UTILIZATION: 0.4,
                C.MEMORY_RATIO: 0.71,
                C.REPLICAS: 3.0,
            },
        ),
        ("stackdriver-vertex.prom", "vertex-ai", {"endpoint_id": "1234567890"}, "ranker", {C.REPLICAS: 2.0, C.CPU_UTILIZATION: 0.42}),
    ],
)
def test_payload_gives_the_normalised_signals(tmp_path: Path, file: str, preset: str, match, mid: str, expected: dict[str, float]) -> None:
    model = cloud_model(preset, match, mid)
    rules = S.signal_rules(model, None)
    test = RuleTest(f"{file} -> {preset} signals", "1m", payload_series(file), (), tuple(check(mid, k, v) for k, v in expected.items()))
    assert_promtool_passes(tmp_path, [RuleGroup("signals", tuple(rules))], [test])


def test_vertex_counters_give_rates(tmp_path: Path) -> None:
    """stackdriver_exporter with --monitoring.aggregate-deltas serves the DELTA counts as counters."""
    model = cloud_model("vertex-ai", {"endpoint_id": "1234567890"}, "ranker")
    labels = 'deployed_model_id="8812345",endpoint_id="1234567890",location="europe-west4",resource_container="ml-prod",unit="1"'
    name = cloud.VERTEX + "response_count"
    inputs = ((f'{name}{{{labels},response_code="200"}}', "0+570x30"), (f'{name}{{{labels},response_code="503"}}', "0+30x30"))
    test = RuleTest("vertex rates", "1m", inputs, (), (check("ranker", C.REQUESTS_RATE, 10.0), check("ranker", C.ERROR_RATIO, 0.05)))
    assert_promtool_passes(tmp_path, [RuleGroup("signals", tuple(S.signal_rules(model, None)))], [test])


def test_bill_split_by_traffic(tmp_path: Path) -> None:
    """The AWS bill's month-to-date charges rise 48 USD a day (2 USD/h); churn-prod serves 3 of
    the account's 4 invocations per second: its share is 1.5 USD/h. The charges' monthly reset
    (at 25h) reads as a counter reset, not a negative cost."""
    from types import SimpleNamespace as NS

    model = cloud_model("sagemaker", {"dimension_EndpointName": "churn-prod"}, "churn")
    placement = S.Placement(exporters=("aws-billing",))
    bill = (
        'aws_billing_estimated_charges_maximum{account_id="123456789012",dimension_Currency="USD",dimension_ServiceName="AmazonSageMaker",region="us-east-1"}'
    )
    inv = 'aws_sagemaker_invocations_sum{account_id="123456789012",dimension_EndpointName="%s",region="eu-west-1"}'
    inputs = (
        (bill, "100+2x24 2+2x22"),  # hourly samples: +2 USD/h; a new month at 25h starts again from the hour's 2 USD
        (inv % "churn-prod", "180+0x48"),
        (inv % "other", "60+0x48"),
    )
    rules = [r for r in S.signal_rules(NS(**vars(model)), placement) if r.record in (C.REQUESTS_RATE, C.CLOUD_BILL_HOURLY)]
    assert any(r.record == C.CLOUD_BILL_HOURLY for r in rules)
    checks = (K.exact_check(S.rec("churn", C.CLOUD_BILL_HOURLY), "24h", 1.5), K.exact_check(S.rec("churn", C.CLOUD_BILL_HOURLY), "47h", 1.5))
    assert_promtool_passes(tmp_path, [RuleGroup("signals", tuple(rules), "1h")], [RuleTest("bill share", "1h", inputs, (), checks)], "1h")


def test_serving_overrides_period_rescales_the_counts() -> None:
    p = P.get("sagemaker").with_overrides({"period": "5m"})
    assert "* 0.0033333333333333335" in p.requests_rate("x", "5m")
    assert P.get("sagemaker").requests_src[0].period == 60.0


LINT_HEAD = """\
apiVersion: mlmon/v1
kind: MonitoringSpec
metadata: {name: c}
routing:
  teams:
    t: {slack: {channel: "#t", api_url_file: /etc/alertmanager/secrets/slack}}
models:
  - id: churn
    team: t
    serving: {preset: sagemaker, match: {dimension_EndpointName: churn-prod}}
"""


def lint(section: str) -> list[str]:
    from mlmon import pipeline

    return [f"{d.code} {d.severity.name} {d.message}" for d in pipeline.check({"c.yaml": LINT_HEAD + section})[1]]


def test_lint_cloud_delay_and_bill() -> None:
    assert lint("    infra: {no_data_for: 5m}\n") == [
        "MLM327 WARNING models[0].infra.no_data_for: 5m is shorter than the 10m YACE (yet-another-cloudwatch-exporter), AWS CloudWatch data can be late"
    ]
    assert lint("    infra: {no_data_for: 15m}\n") == []
    bill = lint("    cost: {source: cloud_bill}\n")
    assert [d.split(" ")[0] for d in bill] == ["MLM329"]
    assert lint("    infra: {exporters: [aws-billing]}\n    cost: {source: cloud_bill, hourly_usd_per_replica: 2}\n") == [
        "MLM210 WARNING models[0].cost.hourly_usd_per_replica: 'hourly_usd_per_replica' is ignored with source: cloud_bill "
        "(the cloud bill's share of the model (by its traffic) gives the cost)"
    ]
