"""The drift recording rules: counts per bin over the window, current fractions, scores, drifted
features; constants in their own slowly evaluated group."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import AlertRule, RecordingRule, RuleGroup
from mlmon.artifacts import promql_string as q
from mlmon.compiler.units import fmt_float, format_duration, le_matcher
from mlmon.monitors.drift import alerts, scores
from mlmon.monitors.drift.compile import Dist, Drift
from mlmon.monitors.drift.promql import constants, contract_selector, framework_selector, model_matcher, re_alt, set_matcher
from mlmon.monitors.drift.sets import feature_sets

REFERENCE_INTERVAL = 120.0  # seconds: evaluation interval of the constant reference/threshold group
# recorded in the reference group: constants, and the rarely changing set of bins without a count
SLOW = {
    C.DRIFT_BIN_BASELINE,
    C.DRIFT_PRED_BIN_BASELINE,
    C.DRIFT_FEATURE_WARN,
    C.DRIFT_FEATURE_CRITICAL,
    C.DRIFT_BIN_ABSENT,
    C.DRIFT_PRED_BIN_ABSENT,
    C.DRIFT_BIN_UNKNOWN,
    C.DRIFT_PRED_BIN_UNKNOWN,
}


@dataclass(frozen=True)
class _Names:
    """The records and labels of one kind of distribution: the features or the prediction."""

    increase: str
    samples: str
    current: str
    baseline: str
    absent: str
    unknown: str
    score: str
    by: str  # labels of one distribution
    by_bin: str  # ... and of one of its bins
    counter: str


FEATURE = _Names(
    C.DRIFT_BIN_INCREASE,
    C.DRIFT_FEATURE_SAMPLES,
    C.DRIFT_BIN_CURRENT,
    C.DRIFT_BIN_BASELINE,
    C.DRIFT_BIN_ABSENT,
    C.DRIFT_BIN_UNKNOWN,
    C.DRIFT_FEATURE_SCORE,
    "model, feature",
    "model, feature, bin",
    C.FEATURE_BIN_TOTAL,
)
PREDICTION = _Names(
    C.DRIFT_PRED_BIN_INCREASE,
    C.DRIFT_PRED_SAMPLES,
    C.DRIFT_PRED_BIN_CURRENT,
    C.DRIFT_PRED_BIN_BASELINE,
    C.DRIFT_PRED_BIN_ABSENT,
    C.DRIFT_PRED_BIN_UNKNOWN,
    C.DRIFT_PREDICTION_SCORE,
    "model",
    "model, bin",
    C.PREDICTION_BIN_TOTAL,
)


def histogram_bins(model: Any, d: Dist, w: str) -> str:
    """Per-bin counts over the window from a classic histogram (cumulative differencing)."""
    assert d.source is not None
    hist = d.source.histogram
    sel = framework_selector(model)
    if d.source.feature_label:
        sel += f",{d.source.feature_label}={q(d.name)}"
    bounds = list(d.edges) + [math.inf]

    def cum(x: float) -> str:
        return f"sum(increase({hist}_bucket{{{sel},{le_matcher(x)}}}[{w}]))"

    terms = []
    for j, b in enumerate(bounds):
        inner = cum(b) if j == 0 else f"clamp_min({cum(b)} - {cum(bounds[j - 1])}, 0)"
        terms.append(f'label_replace({inner}, "bin", "{j}", "", "")')
    return "\n or ".join(terms)


def _counts(model: Any, s: Drift, dists: Sequence[Dist], n: _Names, feature: bool, m: str) -> list[RecordingRule]:
    """Reference fractions (one rule per distribution, a series per bin) and the counts per bin;
    ``m`` selects the recorded series of ``dists``."""
    mid = model.id
    w = format_duration(s.window)
    rules = [RecordingRule(n.baseline, constants("bin", zip(d.bins, d.fractions)), {C.L_MODEL: mid, **({"feature": d.name} if feature else {})}) for d in dists]
    counter_dists = [d for d in dists if d.source is None]
    if counter_dists:
        sel = contract_selector(model)
        if feature:
            sel += f",feature=~{re_alt([d.name for d in counter_dists])}"
            expr = f"sum by (feature, bin) (\n  increase({n.counter}{{{sel}}}[{w}])\n)"
        else:
            expr = f"sum by (bin) (\n  increase({n.counter}{{{sel}}}[{w}])\n)"
        rules.append(RecordingRule(n.increase, expr, {C.L_MODEL: mid}))
    for d in dists:
        if d.source is not None:
            rules.append(RecordingRule(n.increase, histogram_bins(model, d, w), {C.L_MODEL: mid, **({"feature": d.name} if feature else {})}))
    rules.append(RecordingRule(n.samples, f"sum by ({n.by}) ({n.increase}{m})", {C.L_MODEL: mid}))
    return rules


def folded(n: _Names, m: str) -> str:
    """The counts per bin with every bin label the baseline lacks counted in ``__other__`` (kept
    apart by an ``unknown_bin`` label until the sum), so their observations stay in the score."""
    known = f"(\n      {n.increase}{m}\n      unless on ({n.by_bin})\n      {n.unknown}{m}\n    )"
    moved = f'label_replace({n.increase}{m} and on ({n.by_bin}) {n.unknown}{m}, "unknown_bin", "$1", "bin", "(.*)")'
    return f'sum by ({n.by_bin}) (\n    {known}\n    or\n    label_replace({moved}, "bin", {q(C.DRIFT_OTHER_BIN)}, "", "")\n  )'


def _current(model: Any, s: Drift, dists: Sequence[Dist], n: _Names, feature: bool, m: str) -> list[RecordingRule]:
    """The current fraction p, floored (so the logarithms stay finite) once here rather than at
    each of its uses in the score."""
    mid = model.id
    p_floor = fmt_float(scores.floor(s.method))
    counts = f"{n.increase}{m}"
    rules = []
    counter_dists = [d for d in dists if d.source is None]
    if counter_dists:
        # Bin labels the baseline lacks (another baseline's bins, labels written by hand) would
        # count in the total but, without a reference fraction, drop out of the score. Which
        # labels those are is recorded with the constants (normally none); their observations
        # are counted in __other__ (added to a numeric feature's bins with the floor as its
        # reference fraction), and the contract alert names them.
        rules.append(RecordingRule(n.unknown, f"{n.increase}{m}\nunless on ({n.by_bin})\n{n.baseline}{m}", {C.L_MODEL: mid}))
        counts = folded(n, m)
    cur = f"clamp_min(\n  {counts}\n  / on ({n.by}) group_left ()\n  ({n.samples}{m} > 0),\n  {p_floor}\n)"
    if counter_dists:
        # A bin whose counter has no count in the window (a lazy exporter creates a bin's counter
        # at its first observation) has seen 0 observations: it gets the floor. Which bins those
        # are changes rarely (a first observation, or an hour without samples), so the set is
        # recorded with the constants every 2m (absent, normally empty) and the fractions read
        # it instead of re-reading every reference bin at each evaluation. Only features with
        # counted bins are filled: a feature without any gets no score anyway (the sample gate),
        # and filling it would create (then leave stale) a series per bin at every start-up,
        # which later reads would still have to look at. The feature matcher is needed beside
        # histogram-backed features, and when the features are split into sets (a group each).
        mixed = feature and (len(counter_dists) < len(dists) or m != model_matcher(model))
        bsel = f"{C.L_MODEL}={q(mid)}" + (f",feature=~{re_alt([d.name for d in counter_dists])}" if mixed else "")
        absent = f"  (\n    {n.baseline}{{{bsel}}}\n    unless on ({n.by_bin})\n    {n.increase}{m}\n  )\n  and on ({n.by})\n  {n.samples}{m}"
        rules.append(RecordingRule(n.absent, f"clamp(\n{absent},\n  {p_floor}, {p_floor}\n)", {C.L_MODEL: mid}))
        cur = f"{cur}\nor on ({n.by_bin})\n{n.absent}{m}"
    rules.append(RecordingRule(n.current, cur, {C.L_MODEL: mid}))
    return rules


def _score(model: Any, s: Drift, dists: Sequence[Dist], n: _Names, feature: bool, m: str) -> RecordingRule:
    p, qq, by = f"{n.current}{m}", f"{n.baseline}{m}", n.by
    # p and q are recorded by these rules with exactly the labels (by_bin), so plain one-to-one
    # matching pairs each bin with its reference (and costs less than on (...) here)
    if s.method == "psi":
        body = f"sum by ({by}) (\n  ({p} - {qq})\n  * ln({p} / {qq})\n)"
    else:
        mid_ = f"(({p} + {qq}) / 2)"
        jsd = f"(\n  0.5 * sum by ({by}) ({p} * ln({p} / {mid_}))\n  + on ({by})\n  0.5 * sum by ({by}) ({qq} * ln({qq} / {mid_}))\n)"
        div = f"clamp_min({jsd}, 0)"
        if s.js_base == "2":
            div = f"{div} / {fmt_float(scores.LN2)}"
        body = f"sqrt({div})" if s.js_form == "distance" else div
    gate = f"\nand on ({by})\n({n.samples}{m} >= {s.min_samples})"
    hist = [d for d in dists if d.source is not None]
    if hist:
        # a histogram whose le bounds miss a baseline edge gives incomplete bins: no score (no-data alert)
        hsel = f"{C.L_MODEL}={q(model.id)}" + (f",feature=~{re_alt([d.name for d in hist])}" if feature else "")
        gate += f"\nunless on ({by})\n(count by ({by}) ({n.current}{{{hsel}}}) < count by ({by}) ({n.baseline}{{{hsel}}}))"
    return RecordingRule(n.score, f"(\n{body}\n){gate}", {C.L_MODEL: model.id})


def dist_rules(model: Any, s: Drift, dists: Sequence[Dist], feature: bool, m: str | None = None) -> list[RecordingRule]:
    """Recording rules for features (feature=True) or the prediction, in dependency order. ``m``
    selects their recorded series (a set of features; default: the model's)."""
    n = FEATURE if feature else PREDICTION
    m = m or model_matcher(model)
    return [*_counts(model, s, dists, n, feature, m), *_current(model, s, dists, n, feature, m), _score(model, s, dists, n, feature, m)]


def _drifted(model: Any, s: Drift) -> list[RecordingRule]:
    """Per-feature thresholds, and the number and share of scored and drifted features."""
    mid, m, feats = model.id, model_matcher(model), s.features
    lab = {C.L_MODEL: mid}
    drifted = f"count by (model) (\n  {C.DRIFT_FEATURE_SCORE}{m} >= on (model, feature) {C.DRIFT_FEATURE_WARN}{m}\n)\nor on (model)\n({C.DRIFT_FEATURES_SCORED}{m} * 0)"
    return [
        RecordingRule(C.DRIFT_FEATURE_WARN, constants("feature", ((d.name, d.warn) for d in feats)), lab),
        RecordingRule(C.DRIFT_FEATURE_CRITICAL, constants("feature", ((d.name, d.critical) for d in feats)), lab),
        RecordingRule(C.DRIFT_FEATURES_SCORED, f"count by (model) ({C.DRIFT_FEATURE_SCORE}{m})", lab),
        RecordingRule(C.DRIFT_FEATURES_DRIFTED, drifted, lab),
        RecordingRule(C.DRIFT_DRIFTED_SHARE, f"{C.DRIFT_FEATURES_DRIFTED}{m} / on (model) {C.DRIFT_FEATURES_SCORED}{m}", lab),
    ]


def _slow(r: RecordingRule | AlertRule) -> bool:
    return isinstance(r, RecordingRule) and r.record in SLOW


def set_group(model: Any, i: int) -> str:
    """The name of the group of the ``i``-th set of features (from 1)."""
    return f"mlmon-{model.id}-drift-features-{i}"


def rule_groups(model: Any, s: Drift) -> list[RuleGroup]:
    # Features with more bins in all than max_bins_per_group: their rules in a group per set of
    # features (sets.py), each reading and recording only its features' series (so no two groups
    # record the same series), and evaluated before the model-level group in rule tests.
    sets = feature_sets(s.features, s.max_bins_per_group)
    split = len(sets) > 1
    per_set = [dist_rules(model, s, fs, True, set_matcher(model, [d.name for d in fs]) if split else None) for fs in sets]
    model_level: list[RecordingRule | AlertRule] = [*_drifted(model, s)]
    if s.prediction is not None:
        model_level.extend(dist_rules(model, s, (s.prediction,), False))
    model_level.extend(alerts.alert_rules(model, s))
    # Constants (reference fractions, thresholds) and the rarely changing set of bins without a
    # count go to their own group, evaluated every 2m (inside Prometheus' 5m lookback), so the
    # drift groups' evaluations do not pay for re-emitting them.
    ref = tuple(r for r in [*(r for rules in per_set for r in rules), *model_level] if _slow(r))
    interval = format_duration(REFERENCE_INTERVAL) if model.evaluation_interval < REFERENCE_INTERVAL else None
    groups = [RuleGroup(f"mlmon-{model.id}-drift-reference", ref, interval, True)]
    live_sets = [tuple(r for r in rules if not _slow(r)) for rules in per_set]
    if split:
        groups += [RuleGroup(set_group(model, i), rules, shardable=True) for i, rules in enumerate(live_sets, 1)]
    live = (() if split else live_sets[0]) + tuple(r for r in model_level if not _slow(r))
    return [*groups, RuleGroup(f"mlmon-{model.id}-drift", live, shardable=True)]
