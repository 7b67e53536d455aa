"""Infrastructure: latency, throughput and traffic drops, GPU saturation and idleness, memory near
its limit, scrape targets down. Spec key ``infra``.

This monitor also writes the model's *normalised signals* (group ``mlmon-<id>-signals``): one
recording rule per signal the serving preset and the listed exporters provide (request rate,
error ratio, latency quantiles in seconds, GPU utilisation 0-1, memory bytes, cost per hour ...,
names in ``conventions``). The errors and cost monitors read them, so the group is written even
when ``infra.enabled`` is false (that turns the alerts off).

```yaml
infra:
  exporters: [dcgm, cadvisor, node, opencost]   # default: none (the serving framework's own gauges)
  namespace: ml                                 # the model's pods, for dcgm/cadvisor/opencost
  pod: "fraud-detector-predictor-.*"            # regex; default "<model id>-.*"
  container: kserve-container                   # default: every container except POD
  node: {instance: "gpu-node-1:9100"}           # node_exporter matchers (needed with `node`)
  labels: {pod: exported_pod}                   # exporter label names, when scraped without honor_labels
  overrides: {gpu_util: MY_GPU_UTIL}            # exporter metric names
  latency: {quantile: 0.99, max: 1s, for: 10m}
  throughput: {min_rps: 1, for: 15m}
  traffic_drop: {ratio: 0.5, compare: trailing, window: 1h, min_baseline_rps: 0.1, for: 10m}
  gpu: {saturated: 0.95, idle: 0.05, memory: 0.95, saturated_for: 30m, idle_for: 2h}
  memory: {warning: 0.9, critical: 0.97, for: 15m}
  scrape: {for: 5m}
```

Every check has ``enabled`` (default true) and is generated only when the model's metrics allow
it: with only ``serving.preset`` set a model gets latency (when its preset has a latency signal),
traffic drop (unless ``idle_ok``), GPU/memory checks (when the preset has those gauges) and
scrape checks (when mlmon scrapes it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from mlmon import conventions as C
from mlmon import presets as P
from mlmon.artifacts import AlertRule, Panel, RecordingRule, Row, RuleGroup, RuleTest, Target, Threshold
from mlmon.compiler.context import CompileContext
from mlmon.presets import signals as S
from mlmon.compiler.dsl import LABEL_NAME_PATTERN, array, boolean, duration, enum, number, obj, ratio, string, string_map
from mlmon.compiler.units import format_duration, parse_duration

KEY = "infra"
A_LATENCY = "MLModelLatencyHigh"
A_THROUGHPUT = "MLModelThroughputLow"
A_DROP = "MLModelTrafficDrop"
A_GPU_SAT = "MLModelGPUSaturated"
A_GPU_IDLE = "MLModelGPUIdle"
A_GPU_MEM = "MLModelGPUMemoryHigh"
A_MEM = "MLModelMemoryHigh"
A_TARGET_DOWN = "MLModelTargetDown"
A_SERVING_DOWN = "MLModelServingDown"
A_NODATA = "MLModelInfraNoData"
ALERTS = (A_LATENCY, A_THROUGHPUT, A_DROP, A_GPU_SAT, A_GPU_IDLE, A_GPU_MEM, A_MEM, A_TARGET_DOWN, A_SERVING_DOWN, A_NODATA)


@dataclass(frozen=True)
class Latency:
    enabled: bool = True
    quantile: float = 0.99
    max: float | None = None  # seconds; None: 1s, or 30s for task llm
    critical: float | None = None
    for_: float = 600.0


@dataclass(frozen=True)
class Throughput:
    min_rps: float | None = None
    for_: float = 900.0


@dataclass(frozen=True)
class TrafficDrop:
    enabled: bool = True
    ratio: float = 0.5  # fires when traffic < ratio x baseline
    compare: str = "trailing"  # trailing | last_week
    window: float = 3600.0
    min_baseline_rps: float = 0.1
    for_: float = 600.0


@dataclass(frozen=True)
class GPU:
    enabled: bool = True
    saturated: float = 0.95
    idle: float = 0.05
    memory: float = 0.95
    saturated_for: float = 1800.0
    idle_for: float = 7200.0
    memory_for: float = 900.0


@dataclass(frozen=True)
class Memory:
    enabled: bool = True
    warning: float = 0.9
    critical: float = 0.97
    for_: float = 900.0


@dataclass(frozen=True)
class Scrape:
    enabled: bool = True
    for_: float = 300.0


@dataclass(frozen=True)
class Infra:
    enabled: bool = True
    placement: S.Placement = field(default_factory=S.Placement)
    latency: Latency = field(default_factory=Latency)
    throughput: Throughput = field(default_factory=Throughput)
    traffic_drop: TrafficDrop = field(default_factory=TrafficDrop)
    gpu: GPU = field(default_factory=GPU)
    memory: Memory = field(default_factory=Memory)
    scrape: Scrape = field(default_factory=Scrape)
    no_data_for: float = 900.0


def _en(desc: str) -> dict:
    return boolean(desc, True)


def _dur(s: float) -> str:
    return format_duration(s)


def _num(x: float) -> str:
    from mlmon.compiler.units import fmt_float

    return fmt_float(float(f"{x:.12g}"))


class InfraMonitor:
    key = KEY
    title = "Infrastructure"

    # --- schema -----------------------------------------------------------------------------------
    def schema(self) -> dict:
        exporters = P.names("exporter")
        return obj(
            {
                "enabled": _en("generate the infrastructure alerts (the normalised signal rules are always written)"),
                "exporters": array(enum(exporters, "infrastructure exporter preset"), "exporters that watch the model's pods/nodes/GPUs", uniqueItems=True),
                "namespace": string("Kubernetes namespace of the model's pods", pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"),
                "pod": string("regular expression over the model's pod names (default '<model id>-.*')"),
                "container": string("the model server's container name (default: all but POD)"),
                "node": string_map("node_exporter label matchers of the model's nodes; a value starting with ~ is a regex"),
                "labels": obj({r: string(f"label name for the {r}", pattern=LABEL_NAME_PATTERN) for r in ("namespace", "pod", "container")},
                              (), "exporter label names when they differ (e.g. exported_pod when scraped without honor_labels)"),  # fmt: skip
                "overrides": string_map("exporter signal -> metric name (e.g. gpu_util: MY_DCGM_GPU_UTIL)", r"^[a-z_]+$"),
                "no_data_for": duration("how long an expected signal may be missing before MLModelInfraNoData", "15m"),
                "latency": obj(
                    {
                        "enabled": _en("alert when the latency quantile is above max"),
                        "quantile": number("which recorded latency quantile to watch: 0.5, 0.9 or 0.99", 0, 1, 0.99),
                        "max": duration("warning threshold (default 1s; 30s for task llm)"),
                        "critical": duration("page threshold (default: none)"),
                        "for": duration("how long it must hold", "10m"),
                    },
                    (), "latency quantile above a threshold (the mean for presets without a histogram)",
                ),
                "throughput": obj(
                    {"min_rps": number("alert when requests/s fall below this floor", 0), "for": duration("how long", "15m")},
                    (), "throughput floor (off unless min_rps is set)",
                ),
                "traffic_drop": obj(
                    {
                        "enabled": _en("alert on a sudden traffic drop (off by default for idle_ok models)"),
                        "ratio": ratio("fires when traffic < ratio x baseline", 0.5),
                        "compare": enum(["trailing", "last_week"], "baseline: trailing average over window, or the same window a week ago", "trailing"),
                        "window": duration("baseline window", "1h"),
                        "min_baseline_rps": number("no alert when the baseline is below this (requests/s)", 0, default=0.1),
                        "for": duration("how long", "10m"),
                    },
                    (), "sudden traffic drop against a baseline",
                ),
                "gpu": obj(
                    {
                        "enabled": _en("GPU checks (when GPU metrics exist)"),
                        "saturated": ratio("utilisation above this is saturated", 0.95),
                        "idle": ratio("utilisation below this is idle: paid-for GPUs doing nothing", 0.05),
                        "memory": ratio("GPU memory used share above this alerts", 0.95),
                        "saturated_for": duration("how long", "30m"),
                        "idle_for": duration("how long", "2h"),
                        "memory_for": duration("how long", "15m"),
                    },
                    (), "GPU saturated, idle or out of memory",
                ),
                "memory": obj(
                    {
                        "enabled": _en("memory checks (when memory metrics exist)"),
                        "warning": ratio("used/limit share that opens a ticket", 0.9),
                        "critical": ratio("used/limit share that pages", 0.97),
                        "for": duration("how long", "15m"),
                    },
                    (), "memory near its limit (container limit with cAdvisor, host memory otherwise)",
                ),
                "scrape": obj(
                    {"enabled": _en("scrape checks for the model's own job mlmon-<id>"), "for": duration("how long", "5m")},
                    (), "scrape targets down",
                ),
            },
            (),
            "Infrastructure alerts and the model's normalised serving/infrastructure signals",
        )

    # --- compile ------------------------------------------------------------------------------------
    def compile(self, raw: Any, ctx: CompileContext) -> Infra:
        raw = raw or {}

        def dur(path: tuple, text: Any, default: float) -> float:
            if text is None:
                return default
            try:
                return parse_duration(text)
            except ValueError as exc:
                ctx.error(path, "MLM203", str(exc))
                return default

        exporters = tuple(raw.get("exporters", ()))
        if "node" in exporters and not raw.get("node"):
            ctx.error(("exporters",), "MLM213", "exporter 'node' needs infra.node: label matchers of the model's nodes",
                      hint='e.g. node: {instance: "gpu-node-1:9100"}')  # fmt: skip
        pod = raw.get("pod")
        if pod is not None:
            import re

            try:
                re.compile(pod)
            except re.error as exc:
                ctx.error(("pod",), "MLM213", f"not a regular expression: {exc}")
        for k in sorted(raw.get("overrides", {})):
            owners = [e for e in exporters if k in (P.get(e).signals if P.get(e) else {})]
            if not owners:
                ctx.error(("overrides", k), "MLM213", f"no listed exporter provides signal {k!r}", key=True,
                          hint="signals: " + ", ".join(sorted({s for e in exporters for s in P.get(e).signals})) if exporters else "list the exporter in infra.exporters")  # fmt: skip
            elif isinstance(P.get(owners[-1]).signals[k], P.Expr):
                ctx.error(("overrides", k), "MLM213", f"signal {k!r} of {owners[-1]!r} is a PromQL expression over several metrics; its name cannot be overridden", key=True)
        placement = S.Placement(
            exporters, raw.get("namespace"), pod, raw.get("container"), dict(raw.get("node", {})), dict(raw.get("labels", {})), dict(raw.get("overrides", {}))
        )
        lr = raw.get("latency", {})
        lmax = dur(("latency", "max"), lr.get("max"), 0) or None
        lcrit = dur(("latency", "critical"), lr.get("critical"), 0) or None
        if lmax and lcrit and lcrit <= lmax:
            ctx.error(("latency", "critical"), "MLM210", f"critical ({lr['critical']}) must be above max ({lr['max']})")
        q = float(lr.get("quantile", 0.99))
        if q not in S.QUANTILES:
            ctx.error(("latency", "quantile"), "MLM213", f"quantile {q} is not recorded; use one of {', '.join(_num(x) for x in S.QUANTILES)}")
            q = 0.99
        latency = Latency(lr.get("enabled", True), q, lmax, lcrit, dur(("latency", "for"), lr.get("for"), 600.0))
        tr = raw.get("throughput", {})
        throughput = Throughput(tr.get("min_rps"), dur(("throughput", "for"), tr.get("for"), 900.0))
        dr = raw.get("traffic_drop", {})
        drop = TrafficDrop(
            dr.get("enabled", True), float(dr.get("ratio", 0.5)), dr.get("compare", "trailing"), dur(("traffic_drop", "window"), dr.get("window"), 3600.0),
            float(dr.get("min_baseline_rps", 0.1)), dur(("traffic_drop", "for"), dr.get("for"), 600.0),
        )  # fmt: skip
        if drop.window < 4 * 300:
            ctx.error(("traffic_drop", "window"), "MLM203", "baseline window must be at least 20m (4 x the 5m rate window)")
        gr = raw.get("gpu", {})
        gpu = GPU(
            gr.get("enabled", True), float(gr.get("saturated", 0.95)), float(gr.get("idle", 0.05)), float(gr.get("memory", 0.95)),
            dur(("gpu", "saturated_for"), gr.get("saturated_for"), 1800.0), dur(("gpu", "idle_for"), gr.get("idle_for"), 7200.0),
            dur(("gpu", "memory_for"), gr.get("memory_for"), 900.0),
        )  # fmt: skip
        if gpu.idle >= gpu.saturated:
            ctx.error(("gpu", "idle"), "MLM210", f"idle threshold {gpu.idle} must be below saturated {gpu.saturated}")
        mr = raw.get("memory", {})
        mem = Memory(mr.get("enabled", True), float(mr.get("warning", 0.9)), float(mr.get("critical", 0.97)), dur(("memory", "for"), mr.get("for"), 900.0))
        if mem.critical <= mem.warning:
            ctx.error(("memory", "critical"), "MLM210", f"critical {mem.critical} must be above warning {mem.warning}")
        sr = raw.get("scrape", {})
        scrape = Scrape(sr.get("enabled", True), dur(("scrape", "for"), sr.get("for"), 300.0))
        if ctx.scrape_interval * 4 > 300:
            ctx.warning((), "MLM207", f"scrape interval {_dur(ctx.scrape_interval)} is too long for the 5m rate window of the normalised signals",
                        hint="scrape at least every 75s")  # fmt: skip
        return Infra(bool(raw.get("enabled", True)), placement, latency, throughput, drop, gpu, mem, scrape, dur(("no_data_for",), raw.get("no_data_for"), 900.0))

    # --- helpers -----------------------------------------------------------------------------------
    def labels(self, model: Any, severity: str, check: str) -> dict[str, str]:
        out = dict(model.labels)
        out.update({C.L_MODEL: model.id, C.L_TEAM: model.team, C.L_SEVERITY: severity, C.L_MONITOR: KEY, C.L_CHECK: check})
        return out

    def _ann(self, model: Any, summary: str, description: str) -> dict[str, str]:
        return {"summary": f"{model.id}: {summary}", "description": description, "dashboard": f"/d/{C.grafana_uid('model', model.id)}"}

    def checks(self, model: Any) -> dict[str, Any]:
        """What this model gets: check name -> settings (after defaults and available metrics)."""
        cfg: Infra = model.section(KEY) or Infra()
        avail = S.available(model, cfg.placement)
        out: dict[str, Any] = {"nodata": []}
        if not cfg.enabled:
            return out
        if cfg.latency.enabled and ("latency" in avail or "latency_mean" in avail):
            mx = cfg.latency.max or (30.0 if model.task == "llm" else 1.0)
            out["latency"] = (cfg.latency, mx, "latency" in avail)
        if cfg.throughput.min_rps is not None and "requests" in avail:
            out["throughput"] = cfg.throughput
        if cfg.traffic_drop.enabled and not model.idle_ok and "requests" in avail:
            out["traffic_drop"] = cfg.traffic_drop
        if cfg.gpu.enabled and "gpu_util" in avail:
            out["gpu"] = cfg.gpu
        if cfg.gpu.enabled and "gpu_mem_ratio" in avail:
            out["gpu_memory"] = cfg.gpu
        if cfg.memory.enabled and "mem_ratio" in avail:
            out["memory"] = cfg.memory
        if cfg.scrape.enabled and "up" in avail:
            out["scrape"] = cfg.scrape
        errors = model.section("errors")
        out["nodata"] = self._expected(out, avail, errors_active=errors is not None and getattr(errors, "enabled", True))
        return out

    def _expected(self, checks: Mapping[str, Any], avail: set[str], errors_active: bool) -> list[tuple[str, str, bool]]:
        """(check, recorded series, only-while-serving) that must exist, for MLModelInfraNoData."""
        out: list[tuple[str, str, bool]] = []
        if not errors_active and "requests" in avail and ("throughput" in checks or "traffic_drop" in checks):
            out.append(("requests", C.REQUESTS_RATE, False))
        if "latency" in checks:
            out.append(("latency", C.LATENCY_QUANTILE if checks["latency"][2] else C.LATENCY_MEAN, True))
        if "gpu" in checks:
            out.append(("gpu", C.GPU_UTILIZATION, False))
        if "memory" in checks:
            out.append(("memory", C.MEMORY_RATIO, False))
        return out

    # --- rules ---------------------------------------------------------------------------------------
    def rule_groups(self, model: Any, spec: Any) -> Sequence[RuleGroup]:
        cfg: Infra = model.section(KEY) or Infra()
        groups = [RuleGroup(f"mlmon-{model.id}-signals", tuple(S.signal_rules(model, cfg.placement)))]
        alerts = self.alert_rules(model)
        if alerts:
            groups.append(RuleGroup(f"mlmon-{model.id}-infra", tuple(alerts)))
        return groups

    def latency_series(self, model: Any, q: float, quantile: bool) -> str:
        if quantile:
            return S.rec(model.id, C.LATENCY_QUANTILE, {"quantile": _num(q)})
        return S.rec(model.id, C.LATENCY_MEAN)

    def drop_baseline(self, model: Any, d: TrafficDrop) -> str:
        req = S.rec(model.id, C.REQUESTS_RATE)
        off = " offset 1w" if d.compare == "last_week" else ""
        return f"avg_over_time({req}[{_dur(d.window)}]{off})"

    def alert_rules(self, model: Any) -> list[RecordingRule | AlertRule]:
        chk = self.checks(model)
        out: list[RecordingRule | AlertRule] = []
        req = S.rec(model.id, C.REQUESTS_RATE)
        if "latency" in chk:
            lat, mx, isq = chk["latency"]
            series = self.latency_series(model, lat.quantile, isq)
            what = f"p{_num(lat.quantile * 100)} latency" if isq else "mean latency"
            for sev, thr in ((C.SEVERITY_TICKET, mx), (C.SEVERITY_PAGE, lat.critical)):
                if thr is None:
                    continue
                out.append(AlertRule(
                    A_LATENCY, f"{series} > {_num(thr)}", _dur(lat.for_), self.labels(model, sev, "latency"),
                    self._ann(model, f"{what} above {_dur(thr)}",
                              f"The {what} of {model.id} has been above {_dur(thr)} for {_dur(lat.for_)}. Users wait; upstream timeouts may turn "
                              "this into errors. Check saturation (GPU, CPU, queue time) and recent deploys; scale out if traffic grew."),
                ))  # fmt: skip
        if "throughput" in chk:
            t: Throughput = chk["throughput"]
            out.append(AlertRule(
                A_THROUGHPUT, f"{req} < {_num(t.min_rps)}", _dur(t.for_), self.labels(model, C.SEVERITY_TICKET, "throughput"),
                self._ann(model, f"throughput below the floor of {_num(t.min_rps)} req/s",
                          f"{model.id} has served fewer than {_num(t.min_rps)} requests/s for {_dur(t.for_)}. Callers may have failed over or "
                          "stopped calling it; check upstream services, routing and the scrape target."),
            ))  # fmt: skip
        if "traffic_drop" in chk:
            d: TrafficDrop = chk["traffic_drop"]
            base = self.drop_baseline(model, d)
            what = "the same hour last week" if d.compare == "last_week" else f"the trailing {_dur(d.window)} average"
            out.append(AlertRule(
                A_DROP, f"{req}\n< {_num(d.ratio)} * ({base} > {_num(d.min_baseline_rps)})", _dur(d.for_),
                self.labels(model, C.SEVERITY_TICKET, "traffic_drop"),
                self._ann(model, f"traffic dropped below {_num(d.ratio * 100)}% of {what}",
                          f"Requests to {model.id} fell below {_num(d.ratio * 100)}% of {what}. A sudden drop usually means callers broke, "
                          "a route or feature flag changed, or clients fell back to a default; check the callers and the load balancer."),
            ))  # fmt: skip
        if "gpu" in chk:
            g: GPU = chk["gpu"]
            util = S.rec(model.id, C.GPU_UTILIZATION)
            out.append(AlertRule(
                A_GPU_SAT, f"{util} > {_num(g.saturated)}", _dur(g.saturated_for), self.labels(model, C.SEVERITY_TICKET, "gpu_saturated"),
                self._ann(model, f"GPUs above {_num(g.saturated * 100)}% busy for {_dur(g.saturated_for)}",
                          f"The GPUs of {model.id} have been above {_num(g.saturated * 100)}% busy for {_dur(g.saturated_for)}: requests queue "
                          "and latency grows. Add replicas or GPUs, enable batching, or shed load."),
            ))  # fmt: skip
            out.append(AlertRule(
                A_GPU_IDLE, f"{util} < {_num(g.idle)}", _dur(g.idle_for), self.labels(model, C.SEVERITY_TICKET, "gpu_idle"),
                self._ann(model, f"paid-for GPUs below {_num(g.idle * 100)}% busy for {_dur(g.idle_for)}",
                          f"The GPUs of {model.id} have been below {_num(g.idle * 100)}% busy for {_dur(g.idle_for)}: money spent on idle "
                          "accelerators. Scale replicas down, share GPUs (MIG, time slicing) or move the model to CPU."),
            ))  # fmt: skip
        if "gpu_memory" in chk:
            g = chk["gpu_memory"]
            out.append(AlertRule(
                A_GPU_MEM, f"{S.rec(model.id, C.GPU_MEMORY_RATIO)} > {_num(g.memory)}", _dur(g.memory_for), self.labels(model, C.SEVERITY_TICKET, "gpu_memory"),
                self._ann(model, f"GPU memory above {_num(g.memory * 100)}% used",
                          f"A GPU of {model.id} has more than {_num(g.memory * 100)}% of its memory in use: the next larger batch or "
                          "longer sequence fails with out-of-memory. Lower batch size / max sequence length or use a larger GPU."),
            ))  # fmt: skip
        if "memory" in chk:
            m: Memory = chk["memory"]
            ratio = S.rec(model.id, C.MEMORY_RATIO)
            for sev, thr in ((C.SEVERITY_TICKET, m.warning), (C.SEVERITY_PAGE, m.critical)):
                out.append(AlertRule(
                    A_MEM, f"{ratio} > {_num(thr)}", _dur(m.for_), self.labels(model, sev, "memory"),
                    self._ann(model, f"memory above {_num(thr * 100)}% of its limit",
                              f"{model.id} uses more than {_num(thr * 100)}% of its memory limit; at 100% the container is OOM-killed and "
                              "in-flight requests fail. Look for a leak (steady growth) or raise the limit."),
                ))  # fmt: skip
        if "scrape" in chk:
            sc: Scrape = chk["scrape"]
            tsel = P.model_selector(model).of("target")
            out.append(AlertRule(
                A_TARGET_DOWN, f"up{{{tsel}}} == 0", _dur(sc.for_), self.labels(model, C.SEVERITY_TICKET, "scrape"),
                self._ann(model, "scrape target {{ $labels.instance }} is down",
                          f"Prometheus cannot scrape {{{{ $labels.instance }}}} of {model.id}: that replica is down or its /metrics endpoint "
                          "fails, and its metrics (and alerts) are missing. Check the pod and the endpoint."),
            ))  # fmt: skip
            out.append(AlertRule(
                A_SERVING_DOWN, f"absent(up{{{tsel}}} == 1)", _dur(sc.for_), self.labels(model, C.SEVERITY_PAGE, "scrape"),
                self._ann(model, "no scrape target is up",
                          f"None of the scrape targets of {model.id} is up (or the job is missing): the model is down or unobservable, "
                          "and every other alert of this model is blind. Check the deployment and the Prometheus scrape config."),
            ))  # fmt: skip
        for check, series, serving_only in chk["nodata"]:
            extra = {"quantile": _num(chk["latency"][0].quantile)} if series == C.LATENCY_QUANTILE else None
            sel = S.rec(model.id, series, extra)
            expr = f"absent({sel})"
            if serving_only:
                expr = f"{expr}\nand on ()\n({req} > 0)"
            out.append(AlertRule(
                A_NODATA, expr, _dur((model.section(KEY) or Infra()).no_data_for), self.labels(model, C.SEVERITY_TICKET, check),
                self._ann(model, f"{check} metrics missing ({series.split(':')[1]})",
                          f"The {check} alerts of {model.id} cannot evaluate because {series} has no data. Check that the preset "
                          f"({model.serving.preset}) and the exporters ({', '.join((model.section(KEY) or Infra()).placement.exporters) or 'none'}) "
                          "match what is scraped, and that the exporters run."),
            ))  # fmt: skip
        return out

    # --- rule tests ------------------------------------------------------------------------------------
    def rule_tests(self, model: Any, spec: Any, alerts: Sequence[AlertRule] = ()) -> Sequence[RuleTest]:
        from mlmon.monitors import infra_tests

        return infra_tests.tests(self, model)

    # --- dashboards ------------------------------------------------------------------------------------
    def dashboard_rows(self, model: Any, spec: Any) -> Sequence[Row]:
        cfg: Infra = model.section(KEY) or Infra()
        avail = S.available(model, cfg.placement)
        m = model.id
        panels: list[Panel] = []
        if "requests" in avail:
            panels.append(Panel("Requests/s (normalised)", "timeseries", (Target(S.rec(m, C.REQUESTS_RATE), "requests/s"),), unit="reqps", width=8))
        if "latency" in avail:
            panels.append(Panel("Latency quantiles and mean (normalised)", "timeseries",
                                tuple(Target(S.rec(m, C.LATENCY_QUANTILE, {"quantile": _num(q)}), f"p{_num(q * 100)}") for q in S.QUANTILES)
                                + ((Target(S.rec(m, C.LATENCY_MEAN), "mean"),)), unit="s", width=8))  # fmt: skip
        elif "latency_mean" in avail:
            panels.append(Panel("Mean latency", "timeseries", (Target(S.rec(m, C.LATENCY_MEAN), "mean"),), unit="s", width=8))
        if "queue" in avail or "queue_depth" in avail:
            t = []
            if "queue" in avail:
                t.append(Target(S.rec(m, C.QUEUE_MEAN), "mean queue time (s)"))
            if "queue_depth" in avail:
                t.append(Target(S.rec(m, C.QUEUE_DEPTH), "waiting requests"))
            panels.append(Panel("Queue", "timeseries", tuple(t), width=8))
        if "tokens" in avail:
            panels.append(Panel("Tokens/s", "timeseries", (Target(S.rec(m, C.TOKENS_RATE), "all"), Target(S.rec(m, C.GENERATION_TOKENS_RATE), "generated")), width=8))
        if "ttft" in avail:
            panels.append(Panel("Time to first token", "timeseries",
                                tuple(Target(S.rec(m, C.TTFT_QUANTILE, {"quantile": _num(q)}), f"p{_num(q * 100)}") for q in S.TTFT_QUANTILES), unit="s", width=8))  # fmt: skip
        if "gpu_util" in avail:
            panels.append(Panel("GPU utilisation", "timeseries", (Target(S.rec(m, C.GPU_UTILIZATION), "mean over GPUs"),), unit="percentunit",
                                min=0, max=1, thresholds=(Threshold(None, "blue"), Threshold(cfg.gpu.idle, "green"), Threshold(cfg.gpu.saturated, "red")), width=8))  # fmt: skip
        if "gpu_mem_ratio" in avail:
            panels.append(Panel("GPU memory used", "timeseries", (Target(S.rec(m, C.GPU_MEMORY_RATIO), "max over GPUs"),), unit="percentunit", min=0, max=1, width=8))
        if "kv_cache" in avail:
            panels.append(Panel("KV-cache usage", "timeseries", (Target(S.rec(m, C.KV_CACHE_USAGE), "kv cache"),), unit="percentunit", min=0, max=1, width=8))
        if "cpu_util" in avail or "cpu_usage" in avail:
            t = [Target(S.rec(m, C.CPU_UTILIZATION), "of limit")] if "cpu_util" in avail else [Target(S.rec(m, C.CPU_USAGE), "cores")]
            panels.append(Panel("CPU", "timeseries", tuple(t), unit="percentunit" if "cpu_util" in avail else "short", width=8))
        if "mem_ratio" in avail:
            panels.append(Panel("Memory used / limit", "timeseries", (Target(S.rec(m, C.MEMORY_RATIO), "max over containers"),), unit="percentunit",
                                min=0, max=1, thresholds=(Threshold(None, "green"), Threshold(cfg.memory.warning, "orange"), Threshold(cfg.memory.critical, "red")), width=8))  # fmt: skip
        if "up" in avail:
            panels.append(Panel("Replicas up", "stat", (Target(S.rec(m, C.REPLICAS), "up", instant=True),), width=4, height=4))
        if not panels:
            return []
        return [Row("Infrastructure", tuple(panels))]

    def fleet_panels(self, spec: Any) -> Sequence[Panel]:
        return [
            Panel("Requests/s by model", "timeseries", (Target(f"sum by (model) ({C.REQUESTS_RATE})", "{{model}}"),), unit="reqps", width=12),
            Panel("GPU utilisation by model", "timeseries", (Target(f"max by (model) ({C.GPU_UTILIZATION})", "{{model}}"),), unit="percentunit", width=12),
        ]


MONITOR = InfraMonitor()
