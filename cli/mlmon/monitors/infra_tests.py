"""Generated promtool rule tests for the infra monitor, with input series in the model's own
dialect (its serving preset and exporters): every alert fires on its incident, stays quiet on
healthy data, and missing data raises a no-data alert instead."""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon import presets as P
from mlmon.artifacts import AlertCheck, AlertRule, ExpAlert, RuleTest
from mlmon.presets import signals as S
from mlmon.compiler.units import format_duration

STEP = 60.0  # seconds between input samples (interval 1m)
RPS = 10.0
ERR = 0.1


def _m(seconds: float) -> int:
    return int(round(seconds / STEP))


def _t(minutes: int) -> str:
    return format_duration(minutes * 60.0)


def latency_values(model: Any, threshold: float) -> tuple[float, float]:
    """(healthy latency, slow latency) in seconds whose recorded quantile/mean is clearly below /
    above ``threshold`` for the model's preset."""
    p = P.for_model(model)
    lat = p.latency
    if lat is None or not lat.buckets:
        return threshold / 4, threshold * 3
    bounds = sorted(lat.buckets)
    qs = S.QUANTILES
    ok = next((b * lat.scale / 2 for b in bounds if all(S.expected_quantile(lat, b * lat.scale / 2, q) < threshold * 0.9 for q in qs)), threshold / 100)
    slow = next((b * lat.scale for b in bounds if all(S.expected_quantile(lat, b * lat.scale, q) > threshold * 1.1 for q in qs)), bounds[-1] * lat.scale * 2)
    return ok, slow


