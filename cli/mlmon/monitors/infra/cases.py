"""promtool rule tests for the infra monitor, with input series in the model's own dialect (its
serving preset and exporters): every alert fires on its incident, stays quiet on healthy data,
and missing data raises a no-data alert instead."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import RuleTest
from mlmon.monitors import steps
from mlmon.monitors import testkit as K
from mlmon.monitors.infra import schema as D
from mlmon.monitors.infra.checks import Checks, checks
from mlmon.monitors.infra.inputs import RPS, STEP, Inputs, latency_values, without
from mlmon.monitors.infra.rules import alert_rules, labels
from mlmon.presets import signals as S


def _m(seconds: float) -> int:
    return int(round(seconds / STEP))


Case = Callable[[Any, Checks, Inputs, K.Expect], list[RuleTest]]


def tests(model: Any) -> list[RuleTest]:
    chk = checks(model)
    rules = alert_rules(model)
    inp = Inputs(model, chk)
    ex = K.Expect(rules, functools.partial(labels, model))
    n = 130
    quiet = tuple(ex(120, a) for a in sorted({r.alert for r in rules}))
    out = [
        RuleTest(
            f"infra {model.id}: healthy {model.serving.preset} traffic raises nothing",
            "1m",
            inp.base(n).items(),
            quiet,
            (K.exact_check(S.rec(model.id, C.REQUESTS_RATE), K.minutes(120), RPS),),
        )
    ]
    cases: tuple[Case, ...] = (_latency, _throughput, _traffic_drop, _traffic_drop_last_week, _gpu, _gpu_memory, _memory, _nothing_scraped, _scrape)
    for case in cases:
        out.extend(case(model, chk, inp, ex))
    return steps.minute_built(model, out, coarse=True)


def _latency(model: Any, chk: Checks, inp: Inputs, ex: K.Expect) -> list[RuleTest]:
    if (lat := chk.latency) is None:
        return []
    _, slow = latency_values(model, max(chk.latency_max, lat.critical or chk.latency_max))
    extra = {"quantile": S.fmt_float(lat.quantile)} if chk.latency_quantile else {}
    n = steps.coarse_length(model, _m(lat.for_) + 15)
    exp = [ex.lab(C.SEVERITY_TICKET, "latency", **extra)]
    if lat.critical is not None:
        exp.append(ex.lab(C.SEVERITY_PAGE, "latency", **extra))
    out = [RuleTest(f"infra {model.id}: slow requests fire {D.A_LATENCY}", "1m", inp.base(n, latency=slow).items(), (ex(n - 2, D.A_LATENCY, *exp),))]
    n = steps.coarse_length(model, _m(chk.cfg.no_data_for) + 10)
    s = inp.base(n)
    without(s, inp.latency_series(s))
    out.append(
        RuleTest(
            f"infra {model.id}: requests without latency series raise {D.A_NODATA}",
            "1m",
            s.items(),
            (ex(n - 2, D.A_NODATA, ex.lab(C.SEVERITY_TICKET, "latency", **extra)), ex(n - 2, D.A_LATENCY)),
        )
    )
    return out


def _throughput(model: Any, chk: Checks, inp: Inputs, ex: K.Expect) -> list[RuleTest]:
    if (t := chk.throughput) is None or t.min_rps is None:
        return []
    n = steps.coarse_length(model, _m(t.for_) + 15)
    return [
        RuleTest(
            f"infra {model.id}: traffic below the floor fires {D.A_THROUGHPUT}",
            "1m",
            inp.base(n, rps=t.min_rps / 4).items(),
            (ex(n - 2, D.A_THROUGHPUT, ex.lab(C.SEVERITY_TICKET, "throughput")),),
        )
    ]


def _traffic_drop(model: Any, chk: Checks, inp: Inputs, ex: K.Expect) -> list[RuleTest]:
    """A sudden drop to a tenth of the baseline, against the trailing average."""
    if (d := chk.traffic_drop) is None or d.compare != "trailing":
        return []
    high = max(RPS, d.min_baseline_rps * 20)
    before, after = _m(d.window) + 10, _m(d.for_) + 12
    after += steps.coarse_margin(model, (before + after) * STEP)
    n = before + after
    s = inp.base(n, traffic=[(high, 0.0, inp.ok_latency, before), (high * d.ratio / 5, 0.0, inp.ok_latency, after)])
    return [
        RuleTest(
            f"infra {model.id}: traffic falling to a tenth fires {D.A_DROP}",
            "1m",
            s.items(),
            (ex(before - 2, D.A_DROP), ex(n - 1, D.A_DROP, ex.lab(C.SEVERITY_TICKET, "traffic_drop"))),
        )
    ]


def _traffic_drop_last_week(model: Any, chk: Checks, inp: Inputs, ex: K.Expect) -> list[RuleTest]:
    """A drop against the same window last week: a week of history at 2m resolution."""
    if (d := chk.traffic_drop) is None or d.compare != "last_week":
        return []
    step = 120.0
    high = max(RPS, d.min_baseline_rps * 20)
    before = int((7 * 86400 + d.window) / step) + 5
    after = int((d.for_ + 720) / step)
    after += int(math.ceil(steps.coarse_margin(model, (before + after) * step) * 60 / step))  # a week-long case evaluates every 5m
    s = S.Synth()
    S.synth_traffic(model, s, [(high, 0.0, inp.ok_latency, before), (high * d.ratio / 5, 0.0, inp.ok_latency, after)], step)
    t_before, t_end = int(before * step / 60) - 4, int((before + after) * step / 60) - 2
    return [
        RuleTest(
            f"infra {model.id}: traffic falling below last week's fires {D.A_DROP}",
            "2m",
            s.items(),
            (ex(t_before, D.A_DROP), ex(t_end, D.A_DROP, ex.lab(C.SEVERITY_TICKET, "traffic_drop"))),
        )
    ]


def _gpu(model: Any, chk: Checks, inp: Inputs, ex: K.Expect) -> list[RuleTest]:
    if (g := chk.gpu) is None:
        return []
    n = steps.coarse_length(model, _m(g.saturated_for) + 10)
    out = [
        RuleTest(
            f"infra {model.id}: busy GPUs fire {D.A_GPU_SAT}",
            "1m",
            inp.base(n, gpu=min(1.0, (g.saturated + 1) / 2)).items(),
            (ex(n - 2, D.A_GPU_SAT, ex.lab(C.SEVERITY_TICKET, "gpu_saturated")), ex(n - 2, D.A_GPU_IDLE)),
        )
    ]
    n = steps.coarse_length(model, _m(g.idle_for) + 10)
    out.append(
        RuleTest(
            f"infra {model.id}: idle GPUs fire {D.A_GPU_IDLE} (money wasted)",
            "1m",
            inp.base(n, gpu=g.idle / 2).items(),
            (ex(n - 2, D.A_GPU_IDLE, ex.lab(C.SEVERITY_TICKET, "gpu_idle")), ex(n - 2, D.A_GPU_SAT)),
        )
    )
    n = steps.coarse_length(model, _m(chk.cfg.no_data_for) + 10)
    s = without(inp.base(n), inp.gauges(("gpu_util", "gpu_mem_ratio"), 0.5, n).series)
    out.append(
        RuleTest(f"infra {model.id}: missing GPU metrics raise {D.A_NODATA}", "1m", s.items(), (ex(n - 2, D.A_NODATA, ex.lab(C.SEVERITY_TICKET, "gpu")),))
    )
    return out


def _gpu_memory(model: Any, chk: Checks, inp: Inputs, ex: K.Expect) -> list[RuleTest]:
    if (g := chk.gpu_memory) is None:
        return []
    n = steps.coarse_length(model, _m(g.memory_for) + 10)
    s = inp.base(n)
    s.series.update(inp.gauges(("gpu_mem_ratio",), min(1.0, (g.memory + 1) / 2), n).series)
    return [
        RuleTest(f"infra {model.id}: full GPU memory fires {D.A_GPU_MEM}", "1m", s.items(), (ex(n - 2, D.A_GPU_MEM, ex.lab(C.SEVERITY_TICKET, "gpu_memory")),))
    ]


def _memory(model: Any, chk: Checks, inp: Inputs, ex: K.Expect) -> list[RuleTest]:
    """Memory near the limit: between warning and critical a ticket only, above both."""
    if (mem := chk.memory) is None:
        return []
    n = steps.coarse_length(model, _m(mem.for_) + 10)
    ticket, page = ex.lab(C.SEVERITY_TICKET, "memory"), ex.lab(C.SEVERITY_PAGE, "memory")
    out = [
        RuleTest(
            f"infra {model.id}: memory between warning and critical opens a ticket only",
            "1m",
            inp.base(n, mem=(mem.warning + mem.critical) / 2).items(),
            (ex(n - 2, D.A_MEM, ticket),),
        ),
        RuleTest(f"infra {model.id}: memory above critical pages", "1m", inp.base(n, mem=(mem.critical + 1) / 2).items(), (ex(n - 2, D.A_MEM, ticket, page),)),
    ]
    n = steps.coarse_length(model, _m(chk.cfg.no_data_for) + 10)
    s = without(inp.base(n), inp.gauges(("mem_ratio",), 0.5, n).series)
    out.append(
        RuleTest(f"infra {model.id}: missing memory metrics raise {D.A_NODATA}", "1m", s.items(), (ex(n - 2, D.A_NODATA, ex.lab(C.SEVERITY_TICKET, "memory")),))
    )
    return out


def _nothing_scraped(model: Any, chk: Checks, inp: Inputs, ex: K.Expect) -> list[RuleTest]:
    """Nothing scraped at all: every always-expected signal raises the no-data alert."""
    always = [nd.check for nd in chk.nodata if not nd.serving_only]
    if not always:
        return []
    n = steps.coarse_length(model, _m(chk.cfg.no_data_for) + 5)
    return [
        RuleTest(
            f"infra {model.id}: no metrics at all raise {D.A_NODATA} for {', '.join(always)}",
            "1m",
            (("mlmon_unrelated_series", f"1+0x{n}"),),
            (ex(n, D.A_NODATA, *(ex.lab(C.SEVERITY_TICKET, c) for c in always)),),
        )
    ]


def _scrape(model: Any, chk: Checks, inp: Inputs, ex: K.Expect) -> list[RuleTest]:
    if (sc := chk.scrape) is None:
        return []
    n = steps.coarse_length(model, _m(sc.for_) + 8)
    tlabels = inp.target_labels()
    down = {**tlabels, "instance": "10.0.0.2:8080"}
    s = inp.base(n)
    s.add(f"up{{{S.label_text(down)}}}", S.gauge_values([(0.0, n)]))
    only = {**tlabels, "instance": "10.0.0.1:8080"}
    serving_down = ex.lab(C.SEVERITY_PAGE, "scrape")
    return [
        RuleTest(
            f"infra {model.id}: one target down opens a ticket, the model is still served",
            "1m",
            s.items(),
            (ex(n - 1, D.A_TARGET_DOWN, ex.lab(C.SEVERITY_TICKET, "scrape", **down)), ex(n - 1, D.A_SERVING_DOWN)),
        ),
        RuleTest(
            f"infra {model.id}: every target down pages",
            "1m",
            inp.base(n, up=0.0).items(),
            (ex(n - 1, D.A_SERVING_DOWN, serving_down), ex(n - 1, D.A_TARGET_DOWN, ex.lab(C.SEVERITY_TICKET, "scrape", **only))),
        ),
        RuleTest(
            f"infra {model.id}: no scrape job at all (no data) pages",
            "1m",
            (("mlmon_unrelated_series", f"1+0x{n}"),),
            (ex(n - 1, D.A_SERVING_DOWN, serving_down),),
        ),
    ]
