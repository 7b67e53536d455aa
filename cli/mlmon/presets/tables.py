"""The built-in presets: one table per serving framework or exporter (data only).

Facts (metric names, units, labels, quirks) come from the upstream sources named in each
preset's ``source``; README "Presets" is generated from these tables' content by hand and a test
keeps the two in step.
"""

from __future__ import annotations

from mlmon import conventions as C
from mlmon.presets import cloud, drift_libs
from mlmon.presets.dialect import INSTRUMENT_BUCKETS, Preset
from mlmon.presets.sources import Counter, Expr, Gauge, Histogram, Mean

MIB = float(2**20)
GIB = float(2**30)
# prometheus_client's default histogram buckets (Python), used by KServe and BentoML unless configured.
PY_DEFAULT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0)
VLLM_E2E_BUCKETS = (0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0)
VLLM_TPOT_BUCKETS = (0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0)
# explicit bucket boundaries the OpenTelemetry GenAI semantic conventions recommend (docs/gen-ai/gen-ai-metrics.md)
OTEL_TTFT_BUCKETS = (0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0)
OTEL_TPOT_BUCKETS = (0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5)
OTEL_DURATION_BUCKETS = (0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92)
VLLM_TTFT_BUCKETS = (0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0)

# --- serving frameworks ------------------------------------------------------------------------------
MLMON = Preset(
    name="mlmon",
    title="mlmon.instrument (the native metric contract)",
    model_label=C.L_MODEL,
    requests_src=(Counter((C.PREDICTIONS_TOTAL,)),),
    errors_src=(Counter((C.PREDICTION_ERRORS_TOTAL,)),),
    latency=Histogram(C.PREDICTION_LATENCY, 1.0, INSTRUMENT_BUCKETS),
    docs="Metrics emitted by mlmon.instrument; see 'The metric contract'.",
    source="cli/mlmon/conventions/__init__.py",
)

KSERVE = Preset(
    name="kserve",
    title="KServe (Python model server)",
    model_label="model_name",
    requests_src=(Counter(("request_predict_seconds_count",)),),
    latency=Histogram("request_predict_seconds", 1.0, PY_DEFAULT_BUCKETS),
    signals={
        "queue": Histogram("request_preprocess_seconds", 1.0, PY_DEFAULT_BUCKETS),
    },
    docs="KServe's model server exposes per-step latency histograms labelled model_name; requests are the predict histogram's count.",
    source="kserve/kserve:python/kserve/kserve/metrics.py",
    notes=(
        "No error counter: the Python server counts no failures. Errors come from the Knative queue-proxy or the runtime; "
        "set `serving.overrides.errors` (e.g. to the queue-proxy's 5xx counter) to get an error ratio.",
        "`queue` is the preprocess step's mean time (the closest KServe has to a queue).",
        "Scraping: annotations `serving.kserve.io/enable-prometheus-scraping`, `prometheus.kserve.io/port` (8080), "
        "`serving.kserve.io/enable-metric-aggregation` (port 9088).",
    ),
)

