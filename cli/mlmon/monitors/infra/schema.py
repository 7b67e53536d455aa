"""The ``infra`` field: its JSON Schema, every default of the section and the names of its alerts.

Written once here; the schema's ``default`` and description texts and ``compile`` read them.
"""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon import presets as P
from mlmon.compiler.dsl import LABEL_NAME_PATTERN, array, boolean, duration, enum, number, obj, ratio, string, string_map

KEY = "infra"

# --- alert names ------------------------------------------------------------------------------------
A_LATENCY = "MLModelLatencyHigh"
A_THROUGHPUT = "MLModelThroughputLow"
A_DROP = "MLModelTrafficDrop"
A_GPU_SAT = "MLModelGPUSaturated"
A_GPU_IDLE = "MLModelGPUIdle"
A_GPU_MEM = "MLModelGPUMemoryHigh"
A_MEM = "MLModelMemoryHigh"
A_TARGET_DOWN = "MLModelTargetDown"
A_SERVING_DOWN = C.ALERT_SERVING_DOWN
A_NODATA = C.ALERT_INFRA_NODATA

# --- defaults (in the spec's own units) -------------------------------------------------------------------
ENABLED = True
NO_DATA_FOR = "15m"
LATENCY: dict[str, Any] = {"enabled": True, "quantile": 0.99, "for": "10m"}
LATENCY_MAX = "1s"  # the warning threshold unless set
LATENCY_MAX_LLM = "30s"  # ... for task llm
THROUGHPUT: dict[str, Any] = {"for": "15m"}  # no floor unless min_rps is set
TRAFFIC_DROP: dict[str, Any] = {"enabled": True, "ratio": 0.5, "compare": "trailing", "window": "1h", "min_baseline_rps": 0.1, "for": "10m"}
COMPARE = ("trailing", "last_week")
GPU: dict[str, Any] = {"enabled": True, "saturated": 0.95, "idle": 0.05, "memory": 0.95, "saturated_for": "30m", "idle_for": "2h", "memory_for": "15m"}
MEMORY: dict[str, Any] = {"enabled": True, "warning": 0.9, "critical": 0.97, "for": "15m"}
SCRAPE: dict[str, Any] = {"enabled": True, "for": "5m"}


def fragment() -> dict[str, Any]:
    """The schema of a model's ``infra``."""
    lat, drop, gpu, mem = LATENCY, TRAFFIC_DROP, GPU, MEMORY
    return obj(
        {
            "enabled": boolean("generate the infrastructure alerts (the normalised signal rules are always written)", ENABLED),
            "exporters": array(
                enum(P.names("exporter"), "infrastructure exporter preset"), "exporters that watch the model's pods/nodes/GPUs", uniqueItems=True
            ),
            "namespace": string("Kubernetes namespace of the model's pods", pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"),
            "pod": string("regular expression over the model's pod names (default '<model id>-.*')"),
            "container": string("the model server's container name (default: all but POD)"),
            "node": string_map("node_exporter label matchers of the model's nodes; a value starting with ~ is a regex"),
            "labels": obj(
                {r: string(f"label name for the {r}", pattern=LABEL_NAME_PATTERN) for r in ("namespace", "pod", "container")},
                (),
                "exporter label names when they differ (e.g. exported_pod when scraped without honor_labels)",
            ),
            "overrides": string_map("exporter signal -> metric name (e.g. gpu_util: MY_DCGM_GPU_UTIL)", r"^[a-z_]+$"),
            "no_data_for": duration(f"how long an expected signal may be missing before {A_NODATA}", NO_DATA_FOR),
            "latency": obj(
                {
                    "enabled": boolean("alert when the latency quantile is above max", lat["enabled"]),
                    "quantile": number("which recorded latency quantile to watch: 0.5, 0.9 or 0.99", 0, 1, lat["quantile"]),
                    "max": duration(f"warning threshold (default {LATENCY_MAX}; {LATENCY_MAX_LLM} for task llm)"),
                    "critical": duration("page threshold (default: none)"),
                    "for": duration("how long it must hold", lat["for"]),
                },
                (),
                "latency quantile above a threshold (the mean for presets without a histogram)",
            ),
            "throughput": obj(
                {"min_rps": number("alert when requests/s fall below this floor", 0), "for": duration("how long", THROUGHPUT["for"])},
                (),
                "throughput floor (off unless min_rps is set)",
            ),
            "traffic_drop": obj(
                {
                    "enabled": boolean("alert on a sudden traffic drop (off by default for idle_ok models)", drop["enabled"]),
                    "ratio": ratio("fires when traffic < ratio x baseline", drop["ratio"]),
                    "compare": enum(list(COMPARE), "baseline: trailing average over window, or the same window a week ago", drop["compare"]),
                    "window": duration("baseline window", drop["window"]),
                    "min_baseline_rps": number("no alert when the baseline is below this (requests/s)", 0, default=drop["min_baseline_rps"]),
                    "for": duration("how long", drop["for"]),
                },
                (),
                "sudden traffic drop against a baseline",
            ),
            "gpu": obj(
                {
                    "enabled": boolean("GPU checks (when GPU metrics exist)", gpu["enabled"]),
                    "saturated": ratio("utilisation above this is saturated", gpu["saturated"]),
                    "idle": ratio("utilisation below this is idle: paid-for GPUs doing nothing", gpu["idle"]),
                    "memory": ratio("GPU memory used share above this alerts", gpu["memory"]),
                    "saturated_for": duration("how long", gpu["saturated_for"]),
                    "idle_for": duration("how long", gpu["idle_for"]),
                    "memory_for": duration("how long", gpu["memory_for"]),
                },
                (),
                "GPU saturated, idle or out of memory",
            ),
            "memory": obj(
                {
                    "enabled": boolean("memory checks (when memory metrics exist)", mem["enabled"]),
                    "warning": ratio("used/limit share that opens a ticket", mem["warning"]),
                    "critical": ratio("used/limit share that pages", mem["critical"]),
                    "for": duration("how long", mem["for"]),
                },
                (),
                "memory near its limit (container limit with cAdvisor, host memory otherwise)",
            ),
            "scrape": obj(
                {
                    "enabled": boolean(f"scrape checks for the model's own job {C.SCRAPE_JOB.format(model='<id>')}", SCRAPE["enabled"]),
                    "for": duration("how long", SCRAPE["for"]),
                },
                (),
                "scrape targets down",
            ),
        },
        (),
        "Infrastructure alerts and the model's normalised serving/infrastructure signals",
    )
