"""The infra alert rules (the normalised signals they read are ``presets.signals.signal_rules``)."""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon import presets as P
from mlmon.artifacts import AlertRule
from mlmon.compiler.units import format_duration as dur
from mlmon.compiler.units import num
from mlmon.monitors.base import alert_annotations, alert_labels
from mlmon.monitors.infra import schema as D
from mlmon.monitors.infra.checks import Checks, checks
from mlmon.monitors.infra.compile import TrafficDrop
from mlmon.presets import signals as S


def labels(model: Any, severity: str, check: str, **extra: str) -> dict[str, str]:
    return alert_labels(model, D.KEY, severity, check, **extra)


def latency_series(model: Any, q: float, quantile: bool) -> str:
    if quantile:
        return S.rec(model.id, C.LATENCY_QUANTILE, {"quantile": num(q)})
    return S.rec(model.id, C.LATENCY_MEAN)


def drop_baseline(model: Any, d: TrafficDrop) -> str:
    off = " offset 1w" if d.compare == "last_week" else ""
    return f"avg_over_time({S.rec(model.id, C.REQUESTS_RATE)}[{dur(d.window)}]{off})"


def alert_rules(model: Any) -> list[AlertRule]:
    chk = checks(model)
    return [*_traffic_alerts(model, chk), *_resource_alerts(model, chk), *_scrape_alerts(model, chk), *_nodata_alerts(model, chk)]


def _traffic_alerts(model: Any, chk: Checks) -> list[AlertRule]:
    out = []
    m, req = model.id, S.rec(model.id, C.REQUESTS_RATE)
    if (lat := chk.latency) is not None:
        series = latency_series(model, lat.quantile, chk.latency_quantile)
        what = f"p{num(lat.quantile * 100)} latency" if chk.latency_quantile else "mean latency"
        for sev, thr in ((C.SEVERITY_TICKET, chk.latency_max), (C.SEVERITY_PAGE, lat.critical)):
            if thr is None:
                continue
            out.append(
                AlertRule(
                    D.A_LATENCY,
                    f"{series} > {num(thr)}",
                    dur(lat.for_),
                    labels(model, sev, "latency"),
                    alert_annotations(
                        model,
                        f"{what} above {dur(thr)}",
                        f"The {what} of {m} has been above {dur(thr)} for {dur(lat.for_)}. Users wait; upstream timeouts may turn "
                        "this into errors. Check saturation (GPU, CPU, queue time) and recent deploys; scale out if traffic grew.",
                    ),
                )
            )
    if (t := chk.throughput) is not None and t.min_rps is not None:
        out.append(
            AlertRule(
                D.A_THROUGHPUT,
                f"{req} < {num(t.min_rps)}",
                dur(t.for_),
                labels(model, C.SEVERITY_TICKET, "throughput"),
                alert_annotations(
                    model,
                    f"throughput below the floor of {num(t.min_rps)} req/s",
                    f"{m} has served fewer than {num(t.min_rps)} requests/s for {dur(t.for_)}. Callers may have failed over or "
                    "stopped calling it; check upstream services, routing and the scrape target.",
                ),
            )
        )
    if (d := chk.traffic_drop) is not None:
        what = "the same hour last week" if d.compare == "last_week" else f"the trailing {dur(d.window)} average"
        expr = f"{req}\n< {num(d.ratio)} * ({drop_baseline(model, d)} > {num(d.min_baseline_rps)})"
        out.append(
            AlertRule(
                D.A_DROP,
                expr,
                dur(d.for_),
                labels(model, C.SEVERITY_TICKET, "traffic_drop"),
                alert_annotations(
                    model,
                    f"traffic dropped below {num(d.ratio * 100)}% of {what}",
                    f"Requests to {m} fell below {num(d.ratio * 100)}% of {what}. A sudden drop usually means callers broke, "
                    "a route or feature flag changed, or clients fell back to a default; check the callers and the load balancer.",
                ),
            )
        )
    return out