def tests(mon: Any, model: Any) -> list[RuleTest]:
    chk = mon.checks(model)
    cfg = model.section("infra")
    placement = cfg.placement if cfg else S.Placement()
    out: list[RuleTest] = []
    thr = chk["latency"][1] if "latency" in chk else 1.0
    ok_lat, _ = latency_values(model, thr)
    _, slow_lat = latency_values(model, max(thr, chk["latency"][0].critical or thr) if "latency" in chk else 1.0)
    has_up = "scrape" in chk

    def base(n: int, latency: float = ok_lat, rps: float = RPS, gpu: float = 0.5, mem: float = 0.5, up: float = 1.0,
             traffic: list[tuple[float, float, float, int]] | None = None) -> S.Synth:  # fmt: skip
        s = S.Synth()
        S.synth_traffic(model, s, traffic or [(rps, ERR * rps / RPS, latency, n)], STEP)
        if "gpu" in chk or "gpu_memory" in chk:
            S.synth_gauge(model, placement, "gpu_util", s, [(gpu, n)])
            S.synth_gauge(model, placement, "gpu_mem_ratio", s, [(gpu, n)])
        if "memory" in chk:
            S.synth_gauge(model, placement, "mem_ratio", s, [(mem, n)])
        if has_up:
            S.synth_up(model, s, [(up, n)])
        return s

    alert_rules = [r for g in mon.rule_groups(model, None) for r in g.rules if isinstance(r, AlertRule)]

    def ac(t: str, alert: str, exps: tuple = ()) -> AlertCheck:
        out = []
        for e in exps:
            want = {k: v for k, v in e.labels.items()}
            rule = next(r for r in alert_rules if r.alert == alert and all(want.get(k) == v for k, v in r.labels.items()))
            ann = {k: v.replace("{{ $labels.instance }}", want.get("instance", "")) for k, v in rule.annotations.items()}
            out.append(ExpAlert(e.labels, ann))
        return AlertCheck(t, alert, tuple(out))

    def lab(sev: str, check: str, **extra: str) -> ExpAlert:
        return ExpAlert({**mon.labels(model, sev, check), **extra})

    # 1. healthy: every alert quiet; the normalised request rate is exact
    n = 130
    s = base(n)
    quiet = [ac(_t(120), a) for a in sorted({a for a in _alerts(mon, model)})]
    req_check = S.exact_check(S.rec(model.id, C.REQUESTS_RATE), _t(120), RPS)
    out.append(RuleTest(f"infra {model.id}: healthy {model.serving.preset} traffic raises nothing", "1m", s.items(), tuple(quiet), (req_check,)))

    # 2. latency above the threshold
    if "latency" in chk:
        lat, mx, isq = chk["latency"]
        n = _m(lat.for_) + 15
        s = base(n, latency=slow_lat)
        extra = {"quantile": S.fmt_float(lat.quantile)} if isq else {}
        exp = [lab(C.SEVERITY_TICKET, "latency", **extra)]
        if lat.critical is not None:
            exp.append(lab(C.SEVERITY_PAGE, "latency", **extra))
        out.append(RuleTest(f"infra {model.id}: slow requests fire {mon.A_LATENCY if hasattr(mon, 'A_LATENCY') else 'MLModelLatencyHigh'}", "1m", s.items(),
                            (ac(_t(n - 2), "MLModelLatencyHigh", tuple(exp)),)))  # fmt: skip
        # no data: traffic without latency series
        nd = (model.section("infra").no_data_for if model.section("infra") else 900.0)
        n = _m(nd) + 10
        s = base(n)
        p = P.for_model(model)
        drop = set()
        if isq:
            drop = {k for k in s.series if k.startswith(p.latency.name + "_bucket")}
        else:
            mean = p.signal("latency_mean")
            name = mean.total.name if isinstance(mean, P.Mean) else getattr(mean, "name", "")
            drop = {k for k in s.series if k.startswith((name + "{", name + "_sum{"))}
        for k in drop:
            del s.series[k]
        qlab = {"quantile": S.fmt_float(lat.quantile)} if isq else {}
        out.append(RuleTest(f"infra {model.id}: requests without latency series raise MLModelInfraNoData", "1m", s.items(),
                            (ac(_t(n - 2), "MLModelInfraNoData", (lab(C.SEVERITY_TICKET, "latency", **qlab),)),
                             ac(_t(n - 2), "MLModelLatencyHigh"))))  # fmt: skip

    # 3. throughput floor
    if "throughput" in chk:
        t = chk["throughput"]
        n = _m(t.for_) + 15
        s = base(n, rps=t.min_rps / 4)
        out.append(RuleTest(f"infra {model.id}: traffic below the floor fires MLModelThroughputLow", "1m", s.items(),
                            (ac(_t(n - 2), "MLModelThroughputLow", (lab(C.SEVERITY_TICKET, "throughput"),)),)))  # fmt: skip

    # 4. sudden traffic drop against the trailing average
    if "traffic_drop" in chk and chk["traffic_drop"].compare == "trailing":
        d = chk["traffic_drop"]
        high = max(RPS, d.min_baseline_rps * 20)
        before, after = _m(d.window) + 10, _m(d.for_) + 12
        n = before + after
        s = base(n, traffic=[(high, 0.0, ok_lat, before), (high * d.ratio / 5, 0.0, ok_lat, after)])
        out.append(RuleTest(f"infra {model.id}: traffic falling to a tenth fires MLModelTrafficDrop", "1m", s.items(),
                            (ac(_t(before - 2), "MLModelTrafficDrop"),
                             ac(_t(n - 1), "MLModelTrafficDrop", (lab(C.SEVERITY_TICKET, "traffic_drop"),)))))  # fmt: skip

    # 4b. traffic drop against the same window last week: a week of history at 2m resolution
    if "traffic_drop" in chk and chk["traffic_drop"].compare == "last_week":
        d = chk["traffic_drop"]
        step = 120.0
        high = max(RPS, d.min_baseline_rps * 20)
        before = int((7 * 86400 + d.window) / step) + 5
        after = int((d.for_ + 720) / step)
        s = S.Synth()
        S.synth_traffic(model, s, [(high, 0.0, ok_lat, before), (high * d.ratio / 5, 0.0, ok_lat, after)], step)
        t_before, t_end = int(before * step / 60) - 4, int((before + after) * step / 60) - 2
        out.append(RuleTest(f"infra {model.id}: traffic falling below last week's fires MLModelTrafficDrop", "2m", s.items(),
                            (ac(_t(t_before), "MLModelTrafficDrop"),
                             ac(_t(t_end), "MLModelTrafficDrop", (lab(C.SEVERITY_TICKET, "traffic_drop"),)))))  # fmt: skip

    # 5. GPU saturated / idle / memory; no GPU data
    if "gpu" in chk:
        g = chk["gpu"]
        n = _m(g.saturated_for) + 10
        s = base(n, gpu=min(1.0, (g.saturated + 1) / 2))
        out.append(RuleTest(f"infra {model.id}: busy GPUs fire MLModelGPUSaturated", "1m", s.items(),
                            (ac(_t(n - 2), "MLModelGPUSaturated", (lab(C.SEVERITY_TICKET, "gpu_saturated"),)),
                             ac(_t(n - 2), "MLModelGPUIdle"))))  # fmt: skip
        n = _m(g.idle_for) + 10
        s = base(n, gpu=g.idle / 2)
        out.append(RuleTest(f"infra {model.id}: idle GPUs fire MLModelGPUIdle (money wasted)", "1m", s.items(),
                            (ac(_t(n - 2), "MLModelGPUIdle", (lab(C.SEVERITY_TICKET, "gpu_idle"),)),
                             ac(_t(n - 2), "MLModelGPUSaturated"))))  # fmt: skip
        nd = model.section("infra").no_data_for if model.section("infra") else 900.0
        n = _m(nd) + 10
        s = base(n)
        gpu_series = S.Synth()
        S.synth_gauge(model, placement, "gpu_util", gpu_series, [(0.5, n)])
        S.synth_gauge(model, placement, "gpu_mem_ratio", gpu_series, [(0.5, n)])
        for k in gpu_series.series:
            s.series.pop(k, None)
        out.append(RuleTest(f"infra {model.id}: missing GPU metrics raise MLModelInfraNoData", "1m", s.items(),
                            (ac(_t(n - 2), "MLModelInfraNoData", (lab(C.SEVERITY_TICKET, "gpu"),)),)))  # fmt: skip
    if "gpu_memory" in chk:
        g = chk["gpu_memory"]
        n = _m(g.memory_for) + 10
        s = S.Synth()
        s.series.update(base(n).series)
        full = S.Synth()
        S.synth_gauge(model, placement, "gpu_mem_ratio", full, [(min(1.0, (g.memory + 1) / 2), n)])
        s.series.update(full.series)
        out.append(RuleTest(f"infra {model.id}: full GPU memory fires MLModelGPUMemoryHigh", "1m", s.items(),
                            (ac(_t(n - 2), "MLModelGPUMemoryHigh", (lab(C.SEVERITY_TICKET, "gpu_memory"),)),)))  # fmt: skip

    # 6. memory near the limit: warning only, then both
    if "memory" in chk:
        m = chk["memory"]
        n = _m(m.for_) + 10
        s = base(n, mem=(m.warning + m.critical) / 2)
        out.append(RuleTest(f"infra {model.id}: memory between warning and critical opens a ticket only", "1m", s.items(),
                            (ac(_t(n - 2), "MLModelMemoryHigh", (lab(C.SEVERITY_TICKET, "memory"),)),)))  # fmt: skip
        s = base(n, mem=(m.critical + 1) / 2)
        out.append(RuleTest(f"infra {model.id}: memory above critical pages", "1m", s.items(),
                            (ac(_t(n - 2), "MLModelMemoryHigh", (lab(C.SEVERITY_TICKET, "memory"), lab(C.SEVERITY_PAGE, "memory"))),)))  # fmt: skip
        n = _m(model.section("infra").no_data_for if model.section("infra") else 900.0) + 10
        s = base(n)
        mem_series = S.Synth()
        S.synth_gauge(model, placement, "mem_ratio", mem_series, [(0.5, n)])
        for k in mem_series.series:
            s.series.pop(k, None)
        out.append(RuleTest(f"infra {model.id}: missing memory metrics raise MLModelInfraNoData", "1m", s.items(),
                            (ac(_t(n - 2), "MLModelInfraNoData", (lab(C.SEVERITY_TICKET, "memory"),)),)))  # fmt: skip

    # 7. nothing scraped at all: every always-expected signal raises MLModelInfraNoData
    always = [c for c, _, serving_only in chk["nodata"] if not serving_only]
    if always:
        nd = model.section("infra").no_data_for if model.section("infra") else 900.0
        n = _m(nd) + 5
        out.append(RuleTest(f"infra {model.id}: no metrics at all raise MLModelInfraNoData for {', '.join(always)}", "1m",
                            (("mlmon_unrelated_series", f"1+0x{n}"),),
                            (ac(_t(n), "MLModelInfraNoData", tuple(lab(C.SEVERITY_TICKET, c) for c in always)),)))  # fmt: skip

    # 8. scrape targets
    if has_up:
        sc = chk["scrape"]
        n = _m(sc.for_) + 8
        s = base(n)
        overrides = getattr(model.serving, "overrides", None) or {}
        tlabels = dict(S.concrete(overrides.get("target_match") or {"job": C.SCRAPE_JOB.format(model=model.id)}))
        down = {**tlabels, "instance": "10.0.0.2:8080"}
        s.add(f"up{{{S.label_text(down)}}}", S.gauge_values([(0.0, n)]))
        out.append(RuleTest(f"infra {model.id}: one target down opens a ticket, the model is still served", "1m", s.items(),
                            (ac(_t(n - 1), "MLModelTargetDown", (lab(C.SEVERITY_TICKET, "scrape", **down),)),
                             ac(_t(n - 1), "MLModelServingDown"))))  # fmt: skip
        s = base(n, up=0.0)
        only = {**tlabels, "instance": "10.0.0.1:8080"}
        out.append(RuleTest(f"infra {model.id}: every target down pages", "1m", s.items(),
                            (ac(_t(n - 1), "MLModelServingDown", (lab(C.SEVERITY_PAGE, "scrape"),)),
                             ac(_t(n - 1), "MLModelTargetDown", (lab(C.SEVERITY_TICKET, "scrape", **only),)))))  # fmt: skip
        out.append(RuleTest(f"infra {model.id}: no scrape job at all (no data) pages", "1m", (("mlmon_unrelated_series", "1+0x20"),),
                            (ac(_t(n - 1) if n - 1 <= 20 else "20m", "MLModelServingDown", (lab(C.SEVERITY_PAGE, "scrape"),)),)))  # fmt: skip
    return out


def _alerts(mon: Any, model: Any) -> list[str]:
    return [r.alert for r in mon.alert_rules(model) if hasattr(r, "alert")]
