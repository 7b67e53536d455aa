"""Presets of the managed model endpoints of the three clouds, read through the exporters
Prometheus users run (data only): SageMaker through YACE, Azure Machine Learning online endpoints
through azure-metrics-exporter, Vertex AI endpoints through stackdriver_exporter; and the AWS bill
through YACE.

Cloud monitoring services aggregate per period and publish late, so the sources here differ from
the frameworks' counters: CloudWatch's ``Sum`` of a period and Azure Monitor's per-minute counts
are gauges whose rate is ``avg_over_time(...) / period`` (``Counter.period``); gauges are read with
``last_over_time`` over a range longer than the exporter's delay (``Gauge.lookback``).

Metric names are derived exactly as the exporters derive them (YACE's ``BuildMetricName`` and
``PromString``: ``Invocation5XXErrors`` -> ``invocation5_xxerrors``; stackdriver_exporter's
``normalizeMetricName``); ``tests/presets/test_cloud.py`` re-derives every name from the upstream
metric and checks it.
"""

from __future__ import annotations

from mlmon.presets.dialect import Preset
from mlmon.presets.exporters import AZURE_NAME
from mlmon.presets.sources import Counter, Gauge, Histogram

MINUTE = 60.0
LOOKBACK = "10m"  # gauges: the last sample within this range (cloud samples arrive late and sparse)

# --- AWS SageMaker real-time endpoints (YACE; namespaces AWS/SageMaker and /aws/sagemaker/Endpoints) ----------
SAGEMAKER = Preset(
    name="sagemaker",
    title="Amazon SageMaker endpoints (CloudWatch via YACE)",
    model_label="dimension_EndpointName",
    exporter="yace",
    requests_src=(Counter(("aws_sagemaker_invocations_sum",), period=MINUTE),),
    errors_src=(Counter(("aws_sagemaker_invocation5_xxerrors_sum",), period=MINUTE),),
    signals={
        "latency_mean": Gauge(("aws_sagemaker_model_latency_average",), 1e-6, "avg", lookback=LOOKBACK),
        "cpu_util": Gauge(("aws_sagemaker_endpoints_cpuutilization_average",), 0.01, "avg", lookback=LOOKBACK),
        "mem_ratio": Gauge(("aws_sagemaker_endpoints_memory_utilization_average",), 0.01, "max", lookback=LOOKBACK),
        "gpu_util": Gauge(("aws_sagemaker_endpoints_gpuutilization_average",), 0.01, "avg", lookback=LOOKBACK),
        "gpu_mem_ratio": Gauge(("aws_sagemaker_endpoints_gpumemory_utilization_average",), 0.01, "max", lookback=LOOKBACK),
    },
    docs="SageMaker real-time endpoints: invocations, 5xx errors and model latency from `AWS/SageMaker`, instance "
    "utilisation from `/aws/sagemaker/Endpoints`, as YACE exports them (`aws_<namespace>_<metric>_<statistic>`, "
    "dimensions as `dimension_<name>` labels).",
    source="prometheus-community/yet-another-cloudwatch-exporter:pkg/promutil/migrate.go (BuildMetricName), "
    "pkg/config/services.go@1a0ddb1e; AWS SageMaker docs: monitoring-cloudwatch",
    notes=(
        "YACE must export `Invocations` and `Invocation5XXErrors` with statistic `Sum`, `ModelLatency` with `Average`, "
        "and the `/aws/sagemaker/Endpoints` utilisations with `Average`, with `nilToZero: true` (without it a period "
        "without invocations is NaN, which no alert can compare).",
        "Counts are the `Sum` of a period (default 60s, SageMaker's resolution): requests/s = avg_over_time(sum) / "
        "period. Set `serving.overrides.period` to the YACE job's `period` when it differs.",
        "`ModelLatency` is in microseconds (x 1e-6); there are no quantiles, so latency checks use the mean and no latency SLI is possible.",
        "`CPUUtilization` and `GPUUtilization` are summed over the instance's cores and GPUs (0-100 x count): the "
        "default scale 0.01 is right for one GPU; with N set `serving.overrides.scales.gpu_util` to 0.01/N (the same for CPU).",
        "`Invocation4XXErrors` (client errors) are not errors of the model and are not counted.",
        "Select the endpoint with `serving.match: {dimension_EndpointName: <name>}` (default: the model id); add "
        "`dimension_VariantName` for one production variant.",
    ),
)

