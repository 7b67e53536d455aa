"""promtool rule tests for the performance monitor, with expected values computed in Python.

Synthetic labelled traffic has one knob, the quality ``q`` in [0, 1]: binary outcomes
tp = q * B, fn = B - tp (positives) and tn = q * (B + B/2), fp = the rest (negatives); multiclass
actual class i (size (i+1) * B) is right q of the time and otherwise predicted as class i+1;
labelled scores put q of the positives in the top score bucket and q of the negatives in the
bottom one. Counters grow linearly from 0 with samples on every window edge, so ``increase()``
needs no extrapolation and each count is an exact integer: the expected ratios below are
computed with the same float operations in the same order as the generated PromQL, and promtool
compares them exactly.

Cases per model: exact values (every recorded metric at model and version level, label
coverage) on healthy data where no alert fires; a quality breach (MLModelPerformanceLow per
metric, warning and critical); a drop against ``compare_offset`` ago (when the offset leaves room);
a newer version worse than the previous one (and an equally good one: quiet); outcome counters
missing (MLModelPerformanceNoData); labels stopping and missing (MLModelLabelsMissing); low label
coverage; and with a drift section, concept drift (performance down + input drift low: fires;
performance down + input drift high: quiet, MLModelFeatureDrift fires instead).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import reduce
from typing import Any, Mapping

from mlmon import conventions as C
from mlmon.artifacts import AlertCheck, AlertRule, ExpAlert, ExprCheck, RuleTest, Sample
from mlmon.compiler.units import fmt_float, format_duration


# A RuleTest that only needs rules evaluated every ``evaluation_interval``: a 7d comparison at
# 1m steps costs ~10,000 evaluations of every rule, at 1h steps 170. Eval times of these cases
# are multiples of the interval.
IntervalRuleTest = RuleTest

# --- expected annotations: what Prometheus renders from the rule's templates ------------------------------
def go_value(v: float) -> str:
    """Go's %v of a float64 (the default rendering of {{ $value }})."""
    if v == int(v) and abs(v) < 1e21:
        return str(int(v))
    return repr(float(v))


