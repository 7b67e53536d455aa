"""``infra`` raw data -> the typed ``Infra`` section, plus diagnostics. Defaults come from
``schema``; durations are in seconds."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from mlmon import presets as P
from mlmon.compiler.context import CompileContext
from mlmon.compiler.units import format_duration, num, parse_duration
from mlmon.monitors.base import duration
from mlmon.monitors.infra import schema as D
from mlmon.presets import signals as S


@dataclass(frozen=True)
class Latency:
    enabled: bool
    quantile: float
    max: float | None  # seconds; None: schema.LATENCY_MAX (LATENCY_MAX_LLM for task llm)
    critical: float | None
    for_: float


@dataclass(frozen=True)
class Throughput:
    min_rps: float | None  # None: no floor
    for_: float


@dataclass(frozen=True)
class TrafficDrop:
    enabled: bool
    ratio: float  # fires when traffic < ratio x baseline
    compare: str  # trailing | last_week
    window: float
    min_baseline_rps: float
    for_: float


@dataclass(frozen=True)
class GPU:
    enabled: bool
    saturated: float
    idle: float
    memory: float
    saturated_for: float
    idle_for: float
    memory_for: float


@dataclass(frozen=True)
class Memory:
    enabled: bool
    warning: float
    critical: float
    for_: float


@dataclass(frozen=True)
class Scrape:
    enabled: bool
    for_: float


@dataclass(frozen=True)
class Infra:
    enabled: bool
    placement: S.Placement
    latency: Latency
    throughput: Throughput
    traffic_drop: TrafficDrop
    gpu: GPU
    memory: Memory
    scrape: Scrape
    no_data_for: float


def compile_infra(raw: Any, ctx: CompileContext) -> Infra:
    raw = raw or {}
    placement = _placement(raw, ctx)
    lr, tr, dr, gr, mr, sr = (raw.get(k, {}) for k in ("latency", "throughput", "traffic_drop", "gpu", "memory", "scrape"))
    lat, drop, gpu_d, mem_d = D.LATENCY, D.TRAFFIC_DROP, D.GPU, D.MEMORY
    lmax = duration(ctx, ("latency", "max"), lr.get("max"), None)
    lcrit = duration(ctx, ("latency", "critical"), lr.get("critical"), None)
    if lmax and lcrit and lcrit <= lmax:
        ctx.error(("latency", "critical"), "MLM210", f"critical ({lr['critical']}) must be above max ({lr['max']})")
    q = float(lr.get("quantile", lat["quantile"]))
    if q not in S.QUANTILES:
        ctx.error(("latency", "quantile"), "MLM213", f"quantile {q} is not recorded; use one of {', '.join(num(x) for x in S.QUANTILES)}")
        q = lat["quantile"]
    latency = Latency(lr.get("enabled", lat["enabled"]), q, lmax, lcrit, duration(ctx, ("latency", "for"), lr.get("for"), lat["for"]))
    throughput = Throughput(tr.get("min_rps"), duration(ctx, ("throughput", "for"), tr.get("for"), D.THROUGHPUT["for"]))
    traffic_drop = TrafficDrop(
        dr.get("enabled", drop["enabled"]),
        float(dr.get("ratio", drop["ratio"])),
        dr.get("compare", drop["compare"]),
        duration(ctx, ("traffic_drop", "window"), dr.get("window"), drop["window"]),
        float(dr.get("min_baseline_rps", drop["min_baseline_rps"])),
        duration(ctx, ("traffic_drop", "for"), dr.get("for"), drop["for"]),
    )
    rate_window = parse_duration(S.WINDOW)  # of the normalised signals
    if traffic_drop.window < 4 * rate_window:
        ctx.error(("traffic_drop", "window"), "MLM203", f"baseline window must be at least {format_duration(4 * rate_window)} (4 x the {S.WINDOW} rate window)")
    if traffic_drop.enabled and traffic_drop.compare == "trailing" and traffic_drop.for_ >= traffic_drop.window:
        # a drop to a fraction f of the traffic holds requests under ratio x the trailing average
        # for window x (ratio - f) / (ratio x (1 - f)) at most: under the window even for f = 0
        ctx.warning(
            ("traffic_drop", "for"),
            "MLM210",
            f"for ({format_duration(traffic_drop.for_)}) is not shorter than the trailing window ({format_duration(traffic_drop.window)}): "
            f"a sudden drop joins the trailing average before it has lasted that long, so {D.A_DROP} cannot fire on it",
            hint="use a for well under the window (the default is 10m on 1h), or compare: last_week",
        )
    gpu = GPU(
        gr.get("enabled", gpu_d["enabled"]),
        float(gr.get("saturated", gpu_d["saturated"])),
        float(gr.get("idle", gpu_d["idle"])),
        float(gr.get("memory", gpu_d["memory"])),
        duration(ctx, ("gpu", "saturated_for"), gr.get("saturated_for"), gpu_d["saturated_for"]),
        duration(ctx, ("gpu", "idle_for"), gr.get("idle_for"), gpu_d["idle_for"]),
        duration(ctx, ("gpu", "memory_for"), gr.get("memory_for"), gpu_d["memory_for"]),
    )
    if gpu.idle >= gpu.saturated:
        ctx.error(("gpu", "idle"), "MLM210", f"idle threshold {gpu.idle} must be below saturated {gpu.saturated}")
    memory = Memory(
        mr.get("enabled", mem_d["enabled"]),
        float(mr.get("warning", mem_d["warning"])),
        float(mr.get("critical", mem_d["critical"])),
        duration(ctx, ("memory", "for"), mr.get("for"), mem_d["for"]),
    )
    if memory.critical <= memory.warning:
        ctx.error(("memory", "critical"), "MLM210", f"critical {memory.critical} must be above warning {memory.warning}")
    scrape = Scrape(sr.get("enabled", D.SCRAPE["enabled"]), duration(ctx, ("scrape", "for"), sr.get("for"), D.SCRAPE["for"]))
    if ctx.scrape_interval * 4 > rate_window:
        ctx.warning(
            (),
            "MLM207",
            f"scrape interval {format_duration(ctx.scrape_interval)} is too long for the {S.WINDOW} rate window of the normalised signals",
            hint=f"scrape at least every {num(rate_window / 4)}s",
        )
    return Infra(
        bool(raw.get("enabled", D.ENABLED)),
        placement,
        latency,
        throughput,
        traffic_drop,
        gpu,
        memory,
        scrape,
        duration(ctx, ("no_data_for",), raw.get("no_data_for"), D.NO_DATA_FOR),
    )


def _placement(raw: dict[str, Any], ctx: CompileContext) -> S.Placement:
    """Where the model runs, for the exporters; reports exporters and overrides that do not fit."""
    exporters = tuple(raw.get("exporters", ()))
    if "node" in exporters and not raw.get("node"):
        ctx.error(
            ("exporters",), "MLM213", "exporter 'node' needs infra.node: label matchers of the model's nodes", hint='e.g. node: {instance: "gpu-node-1:9100"}'
        )
    pod = raw.get("pod")
    if pod is not None:
        try:
            re.compile(pod)
        except re.error as exc:
            ctx.error(("pod",), "MLM213", f"not a regular expression: {exc}")
    signals = {e: p.signals for e in exporters if (p := P.get(e)) is not None}
    for k in sorted(raw.get("overrides", {})):
        owners = [e for e in exporters if k in signals.get(e, {})]
        if not owners:
            hint = "signals: " + ", ".join(sorted({s for e in exporters for s in signals.get(e, {})})) if exporters else "list the exporter in infra.exporters"
            ctx.error(("overrides", k), "MLM213", f"no listed exporter provides signal {k!r}", key=True, hint=hint)
        elif isinstance(signals[owners[-1]][k], P.Expr):
            ctx.error(
                ("overrides", k),
                "MLM213",
                f"signal {k!r} of {owners[-1]!r} is a PromQL expression over several metrics; its name cannot be overridden",
                key=True,
            )
    return S.Placement(
        exporters, raw.get("namespace"), pod, raw.get("container"), dict(raw.get("node", {})), dict(raw.get("labels", {})), dict(raw.get("overrides", {}))
    )