TRITON = Preset(
    name="triton",
    title="NVIDIA Triton Inference Server",
    model_label="model",
    requests_src=(Counter(("nv_inference_request_success",)), Counter(("nv_inference_request_failure",))),
    errors_src=(Counter(("nv_inference_request_failure",)),),
    latency=None,
    signals={
        "latency_mean": Mean(Counter(("nv_inference_request_duration_us",)), Counter(("nv_inference_request_success",)), 1e-6),
        "queue": Mean(Counter(("nv_inference_queue_duration_us",)), Counter(("nv_inference_request_success",)), 1e-6),
        "queue_depth": Gauge(("nv_inference_pending_request_count",)),
        "ttft": Histogram("nv_inference_first_response_histogram_ms", 0.001),
        "gpu_util": Gauge(("nv_gpu_utilization",), agg="avg", scope="target"),
        "gpu_count": Gauge(("nv_gpu_utilization",), agg="count", scope="target"),
        "gpu_mem_used": Gauge(("nv_gpu_memory_used_bytes",), scope="target"),
        "gpu_mem_total": Gauge(("nv_gpu_memory_total_bytes",), scope="target"),
        "gpu_mem_ratio": Expr(
            "max(nv_gpu_memory_used_bytes{{{target}}} / (nv_gpu_memory_total_bytes{{{target}}} > 0))",
            ("target",),
            ("nv_gpu_memory_used_bytes", "nv_gpu_memory_total_bytes"),
            (("nv_gpu_memory_used_bytes", 16 * GIB, 0.0), ("nv_gpu_memory_total_bytes", 0.0, 16 * GIB)),
        ),
        "cpu_util": Gauge(("nv_cpu_utilization",), agg="avg", scope="target"),
        "mem_used": Gauge(("nv_cpu_memory_used_bytes",), scope="target"),
        "mem_limit": Gauge(("nv_cpu_memory_total_bytes",), scope="target"),
        "mem_ratio": Expr(
            "max(nv_cpu_memory_used_bytes{{{target}}} / (nv_cpu_memory_total_bytes{{{target}}} > 0))",
            ("target",),
            ("nv_cpu_memory_used_bytes", "nv_cpu_memory_total_bytes"),
            (("nv_cpu_memory_used_bytes", 64 * GIB, 0.0), ("nv_cpu_memory_total_bytes", 0.0, 64 * GIB)),
        ),
    },
    docs="Triton's C++ core counts requests and cumulative durations in microseconds; counters carry no `_total`.",
    source="triton-inference-server/server:docs/user_guide/metrics.md",
    notes=(
        "Counters have no `_total` suffix. Durations are cumulative microsecond counters, so the default preset has a "
        "mean latency (duration_us / request_success) but no quantiles and no latency SLI; enable "
        "`--metrics-config histogram_latencies=true` and set `serving.overrides.latency` for quantiles.",
        "GPU and CPU gauges carry `gpu_uuid` only (no model label): they are selected by the model's scrape job "
        '(`job="mlmon-<id>"`, or `serving.overrides.target_match`). Utilisation is already 0-1 and memory in bytes.',
        "`nv_inference_request_failure` has a `reason` label (REJECTED, CANCELED, BACKEND, OTHER); all reasons count as errors.",
    ),
)

TORCHSERVE = Preset(
    name="torchserve",
    title="TorchServe (metrics_mode: prometheus)",
    model_label="model_name",
    requests_src=(Counter(("ts_inference_requests_total",)),),
    errors_src=(Counter(("Requests5XX_total", "Requests5XX"), scope="target"),),
    signals={
        "latency_mean": Mean(Counter(("ts_inference_latency_microseconds",)), Counter(("ts_inference_requests_total",)), 1e-6),
        "queue": Mean(Counter(("ts_queue_latency_microseconds",)), Counter(("ts_inference_requests_total",)), 1e-6),
        "gpu_util": Gauge(("GPUUtilization",), 0.01, "avg", scope="target"),
        "gpu_count": Gauge(("GPUUtilization",), agg="count", scope="target"),
        "gpu_mem_used": Gauge(("GPUMemoryUsed",), MIB, scope="target"),
        "gpu_mem_ratio": Gauge(("GPUMemoryUtilization",), 0.01, "max", scope="target"),
        "cpu_util": Gauge(("CPUUtilization",), 0.01, "avg", scope="target"),
        "mem_used": Gauge(("MemoryUsed",), MIB, scope="target"),
        "mem_ratio": Gauge(("MemoryUtilization",), 0.01, "max", scope="target"),
    },
    docs="TorchServe's Prometheus mode: per-model request and cumulative microsecond latency counters; host and GPU gauges per server.",
    source="pytorch/serve:ts/configs/metrics.yaml, docs/metrics.md",
    notes=(
        "Prometheus output needs `metrics_mode: prometheus` (default `log`); endpoint `:8082/metrics`.",
        "HTTP status counters (`Requests5XX`) are per server, not per model (labels `Level, Hostname`): with several models "
        "on one TorchServe the error ratio is the server's. Both `Requests5XX_total` (Prometheus Java client >= 0.10 appends "
        "`_total`) and `Requests5XX` are read.",
        "Latency is a cumulative microsecond counter: mean only, no quantiles or latency SLI.",
        "Percent gauges (`GPUUtilization`, `CPUUtilization`, `*MemoryUtilization`) are scaled by 0.01; `MemoryUsed` and `GPUMemoryUsed` are MiB (x 1048576).",
        "The project says it is in limited maintenance.",
    ),
)

