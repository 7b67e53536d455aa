"""The ranking monitor's rule group: window sums per version and per model (NDCG and hits per
cut-off ``k``), the metrics from them (gated on ``min_samples``), catalogue coverage from the
instrument's gauges, the predictions due for labels, the training figures, and the alerts of
``monitors.delayed``."""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import RecordingRule, RuleGroup
from mlmon.compiler.units import format_duration
from mlmon.monitors import delayed as D
from mlmon.monitors.quality import contract_selector
from mlmon.monitors.ranking.compile import Ranking
from mlmon.monitors.ranking.schema import AT_K, KEY, split, title

KIND = D.Kind(KEY, C.RANK_METRIC, C.RANK_VERSION_METRIC, C.ALERT_RANK_LOW, C.ALERT_RANK_VERSION, C.ALERT_RANK_TRAINING, C.ALERT_RANK_NODATA, relative=False)
PER_K = ("ndcg", "hits")  # sums with a `k` label


def count(kind: str, version: bool) -> str:
    return (C.RANK_VERSION_COUNT if version else C.RANK_COUNT).format(kind=kind)


NEEDS = {"ndcg": "ndcg", "hit_rate": "hits", "mrr": "reciprocal_rank"}  # family -> its sum (coverage reads gauges)


def kinds(r: Ranking) -> list[str]:
    """The sums the recorded metrics need, in RANK_COUNTERS order."""
    sums = {NEEDS[f] for f in (split(m)[0] for m in r.metrics) if f in NEEDS}
    return [k for k in C.RANK_COUNTERS if k in sums or (k == "requests" and sums)]


def count_rules(model: Any, r: Ranking) -> list[RecordingRule]:
    lab = {C.L_MODEL: model.id}
    sel, w, m = contract_selector(model), format_duration(r.window), D.sel(model)
    ks = "|".join(str(k) for k in r.k)
    out = []
    for kind in kinds(r):
        by, extra = (f"{C.L_VERSION}, {C.L_K}", f',{C.L_K}=~"{ks}"') if kind in PER_K else (C.L_VERSION, "")
        out.append(RecordingRule(count(kind, True), f"sum by ({by}) (increase({C.RANK_COUNTERS[kind]}{{{sel}{extra}}}[{w}]))", lab))
    for kind in kinds(r):
        by = f"{C.L_MODEL}, {C.L_K}" if kind in PER_K else C.L_MODEL
        out.append(RecordingRule(count(kind, False), f"sum by ({by}) ({count(kind, True)}{{{m}}})", lab))
    return out


def metric_expr(model: Any, r: Ranking, metric: str, version: bool) -> str:
    m, sel = D.sel(model), contract_selector(model)
    g = f"{C.L_MODEL}, {C.L_VERSION}" if version else C.L_MODEL
    family, k = split(metric)
    if family == "catalog_coverage":
        if not version:
            return f"max by ({C.L_MODEL}) ({KIND.series(metric, True)}{{{m}}})"
        return f"max by ({C.L_VERSION}) ({C.RANK_DISTINCT_ITEMS}{{{sel}}})\n/\n(max by ({C.L_VERSION}) ({C.RANK_CATALOG_ITEMS}{{{sel}}}) > 0)"
    n = f"({count('requests', version)}{{{m}}} >= {r.min_samples})"
    if family in AT_K:
        src = count("ndcg" if family == "ndcg" else "hits", version)
        return f'sum by ({g}) ({src}{{{m},{C.L_K}="{k}"}})\n/\n{n}'
    return f"{count('reciprocal_rank', version)}{{{m}}}\n/\n{n}"


def rule_groups(model: Any, r: Ranking) -> list[RuleGroup]:
    why = (
        f"Fewer than {r.min_samples} labelled lists were scored in the last {format_duration(r.window)} ({C.RANK_COUNTERS['requests']}), "
        f"or the coverage gauges ({C.RANK_DISTINCT_ITEMS}, {C.RANK_CATALOG_ITEMS}) are missing, so the ranking alerts are blind. Check that the label "
        "joiner calls ModelMonitor.outcome(relevant_items, predicted=served_list) and the service mon.recommended(items), or lower min_samples."
    )
    expr = lambda metric, version: metric_expr(model, r, metric, version)  # noqa: E731
    return [D.rule_group(KIND, model, r, count_rules(model, r), expr, title, C.RANK_COUNTERS["requests"], why)]
