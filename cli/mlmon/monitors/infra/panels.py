"""The "Infrastructure" dashboard row (every normalised signal the model has) and fleet panels."""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import Panel, Row, Target, Threshold
from mlmon.compiler.units import num
from mlmon.monitors.infra.checks import section
from mlmon.presets import signals as S


def rows(model: Any) -> list[Row]:
    cfg = section(model)
    avail = S.available(model, cfg.placement)
    m = model.id

    def ts(title: str, targets: tuple[Target, ...], **kw: Any) -> None:
        panels.append(Panel(title, "timeseries", targets, width=8, **kw))

    def ratio(title: str, name: str, legend: str, *thresholds: Threshold) -> None:
        ts(title, (Target(S.rec(m, name), legend),), unit="percentunit", min=0, max=1, thresholds=thresholds)

    panels: list[Panel] = []
    if "requests" in avail:
        ts("Requests/s (normalised)", (Target(S.rec(m, C.REQUESTS_RATE), "requests/s"),), unit="reqps")
    if "latency" in avail:
        quantiles = tuple(Target(S.rec(m, C.LATENCY_QUANTILE, {"quantile": num(q)}), f"p{num(q * 100)}") for q in S.QUANTILES)
        ts("Latency quantiles and mean (normalised)", (*quantiles, Target(S.rec(m, C.LATENCY_MEAN), "mean")), unit="s")
    elif "latency_mean" in avail:
        ts("Mean latency", (Target(S.rec(m, C.LATENCY_MEAN), "mean"),), unit="s")
    queue = []
    if "queue" in avail:
        queue.append(Target(S.rec(m, C.QUEUE_MEAN), "mean queue time (s)"))
    if "queue_depth" in avail:
        queue.append(Target(S.rec(m, C.QUEUE_DEPTH), "waiting requests"))
    if queue:
        ts("Queue", tuple(queue))
    if "tokens" in avail:
        ts("Tokens/s", (Target(S.rec(m, C.TOKENS_RATE), "all"), Target(S.rec(m, C.GENERATION_TOKENS_RATE), "generated")))
    if "ttft" in avail:
        ts("Time to first token", tuple(Target(S.rec(m, C.TTFT_QUANTILE, {"quantile": num(q)}), f"p{num(q * 100)}") for q in S.TTFT_QUANTILES), unit="s")
    if "gpu_util" in avail:
        ratio(
            "GPU utilisation",
            C.GPU_UTILIZATION,
            "mean over GPUs",
            Threshold(None, "blue"),
            Threshold(cfg.gpu.idle, "green"),
            Threshold(cfg.gpu.saturated, "red"),
        )
    if "gpu_mem_ratio" in avail:
        ratio("GPU memory used", C.GPU_MEMORY_RATIO, "max over GPUs")
    if "kv_cache" in avail:
        ratio("KV-cache usage", C.KV_CACHE_USAGE, "kv cache")
    if "cpu_util" in avail:
        ts("CPU", (Target(S.rec(m, C.CPU_UTILIZATION), "of limit"),), unit="percentunit")
    elif "cpu_usage" in avail:
        ts("CPU", (Target(S.rec(m, C.CPU_USAGE), "cores"),), unit="short")
    if "mem_ratio" in avail:
        ratio(
            "Memory used / limit",
            C.MEMORY_RATIO,
            "max over containers",
            Threshold(None, "green"),
            Threshold(cfg.memory.warning, "orange"),
            Threshold(cfg.memory.critical, "red"),
        )
    if "up" in avail:
        panels.append(Panel("Replicas up", "stat", (Target(S.rec(m, C.REPLICAS), "up", instant=True),), width=4, height=4))
    return [Row("Infrastructure", tuple(panels))] if panels else []


def fleet() -> list[Panel]:
    return [
        Panel("Requests/s by model", "timeseries", (Target(f"sum by (model) ({C.REQUESTS_RATE})", "{{model}}"),), unit="reqps", width=12),
        Panel("GPU utilisation by model", "timeseries", (Target(f"max by (model) ({C.GPU_UTILIZATION})", "{{model}}"),), unit="percentunit", width=12),
    ]
