"""Normalised recording rules per model, and input series in a preset's dialect for rule tests.

``signal_rules(model, placement)`` asks the model's serving preset and the infrastructure
exporters listed in its ``infra`` section for every signal they have, and writes one recording
rule per signal under the names in ``conventions`` (request rate, error ratio, latency quantiles
in seconds, GPU utilisation 0-1, memory bytes, ...). Alerts and panels read only those names.

Which source wins when several provide a signal: exporters beat the serving framework's own
gauges, cAdvisor beats node_exporter (the model's containers, not the whole host), and DCGM
beats Triton/TorchServe GPU gauges.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mlmon import conventions as C
from mlmon import presets as P
from mlmon.artifacts import RecordingRule
from mlmon.compiler.units import fmt_float
from mlmon.presets.bills import bill_share

WINDOW = "5m"  # the rate window in every normalised name (*:rate5m)
QUANTILES = (0.5, 0.9, 0.99)
TTFT_QUANTILES = (0.5, 0.99)
EXPORTER_ORDER = ("node", "cadvisor", "dcgm", "opencost", "aws-billing")  # later wins for the same signal

RECORD = {
    "latency_mean": C.LATENCY_MEAN,
    "queue": C.QUEUE_MEAN,
    "queue_depth": C.QUEUE_DEPTH,
    "tokens": C.TOKENS_RATE,
    "generation_tokens": C.GENERATION_TOKENS_RATE,
    "itl": C.ITL_MEAN,
    "kv_cache": C.KV_CACHE_USAGE,
    "gpu_util": C.GPU_UTILIZATION,
    "gpu_count": C.GPU_COUNT,
    "gpu_mem_used": C.GPU_MEMORY_USED,
    "gpu_mem_total": C.GPU_MEMORY_TOTAL,
    "gpu_mem_ratio": C.GPU_MEMORY_RATIO,
    "cpu_usage": C.CPU_USAGE,
    "cpu_util": C.CPU_UTILIZATION,
    "mem_used": C.MEMORY_USED,
    "mem_limit": C.MEMORY_LIMIT,
    "mem_ratio": C.MEMORY_RATIO,
}
EARLY = ("latency_mean", "queue")  # recorded before the TTFT quantiles
COST_RESOURCES = {"cost_cpu": "cpu", "cost_ram": "ram", "cost_gpu": "gpu"}


@dataclass(frozen=True)
class Placement:
    """Where a model runs, for the infrastructure exporters (spec ``infra``)."""

    exporters: tuple[str, ...] = ()
    namespace: str | None = None
    pod: str | None = None  # regex over pod names; default "<model id>-.*"
    container: str | None = None
    node: Mapping[str, str] = field(default_factory=dict)  # node_exporter matchers ("~" prefix = regex)
    labels: Mapping[str, str] = field(default_factory=dict)  # role (pod, namespace, container) -> label name
    overrides: Mapping[str, Any] = field(default_factory=dict)  # exporter signal -> metric name


# --- selectors ---------------------------------------------------------------------------------------
def pod_labels(model_id: str, placement: Placement, exporter: P.Preset | None = None) -> dict[str, str]:
    """Label -> value ("~re" regex, "!=x" negative) for the model's pods in a Kubernetes exporter."""
    names = {**P.K8S_ROLES, **((exporter.labels if exporter else {}) or {}), **placement.labels}
    out: dict[str, str] = {}
    if placement.namespace:
        out[names["namespace"]] = placement.namespace
    out[names["pod"]] = "~" + (placement.pod or f"{re.escape(model_id)}-.*")
    if placement.container:
        out[names["container"]] = placement.container
    return out


def pod_matchers(model_id: str, placement: Placement, exporter: P.Preset | None = None) -> str:
    text = P.matchers(pod_labels(model_id, placement, exporter))
    if not placement.container:
        names = {**P.K8S_ROLES, **((exporter.labels if exporter else {}) or {}), **placement.labels}
        c = names["container"]
        text += f',{c}!="",{c}!="POD"'
    return text


def selector_for(model: Any, preset: P.Preset, placement: Placement | None) -> P.Sel:
    base = P.model_selector(model, P.for_model(model) or preset)
    scopes = dict(base.scopes)
    scopes["bill"] = ""  # a bill is narrowed by infra.overrides.cost_bill, not by the model
    if placement is not None:
        scopes["pod"] = pod_matchers(model.id, placement, preset)
        if placement.node:
            scopes["node"] = P.matchers(placement.node)
    return P.Sel(str(base), scopes, model.id)


def has_targets(model: Any) -> bool:
    overrides = getattr(model.serving, "overrides", None) or {}
    return bool(model.serving.targets) or bool(overrides.get("target_match"))


