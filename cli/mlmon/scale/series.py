"""How many series a spec creates, estimated from the compiled spec (pure).

Recorded series: for each recording rule, the labels its result keeps (the outermost aggregation's
``by (...)``, else the labels of the recorded series it reads, plus labels it sets with
``label_replace``) times the number of values each label takes, known from the spec: ``feature``
and ``bin`` from the drift baseline (the sum of every feature's bins), ``group`` from fairness
groups, ``actual`` and ``le`` from the performance classes and score buckets, ``version`` from
the versions kept alive at once (``versions``, an assumption: 1 unless told). Labels whose values
only the live system knows (``node``, a latency histogram's ``le``, ``outcome``) count once and
are named in the notes.

Scraped series: the drift counters of the metric contract (one per bin of every feature and of the
prediction, per target and version) plus the five series Prometheus adds per target (``up``,
``scrape_*``). The rest of what a target exports depends on the serving framework and is not
estimated. ``make bench`` compares the estimate with ``prometheus_tsdb_head_series``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mlmon.artifacts import RecordingRule, RuleGroup

SCRAPE_SERIES_PER_TARGET = 5  # up, scrape_duration_seconds, scrape_samples_scraped, scrape_samples_post_metric_relabeling, scrape_series_added
_AGG = re.compile(r"^[\s(]*(sum|count|avg|min|max|group|stddev|stdvar|quantile|topk|bottomk|count_values)\s*by\s*\(([^)]*)\)")
# labels a label_replace copies from another label (a literal value, "" source, adds no series)
_REPLACED = re.compile(r',\s*"([a-zA-Z_][a-zA-Z0-9_]*)",\s*"[^"]*",\s*"([a-zA-Z_][a-zA-Z0-9_]*)",\s*"[^"]*"\)')
_CONSTANT_LABELS = {"model", "stage", "previous_version"}  # one value per model


@dataclass(frozen=True)
class Estimate:
    model: str
    scraped: int
    recorded: Mapping[str, int]  # monitor -> recorded series
    notes: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        return self.scraped + sum(self.recorded.values())


@dataclass
class _Domains:
    sizes: dict[str, int] = field(default_factory=dict)
    feature_bins: int = 0
    bins_of: dict[str, int] = field(default_factory=dict)  # feature -> its bins
    unknown: set[str] = field(default_factory=set)

    def count(self, labels: frozenset[str], fixed: Mapping[str, str]) -> int:
        """Series of a result with ``labels``, of which ``fixed`` have one value set by the rule."""
        n = 1
        rest = set(labels) - _CONSTANT_LABELS - set(fixed)
        if "bin" in rest and fixed.get("feature") in self.bins_of:
            n, rest = self.bins_of[fixed["feature"]], rest - {"bin"}
        elif {"feature", "bin"} <= rest and self.feature_bins:
            n, rest = self.feature_bins, rest - {"feature", "bin"}
        for label in sorted(rest):
            if label in self.sizes:
                n *= self.sizes[label]
            else:
                self.unknown.add(label)
        return n


def _domains(model: Any, versions: int) -> _Domains:
    d = _Domains({"version": versions})
    drift = model.section("drift")
    if drift is not None:
        d.sizes["feature"] = len(drift.features)
        d.bins_of = {f.name: len(f.bins) for f in drift.features}
        d.feature_bins = sum(d.bins_of.values())
        if drift.prediction is not None:
            d.sizes["bin"] = len(drift.prediction.bins)
    fairness = model.section("fairness")
    if fairness is not None and fairness.groups:
        d.sizes["group"] = len(fairness.groups)
    perf = model.section("performance")
    if perf is not None:
        d.sizes["actual"] = len(getattr(perf, "classes", ()) or ()) or 2
        if getattr(perf, "score_buckets", ()):
            d.sizes["le"] = len(perf.score_buckets) + 1
    return d


def _labels(rule: RecordingRule, known: Mapping[str, frozenset[str]]) -> frozenset[str]:
    m = _AGG.match(rule.expr)
    if m:
        out = {x.strip() for x in m.group(2).split(",") if x.strip()}
    else:
        reads = [name for name in known if re.search(rf"(?<![A-Za-z0-9_:]){re.escape(name)}(?![A-Za-z0-9_:])", rule.expr)]
        out = set(known[reads[0]]) if reads else set()
    out |= {target for target, _source in _REPLACED.findall(rule.expr)}
    return frozenset(out | set(rule.labels))


def _scraped(model: Any, versions: int) -> int:
    targets = max(len(model.serving.targets), 1)
    drift = model.section("drift")
    bins = 0
    if drift is not None and model.serving.preset == "mlmon":
        bins = sum(len(f.bins) for f in drift.features if getattr(f, "source", None) is None)
        bins += len(drift.prediction.bins) if drift.prediction is not None and getattr(drift.prediction, "source", None) is None else 0
    return targets * (SCRAPE_SERIES_PER_TARGET + bins * versions)


def _literal_terms(expr: str) -> int | None:
    """Series of an ``or`` chain of constant terms, each ``label_replace(<one series>, "l", "v", "", "")``."""
    if not expr.startswith("label_replace("):
        return None
    terms = re.split(r"\n\s*or\s", expr)
    if all(re.search(r',\s*"[a-zA-Z_][a-zA-Z0-9_]*",\s*"[^"$]*",\s*"",\s*""\)\s*$', t) for t in terms):
        return len(terms)
    return None


def estimate(model: Any, groups: Sequence[tuple[str, Sequence[RuleGroup]]], versions: int = 1) -> Estimate:
    """The estimate of one model from its rule groups by monitor (in registry order)."""
    d = _domains(model, versions)
    known: dict[str, frozenset[str]] = {}
    recorded: dict[str, int] = {}
    for key, gs in groups:
        for g in gs:
            for r in g.rules:
                if isinstance(r, RecordingRule):
                    labels = _labels(r, known)
                    known.setdefault(r.record, labels - set(r.labels) if "feature" in r.labels else labels)
                    fixed = _literal_terms(r.expr)
                    recorded[key] = recorded.get(key, 0) + (fixed if fixed is not None else d.count(labels, r.labels))
    notes = tuple(f"label {x}: its values are known only at run time, counted once" for x in sorted(d.unknown))
    return Estimate(model.id, _scraped(model, versions), dict(recorded), notes)
