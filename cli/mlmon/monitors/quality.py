"""Facts about model-quality metrics that several monitors share (performance, versions,
retraining, concept drift): which metrics exist, which are better when lower, the names of their
recorded series; and, for the rule-test cases of performance and retraining, labelled traffic of a
chosen quality with the metric values Prometheus computes from it.

Synthetic labelled traffic has one knob, the quality ``q`` in [0, 1]: binary outcomes
tp = q * B, fn = B - tp (positives) and tn = q * (B + B/2), fp = the rest (negatives); multiclass
actual class i (size (i+1) * B) is right q of the time and otherwise predicted as class i+1;
labelled scores put q of the positives in the top score bucket and q of the negatives in the
bottom one. Counters grow linearly from 0 with samples on every window edge, so ``increase()``
needs no extrapolation and each count is an exact integer: the values below are computed with the
same float operations in the same order as the generated PromQL, and promtool compares them
exactly. ``p`` is a compiled performance section (read, never imported).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import reduce
from typing import Any

from mlmon import conventions as C
from mlmon import presets
from mlmon.artifacts import AlertCheck, ExprCheck, RecordingRule, RuleTest, regex_escape
from mlmon.compiler.units import num
from mlmon.monitors.testkit import at, counter_segments, series

BINARY = "binary_classification"
MULTICLASS = "multiclass_classification"

BINARY_METRICS = ("accuracy", "precision", "recall", "f1", "macro_f1", "fpr", "auc")
MULTICLASS_METRICS = ("accuracy", "precision", "recall", "f1", "macro_f1", "fpr")
PER_CLASS = frozenset({"precision", "recall", "f1", "fpr"})  # multiclass: one series per class
REGRESSION_METRICS = ("mae", "rmse", "mape", "bias")  # the regression monitor's (bias: signed mean error)
LOWER_IS_BETTER = frozenset({"fpr", "mae", "rmse", "mape"})
ALL_METRICS = tuple(dict.fromkeys(BINARY_METRICS + MULTICLASS_METRICS))  # classification (the performance monitor's)
RANKING_METRIC_PATTERN = r"(ndcg|hit_rate)_at_[1-9][0-9]*|mrr|catalog_coverage"  # the ranking monitor's (k: its cut-offs)
# every metric a training figure may be given for (registry files, ModelMonitor.set_training_metrics)
TRAINED_METRIC_PATTERN = "|".join([*ALL_METRICS, *REGRESSION_METRICS, RANKING_METRIC_PATTERN])

Values = dict[tuple[str, str | None], float | None]  # (metric, class or None) -> value (None: absent)


def metric_name(metric: str, version: bool = False) -> str:
    """The recorded series of a quality metric, per model or per model version."""
    return (C.PERF_VERSION_METRIC if version else C.PERF_METRIC).format(metric=metric)


def contract_selector(model: Any) -> str:
    """Label matchers of the model's own mlmon-contract series (``mlmon.instrument`` labels them
    ``model=<id>``; ``serving.match`` overrides, as for every preset)."""
    return str(presets.PRESETS["mlmon"].selector(model.id, model.serving.match))


def registry_figures(model: Any) -> tuple[tuple[str, str, float], ...]:
    """(version, metric, value) of the training figures in the model's registry file (none with the
    registry exporter or without a registry)."""
    link = getattr(model, "registry", None)
    return tuple(link.training_metrics) if link is not None and link.source == "file" else ()


def training_rules(model: Any, metrics: Sequence[str]) -> list[RecordingRule]:
    """``mlmon_training:metric:value{model, version, metric}`` of ``metrics``, the one record every
    monitor compares training figures with: constants from the model's registry file, else the gauge
    ``mlmon_model_training_metric`` of the registry exporter (``model=<id>``) or of the service
    (``ModelMonitor.set_training_metrics``, the contract's labels)."""
    if not metrics:
        return []
    lab = {C.L_MODEL: model.id}
    figures = registry_figures(model)
    if figures:
        return [RecordingRule(C.TRAINING_METRIC, f"vector({num(x)})", {**lab, C.L_VERSION: v, C.L_METRIC: m}) for v, m, x in figures if m in metrics]
    link = getattr(model, "registry", None)
    sel = f'{C.L_MODEL}="{model.id}"' if link is not None and link.source == "exporter" else contract_selector(model)
    wanted = "|".join(regex_escape(m) for m in metrics)
    expr = f'max by ({C.L_VERSION}, {C.L_METRIC}) ({C.MODEL_TRAINING_METRIC}{{{sel},{C.L_METRIC}=~"{wanted}"}})'
    return [RecordingRule(C.TRAINING_METRIC, expr, lab)]


def worse(metric: str, a: float, b: float, by: float) -> bool:
    """a is worse than b by more than ``by``."""
    return (a - b > by) if metric in LOWER_IS_BETTER else (b - a > by)


def breaches(metric: str, value: float | None, bound: float | None) -> bool:
    """The value is worse than the bound (absent values and bounds breach nothing)."""
    if value is None or bound is None:
        return False
    return value > bound if metric in LOWER_IS_BETTER else value < bound


# --- synthetic labelled traffic -------------------------------------------------------------------
@dataclass(frozen=True)
class Counts:
    """Increments per input step of one model version."""

    outcomes: Mapping[str, int] = field(default_factory=dict)  # tp fp tn fn
    confusion: Mapping[tuple[str, str], int] = field(default_factory=dict)  # (predicted, actual)
    pos_bins: tuple[int, ...] = ()  # labelled scores per bucket (last = +Inf bucket), actual=1
    neg_bins: tuple[int, ...] = ()

    def scaled(self, k: int) -> Counts:
        return Counts(
            {o: v * k for o, v in self.outcomes.items()},
            {pa: v * k for pa, v in self.confusion.items()},
            tuple(v * k for v in self.pos_bins),
            tuple(v * k for v in self.neg_bins),
        )

    def labelled(self) -> int:
        return sum(self.outcomes.values()) + sum(self.confusion.values())


def base_rate(p: Any, steps: int) -> int:
    """Per-step class size B, a multiple of 100 (so q in steps of 0.01 gives integers), large
    enough that each class holds 4 x min_samples per window."""
    need = math.ceil(4 * int(p.min_samples) / max(1, steps))
    return 100 * max(1, math.ceil(need / 100))


def traffic(p: Any, q: float, b: int) -> Counts:
    """Per-step counts of labelled traffic of quality ``q`` with class size ``b``."""
    qq = round(q * 100)
    outcomes: dict[str, int] = {}
    confusion: dict[tuple[str, str], int] = {}
    if not p.multiclass:
        pos, neg = b, b + b // 2
        tp, tn = qq * pos // 100, qq * neg // 100
        outcomes = {"tp": tp, "fn": pos - tp, "tn": tn, "fp": neg - tn}
    else:
        k = len(p.classes)
        for i, c in enumerate(p.classes):
            size = (i + 1) * b
            right = qq * size // 100
            confusion[(c, c)] = right
            if size - right:
                confusion[(p.classes[(i + 1) % k], c)] = size - right
    if "auc" not in p.metrics:
        return Counts(outcomes, confusion)
    nb = len(p.score_buckets) + 1
    pb, nbins = [1] * nb, [1] * nb
    top = nb - 2 if nb >= 2 else 0  # the highest finite bucket
    pb[top] += qq * b // 100
    pb[0] += b - qq * b // 100
    nbins[0] += qq * b // 100
    nbins[top] += b - qq * b // 100
    return Counts(outcomes, confusion, tuple(pb), tuple(nbins))


# --- the metrics, as the PromQL computes them -------------------------------------------------------
def _gate(value: float | None, gate: float, n: int) -> float | None:
    return value if value is not None and gate >= n else None


def _div(a: float, b: float) -> float | None:
    return a / b if b > 0 else None


def binary_values(p: Any, w: Counts) -> dict[str, float | None]:
    """Metric -> value (None: absent) from window counts ``w``."""
    if not w.outcomes:
        return {m: None for m in p.metrics}
    tp, fp, tn, fn = (float(w.outcomes.get(k, 0)) for k in ("tp", "fp", "tn", "fn"))
    n = p.min_samples
    allc = tp + tn + fp + fn
    pos, neg = _div(2 * tp, 2 * tp + (fp + fn)), _div(2 * tn, 2 * tn + (fp + fn))
    formulas = {
        "accuracy": lambda: _gate(_div(tp + tn, allc), allc, n),
        "precision": lambda: _gate(_div(tp, tp + fp), tp + fp, n),
        "recall": lambda: _gate(_div(tp, tp + fn), tp + fn, n),
        "fpr": lambda: _gate(_div(fp, fp + tn), fp + tn, n),
        "f1": lambda: _gate(pos, tp + fp + fn, n),
        "macro_f1": lambda: _gate((pos + neg) / 2, allc, n) if pos is not None and neg is not None else None,
        "auc": lambda: auc_value(p, w),
    }
    return {m: formulas[m]() for m in p.metrics}


def auc_value(p: Any, w: Counts) -> float | None:
    if not w.pos_bins:
        return None
    pc = [float(sum(w.pos_bins[: j + 1])) for j in range(len(w.pos_bins))]
    nc = [float(sum(w.neg_bins[: j + 1])) for j in range(len(w.neg_bins))]
    num = pc[0] * nc[0]
    for j in range(1, len(pc)):
        num = num + (pc[j] - pc[j - 1]) * (nc[j] + nc[j - 1])
    big_p, big_n = pc[-1], nc[-1]
    if big_p <= 0 or big_n <= 0 or big_p + big_n < p.min_samples:
        return None
    return num / (2 * big_p * big_n)


def _fsum(xs: list[float]) -> float:
    return reduce(lambda a, b: a + b, xs)  # left to right, as PromQL adds the per-class terms


def multiclass_values(p: Any, w: Counts) -> Values:
    if not w.confusion:
        return {(m, c): None for m in p.metrics for c in (p.classes if p.per_class(m) else (None,))}
    out: Values = {}
    n = p.min_samples
    total = float(sum(w.confusion.values()))
    tp = {c: float(w.confusion.get((c, c), 0)) for c in p.classes}
    pr = {c: float(sum(v for (pp, _), v in w.confusion.items() if pp == c)) for c in p.classes}
    ac = {c: float(sum(v for (_, aa), v in w.confusion.items() if aa == c)) for c in p.classes}
    for m in p.metrics:
        for c in p.classes if p.per_class(m) else ():
            if m == "precision":
                out[(m, c)] = _gate(_div(tp[c], pr[c]), pr[c], n)
            elif m == "recall":
                out[(m, c)] = _gate(_div(tp[c], ac[c]), ac[c], n)
            elif m == "f1":
                out[(m, c)] = _gate(_div(2 * tp[c], pr[c] + ac[c]), pr[c] + ac[c] - tp[c], n)
            elif m == "fpr":
                out[(m, c)] = _gate(_div(pr[c] - tp[c], total - ac[c]), total - ac[c], n)
        if m == "accuracy":
            out[(m, None)] = _gate(_div(_fsum([tp[c] for c in p.classes]), total), total, n)
        elif m == "macro_f1":
            f1s = [_div(2 * tp[c], pr[c] + ac[c]) or 0.0 for c in p.classes]
            present = _fsum([1.0 if pr[c] + ac[c] > 0 else 0.0 for c in p.classes])
            out[(m, None)] = _gate(_div(_fsum(f1s), present), total, n)
    return out


def values(p: Any, w: Counts) -> Values:
    if p.multiclass:
        return multiclass_values(p, w)
    return {(m, None): v for m, v in binary_values(p, w).items()}


HEALTHY_Q = (0.95, 0.97, 0.99, 1.0, 0.9, 0.85, 0.8)
LOW_Q = (0.3, 0.2, 0.1, 0.0)


def pick_healthy(p: Any, b: int, steps: int) -> float:
    """The first q of HEALTHY_Q at which no metric breaches its levels."""
    for q in HEALTHY_Q:
        vals = values(p, traffic(p, q, b).scaled(steps))
        if not any(breaches(m, vals.get((m, c)), bound) for (m, c) in vals for bound in p.thresholds(m)):
            return q
    return HEALTHY_Q[0]


def pick_low(p: Any, b: int, steps: int) -> float:
    """The first q of LOW_Q at which every watched metric breaches its warning level (if any)."""
    for q in LOW_Q:
        vals = values(p, traffic(p, q, b).scaled(steps))
        if all(breaches(m, vals.get((m, c)), p.thresholds(m)[0]) for (m, c) in vals if m in p.watched and p.thresholds(m)[0] is not None):
            return q
    return LOW_Q[-1]


# --- input series -------------------------------------------------------------------------------------
V1, V2 = "v1", "v2"  # model versions of the cases


def base_labels(model: Any) -> dict[str, str]:
    """The labels of the model's own contract series."""
    return dict(model.serving.match) if model.serving.match else {C.L_MODEL: model.id}


def info_series(model: Any, version: str, samples: str) -> tuple[str, str]:
    """``mlmon_model_info`` of a version in production, with these samples."""
    return (series(C.MODEL_INFO, {**base_labels(model), C.L_VERSION: version, "stage": "production"}), samples)


def trained_series(model: Any, version: str, samples: str) -> tuple[str, str]:
    """The training timestamp of a version, with these samples."""
    return (series(C.MODEL_TRAINED_TIMESTAMP, {**base_labels(model), C.L_VERSION: version}), samples)


def _le(x: float) -> str:
    return "+Inf" if math.isinf(x) else repr(float(x))  # Python client spelling ("1.0")


def traffic_series(model: Any, p: Any, version: str, phases: list[tuple[Counts, int]]) -> list[tuple[str, str]]:
    """Counter series of one version from (per-step counts, steps) phases."""
    base = {**base_labels(model), C.L_VERSION: version}
    out: list[tuple[str, str]] = []
    if not p.multiclass:
        for o in ("tp", "fp", "tn", "fn"):
            out.append((series(C.OUTCOMES_TOTAL, {**base, "outcome": o}), counter_segments([(c.outcomes.get(o, 0), n) for c, n in phases])))
    else:
        for pr, ac in sorted({k for c, _ in phases for k in c.confusion}):
            out.append(
                (series(C.CONFUSION_TOTAL, {**base, "predicted": pr, "actual": ac}), counter_segments([(c.confusion.get((pr, ac), 0), n) for c, n in phases]))
            )
    if phases[0][0].pos_bins:
        edges = [*p.score_buckets, math.inf]
        for actual, attr in (("1", "pos_bins"), ("0", "neg_bins")):
            for j, e in enumerate(edges):
                out.append(
                    (
                        series(f"{C.LABELED_SCORE}_bucket", {**base, "actual": actual, "le": _le(e)}),
                        counter_segments([(sum(getattr(c, attr)[: j + 1]), n) for c, n in phases]),
                    )
                )
    return out


def label_series(model: Any, version: str, predictions: list[tuple[int, int]], labels: list[tuple[int, int]] | None) -> list[tuple[str, str]]:
    """Prediction counter (and label counter, unless None) of one version from (per-step, steps) phases."""
    base = {**base_labels(model), C.L_VERSION: version}
    out = [(series(C.PREDICTIONS_TOTAL, base), counter_segments(predictions))]
    if labels is not None:
        out.append((series(C.LABELS_JOINED_TOTAL, base), counter_segments(labels)))
    return out


# --- timing -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Timing:
    """Input step and evaluation interval of a performance section's cases: a 7d comparison at 1m
    steps costs ~10,000 evaluations of every rule, at 1h steps 170, at 6h steps 30.

    The interval divides every window, delay and offset, so each evaluation sees whole windows of
    the constant-rate inputs and computes the same values as at the model's own interval. It need
    not divide ``for``: no case checks an alert between its condition turning true and ``for``
    later; a check that expects it firing comes at ``up(start + for + unit)`` or later, and an
    alert pending from the first evaluation at or after ``start`` fires at the first one at least
    ``for`` later, which is no later than that."""

    step: int  # input interval, seconds: divides every duration; evaluations come at its multiples, so they read every gauge
    unit: int  # rule evaluation interval of the cases: a multiple of step and of 1m, dividing every duration but for
    W: int  # window
    D: int  # labels_delay
    O: int  # compare_offset  # noqa: E741
    F: int  # for
    S: int  # no_labels_for

    def up(self, t: float) -> int:
        """Round up to a multiple of the evaluation interval."""
        return int(math.ceil(t / self.unit) * self.unit)

    def n(self, seconds: int) -> int:
        return seconds // self.step

    def case(self, name: str, inputs: Sequence[tuple[str, str]], alerts: Sequence[AlertCheck] = (), exprs: Sequence[ExprCheck] = ()) -> RuleTest:
        """A case evaluated every ``unit`` (its own test file), inputs every ``step``."""
        return RuleTest(name, at(self.step), tuple(inputs), tuple(alerts), tuple(exprs), evaluation_interval=at(self.unit))


def timing(p: Any) -> Timing:
    return windows_timing(p.window, p.labels_delay, p.for_, p.compare_offset, p.no_labels_for)


def windows_timing(window: float, delay: float, for_: float, offset: float = 0, no_labels_for: float = 0) -> Timing:
    """The ``Timing`` whose interval divides the window, delay, offset and ``no_labels_for``, and
    half the shorter of the window and ``no_labels_for`` (every window holds >= 2 evaluation
    points and input samples); ``for`` is left out (see ``Timing``). The inputs come at that
    divisor itself: every evaluation is at a multiple of it, so it sees the same constant-rate
    windows as at any finer step, from a fraction of the input samples (a 42-day regression case at
    5m steps loaded 450,000 of them)."""
    durs = [int(round(x)) for x in (window, delay, offset, no_labels_for) if x]
    durs.append(max(60, int(min(window, no_labels_for or window)) // 2))
    g = reduce(math.gcd, durs)
    return Timing(g, g * 60 // math.gcd(g, 60), int(window), int(delay), int(offset), int(for_), int(no_labels_for))