# --- which source provides which signal -------------------------------------------------------------
def plan(model: Any, placement: Placement | None) -> dict[str, tuple[P.Preset, Any]]:
    """signal key -> (preset, source) after priorities and overrides."""
    out: dict[str, tuple[P.Preset, Any]] = {}
    serving = P.for_model(model)
    if serving is not None:
        for key in serving.keys():
            out[key] = (serving, serving.signal(key))
    if placement is not None:
        for name in EXPORTER_ORDER:
            if name not in placement.exporters:
                continue
            exp = P.get(name)
            if exp is None:
                continue
            own = {k: v for k, v in placement.overrides.items() if k in exp.signals}
            exp = exp.with_overrides(own)
            for key in exp.keys():
                out[key] = (exp, exp.signal(key))
    return out


def available(model: Any, placement: Placement | None) -> set[str]:
    keys = set(plan(model, placement))
    if "errors" in keys and "requests" in keys:
        keys.add("error_ratio")
    if "latency" in keys or "latency_mean" in keys:
        keys.add("latency_mean")
    if has_targets(model):
        keys.add("up")
    return keys


# --- recording rules ------------------------------------------------------------------------------------
def rec(model_id: str, name: str, extra: Mapping[str, str] | None = None) -> str:
    """The normalised series of one model, as a PromQL selector."""
    labels = {C.L_MODEL: model_id, **(extra or {})}
    return f"{name}{{{P.matchers(labels)}}}"


def signal_rules(model: Any, placement: Placement | None) -> list[RecordingRule]:
    lab = {C.L_MODEL: model.id}
    out: list[RecordingRule] = []
    w = WINDOW
    chosen = plan(model, placement)

    def sel(preset: P.Preset) -> P.Sel:
        return selector_for(model, preset, placement)

    if "requests" in chosen:
        p, _ = chosen["requests"]
        req = p.requests_rate(sel(p), w)
        out.append(RecordingRule(C.REQUESTS_RATE, req, lab))
        if "errors" in chosen:
            err = p.errors_rate(sel(p), w)
            out.append(RecordingRule(C.ERRORS_RATE, f"({err})\nor\n0 * ({req})", lab))
            out.append(RecordingRule(C.ERROR_RATIO, f"{rec(model.id, C.ERRORS_RATE)}\n/\n({rec(model.id, C.REQUESTS_RATE)} > 0)", lab))
    if "latency" in chosen:
        p, h = chosen["latency"]
        for q in QUANTILES:
            out.append(RecordingRule(C.LATENCY_QUANTILE, f"{P.hist_quantile(h, sel(p), w, q)} >= 0", {**lab, "quantile": fmt_float(q)}))
    for key in EARLY:
        if key in chosen:
            p, src = chosen[key]
            out.append(RecordingRule(RECORD[key], P.source_expr(src, sel(p), w), lab))
    if "ttft" in chosen:
        p, h = chosen["ttft"]
        for q in TTFT_QUANTILES:
            out.append(RecordingRule(C.TTFT_QUANTILE, f"{P.hist_quantile(h, sel(p), w, q)} >= 0", {**lab, "quantile": fmt_float(q)}))
    for key in RECORD:
        if key in chosen and key not in EARLY:
            p, src = chosen[key]
            out.append(RecordingRule(RECORD[key], P.source_expr(src, sel(p), w), lab))
    costs = [k for k in COST_RESOURCES if k in chosen]
    for key in costs:
        p, src = chosen[key]
        out.append(RecordingRule(C.OPENCOST_HOURLY_BY_RESOURCE, P.source_expr(src, sel(p), w), {**lab, "resource": COST_RESOURCES[key]}))
    if costs:
        out.append(RecordingRule(C.OPENCOST_HOURLY, f"sum({rec(model.id, C.OPENCOST_HOURLY_BY_RESOURCE)})", lab))
    if "cost_bill" in chosen:
        _, src = chosen["cost_bill"]
        out.append(RecordingRule(C.CLOUD_BILL_HOURLY, bill_share(model, src), lab))
    if has_targets(model):
        tsel = P.model_selector(model).of("target")
        out.append(RecordingRule(C.REPLICAS, f"sum(up{{{tsel}}})", lab))
        out.append(RecordingRule(C.TARGETS_UP, f"avg(up{{{tsel}}})", lab))
    elif "replicas" in chosen:  # a managed cloud endpoint: the cloud counts its instances
        p, src = chosen["replicas"]
        out.append(RecordingRule(C.REPLICAS, P.source_expr(src, sel(p), w), lab))
    return out


# --- input series for rule tests, in the source's own dialect -------------------------------------
def example_value(pattern: str) -> str:
    """A string matching ``pattern`` (a Prometheus regex, anchored) for synthetic series."""
    dotted = re.sub(r"\.[*+]", "x", pattern)
    for cand in (dotted, pattern.replace("\\", ""), pattern, re.sub(r"\[[^\]]*\][*+]?", "a", pattern), re.sub(r"\([^()]*\)\?", "", dotted)):
        try:
            if re.fullmatch(pattern, cand):
                return cand
        except re.error:
            break
    return re.sub(r"[^A-Za-z0-9_-]", "x", pattern)