BENTOML = Preset(
    name="bentoml",
    title="BentoML >= 1.2",
    model_label="service_name",
    requests_src=(Counter(("bentoml_service_request_total",), example={"endpoint": "/predict", "http_response_code": "200"}),),
    errors_src=(Counter(("bentoml_service_request_total",), match='http_response_code=~"5.."', example={"endpoint": "/predict", "http_response_code": "500"}),),
    latency=Histogram("bentoml_service_request_duration_seconds", 1.0, PY_DEFAULT_BUCKETS),
    docs="BentoML's API server metrics under the `bentoml_service` namespace, labelled service_name and http_response_code.",
    source="bentoml/BentoML:docs/source/build-with-bentoml/observability/metrics.rst",
    notes=(
        "The prefix follows `api_server.metrics.namespace` (default `bentoml_service`); set `serving.overrides` when changed.",
        "Duration buckets are configurable (`buckets` or `min/max/factor`); the latency SLI threshold must be a bucket bound.",
    ),
)

MLSERVER = Preset(
    name="mlserver",
    title="Seldon MLServer",
    model_label="model",
    requests_src=(Counter(("model_infer_request_success_total",)), Counter(("model_infer_request_failure_total",))),
    errors_src=(Counter(("model_infer_request_failure_total",)),),
    signals={
        "latency_mean": Mean(Counter(("model_infer_request_duration_sum",)), Counter(("model_infer_request_duration_count",))),
    },
    docs="MLServer's per-model success/failure counters and inference-duration summary (seconds).",
    source="SeldonIO/MLServer:docs/user-guide/metrics.md, mlserver/handlers/dataplane.py",
    notes=(
        "Inference duration is a summary (`_sum`, `_count`): mean only, no quantiles or latency SLI. The REST histogram "
        "`rest_server_request_duration_seconds` is per path, not per model; set `serving.overrides.latency` to use it.",
        "`batch_request_queue` is a histogram of queue sizes, not times, so there is no queue-time signal.",
    ),
)

VLLM = Preset(
    name="vllm",
    title="vLLM (V1 engine, OpenAI-compatible server)",
    model_label="model_name",
    requests_src=(
        Counter(("http_requests_total",), match='handler=~"/v1/.*"', scope="target", example={"handler": "/v1/completions", "method": "POST", "status": "2xx"}),
    ),
    errors_src=(
        Counter(
            ("http_requests_total",),
            match='handler=~"/v1/.*",status=~"5.."',
            scope="target",
            example={"handler": "/v1/completions", "method": "POST", "status": "5xx"},
        ),
    ),
    latency=Histogram("vllm:e2e_request_latency_seconds", 1.0, VLLM_E2E_BUCKETS),
    signals={
        "queue": Histogram("vllm:request_queue_time_seconds"),
        "queue_depth": Gauge(("vllm:num_requests_waiting",)),
        "tokens": (Counter(("vllm:prompt_tokens_total",)), Counter(("vllm:generation_tokens_total",))),
        "generation_tokens": Counter(("vllm:generation_tokens_total",)),
        "ttft": Histogram("vllm:time_to_first_token_seconds", 1.0, VLLM_TTFT_BUCKETS),
        "itl": Histogram("vllm:inter_token_latency_seconds", alt_names=("vllm:time_per_output_token_seconds",)),
        "tpot": Histogram("vllm:request_time_per_output_token_seconds", 1.0, VLLM_TPOT_BUCKETS, alt_names=("vllm:time_per_output_token_seconds",)),
        "kv_cache": Gauge(("vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc"), agg="max"),
    },
    docs="vLLM's engine metrics (`vllm:` prefix, label model_name) plus the API server's HTTP counters.",
    source="vllm-project/vllm:vllm/v1/metrics/loggers.py@005a810b, docs/design/metrics.md@0328b592",
    notes=(
        "Requests and errors come from the OpenAI server's `http_requests_total` (prometheus_fastapi_instrumentator; "
        "status grouped as `2xx`/`5xx`) on `/v1/...` handlers; the HTTP counters carry no model label and are selected by "
        "the scrape job. One vLLM server serves one model.",
        "Renamed metrics are OR-ed: `vllm:kv_cache_usage_perc` or `vllm:gpu_cache_usage_perc` (deprecated in 0.9), "
        "`vllm:inter_token_latency_seconds` or `vllm:time_per_output_token_seconds`.",
        "Time per output token (`tpot`, read by the `llm` monitor's TPOT SLO): `vllm:request_time_per_output_token_seconds` "
        "(one observation per request, vLLM >= 0.11) or, before 0.11, `vllm:time_per_output_token_seconds` (one per token; "
        "deprecated in 0.11, hidden in 0.12).",
        "`vllm:kv_cache_usage_perc` is already 0-1 despite its name.",
    ),
)

