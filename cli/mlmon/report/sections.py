"""The per-model sections of the report (pure): each function asks a ``Source`` for what it needs
(instant queries at the end of the period, range queries over it) and returns plain data.

Queries read mlmon's recording rules and alert history, never a model's raw metrics, except for
SLO attainment, which is the SLI's own error ratio over the whole period (the SLO rules' PromQL
with the period as window), so it is weighted by traffic as the SLO is."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from mlmon import conventions as C
from mlmon.compiler.units import format_duration
from mlmon.report.incidents import Incident, runs

Labels = Mapping[str, str]
Instant = Callable[[str], list[tuple[Labels, float]]]
Range = Callable[[str, float], list[tuple[Labels, list[tuple[float, float]]]]]


@dataclass(frozen=True)
class Source:
    instant: Instant  # value of a query at the end of the period
    range: Range  # (query, step) -> samples over the period
    start: float
    end: float
    alert_step: float  # resolution of alert history (the rule evaluation interval)

    @property
    def window(self) -> str:
        return format_duration(self.end - self.start)

    def one(self, expr: str) -> float | None:
        got = self.instant(expr)
        return got[0][1] if got else None


def sel(model: Any, **extra: str) -> str:
    items = {C.L_MODEL: model.id, **extra}
    return "{" + ",".join(f'{k}="{v}"' for k, v in items.items()) + "}"


def slos(src: Source, model: Any) -> list[dict[str, Any]]:
    from mlmon.monitors.slo import rules as slo_rules

    out = []
    for slo in model.section("slos") or ():
        ratio = src.one(slo_rules.error_ratio_expr(model, slo, src.window))
        budget = 1 - slo.objective / 100
        remaining = src.one(f"{C.SLO_BUDGET_REMAINING}{sel(model, slo=slo.name)}")
        out.append(
            {
                "name": slo.name,
                "objective_percent": slo.objective,
                "attainment_percent": None if ratio is None else 100 * (1 - ratio),
                "budget_spent": None if ratio is None else ratio / budget,
                "budget_remaining_at_end": remaining,
                "met": None if ratio is None else ratio <= budget,
            }
        )
    return out


def alerts(src: Source, model: Any, alertname: str | None = None) -> list[Incident]:
    name = f',alertname="{alertname}"' if alertname else ""
    # max_over_time over one step: a sample counts only at the step it was written in (backfilled
    # history has no staleness markers, so a bare selector would stretch each run by 5m)
    expr = f'max_over_time(ALERTS{{{C.L_MODEL}="{model.id}",alertstate="firing"{name}}}[{_step(src)}])'
    return runs(src.range(expr, src.alert_step), src.alert_step)


def _step(src: Source) -> str:
    """Just under one step: the window holds exactly one evaluation's sample (2.x ranges include
    their left end)."""
    return format_duration(src.alert_step - 0.001)


def drift(src: Source, model: Any) -> list[dict[str, Any]]:
    d = model.section("drift")
    if d is None:
        return []
    scores = {lab.get("feature", ""): v for lab, v in src.instant(f"max by (feature) (max_over_time({C.DRIFT_FEATURE_SCORE}{sel(model)}[{src.window}]))")}
    by_feature: dict[str, list[Incident]] = {}
    for inc in alerts(src, model, C.ALERT_DRIFT_FEATURE):
        by_feature.setdefault(dict(inc.labels).get(C.L_CHECK, ""), []).append(inc)
    out = []
    for f in d.features:
        incs = by_feature.get(f.name, [])
        sev = sorted({dict(i.labels).get(C.L_SEVERITY, "") for i in incs})
        out.append(
            {
                "feature": f.name,
                "warn": f.warn,
                "critical": f.critical,
                "max_score": scores.get(f.name),
                "incidents": [{"start": int(i.start), "end": int(i.end), "seconds": i.seconds, "severity": dict(i.labels).get(C.L_SEVERITY, "")} for i in incs],
                "firing_seconds": sum(i.seconds for i in _merged(incs)),
                "severities": sev,
            }
        )
    return out


def _merged(incs: list[Incident]) -> list[Incident]:
    """Overlapping incidents (warning and critical of one feature) counted once."""
    out: list[Incident] = []
    for i in sorted(incs, key=lambda x: x.start):
        if out and i.start <= out[-1].end:
            out[-1] = Incident(out[-1].labels, out[-1].start, max(out[-1].end, i.end))
        else:
            out.append(i)
    return out


def fairness(src: Source, model: Any) -> dict[str, Any] | None:
    f = model.section("fairness")
    if f is None:
        return None
    w, s = src.window, sel(model)
    groups: dict[str, dict[str, Any]] = {}
    for name, metric in (("selection_rate", C.FAIR_SELECTION_RATE), ("true_positive_rate", C.FAIR_TPR)):
        for agg in ("min", "avg", "max"):
            for lab, v in src.instant(f"{agg}_over_time({metric}{s}[{w}])"):
                groups.setdefault(lab.get(C.L_GROUP, ""), {"group": lab.get(C.L_GROUP, "")}).setdefault(name, {})[agg] = v
    checks = []
    for check, metric, limit, worst in (
        ("demographic_parity_ratio", C.FAIR_DP_RATIO, f.dp_min_ratio, "min"),
        ("demographic_parity_difference", C.FAIR_DP_DIFFERENCE, f.dp_max_difference, "max"),
        ("equal_opportunity_difference", C.FAIR_EO_DIFFERENCE, f.eo_max_difference, "max"),
    ):
        if limit is None:
            continue
        value = src.one(f"{worst}_over_time({metric}{s}[{w}])")
        ok = None if value is None else (value >= limit if worst == "min" else value <= limit)
        checks.append({"check": check, "limit": limit, "bound": "at least" if worst == "min" else "at most", "worst": value, "met": ok})
    return {"group_label": f.group_label, "groups": [groups[k] for k in sorted(groups)], "checks": checks}


def performance(src: Source, model: Any) -> dict[str, Any] | None:
    p = model.section("performance")
    if p is None:
        return None
    w, s = src.window, sel(model)
    metrics = []
    for metric in p.watched:
        name = C.PERF_METRIC.format(metric=metric)
        values = {agg: src.one(f"{agg}_over_time({name}{s}[{w}])") for agg in ("min", "avg", "max")}
        lo, hi = p.min.get(metric), p.max.get(metric)
        worst = values["max"] if hi is not None else values["min"]
        met = None if worst is None or (lo is None and hi is None) else (worst >= lo if lo is not None else True) and (worst <= hi if hi is not None else True)
        metrics.append({"metric": metric, "min_limit": lo, "max_limit": hi, **values, "met": met})
    versions = []
    for metric in p.watched:
        # each version's figure at training time (registry file, exporter or `mlmon registry serve`)
        trained = {lab.get(C.L_VERSION, ""): v for lab, v in src.instant(f"last_over_time({C.TRAINING_METRIC}{sel(model, **{C.L_METRIC: metric})}[{w}])")}
        for lab, v in src.instant(f"avg_over_time({C.PERF_VERSION_METRIC.format(metric=metric)}{s}[{w}])"):
            version = lab.get(C.L_VERSION, "")
            t = trained.get(version)
            versions.append({"metric": metric, "version": version, "avg": v, "training": t, "vs_training": None if t is None else v - t})
    versions.sort(key=lambda x: (x["metric"], x["version"]))
    return {"metrics": metrics, "by_version": versions}


def versions(src: Source, model: Any) -> list[dict[str, Any]]:
    from mlmon import presets

    expr = f"max by ({C.L_VERSION}, stage) (max_over_time({C.MODEL_INFO}{{{presets.model_selector(model)}}}[{_step(src)}]))"
    out = []
    for lab, points in src.range(expr, src.alert_step):
        if points:
            out.append({"version": lab.get(C.L_VERSION, ""), "stage": lab.get("stage", ""), "first_seen": int(points[0][0]), "last_seen": int(points[-1][0])})
    return sorted(out, key=lambda v: (v["first_seen"], v["version"], v["stage"]))


def alert_summary(src: Source, model: Any, spec: Any) -> list[dict[str, Any]]:
    from mlmon.render.alertmanager import expected_receivers

    groups: dict[tuple[str, str, str], list[Incident]] = {}
    for inc in alerts(src, model):
        lab = dict(inc.labels)
        groups.setdefault((lab.get("alertname", ""), lab.get(C.L_SEVERITY, ""), lab.get(C.L_CHECK, "")), []).append(inc)
    out = []
    for (name, severity, check), incs in sorted(groups.items()):
        out.append(
            {
                "alertname": name,
                "severity": severity,
                "check": check,
                "fired": len(incs),
                "firing_seconds": sum(i.seconds for i in incs),
                "receivers": expected_receivers(spec, dict(incs[0].labels)),
            }
        )
    return out


def cost(src: Source, model: Any) -> dict[str, Any] | None:
    c = model.section("cost")
    if c is None:
        return None
    hours = (src.end - src.start) / 3600
    avg = src.one(f"avg_over_time({C.COST_PER_HOUR}{sel(model)}[{src.window}])")
    spend = None if avg is None else avg * hours
    budget = None if c.budget is None else c.budget * hours / HOURS_PER_MONTH
    return {
        "spend_usd": spend,
        "monthly_budget_usd": c.budget,
        "period_budget_usd": budget,
        "share_of_budget": None if spend is None or not budget else spend / budget,
        "met": None if spend is None or budget is None else spend <= budget,
    }


HOURS_PER_MONTH = 365.25 * 24 / 12  # the period's share of a monthly budget: 730.5 hours a month