def concrete(labels: Mapping[str, str]) -> dict[str, str]:
    return {k: (example_value(v[1:]) if v.startswith("~") else v) for k, v in labels.items() if not v.startswith("!")}


def job_labels(model_id: str) -> dict[str, str]:
    return {"job": C.SCRAPE_JOB.format(model=model_id), "instance": "10.0.0.1:8080"}


def label_text(labels: Mapping[str, str]) -> str:
    return ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))


def series_labels(src: Any, model_labels: Mapping[str, str], model_id: str, placement: Placement | None = None, exporter: P.Preset | None = None) -> str:
    """Label text of a synthetic series for ``src`` (its scope's labels + example labels + job)."""
    scope = getattr(src, "scope", "model")
    labels = dict(job_labels(model_id))
    if scope == "model":
        labels.update(concrete(model_labels))
    elif scope == "pod":
        labels.update(concrete(pod_labels(model_id, placement or Placement(), exporter)))
        if not (placement and placement.container):
            labels[{**P.K8S_ROLES, **((exporter.labels if exporter else {}) or {}), **(placement.labels if placement else {})}["container"]] = "server"
        labels["node"] = "node-1"
    elif scope == "node":
        labels.update(concrete((placement.node if placement else {}) or {}))
    labels.update(concrete(getattr(src, "example", {}) or {}))
    return label_text(labels)


def synthetic_requests(
    preset: P.Preset, labels: Mapping[str, str], total: str, errors: str, good: str, *, model_id: str | None = None, step_s: float = 60.0
) -> list[tuple[str, str]]:
    """Input series (promtool notation) for the preset's request counters with the given sample
    strings. ``labels``: the model-scope labels; every series also gets ``job="mlmon-<model_id>"``."""
    values = {"total": total, "errors": errors, "success": good}
    mid = model_id or labels.get(preset.model_label, "")
    return [(f"{c.name}{{{series_labels(c, labels, mid)}}}", _as_period(c, values[role], step_s)) for role, c in preset.request_roles()]


def _as_period(c: P.Counter, values: str, step_s: float) -> str:
    """Counter notation ``a+bxn ...`` (as ``counter_values`` writes it) as the per-period gauge of
    ``c`` when it is one."""
    if not c.period:
        return values
    incs: list[tuple[float, int]] = []
    cur = 0.0
    for part in values.split():
        if "x" in part:
            start, rest = part.split("+", 1)
            inc, n = (float(x) for x in rest.split("x"))
            incs.append((inc, int(n) + (1 if incs else 0)))
            cur = float(start) + inc * n
        else:
            incs.append((float(part) - cur, 1))
            cur = float(part)
    return per_period_values(c, incs, step_s)


def counter_values(phases: list[tuple[float, int]], start: float = 0.0) -> str:
    """promtool notation for a counter growing by ``inc`` per step for ``n`` steps, phase by phase."""
    return _counter_values(tuple(phases), start)


@functools.lru_cache(maxsize=16384)
def _counter_values(phases: tuple[tuple[float, int], ...], start: float) -> str:
    parts, v = [], start
    phases = tuple((round(inc, 9), n) for inc, n in phases)  # no float noise in the test input
    for i, (inc, n) in enumerate(phases):
        if i == 0:
            parts.append(f"{fmt_float(v)}+{fmt_float(inc)}x{n}")
            v += inc * n
        else:
            v += inc
            parts.append(f"{fmt_float(round(v, 9))}+{fmt_float(inc)}x{n - 1}" if n > 1 else fmt_float(round(v, 9)))
            v += inc * (n - 1)
    return " ".join(parts)


def per_period_values(c: P.Counter, incs: list[tuple[float, int]], step_s: float) -> str:
    """promtool notation for a per-period count (``Counter.period``) growing by ``inc`` per step."""
    return gauge_values([(inc / step_s * c.period / c.scale, n) for inc, n in incs])


def gauge_values(phases: list[tuple[float, int]]) -> str:
    """promtool notation for a gauge holding ``v`` for ``n`` steps, phase by phase."""
    parts = []
    for i, (v, n) in enumerate(phases):
        parts.append(f"{fmt_float(round(v, 9))}+0x{n if i == 0 else n - 1}")
    return " ".join(parts)


@dataclass
class Synth:
    """Collects input series; the same series written twice must have the same values."""

    series: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, values: str) -> None:
        if name in self.series and self.series[name] != values:
            raise ValueError(f"conflicting synthetic values for {name}: {self.series[name]!r} vs {values!r}")
        self.series[name] = values

    def items(self) -> tuple[tuple[str, str], ...]:
        return tuple(sorted(self.series.items()))