OTEL_GENAI = Preset(
    name="otel-genai",
    title="OpenTelemetry GenAI semantic conventions (OTLP into Prometheus)",
    model_label="gen_ai_request_model",
    requests_src=(Counter(("gen_ai_server_request_duration_seconds_count", "gen_ai_server_request_duration_count")),),
    errors_src=(
        Counter(
            ("gen_ai_server_request_duration_seconds_count", "gen_ai_server_request_duration_count"),
            match='error_type!=""',
            example={"error_type": "500"},
        ),
    ),
    signals={
        "latency_mean": Histogram("gen_ai_server_request_duration_seconds", 1.0, OTEL_DURATION_BUCKETS, alt_names=("gen_ai_server_request_duration",)),
        "ttft": Histogram("gen_ai_server_time_to_first_token_seconds", 1.0, OTEL_TTFT_BUCKETS, alt_names=("gen_ai_server_time_to_first_token",)),
        "tpot": Histogram("gen_ai_server_time_per_output_token_seconds", 1.0, OTEL_TPOT_BUCKETS, alt_names=("gen_ai_server_time_per_output_token",)),
        "tokens": Counter(("gen_ai_client_token_usage_sum",)),
        "generation_tokens": Counter(("gen_ai_client_token_usage_sum",), match='gen_ai_token_type="output"', example={"gen_ai_token_type": "output"}),
    },
    docs="Model servers and clients instrumented with the OpenTelemetry GenAI conventions (`gen_ai.server.*`, `gen_ai.client.token.usage`), "
    "exported to Prometheus by its OTLP receiver or the Collector: dots become underscores, seconds get a `_seconds` suffix.",
    source="open-telemetry/semantic-conventions:docs/gen-ai/gen-ai-metrics.md, model/gen-ai (v1.27.0 to v1.44.0)",
    notes=(
        "Metric names are the same from semantic conventions v1.27.0 on; the Prometheus spelling differs by exporter: "
        "`gen_ai_server_time_to_first_token_seconds` (unit suffix added, the default of Prometheus' OTLP receiver and the "
        "Collector's exporters) or `gen_ai_server_time_to_first_token` (`add_metric_suffixes: false`). Both are read, OR-ed.",
        "Failed requests are the request-duration histogram's observations that carry `error_type` (`error.type`).",
        "Tokens come from the client histogram `gen_ai.client.token.usage` (its `_sum`), labelled `gen_ai_token_type` "
        "input/output; the conventions define no server-side token counter.",
        "The request-duration histogram gives the mean latency only: its recommended buckets (0.64, 1.28, ...) hold no "
        "default latency-SLO threshold; set `serving.overrides.latency` to `gen_ai_server_request_duration_seconds` for "
        "quantiles and a latency SLO on one of its bounds.",
        "Prometheus 3 with `translation_strategy: NoTranslation` keeps the dots (`gen_ai.server.time_to_first_token`); such names "
        "need quoted selectors, which Prometheus 2 cannot parse: set `serving.overrides` or keep the default translation.",
    ),
)

