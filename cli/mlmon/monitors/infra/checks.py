"""Which infra checks a model gets: the ones its section enables and its metrics allow."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from mlmon import conventions as C
from mlmon.compiler.units import parse_duration
from mlmon.monitors.infra import schema as D
from mlmon.monitors.infra.compile import GPU, Infra, Latency, Memory, Scrape, Throughput, TrafficDrop
from mlmon.presets import signals as S


@dataclass(frozen=True)
class NoData:
    """A recorded series that must exist, for MLModelInfraNoData."""

    check: str
    series: str
    serving_only: bool  # only alert while requests flow


@dataclass(frozen=True)
class Checks:
    """What this model gets (None: not generated), after defaults and available metrics."""

    cfg: Infra
    latency: Latency | None = None
    latency_max: float = 0.0  # seconds, the warning threshold
    latency_quantile: bool = True  # a recorded quantile (else the mean)
    throughput: Throughput | None = None
    traffic_drop: TrafficDrop | None = None
    gpu: GPU | None = None
    gpu_memory: GPU | None = None
    memory: Memory | None = None
    scrape: Scrape | None = None
    nodata: tuple[NoData, ...] = ()


def section(model: Any) -> Infra:
    cfg: Infra = model.section(D.KEY)
    return cfg


def checks(model: Any) -> Checks:
    cfg = section(model)
    if not cfg.enabled:
        return Checks(cfg)
    avail = S.available(model, cfg.placement)
    latency = None
    if cfg.latency.enabled and ("latency" in avail or "latency_mean" in avail):
        latency = cfg.latency
    chk = Checks(
        cfg,
        latency=latency,
        latency_max=cfg.latency.max or parse_duration(D.LATENCY_MAX_LLM if model.task == "llm" else D.LATENCY_MAX),
        latency_quantile="latency" in avail,
        throughput=cfg.throughput if cfg.throughput.min_rps is not None and "requests" in avail else None,
        traffic_drop=cfg.traffic_drop if cfg.traffic_drop.enabled and not model.idle_ok and "requests" in avail else None,
        gpu=cfg.gpu if cfg.gpu.enabled and "gpu_util" in avail else None,
        gpu_memory=cfg.gpu if cfg.gpu.enabled and "gpu_mem_ratio" in avail else None,
        memory=cfg.memory if cfg.memory.enabled and "mem_ratio" in avail else None,
        scrape=cfg.scrape if cfg.scrape.enabled and "up" in avail else None,
    )
    errors = model.section("errors")  # the errors monitor watches the request rate when it is on
    errors_active = errors is not None and getattr(errors, "enabled", True)
    return replace(chk, nodata=_expected(chk, avail, errors_active))


def _expected(chk: Checks, avail: set[str], errors_active: bool) -> tuple[NoData, ...]:
    out: list[NoData] = []
    if not errors_active and "requests" in avail and (chk.throughput or chk.traffic_drop):
        out.append(NoData("requests", C.REQUESTS_RATE, False))
    if chk.latency:
        out.append(NoData("latency", C.LATENCY_QUANTILE if chk.latency_quantile else C.LATENCY_MEAN, True))
    if chk.gpu:
        out.append(NoData("gpu", C.GPU_UTILIZATION, False))
    if chk.memory:
        out.append(NoData("memory", C.MEMORY_RATIO, False))
    return tuple(out)