def model_labels(model: Any) -> dict[str, str]:
    p = P.preset_of(model)
    if model.serving.match:
        return dict(model.serving.match)
    return concrete({k: v.replace("{model}", model.id) for k, v in p.model_match.items()}) or {p.model_label: model.id}


def synth_traffic(model: Any, s: Synth, phases: list[tuple[float, float, float, int]], step_s: float) -> None:
    """Request, error and latency series of the serving preset.

    ``phases``: (requests/s, errors/s, latency seconds, steps). Every request has the same latency."""
    p = P.preset_of(model)
    labels = model_labels(model)
    mid = model.id

    def ser(src: Any, name: str) -> str:
        return f"{name}{{{series_labels(src, labels, mid)}}}"

    for role, c in p.request_roles():
        incs = [((r if role == "total" else e if role == "errors" else r - e) * step_s, n) for r, e, _, n in phases]
        s.add(ser(c, c.name), per_period_values(c, incs, step_s) if c.period else counter_values(incs))
    lat = p.latency
    if lat is not None:
        bounds = sorted({*lat.buckets, float("inf")}) if lat.buckets else None
        sel_bounds = bounds or sorted({phases[0][2] / lat.scale, float("inf")})
        lat_labels = series_labels(lat, labels, mid)
        for b in sel_bounds:
            le = "+Inf" if b == float("inf") else fmt_float(b)
            incs = [(r * step_s if (L / lat.scale) <= b * (1 + 1e-12) else 0.0, n) for r, _, L, n in phases]
            s.add(f'{lat.name}_bucket{{{lat_labels},le="{le}"}}', counter_values(incs))
        if lat.name + "_count" not in {c.name for _, c in p.request_roles()}:  # else the request counters are its count
            s.add(f"{lat.name}_count{{{lat_labels}}}", counter_values([(r * step_s, n) for r, _, _, n in phases]))
        s.add(f"{lat.name}_sum{{{lat_labels}}}", counter_values([(r * step_s * L / lat.scale, n) for r, _, L, n in phases]))
    mean = p.signal("latency_mean")
    if isinstance(mean, P.Histogram) and mean is not lat:  # a histogram read for its mean only
        ml = series_labels(mean, labels, mid)
        s.add(f"{mean.name}_sum{{{ml}}}", counter_values([(r * step_s * L / mean.scale, n) for r, _, L, n in phases]))
        if mean.name + "_count" not in {c.name for _, c in p.request_roles()}:
            s.add(f"{mean.name}_count{{{ml}}}", counter_values([(r * step_s, n) for r, _, _, n in phases]))
    if isinstance(mean, P.Gauge):  # a cloud's mean latency gauge
        s.add(ser(mean, mean.name), gauge_values([(L / mean.scale, n) for _, _, L, n in phases]))
    if isinstance(mean, P.Mean):
        roles = {c.name: role for role, c in p.request_roles()}
        role = roles.get(mean.count.name, "total")
        cnt = [((r if role == "total" else r - e) * step_s, n) for r, e, _, n in phases]
        s.add(ser(mean.count, mean.count.name), counter_values(cnt))
        s.add(ser(mean.total, mean.total.name), counter_values([(c * L / mean.scale, n) for (c, _), (_, _, L, n) in zip(cnt, phases)]))


def synth_gauge(model: Any, placement: Placement | None, key: str, s: Synth, phases: list[tuple[float, int]]) -> bool:
    """Series that give signal ``key`` the values in ``phases``; False when it cannot be synthesised."""
    chosen = plan(model, placement)
    if key not in chosen:
        return False
    preset, src = chosen[key]
    labels = model_labels(model)
    if isinstance(src, P.Gauge) and src.agg != "count":
        name = f"{src.name}{{{series_labels(src, labels, model.id, placement, preset)}}}"
        s.add(name, gauge_values([(v / src.scale, n) for v, n in phases]))
        return True
    if isinstance(src, P.Expr) and src.fixture:
        scope = src.scopes[0]
        holder = P.Gauge(("x",), scope=scope)
        lt = series_labels(holder, labels, model.id, placement, preset)
        for metric, a, b in src.fixture:
            s.add(f"{metric}{{{lt}}}", gauge_values([(a * v + b, n) for v, n in phases]))
        return True
    return False


def synth_up(model: Any, s: Synth, phases: list[tuple[float, int]]) -> None:
    overrides = getattr(model.serving, "overrides", None) or {}
    labels = dict(overrides.get("target_match") or {"job": C.SCRAPE_JOB.format(model=model.id)})
    labels.setdefault("instance", "10.0.0.1:8080")
    s.add(f"up{{{label_text(concrete(labels))}}}", gauge_values(phases))