def _resource_alerts(model: Any, chk: Checks) -> list[AlertRule]:
    out = []
    m = model.id
    if (g := chk.gpu) is not None:
        util = S.rec(m, C.GPU_UTILIZATION)
        out.append(
            AlertRule(
                D.A_GPU_SAT,
                f"{util} > {num(g.saturated)}",
                dur(g.saturated_for),
                labels(model, C.SEVERITY_TICKET, "gpu_saturated"),
                alert_annotations(
                    model,
                    f"GPUs above {num(g.saturated * 100)}% busy for {dur(g.saturated_for)}",
                    f"The GPUs of {m} have been above {num(g.saturated * 100)}% busy for {dur(g.saturated_for)}: requests queue "
                    "and latency grows. Add replicas or GPUs, enable batching, or shed load.",
                ),
            )
        )
        out.append(
            AlertRule(
                D.A_GPU_IDLE,
                f"{util} < {num(g.idle)}",
                dur(g.idle_for),
                labels(model, C.SEVERITY_TICKET, "gpu_idle"),
                alert_annotations(
                    model,
                    f"paid-for GPUs below {num(g.idle * 100)}% busy for {dur(g.idle_for)}",
                    f"The GPUs of {m} have been below {num(g.idle * 100)}% busy for {dur(g.idle_for)}: money spent on idle "
                    "accelerators. Scale replicas down, share GPUs (MIG, time slicing) or move the model to CPU.",
                ),
            )
        )
    if (g := chk.gpu_memory) is not None:
        expr = f"{S.rec(m, C.GPU_MEMORY_RATIO)} > {num(g.memory)}"
        out.append(
            AlertRule(
                D.A_GPU_MEM,
                expr,
                dur(g.memory_for),
                labels(model, C.SEVERITY_TICKET, "gpu_memory"),
                alert_annotations(
                    model,
                    f"GPU memory above {num(g.memory * 100)}% used",
                    f"A GPU of {m} has more than {num(g.memory * 100)}% of its memory in use: the next larger batch or "
                    "longer sequence fails with out-of-memory. Lower batch size / max sequence length or use a larger GPU.",
                ),
            )
        )
    if (mem := chk.memory) is not None:
        for sev, thr in ((C.SEVERITY_TICKET, mem.warning), (C.SEVERITY_PAGE, mem.critical)):
            out.append(
                AlertRule(
                    D.A_MEM,
                    f"{S.rec(m, C.MEMORY_RATIO)} > {num(thr)}",
                    dur(mem.for_),
                    labels(model, sev, "memory"),
                    alert_annotations(
                        model,
                        f"memory above {num(thr * 100)}% of its limit",
                        f"{m} uses more than {num(thr * 100)}% of its memory limit; at 100% the container is OOM-killed and "
                        "in-flight requests fail. Look for a leak (steady growth) or raise the limit.",
                    ),
                )
            )
    return out


def _scrape_alerts(model: Any, chk: Checks) -> list[AlertRule]:
    if (sc := chk.scrape) is None:
        return []
    tsel = P.model_selector(model).of("target")
    return [
        AlertRule(
            D.A_TARGET_DOWN,
            f"up{{{tsel}}} == 0",
            dur(sc.for_),
            labels(model, C.SEVERITY_TICKET, "scrape"),
            alert_annotations(
                model,
                "scrape target {{ $labels.instance }} is down",
                f"Prometheus cannot scrape {{{{ $labels.instance }}}} of {model.id}: that replica is down or its /metrics endpoint "
                "fails, and its metrics (and alerts) are missing. Check the pod and the endpoint.",
            ),
        ),
        AlertRule(
            D.A_SERVING_DOWN,
            f"absent(up{{{tsel}}} == 1)",
            dur(sc.for_),
            labels(model, C.SEVERITY_PAGE, "scrape"),
            alert_annotations(
                model,
                "no scrape target is up",
                f"None of the scrape targets of {model.id} is up (or the job is missing): the model is down or unobservable, "
                "and every other alert of this model is blind. Check the deployment and the Prometheus scrape config.",
            ),
        ),
    ]


def _nodata_alerts(model: Any, chk: Checks) -> list[AlertRule]:
    out = []
    req = S.rec(model.id, C.REQUESTS_RATE)
    exporters = ", ".join(chk.cfg.placement.exporters) or "none"
    for nd in chk.nodata:
        extra = {"quantile": num(chk.latency.quantile)} if nd.series == C.LATENCY_QUANTILE and chk.latency else None
        expr = f"absent({S.rec(model.id, nd.series, extra)})"
        if nd.serving_only:
            expr = f"{expr}\nand on ()\n({req} > 0)"
        out.append(
            AlertRule(
                D.A_NODATA,
                expr,
                dur(chk.cfg.no_data_for),
                labels(model, C.SEVERITY_TICKET, nd.check),
                alert_annotations(
                    model,
                    f"{nd.check} metrics missing ({nd.series.split(':')[1]})",
                    f"The {nd.check} alerts of {model.id} cannot evaluate because {nd.series} has no data. Check that the preset "
                    f"({model.serving.preset}) and the exporters ({exporters}) match what is scraped, and that the exporters run.",
                ),
            )
        )
    return out
