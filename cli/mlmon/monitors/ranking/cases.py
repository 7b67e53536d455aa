"""The ranking monitor's promtool cases (``monitors.delayed_cases``) on synthetic labelled traffic
with one knob, the quality ``q`` in steps of 0.01.

Every step, ``B`` labelled lists (a multiple of 100) and ``B / 10`` lists without a relevant item
(counted, left out): ``q * B`` lists put their relevant item first (NDCG@k, hit@k and reciprocal
rank 1), the others put it at rank ``2^j`` beyond every cut-off (NDCG@k and hit@k 0, reciprocal
rank ``2^-j``). The coverage gauges say ``10 * q * 100`` of 1000 catalogue items. Every sum is an
exact binary fraction, so the values are exact."""

from __future__ import annotations

import math
from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import RuleTest
from mlmon.compiler.units import fmt_float
from mlmon.monitors import delayed as D
from mlmon.monitors.delayed_cases import Cases, Values, exact_counter, timing
from mlmon.monitors.quality import HEALTHY_Q, LOW_Q, base_labels
from mlmon.monitors.ranking.compile import Ranking
from mlmon.monitors.ranking.rules import KIND, kinds, rule_groups
from mlmon.monitors.ranking.schema import split
from mlmon.monitors.testkit import alert_rules, series

CATALOG = 1000


class RankingTraffic:
    def __init__(self, r: Ranking):
        self.r = r
        t = timing(r.window, r.labels_delay, r.for_)
        self.steps = t.n(t.W)
        self.b = 100 * max(1, math.ceil(4 * r.min_samples / (100 * max(1, self.steps))))
        self.rank = 2 ** max(1, math.ceil(math.log2(max(r.k) + 1)))  # of the relevant item in a bad list

    def labelled(self) -> int:
        return self.b + self.b // 10

    def _sums(self, q: float) -> dict[str, float]:
        good = round(q * 100) * self.b // 100
        return {
            "requests": float(self.b),
            "no_relevant": float(self.b // 10),
            "ndcg": float(good),
            "hits": float(good),
            "reciprocal_rank": good + (self.b - good) / self.rank,
        }

    def counters(self, model: Any, version: str, q: float, n: int) -> list[tuple[str, str]]:
        base = {**base_labels(model), C.L_VERSION: version}
        sums = self._sums(q)
        out = []
        for kind in kinds(self.r) + (["no_relevant"] if kinds(self.r) else []):
            for k in self.r.k if kind in ("ndcg", "hits") else (None,):
                lab = {**base, **({C.L_K: str(k)} if k is not None else {})}
                out.append((series(C.RANK_COUNTERS[kind], lab), exact_counter(sums[kind], n)))
        if "catalog_coverage" in self.r.metrics:
            out.append((series(C.RANK_DISTINCT_ITEMS, base), f"{fmt_float(10.0 * round(q * 100))}+0x{n}"))
            out.append((series(C.RANK_CATALOG_ITEMS, base), f"{CATALOG}+0x{n}"))
        return out

    def values(self, q: float) -> Values:
        w = {k: v * self.steps for k, v in self._sums(q).items()}
        n = w["requests"]
        out: dict[str, float | None] = {}
        for metric in self.r.metrics:
            family, _ = split(metric)
            if family == "catalog_coverage":
                out[metric] = (10.0 * round(q * 100)) / float(CATALOG)
            elif n < self.r.min_samples:
                out[metric] = None
            else:
                out[metric] = {"ndcg": w["ndcg"], "hit_rate": w["hits"], "mrr": w["reciprocal_rank"]}[family] / n
        return out

    def _breaches(self, q: float) -> list[bool]:
        vals = self.values(q)
        return [D.breaches(KIND, m, vals[m], b) for m in self.r.metrics for b in self.r.thresholds(m) if b is not None]

    def healthy(self) -> float:
        return next((q for q in HEALTHY_Q if not any(self._breaches(q))), HEALTHY_Q[0])

    def low(self) -> float:
        return next((q for q in LOW_Q if all(self._breaches(q))), LOW_Q[-1])

    def worse(self, q: float, factor: float) -> float:
        """The highest level below ``q`` whose watched metrics are lower by more than ``factor`` x the margin."""
        ref = self.values(q)
        for j in range(round(q * 100) - 1, -1, -1):
            vals = self.values(j / 100)
            if all((ref[m] or 0.0) - (vals[m] or 0.0) > factor * self.r.max_vs_previous_version for m in self.r.watched):
                return j / 100
        return 0.0

    def training(self) -> float:
        """The highest level up to the healthy one whose figures, twice the margin higher, stay at most 1."""
        top = round(self.healthy() * 100)
        for j in range(top, -1, -1):
            vals = self.values(j / 100)
            if all((vals[m] or 0.0) + 2 * self.r.max_vs_training <= 1 for m in self.r.watched):
                return j / 100
        return 0.0


def rule_tests(model: Any, r: Ranking) -> list[RuleTest]:
    rules = alert_rules(rule_groups(model, r))
    return Cases(KIND, model, r, RankingTraffic(r), rules).all()