# --- infrastructure and cost exporters (spec `infra.exporters`) --------------------------------------
K8S_LABELS = {"namespace": "namespace", "pod": "pod", "container": "container"}

DCGM = Preset(
    name="dcgm",
    title="NVIDIA DCGM exporter",
    kind="exporter",
    labels=K8S_LABELS,
    signals={
        "gpu_util": Gauge(("DCGM_FI_DEV_GPU_UTIL",), 0.01, "avg", scope="pod"),
        "gpu_count": Gauge(("DCGM_FI_DEV_GPU_UTIL",), agg="count", scope="pod"),
        "gpu_mem_used": Gauge(("DCGM_FI_DEV_FB_USED",), MIB, scope="pod"),
        "gpu_mem_total": Expr(
            "(sum(DCGM_FI_DEV_FB_USED{{{pod}}}) + sum(DCGM_FI_DEV_FB_FREE{{{pod}}}) + (sum(DCGM_FI_DEV_FB_RESERVED{{{pod}}}) or vector(0))) * 1048576",
            ("pod",),
            ("DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_FB_FREE", "DCGM_FI_DEV_FB_RESERVED"),
        ),
        "gpu_mem_ratio": Expr(
            "max(DCGM_FI_DEV_FB_USED{{{pod}}} / ((DCGM_FI_DEV_FB_USED{{{pod}}} + DCGM_FI_DEV_FB_FREE{{{pod}}} + "
            "(DCGM_FI_DEV_FB_RESERVED{{{pod}}} or DCGM_FI_DEV_FB_USED{{{pod}}} * 0)) > 0))",
            ("pod",),
            ("DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_FB_FREE", "DCGM_FI_DEV_FB_RESERVED"),
            (("DCGM_FI_DEV_FB_USED", 16384.0, 0.0), ("DCGM_FI_DEV_FB_FREE", -16384.0, 16384.0)),
        ),
    },
    docs="Per-GPU gauges with Kubernetes pod mapping (labels pod, namespace, container).",
    source="NVIDIA/dcgm-exporter:etc/default-counters.csv, internal/pkg/rendermetrics/render_metrics.go",
    notes=(
        "Utilisation is percent (x 0.01) and framebuffer memory MiB (x 1048576), unlike Triton's 0-1 and bytes.",
        "The host label was renamed `Hostname` -> `hostname` (dcgm-exporter #655); mlmon never groups by it, so both work.",
        "Pod mapping labels become `exported_pod`/`exported_namespace`/`exported_container` when Prometheus scrapes the "
        "exporter without `honor_labels`; set `infra.labels` accordingly.",
    ),
)

CADVISOR = Preset(
    name="cadvisor",
    title="cAdvisor (kubelet /metrics/cadvisor)",
    kind="exporter",
    labels=K8S_LABELS,
    signals={
        "cpu_usage": Counter(("container_cpu_usage_seconds_total",), scope="pod"),
        "cpu_util": Expr(
            "sum(rate(container_cpu_usage_seconds_total{{{pod}}}[{w}])) / (sum(container_spec_cpu_quota{{{pod}}} / container_spec_cpu_period{{{pod}}}) > 0)",
            ("pod",),
            ("container_cpu_usage_seconds_total", "container_spec_cpu_quota", "container_spec_cpu_period"),
        ),
        "mem_used": Gauge(("container_memory_working_set_bytes",), scope="pod"),
        "mem_limit": Expr("sum(container_spec_memory_limit_bytes{{{pod}}} > 0)", ("pod",), ("container_spec_memory_limit_bytes",)),
        "mem_ratio": Expr(
            "max(container_memory_working_set_bytes{{{pod}}} / (container_spec_memory_limit_bytes{{{pod}}} > 0))",
            ("pod",),
            ("container_memory_working_set_bytes", "container_spec_memory_limit_bytes"),
            (("container_memory_working_set_bytes", 4 * GIB, 0.0), ("container_spec_memory_limit_bytes", 0.0, 4 * GIB)),
        ),
    },
    docs="Per-container CPU and memory of the model's pods.",
    source="google/cadvisor:docs/storage/prometheus.md",
    notes=(
        'Pod-level cgroup series (`container=""`) and pause containers (`container="POD"`) are excluded unless '
        "`infra.container` names one, so nothing is counted twice.",
        "Memory used is the working set (what the OOM killer looks at); a limit of 0 means none and is ignored.",
        "CPU utilisation is cores used / cores allowed by the CFS quota; absent without a CPU limit.",
        "Kubernetes < 1.16 spelled the labels `pod_name`/`container_name`: set `infra.labels`.",
    ),
)