# --- AWS bill (YACE, namespace AWS/Billing, us-east-1 only) ----------------------------------------------------
AWS_BILLING = Preset(
    name="aws-billing",
    title="AWS estimated charges (CloudWatch billing via YACE)",
    kind="exporter",
    exporter="yace",
    signals={
        "cost_bill": Gauge(("aws_billing_estimated_charges_maximum",), match='dimension_Currency="USD"', scope="bill"),
    },
    docs="The month-to-date estimated charges CloudWatch publishes per AWS service (`EstimatedCharges`, statistic "
    "`Maximum`, dimensions `Currency`, `ServiceName`, `LinkedAccount`).",
    source="prometheus-community/yet-another-cloudwatch-exporter:pkg/config/services.go (AWS/Billing)@1a0ddb1e; "
    "AWS docs: monitor_estimated_charges_with_cloudwatch",
    notes=(
        "Billing metrics exist only in us-east-1, need billing alerts enabled in the account, and are updated a few "
        "times a day: the cost per hour is the charges' increase over the last 24h (`rate(..[1d]) * 3600`), and the "
        "monthly reset is read as a counter reset.",
        "The charges cover the whole service (every SageMaker endpoint, notebook and training job of the account): "
        "`cost.bill.share` splits them by the model's share of the service's traffic, or by a fixed ratio.",
    ),
)


# --- Azure Machine Learning online endpoints (azure-metrics-exporter, default metric name) ----------------------
def _az(metric: str, unit: str) -> str:
    """The exporter's name for an Azure metric under the template {name}_{metric}_{aggregation}_{unit}."""
    return f"{AZURE_NAME}_{metric.lower()}_average_{unit}"


AZUREML = Preset(
    name="azureml",
    title="Azure Machine Learning online endpoints (Azure Monitor via azure-metrics-exporter)",
    model_label="resourceID",
    exporter="azure-metrics",
    model_match={"resourceID": "~.*/onlineendpoints/{model}(/deployments/.*)?"},
    requests_src=(Counter((_az("RequestsPerMinute", "count"),), period=MINUTE, example={"dimension": "2xx"}),),
    errors_src=(Counter((_az("RequestsPerMinute", "count"),), match='dimension="5xx"', period=MINUTE, example={"dimension": "5xx"}),),
    signals={
        "latency_mean": Gauge((_az("RequestLatency", "milliseconds"),), 0.001, "avg", lookback=LOOKBACK),
        "cpu_util": Gauge((_az("CpuUtilizationPercentage", "percent"),), 0.01, "avg", lookback=LOOKBACK),
        "mem_ratio": Gauge((_az("CpuMemoryUtilizationPercentage", "percent"),), 0.01, "max", lookback=LOOKBACK),
        "gpu_util": Gauge((_az("GpuUtilizationPercentage", "percent"),), 0.01, "avg", lookback=LOOKBACK),
        "gpu_mem_ratio": Gauge((_az("GpuMemoryUtilizationPercentage", "percent"),), 0.01, "max", lookback=LOOKBACK),
        "replicas": Gauge((_az("DeploymentCapacity", "count"),), 1.0, "sum", lookback=LOOKBACK),
    },
    docs="Azure ML managed online endpoints: `RequestsPerMinute` (split by `statusCodeClass`) and `RequestLatency` of the "
    "endpoint, CPU/GPU/memory utilisation and instance count of its deployments, as azure-metrics-exporter serves them "
    "under the scrape jobs mlmon writes (template `{name}_{metric}_{aggregation}_{unit}`, name `azureml`; labels "
    "`resourceID`, `dimension`).",
    source="webdevops/azure-metrics-exporter:metrics/insights.target.go@61e69788; MicrosoftDocs/azure-monitor-docs: "
    "supported-metrics/microsoft-machinelearningservices-workspaces-onlineendpoints(-deployments)-metrics",
    notes=(
        "The scrape jobs mlmon writes for `exporters.azure-metrics` ask for exactly these metrics (probes `requests`, "
        "`latency`, `deployments`), `interval=timespan=PT1M`, aggregation `average`, and name them with the template "
        "`{name}_{metric}_{aggregation}_{unit}` (the exporter's default would put every metric into one "
        "`azurerm_resource_metric` with `metric`/`aggregation`/`unit` labels).",
        '`RequestsPerMinute` is a count per minute: requests/s = value / 60. Errors are its `statusCodeClass` 5xx series (label `dimension="5xx"`).',
        '`resourceID` is lowercased by the exporter: the default matcher is `resourceID=~".*/onlineendpoints/<model id>'
        '(/deployments/.*)?"`; set `serving.match` when the endpoint name differs from the model id.',
        "`RequestLatency` is in milliseconds (mean; the `RequestLatency_P99` average is scraped for dashboards).",
    ),
)

