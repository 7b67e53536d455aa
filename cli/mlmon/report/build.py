"""The report as plain data (pure): per model its sections, the findings that answer "did this
model stay within policy", and the plots' series; numbers rounded to 6 significant digits so the
JSON is stable for a fixed period and data."""

from __future__ import annotations

import math
from typing import Any

from mlmon import conventions as C
from mlmon.compiler.units import format_duration, num
from mlmon.preview.model import legend as fmt
from mlmon.report import sections as S

PLOT_POINTS = 200


def build(spec: Any, src: S.Source, meta: dict[str, Any], models: list[str] | None = None) -> dict[str, Any]:
    out = []
    for model in spec.models:
        if models and model.id not in models:
            continue
        item: dict[str, Any] = {
            "id": model.id,
            "team": model.team,
            "labels": dict(model.labels),
            "slos": S.slos(src, model),
            "drift": S.drift(src, model),
            "fairness": S.fairness(src, model),
            "performance": S.performance(src, model),
            "versions": S.versions(src, model),
            "alerts": S.alert_summary(src, model, spec),
            "cost": S.cost(src, model),
        }
        item["findings"] = findings(item)
        item["within_policy"] = not item["findings"]
        item["plots"] = plots(src, model)
        out.append(item)
    return _round({"report": meta, "models": out})


def findings(m: dict[str, Any]) -> list[str]:
    out = []
    for s in m["slos"]:
        if s["met"] is False:
            out.append(f"SLO {s['name']}: {_pct(s['attainment_percent'])} good, below the objective of {num(s['objective_percent'])}%")
        elif s["met"] is None:
            out.append(f"SLO {s['name']}: no data for the period")
    for f in m["drift"]:
        if f["incidents"]:
            out.append(f"drift of {f['feature']}: {len(f['incidents'])} alert(s) firing for {_dur(f['firing_seconds'])} in total")
    for c in (m["fairness"] or {}).get("checks", []):
        if c["met"] is False:
            out.append(f"fairness {c['check']}: reached {num(c['worst'])}, the limit is {c['bound']} {num(c['limit'])}")
    for p in (m["performance"] or {}).get("metrics", []):
        if p["met"] is False:
            bound = f"min {num(p['min_limit'])}" if p["min_limit"] is not None else f"max {num(p['max_limit'])}"
            worst = p["min"] if p["min_limit"] is not None else p["max"]
            out.append(f"performance {p['metric']}: reached {num(worst)} ({bound})")
    cost = m["cost"]
    if cost and cost["met"] is False:
        out.append(f"cost: ${cost['spend_usd']:.2f} spent, the period's share of the budget is ${cost['period_budget_usd']:.2f}")
    pages = sum(a["fired"] for a in m["alerts"] if a["severity"] == C.SEVERITY_PAGE)
    if pages:
        out.append(f"{pages} page alert(s) fired")
    return out


def _pct(x: float | None) -> str:
    return "no data" if x is None else f"{x:.3f}%"


def _dur(seconds: float) -> str:
    return format_duration(round(seconds))


def plots(src: S.Source, model: Any) -> list[dict[str, Any]]:
    step = max(src.alert_step, math.ceil((src.end - src.start) / PLOT_POINTS))
    s = S.sel(model)
    wanted: list[tuple[str, str, str, str, tuple[tuple[float, str], ...]]] = []
    if model.section("slos"):
        wanted.append(("Error budget remaining", f"100 * {C.SLO_BUDGET_REMAINING}{s}", "{{slo}}", "percent", ()))
    if model.section("drift"):
        d = model.section("drift")
        wanted.append(("Drift score by feature", f"{C.DRIFT_FEATURE_SCORE}{s}", "{{feature}}", "short", ((d.warn, "orange"), (d.critical, "red"))))
    f = model.section("fairness")
    if f is not None and f.dp_min_ratio is not None:
        wanted.append(("Demographic parity ratio", f"{C.FAIR_DP_RATIO}{s}", "ratio", "short", ((f.dp_min_ratio, "red"),)))
    p = model.section("performance")
    if p is not None:
        for metric in p.watched:
            limits = tuple((v, "red") for v in (p.min.get(metric), p.max.get(metric)) if v is not None)
            wanted.append((f"{metric}", f"{C.PERF_METRIC.format(metric=metric)}{s}", metric, "percentunit", limits))
    if model.section("cost"):
        wanted.append(("Cost (USD per hour)", f"{C.COST_PER_HOUR}{s}", "USD/h", "currencyUSD", ()))
    out = []
    for title, expr, legend, unit, thresholds in wanted:
        series = sorted(((fmt(legend, dict(lab)), pts) for lab, pts in src.range(expr, step)), key=lambda x: x[0])
        points = [{"name": n, "points": [(int(t), v) for t, v in p]} for n, p in series]
        out.append({"title": title, "unit": unit, "thresholds": [list(t) for t in thresholds], "series": points})
    return out


def _round(x: Any) -> Any:
    """Floats to 6 significant digits (times are ints and stay exact)."""
    if isinstance(x, float):
        if math.isnan(x) or math.isinf(x):
            return None
        return float(f"{x:.6g}")
    if isinstance(x, dict):
        return {k: _round(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_round(v) for v in x]
    return x