NODE = Preset(
    name="node",
    title="Prometheus node_exporter",
    kind="exporter",
    signals={
        "cpu_usage": Expr('sum(rate(node_cpu_seconds_total{{mode!~"idle|iowait|steal",{node}}}[{w}]))', ("node",), ("node_cpu_seconds_total",)),
        "cpu_util": Expr('1 - avg(rate(node_cpu_seconds_total{{mode="idle",{node}}}[{w}]))', ("node",), ("node_cpu_seconds_total",)),
        "mem_used": Expr(
            "sum(node_memory_MemTotal_bytes{{{node}}} - node_memory_MemAvailable_bytes{{{node}}})",
            ("node",),
            ("node_memory_MemTotal_bytes", "node_memory_MemAvailable_bytes"),
        ),
        "mem_limit": Gauge(("node_memory_MemTotal_bytes",), scope="node"),
        "mem_ratio": Expr(
            "max(1 - node_memory_MemAvailable_bytes{{{node}}} / node_memory_MemTotal_bytes{{{node}}})",
            ("node",),
            ("node_memory_MemTotal_bytes", "node_memory_MemAvailable_bytes"),
            (("node_memory_MemAvailable_bytes", -64 * GIB, 64 * GIB), ("node_memory_MemTotal_bytes", 0.0, 64 * GIB)),
        ),
    },
    docs="Whole-host CPU and memory of the nodes the model runs on (selected by `infra.node`).",
    source="prometheus/node_exporter:collector/fixtures/e2e-output.txt",
    notes=("Used only for what cAdvisor does not provide when both are listed (cAdvisor describes the model's own containers).",),
)

OPENCOST = Preset(
    name="opencost",
    title="OpenCost",
    kind="exporter",
    labels=K8S_LABELS,
    signals={
        "cost_cpu": Expr(
            "sum(container_cpu_allocation{{{pod}}} * on (node) group_left () max by (node) (node_cpu_hourly_cost))",
            ("pod",),
            ("container_cpu_allocation", "node_cpu_hourly_cost"),
        ),
        "cost_ram": Expr(
            "sum(container_memory_allocation_bytes{{{pod}}} / 1073741824 * on (node) group_left () max by (node) (node_ram_hourly_cost))",
            ("pod",),
            ("container_memory_allocation_bytes", "node_ram_hourly_cost"),
        ),
        "cost_gpu": Expr(
            "sum(container_gpu_allocation{{{pod}}} * on (node) group_left () max by (node) (node_gpu_hourly_cost))",
            ("pod",),
            ("container_gpu_allocation", "node_gpu_hourly_cost"),
        ),
    },
    docs="Hourly cost of the model's pods: allocations x the node's hourly prices.",
    source="opencost/opencost:pkg/costmodel/metrics.go@5f653330",
    notes=(
        "Prices are joined `on (node)` after `max by (node)`: `node_*_hourly_cost` carries `instance` = the OpenCost pod, "
        "and duplicates would double the cost.",
        "RAM is priced per GiB: bytes / 2^30. `container_cpu_allocation` is read as cores.",
    ),
)

# every built-in preset, in the order the docs list them
ALL: tuple[Preset, ...] = (MLMON, KSERVE, TRITON, TORCHSERVE, BENTOML, MLSERVER, VLLM, OTEL_GENAI, DCGM, CADVISOR, NODE, OPENCOST)
ALL += cloud.ALL + drift_libs.ALL  # the clouds' managed endpoints and bills, drift libraries