# --- Google Vertex AI endpoints (stackdriver_exporter) -------------------------------------------------------------
VERTEX = "stackdriver_aiplatform_googleapis_com_endpoint_aiplatform_googleapis_com_prediction_online_"

VERTEX_AI = Preset(
    name="vertex-ai",
    title="Google Vertex AI endpoints (Cloud Monitoring via stackdriver_exporter)",
    model_label="endpoint_id",
    exporter="stackdriver",
    requests_src=(Counter((VERTEX + "response_count",), example={"response_code": "200"}),),
    errors_src=(Counter((VERTEX + "response_count",), match='response_code=~"5.."', example={"response_code": "500"}),),
    latency=Histogram(VERTEX + "prediction_latencies", 0.001, match='latency_type="total"', example={"latency_type": "total"}),
    signals={
        "cpu_util": Gauge((VERTEX + "cpu_utilization",), 1.0, "avg", lookback=LOOKBACK),
        "mem_used": Gauge((VERTEX + "memory_bytes_used",), 1.0, "sum", lookback=LOOKBACK),
        "gpu_util": Gauge((VERTEX + "accelerator_duty_cycle",), 1.0, "avg", lookback=LOOKBACK),
        "gpu_mem_used": Gauge((VERTEX + "accelerator_memory_bytes_used",), 1.0, "sum", lookback=LOOKBACK),
        "replicas": Gauge((VERTEX + "replicas",), 1.0, "sum", lookback=LOOKBACK),
    },
    docs="Vertex AI online-prediction endpoints (`aiplatform.googleapis.com/prediction/online/*` on the monitored resource "
    "`aiplatform.googleapis.com/Endpoint`) as stackdriver_exporter names them (`stackdriver_<resource>_<metric type>`, "
    "dots and slashes as underscores).",
    source="prometheus-community/stackdriver_exporter:collectors/monitoring_metrics.go (buildFQName)@8ed0ea51; Google Cloud metrics list (gcp-aiplatform)",
    notes=(
        "Run the exporter with `--monitoring.metrics-prefixes=aiplatform.googleapis.com/prediction/online` and "
        "`--monitoring.aggregate-deltas`: the counts and the latency distribution are DELTA metrics, which the exporter "
        "otherwise serves as gauges per sample period, not as counters.",
        "Requests and errors are `response_count` (label `response_code`); latency is the `prediction_latencies` "
        'distribution with `latency_type="total"`, in milliseconds (x 0.001); its buckets are Cloud Monitoring\'s, so '
        "a latency SLI threshold may fall between bounds.",
        "CPU utilisation and the accelerator duty cycle are read as fractions (1 = 100%, Cloud Monitoring unit `10^2.%`).",
        'Select the endpoint with `serving.match: {endpoint_id: "<numeric id>"}` (the model label is `endpoint_id`).',
    ),
)

ALL: tuple[Preset, ...] = (SAGEMAKER, AZUREML, VERTEX_AI, AWS_BILLING)