def humanize_duration(v: float) -> str:
    """Prometheus' humanizeDuration for |v| >= 1 second."""
    if abs(v) < 1:
        raise ValueError("humanize_duration: sub-second values are not used by these rules")
    sign = "-" if v < 0 else ""
    d = int(abs(v))
    secs, mins, hours, days = d % 60, (d // 60) % 60, (d // 3600) % 24, d // 86400
    if days:
        return f"{sign}{days}d {hours}h {mins}m {secs}s"
    if hours:
        return f"{sign}{hours}h {mins}m {secs}s"
    if mins:
        return f"{sign}{mins}m {secs}s"
    return f"{sign}{abs(v):.4g}s"


_LABEL_RE = re.compile(r"\{\{ \$labels\.([A-Za-z_][A-Za-z0-9_]*) \}\}")


def expand(text: str, value: float | None, labels: Mapping[str, str]) -> str:
    text = _LABEL_RE.sub(lambda m: labels.get(m.group(1), "<no value>"), text)
    for pattern, render in (
        ('{{ $value | printf "%.3f" }}', lambda v: f"{v:.3f}"),
        ("{{ $value | humanizeDuration }}", humanize_duration),
        ("{{ $value }}", go_value),
    ):
        if pattern in text:
            if value is None:
                raise ValueError(f"annotation needs the alert value: {text!r}")
            text = text.replace(pattern, render(value))
    if "{{" in text:
        raise ValueError(f"annotation template not expanded by the rule tests: {text!r}")
    return text


def alert_rules(mon: Any, model: Any) -> list[AlertRule]:
    return [r for g in mon.rule_groups(model, None) for r in g.rules if isinstance(r, AlertRule)]


def exp_alert(rules: list[AlertRule], alertname: str, labels: Mapping[str, str], value: float | None = None) -> ExpAlert:
    """The firing alert with these labels, with the annotations Prometheus renders for ``value``."""
    found = [r for r in rules if r.alert == alertname and all(labels.get(k) == v for k, v in r.labels.items())]
    if len(found) != 1:
        raise ValueError(f"{len(found)} rules {alertname} match {dict(labels)}")
    return ExpAlert(dict(labels), {k: expand(v, value, labels) for k, v in found[0].annotations.items()})


HEALTHY_Q = (0.95, 0.97, 0.99, 1.0, 0.9, 0.85, 0.8)
LOW_Q = (0.3, 0.2, 0.1, 0.0)
V1, V2 = "v1", "v2"


# --- synthetic counts -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Counts:
    """Increments per input step of one model version."""

    outcomes: Mapping[str, int] = field(default_factory=dict)  # tp fp tn fn
    confusion: Mapping[tuple[str, str], int] = field(default_factory=dict)  # (predicted, actual)
    pos_bins: tuple[int, ...] = ()  # labelled scores per bucket (last = +Inf bucket), actual=1
    neg_bins: tuple[int, ...] = ()

    def scaled(self, k: int) -> "Counts":
        return Counts(
            {o: v * k for o, v in self.outcomes.items()},
            {pa: v * k for pa, v in self.confusion.items()},
            tuple(v * k for v in self.pos_bins), tuple(v * k for v in self.neg_bins),
        )  # fmt: skip

    def labelled(self) -> int:
        return sum(self.outcomes.values()) + sum(self.confusion.values())


def base_rate(p: Any, steps: int) -> int:
    """Per-step class size B, a multiple of 100 (so q in steps of 0.01 gives integers), large
    enough that each class holds 4 x min_samples per window."""
    need = math.ceil(4 * p.min_samples / max(1, steps))
    return 100 * max(1, math.ceil(need / 100))


def quality(p: Any, q: float, b: int) -> Counts:
    qq = round(q * 100)
    if not p.multiclass:
        pos, neg = b, b + b // 2
        tp = qq * pos // 100
        tn = qq * neg // 100
        outcomes = {"tp": tp, "fn": pos - tp, "tn": tn, "fp": neg - tn}
    else:
        outcomes = {}
    confusion: dict[tuple[str, str], int] = {}
    if p.multiclass:
        k = len(p.classes)
        for i, c in enumerate(p.classes):
            size = (i + 1) * b
            right = qq * size // 100
            confusion[(c, c)] = right
            if size - right:
                confusion[(p.classes[(i + 1) % k], c)] = size - right
    pos_bins: tuple[int, ...] = ()
    neg_bins: tuple[int, ...] = ()
    if "auc" in p.metrics:
        nb = len(p.score_buckets) + 1
        pb = [1] * nb
        nbins = [1] * nb
        top = nb - 2 if nb >= 2 else 0  # the highest finite bucket
        pb[top] += qq * b // 100
        pb[0] += b - qq * b // 100
        nbins[0] += qq * b // 100
        nbins[top] += b - qq * b // 100
        pos_bins, neg_bins = tuple(pb), tuple(nbins)
    return Counts(outcomes, confusion, pos_bins, neg_bins)


# --- the metrics, as the PromQL computes them -------------------------------------------------------
def _gate(value: float | None, gate: float, n: int) -> float | None:
    return value if value is not None and gate >= n else None


def _div(a: float, b: float) -> float | None:
    return a / b if b > 0 else None


def binary_values(p: Any, w: Counts) -> dict[str, float | None]:
    """Metric -> value (None: absent) from window counts ``w``."""
    o = {k: float(w.outcomes.get(k, 0)) for k in ("tp", "fp", "tn", "fn")}
    if not w.outcomes:
        return {m: None for m in p.metrics}
    n = p.min_samples
    tp, fp, tn, fn = o["tp"], o["fp"], o["tn"], o["fn"]
    allc = tp + tn + fp + fn
    out: dict[str, float | None] = {}
    for m in p.metrics:
        if m == "accuracy":
            out[m] = _gate(_div(tp + tn, allc), allc, n)
        elif m == "precision":
            out[m] = _gate(_div(tp, tp + fp), tp + fp, n)
        elif m == "recall":
            out[m] = _gate(_div(tp, tp + fn), tp + fn, n)
        elif m == "fpr":
            out[m] = _gate(_div(fp, fp + tn), fp + tn, n)
        elif m == "f1":
            out[m] = _gate(_div(2 * tp, 2 * tp + (fp + fn)), tp + fp + fn, n)
        elif m == "macro_f1":
            pos = _div(2 * tp, 2 * tp + (fp + fn))
            neg = _div(2 * tn, 2 * tn + (fp + fn))
            out[m] = _gate((pos + neg) / 2, allc, n) if pos is not None and neg is not None else None
        elif m == "auc":
            out[m] = auc_value(p, w)
    return out


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


def multiclass_values(p: Any, w: Counts) -> dict[tuple[str, str | None], float | None]:
    """(metric, class or None) -> value (None: absent)."""
    out: dict[tuple[str, str | None], float | None] = {}
    if not w.confusion:
        for m in p.metrics:
            for c in (p.classes if p.per_class(m) else (None,)):
                out[(m, c)] = None
        return out
    n = p.min_samples
    total = float(sum(w.confusion.values()))
    tp = {c: float(w.confusion.get((c, c), 0)) for c in p.classes}
    pr = {c: float(sum(v for (pp, _), v in w.confusion.items() if pp == c)) for c in p.classes}
    ac = {c: float(sum(v for (_, aa), v in w.confusion.items() if aa == c)) for c in p.classes}
    for m in p.metrics:
        if m == "precision":
            for c in p.classes:
                out[(m, c)] = _gate(_div(tp[c], pr[c]), pr[c], n)
        elif m == "recall":
            for c in p.classes:
                out[(m, c)] = _gate(_div(tp[c], ac[c]), ac[c], n)
        elif m == "f1":
            for c in p.classes:
                out[(m, c)] = _gate(_div(2 * tp[c], pr[c] + ac[c]), pr[c] + ac[c] - tp[c], n)
        elif m == "fpr":
            for c in p.classes:
                neg = total - ac[c]
                out[(m, c)] = _gate(_div(pr[c] - tp[c], neg), neg, n)
        elif m == "accuracy":
            tps = reduce(lambda a, b: a + b, [tp[c] for c in p.classes])
            out[(m, None)] = _gate(_div(tps, total), total, n)
        elif m == "macro_f1":
            f1s = [(_div(2 * tp[c], pr[c] + ac[c]) if pr[c] + ac[c] > 0 else 0.0) for c in p.classes]
            f1s = [x if x is not None else 0.0 for x in f1s]
            present = reduce(lambda a, b: a + b, [1.0 if pr[c] + ac[c] > 0 else 0.0 for c in p.classes])
            num = reduce(lambda a, b: a + b, f1s)
            out[(m, None)] = _gate(_div(num, present), total, n)
    return out


def values(p: Any, w: Counts) -> dict[tuple[str, str | None], float | None]:
    if p.multiclass:
        return multiclass_values(p, w)
    return {(m, None): v for m, v in binary_values(p, w).items()}


def combine(a: Counts, b: Counts) -> Counts:
    def add(x: Mapping, y: Mapping) -> dict:
        return {k: x.get(k, 0) + y.get(k, 0) for k in sorted(set(x) | set(y), key=str)}

    return Counts(
        add(a.outcomes, b.outcomes), add(a.confusion, b.confusion),
        tuple(x + y for x, y in zip(a.pos_bins, b.pos_bins)) if a.pos_bins else b.pos_bins,
        tuple(x + y for x, y in zip(a.neg_bins, b.neg_bins)) if a.neg_bins else b.neg_bins,
    )  # fmt: skip


def worse(metric: str, a: float, b: float, by: float) -> bool:
    """a is worse than b by more than ``by``."""
    from mlmon.monitors.quality import LOWER_IS_BETTER

    return (a - b > by) if metric in LOWER_IS_BETTER else (b - a > by)


def breaches(metric: str, value: float | None, bound: float | None) -> bool:
    from mlmon.monitors.quality import LOWER_IS_BETTER

    if value is None or bound is None:
        return False
    return value > bound if metric in LOWER_IS_BETTER else value < bound


# --- series text ----------------------------------------------------------------------------------------
def _labels_text(name: str, labels: Mapping[str, str]) -> str:
    inner = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    return f"{name}{{{inner}}}"


def counter_values(phases: list[tuple[int, int]]) -> str:
    """Counter from 0 growing by ``inc`` per step for ``n`` steps, phase after phase."""
    parts: list[str] = []
    value = 0
    first = True
    for inc, n in phases:
        if n <= 0:
            continue
        if first:
            parts.append(f"0+{inc}x{n}")
            value = inc * n
            first = False
        else:
            parts.append(f"{value + inc}+{inc}x{n - 1}")
            value += inc * n
    return " ".join(parts)


def base_labels(model: Any) -> dict[str, str]:
    return dict(model.serving.match) if model.serving.match else {C.L_MODEL: model.id}


def le_text(x: float) -> str:
    return "+Inf" if math.isinf(x) else repr(float(x))  # Python client spelling ("1.0")


def traffic_series(model: Any, p: Any, version: str, phases: list[tuple[Counts, int]]) -> list[tuple[str, str]]:
    """Counter series of one version from (per-step counts, steps) phases."""
    base = {**base_labels(model), C.L_VERSION: version}
    out: list[tuple[str, str]] = []
    first = phases[0][0]
    if not p.multiclass:
        for o in ("tp", "fp", "tn", "fn"):
            out.append((_labels_text(C.OUTCOMES_TOTAL, {**base, "outcome": o}), counter_values([(c.outcomes.get(o, 0), n) for c, n in phases])))
    else:
        keys = sorted({k for c, _ in phases for k in c.confusion})
        for pr, ac in keys:
            out.append((_labels_text(C.CONFUSION_TOTAL, {**base, "predicted": pr, "actual": ac}), counter_values([(c.confusion.get((pr, ac), 0), n) for c, n in phases])))
    if first.pos_bins:
        edges = [*p.score_buckets, math.inf]
        for actual, attr in (("1", "pos_bins"), ("0", "neg_bins")):
            for j, e in enumerate(edges):
                out.append((
                    _labels_text(f"{C.LABELED_SCORE}_bucket", {**base, "actual": actual, "le": le_text(e)}),
                    counter_values([(sum(getattr(c, attr)[: j + 1]), n) for c, n in phases]),
                ))  # fmt: skip
    return out


def label_series(model: Any, version: str, predictions: list[tuple[int, int]], labels: list[tuple[int, int]] | None) -> list[tuple[str, str]]:
    base = {**base_labels(model), C.L_VERSION: version}
    out = [(_labels_text(C.PREDICTIONS_TOTAL, base), counter_values(predictions))]
    if labels is not None:
        out.append((_labels_text(C.LABELS_JOINED_TOTAL, base), counter_values(labels)))
    return out


def version_series(model: Any, versions: list[tuple[str, float]], steps: int) -> list[tuple[str, str]]:
    out = []
    for v, trained in versions:
        base = {**base_labels(model), C.L_VERSION: v}
        out.append((_labels_text(C.MODEL_INFO, {**base, "stage": "production"}), f"1x{steps}"))
        out.append((_labels_text(C.MODEL_TRAINED_TIMESTAMP, base), f"{fmt_float(trained)}x{steps}"))
    return out


# --- timing ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Timing:
    step: int  # input interval, seconds: divides every duration and 5m (gauges stay visible to instant queries)
    unit: int  # rule evaluation interval of the cases: a multiple of step and of 1m, dividing every duration
    W: int
    D: int
    O: int
    F: int
    S: int

    def up(self, t: float) -> int:
        """Round up to a multiple of the evaluation interval."""
        return int(math.ceil(t / self.unit) * self.unit)

    def n(self, seconds: int) -> int:
        return seconds // self.step


def timing(p: Any) -> Timing:
    durs = [int(round(x)) for x in (p.window, p.labels_delay, p.compare_offset, p.for_, p.no_labels_for) if x]
    # every window holds >= 2 evaluation points
    durs.append(max(60, int(min(p.window, p.no_labels_for)) // 2))
    g = reduce(math.gcd, durs)
    unit = g * 60 // math.gcd(g, 60)
    step = math.gcd(g, 300)
    return Timing(step, unit, int(p.window), int(p.labels_delay), int(p.compare_offset), int(p.for_), int(p.no_labels_for))


def _d(seconds: float) -> str:
    return format_duration(seconds) if seconds > 0 else "0s"


# --- expectations --------------------------------------------------------------------------------------------
def _metric_label_sets(p: Any, metric: str) -> list[dict[str, str]]:
    return [{"class": c} for c in p.classes] if p.per_class(metric) else [{}]


def low_alerts(mon: Any, model: Any, p: Any, vals: Mapping[tuple[str, str | None], float | None], rules: list[AlertRule]) -> list[ExpAlert]:
    out = []
    for metric in p.metrics:
        warn, crit = p.thresholds(metric)
        for extra in _metric_label_sets(p, metric):
            v = vals.get((metric, extra.get("class")))
            for bound, sev in ((warn, C.SEVERITY_TICKET), (crit, C.SEVERITY_PAGE)):
                if breaches(metric, v, bound):
                    out.append(exp_alert(rules, C.ALERT_PERF_LOW, {**mon.alert_labels(model, metric, sev), **extra}, v))
    return out


def sorted_alerts(alerts: list[ExpAlert]) -> tuple[ExpAlert, ...]:
    return tuple(sorted(alerts, key=lambda a: sorted(a.labels.items())))


def pick_healthy(p: Any, b: int, steps: int) -> float:
    """The first q of HEALTHY_Q at which no metric breaches its levels."""
    for q in HEALTHY_Q:
        w = quality(p, q, b).scaled(steps)
        vals = values(p, w)
        if not any(breaches(m, vals.get((m, c)), bound) for (m, c) in vals for bound in p.thresholds(m)):
            return q
    return HEALTHY_Q[0]


def pick_low(p: Any, b: int, steps: int) -> float:
    """The first q of LOW_Q at which every watched metric breaches its warning level (if any)."""
    for q in LOW_Q:
        vals = values(p, quality(p, q, b).scaled(steps))
        if all(breaches(m, vals.get((m, c)), p.thresholds(m)[0]) for (m, c) in vals if m in p.watched and p.thresholds(m)[0] is not None):
            return q
    return LOW_Q[-1]


def pick_worse(p: Any, b: int, steps: int, q_ref: float, by: float) -> float | None:
    """The highest q below q_ref at which every watched metric is worse than at q_ref by more than ``by``."""
    ref = values(p, quality(p, q_ref, b).scaled(steps))
    for k in range(round(q_ref * 100) - 1, -1, -1):
        q = k / 100
        vals = values(p, quality(p, q, b).scaled(steps))
        ok = True
        for (m, c), v in vals.items():
            if m not in p.watched:
                continue
            r = ref.get((m, c))
            if v is None or r is None or not worse(m, v, r, by + 1e-9):
                ok = False
                break
        if ok:
            return q
    return None


def _case(t: Timing, name: str, series: tuple, alerts: tuple = (), exprs: tuple = ()) -> IntervalRuleTest:
    return IntervalRuleTest(name, _d(t.step), tuple(series), tuple(alerts), tuple(exprs), evaluation_interval=_d(t.unit))


# --- the cases ------------------------------------------------------------------------------------------------------
def tests_for(mon: Any, model: Any, p: Any) -> list[RuleTest]:
    t = timing(p)
    rules = alert_rules(mon, model)
    steps = t.n(t.W)
    b = base_rate(p, steps)
    q_h = pick_healthy(p, b, steps)
    healthy = quality(p, q_h, b)
    # predictions: labels cover (1 + min_coverage) / 2 of them
    cov_h = (1.0 + p.min_coverage) / 2
    lab = healthy.labelled()
    need_due = math.ceil(p.min_samples / max(1, min(t.n(t.W), t.n(t.S))))
    preds = max(math.ceil(lab / cov_h), need_due, 1)
    quality_alerts = (C.ALERT_PERF_LOW, C.ALERT_PERF_DROP, C.ALERT_PERF_VERSION, C.ALERT_PERF_NODATA, C.ALERT_LABEL_COVERAGE, C.ALERT_LABELS_MISSING)
    out: list[RuleTest] = []

    # 1. exact values on healthy data; nothing fires
    t_full = t.up(t.W + t.D)
    t_quiet = t.up(t.W + t.D + t.F + t.unit)
    total = t.n(t_quiet) + 1
    series = traffic_series(model, p, V1, [(healthy, total)]) + label_series(model, V1, [(preds, total)], [(lab, total)])
    series += version_series(model, [(V1, 1000.0)], total)
    w = healthy.scaled(steps)
    vals = values(p, w)
    checks = []
    for metric in p.metrics:
        for version in (False, True):
            name = (C.PERF_VERSION_METRIC if version else C.PERF_METRIC).format(metric=metric)
            samples = []
            for extra in _metric_label_sets(p, metric):
                v = vals.get((metric, extra.get("class")))
                if v is None:
                    continue
                labels = {C.L_MODEL: model.id, **extra}
                if version:
                    labels[C.L_VERSION] = V1
                samples.append(Sample(_labels_text(name, labels), v))
            checks.append(ExprCheck(_labels_text(name, {C.L_MODEL: model.id}), _d(t_full), tuple(samples)))
    joined = float(lab * steps)
    due = float(preds * steps)
    checks.append(ExprCheck(_labels_text(C.LABEL_COVERAGE, {C.L_MODEL: model.id}), _d(t_full), (Sample(_labels_text(C.LABEL_COVERAGE, {C.L_MODEL: model.id}), joined / due),)))
    out.append(_case(t, 
        f"performance {model.id}: exact metric values on healthy labelled traffic (q={q_h}); no performance or label alert fires",
        tuple(series),
        tuple(AlertCheck(_d(t_quiet), name) for name in (*quality_alerts, *((C.ALERT_CONCEPT_DRIFT,) if p.concept_drift and model.section("drift") is not None else ()))),
        tuple(checks),
    ))  # fmt: skip

    # 2. quality below its levels
    q_l = pick_low(p, b, steps)
    low = quality(p, q_l, b)
    if any(x is not None for m in p.metrics for x in p.thresholds(m)):
        series = traffic_series(model, p, V1, [(low, total)]) + label_series(model, V1, [(preds, total)], [(lab, total)])
        exp = low_alerts(mon, model, p, values(p, low.scaled(steps)), rules)
        out.append(_case(t, 
            f"performance {model.id}: quality q={q_l} breaches the levels: {C.ALERT_PERF_LOW} fires per metric and severity",
            tuple(series), (AlertCheck(_d(t_quiet), C.ALERT_PERF_LOW, sorted_alerts(exp)),),
        ))  # fmt: skip

    # 3. drop against compare_offset ago
    switch = t.up(max(t.W + t.D, t.O))
    t_drop = t.up(switch + t.W + t.F + t.unit)
    q_d = pick_worse(p, b, steps, q_h, p.max_drop) if p.max_drop < 1 else None
    if q_d is not None and t_drop - t.O <= switch:
        dropped = quality(p, q_d, b)
        n1 = t.n(switch)
        n2 = t.n(t_drop) - n1 + 1
        series = traffic_series(model, p, V1, [(healthy, n1), (dropped, n2)]) + label_series(model, V1, [(preds, n1 + n2)], [(lab, n1 + n2)])
        now, before = values(p, dropped.scaled(steps)), values(p, healthy.scaled(steps))
        exp = []
        for metric in p.watched:
            for extra in _metric_label_sets(p, metric):
                k = (metric, extra.get("class"))
                if now.get(k) is not None and before.get(k) is not None and worse(metric, now[k], before[k], p.max_drop):
                    exp.append(exp_alert(rules, C.ALERT_PERF_DROP, {**mon.alert_labels(model, metric, C.SEVERITY_TICKET), **extra}, now[k]))
        out.append(_case(t, 
            f"performance {model.id}: quality falls from q={q_h} to q={q_d}, more than max_drop {fmt_float(p.max_drop)} below {format_duration(t.O)} ago: {C.ALERT_PERF_DROP} fires",
            tuple(series),
            (AlertCheck(_d(switch), C.ALERT_PERF_DROP), AlertCheck(_d(t_drop), C.ALERT_PERF_DROP, sorted_alerts(exp))),
        ))  # fmt: skip

    # 4. newest version worse than the previous one
    if p.max_drop_vs_previous_version < 1:
        q_v = pick_worse(p, b, steps, q_h, p.max_drop_vs_previous_version)
        t_v = t.up(t.W + t.F + t.unit)
        nv = t.n(t_v) + 1
        for q2, fires in ((q_v, True), (q_h, False)):
            if q2 is None:
                continue
            v2 = quality(p, q2, b)
            series = traffic_series(model, p, V1, [(healthy, nv)]) + traffic_series(model, p, V2, [(v2, nv)])
            series += version_series(model, [(V1, 1000.0), (V2, 2000.0)], nv)
            exp = []
            if fires:
                cur, prev = values(p, v2.scaled(steps)), values(p, healthy.scaled(steps))
                for metric in p.watched:
                    for extra in _metric_label_sets(p, metric):
                        k = (metric, extra.get("class"))
                        if cur.get(k) is not None and prev.get(k) is not None and worse(metric, cur[k], prev[k], p.max_drop_vs_previous_version):
                            exp.append(exp_alert(rules, C.ALERT_PERF_VERSION, {**mon.alert_labels(model, metric, C.SEVERITY_TICKET), **extra, C.L_VERSION: V2, "previous_version": V1}, cur[k]))
            what = f"q={q2}, worse than {V1} (q={q_h}) by more than {fmt_float(p.max_drop_vs_previous_version)}: {C.ALERT_PERF_VERSION} fires" if fires else f"as good as {V1}: quiet"
            out.append(_case(t, 
                f"performance {model.id}: version {V2} (trained after {V1}) serves at {what}",
                tuple(series), (AlertCheck(_d(t_v), C.ALERT_PERF_VERSION, sorted_alerts(exp)),),
            ))  # fmt: skip

    # 5. outcome counters missing although predictions are due
    exp = []
    for metric in p.watched:
        for extra in _metric_label_sets(p, metric):
            exp.append(exp_alert(rules, C.ALERT_PERF_NODATA, {**mon.alert_labels(model, metric, C.SEVERITY_TICKET), **extra}, 1.0))
    series = label_series(model, V1, [(preds, total)], [(lab, total)])
    out.append(_case(t, 
        f"performance {model.id}: labels arrive but no outcome counters exist: {C.ALERT_PERF_NODATA} fires for every watched metric",
        tuple(series),
        (AlertCheck(_d(t_quiet), C.ALERT_PERF_NODATA, sorted_alerts(exp)), AlertCheck(_d(t_quiet), C.ALERT_LABELS_MISSING)),
    ))  # fmt: skip

    t_none = t.up(t.F + t.unit)
    out.append(_case(t, 
        f"performance {model.id}: no contract metrics at all (instrumentation missing): {C.ALERT_PERF_NODATA} fires for every watched metric",
        tuple(version_series(model, [(V1, 1000.0)], t.n(t_none) + 1)),
        (AlertCheck(_d(t_none), C.ALERT_PERF_NODATA, sorted_alerts(exp)),),
    ))  # fmt: skip

    # 6. labels stop (counter flat), and labels never existed
    stop = t.up(t.D + t.S)
    t_stop = t.up(stop + t.S + t.unit)
    ns = t.n(t_stop) + 1
    preds_s = max(preds, math.ceil(p.min_samples / max(1, t.n(t.S))))
    missing = (exp_alert(rules, C.ALERT_LABELS_MISSING, mon.alert_labels(model, "labels", C.SEVERITY_TICKET)),)
    series = label_series(model, V1, [(preds_s, ns)], [(lab, t.n(stop) + 1), (0, ns - t.n(stop) - 1)])
    out.append(_case(t, 
        f"performance {model.id}: labels stop arriving at {format_duration(stop)}; {format_duration(t.S)} later {C.ALERT_LABELS_MISSING} fires",
        tuple(series),
        (AlertCheck(_d(stop), C.ALERT_LABELS_MISSING), AlertCheck(_d(t_stop), C.ALERT_LABELS_MISSING, missing)),
    ))  # fmt: skip
    t_abs = t.up(max(t.D + t.S, t.W + t.D + t.F) + t.unit)
    na = t.n(t_abs) + 1
    checks_abs = [AlertCheck(_d(t_abs), C.ALERT_LABELS_MISSING, missing)]
    if p.min_coverage > 0:
        checks_abs.append(AlertCheck(_d(t_abs), C.ALERT_LABEL_COVERAGE, (exp_alert(rules, C.ALERT_LABEL_COVERAGE, mon.alert_labels(model, "label_coverage", C.SEVERITY_TICKET), 0.0),)))
    out.append(_case(t, 
        f"performance {model.id}: predictions but no label counter at all: {C.ALERT_LABELS_MISSING} and {C.ALERT_LABEL_COVERAGE} (coverage 0) fire",
        tuple(label_series(model, V1, [(preds_s, na)], None)), tuple(checks_abs),
    ))  # fmt: skip

    # 7. low label coverage, exact value
    if p.min_coverage > 0:
        lab_low = max(1, math.floor(preds * p.min_coverage / 2))
        series = label_series(model, V1, [(preds, total)], [(lab_low, total)])
        cov = float(lab_low * steps) / float(preds * steps)
        cov_sel = _labels_text(C.LABEL_COVERAGE, {C.L_MODEL: model.id})
        out.append(_case(t, 
            f"performance {model.id}: labels cover {fmt_float(round(cov, 6))} of the predictions, below {fmt_float(p.min_coverage)}: {C.ALERT_LABEL_COVERAGE} fires",
            tuple(series),
            (AlertCheck(_d(t_quiet), C.ALERT_LABEL_COVERAGE, (exp_alert(rules, C.ALERT_LABEL_COVERAGE, mon.alert_labels(model, "label_coverage", C.SEVERITY_TICKET), cov),)),),
            (ExprCheck(cov_sel, _d(t_full), (Sample(cov_sel, cov),)),),
        ))  # fmt: skip

    # 8. concept drift vs data drift
    drift = model.section("drift")
    if p.concept_drift and drift is not None:
        out.extend(concept_tests(mon, model, p, t, b, q_h, q_l, drift))
    return out


def concept_tests(mon: Any, model: Any, p: Any, t: Timing, b: int, q_h: float, q_l: float, drift: Any) -> list[RuleTest]:
    rules = alert_rules(mon, model)
    steps = t.n(t.W)
    healthy, low = quality(p, q_h, b), quality(p, q_l, b)
    switch = t.up(max(t.W + t.D, t.O))
    t_c = t.up(switch + t.W + max(t.F, int(drift.for_)) + t.unit)
    n1 = t.n(switch)
    n2 = t.n(t_c) - n1 + 1
    now, before = values(p, low.scaled(steps)), values(p, healthy.scaled(steps))
    drop_ok = t_c - t.O <= switch and p.max_drop < 1
    exp = []
    for metric in p.watched:
        warn, _ = p.thresholds(metric)
        for extra in _metric_label_sets(p, metric):
            k = (metric, extra.get("class"))
            degraded = breaches(metric, now.get(k), warn) or (
                drop_ok and now.get(k) is not None and before.get(k) is not None and worse(metric, now[k], before[k], p.max_drop)
            )
            if degraded:
                exp.append(exp_alert(rules, C.ALERT_CONCEPT_DRIFT, {**mon.alert_labels(model, metric, C.SEVERITY_TICKET, monitor="concept_drift"), **extra}))
    lab = healthy.labelled()
    base = traffic_series(model, p, V1, [(healthy, n1), (low, n2)]) + label_series(model, V1, [(lab * 2, n1 + n2)], [(lab, n1 + n2)])
    from mlmon.monitors import registry

    drift_mon = next((m for m in registry.MONITORS if m.key == "drift"), None)
    out = []
    for high in (False, True):
        scores = []
        feature_alerts = []
        for d in drift.features:
            s = (d.warn + d.critical) / 2 if high else 0.0
            scores.append((_labels_text(C.DRIFT_FEATURE_SCORE, {C.L_MODEL: model.id, "feature": d.name}), f"{fmt_float(s)}x{n1 + n2}"))
            if high and drift_mon is not None:
                for thr, sev in ((d.warn, C.SEVERITY_TICKET), (d.critical, C.SEVERITY_PAGE)):
                    if s >= thr:
                        level = "critical" if sev == C.SEVERITY_PAGE else "warn"
                        feature_alerts.append(ExpAlert(
                            {**drift_mon.alert_labels(model, sev, d.name), "feature": d.name},
                            drift_mon.feature_annotations(model, drift, level, d.name, f"{s:.3f}"),
                        ))  # fmt: skip
        checks = [AlertCheck(_d(t_c), C.ALERT_CONCEPT_DRIFT, () if high else sorted_alerts(exp))]
        if high and drift_mon is not None:
            checks.append(AlertCheck(_d(t_c), C.ALERT_DRIFT_FEATURE, sorted_alerts(feature_alerts)))
        if high:
            name = f"performance {model.id}: quality falls to q={q_l} while every feature drifts past its warn level: data drift ({C.ALERT_DRIFT_FEATURE}), not concept drift"
        else:
            name = f"performance {model.id}: quality falls to q={q_l} while input drift stays at 0: {C.ALERT_CONCEPT_DRIFT} fires"
        out.append(_case(t, name, tuple(base + scores), tuple(checks)))
    return out
