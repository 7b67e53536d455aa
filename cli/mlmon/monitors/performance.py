"""Model performance from delayed ground truth, label coverage, and concept drift.

Spec (per model, ``performance:``; absent = off, ``performance: {}`` = on with defaults)::

    performance:
      window: 1d                      # labels that arrived in this window are scored
      labels_delay: 1d                # typical prediction -> label delay (offsets the coverage denominator)
      compare_offset: 7d              # "same window, this long ago" for the drop alert
      min_samples: 100                # every ratio needs at least this many samples in its denominator
      min: {recall: 0.80, f1: 0.75}   # warning when below (higher-is-better metrics)
      max: {fpr: 0.05}                # warning when above (fpr: lower is better)
      critical: {recall: 0.6}         # page when worse than this (must be worse than min/max)
      max_drop: 0.05                  # warning when a watched metric is worse than compare_offset ago by more
      max_drop_vs_previous_version: 0.03
      score_buckets: [0.1, 0.2, ..., 1.0]   # le edges of mlmon_labeled_score_bucket (needed for auc)
      classes: [cat, dog, bird]       # multiclass_classification: the classes to score
      label_coverage: {min: 0.2, no_labels_for: 6h}
      concept_drift: true             # needs a drift section on the model
      for: 1h                         # pending time of the quality alerts

Metrics: binary ``accuracy precision recall f1 macro_f1 fpr auc`` from
``mlmon_outcomes_total{outcome=tp|fp|tn|fn}`` (auc from ``mlmon_labeled_score_bucket``);
multiclass ``accuracy macro_f1`` plus per-class ``precision recall f1 fpr`` (label ``class``) from
``mlmon_confusion_total{predicted,actual}``. *Watched* metrics (those with a threshold, or
``watch:``; default f1 / macro_f1) get the drop, version-regression, no-data and concept-drift
alerts.

Counters count labels when they arrive, so every ratio describes "predictions whose labels
arrived in the window". Each ratio is recorded only when its own denominator holds at least
``min_samples`` (absent otherwise); ``MLModelPerformanceNoData`` fires when a watched metric is
absent while labelled predictions were due, and ``MLModelLabelsMissing`` / ``MLModelLabelCoverageLow``
fire when labels stop or thin out, so the quality alerts never go silently blind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from mlmon import conventions as C
from mlmon import presets
from mlmon.artifacts import AlertRule, Panel, RecordingRule, Row, RuleGroup, RuleTest, Target, Threshold
from mlmon.compiler.context import CompileContext
from mlmon.compiler import dsl as S
from mlmon.compiler.units import fmt_float, format_duration, le_matcher, parse_duration

from mlmon.monitors.quality import (  # noqa: F401
    ALL_METRICS, BINARY, BINARY_METRICS, LOWER_IS_BETTER, MULTICLASS, MULTICLASS_METRICS, PER_CLASS, metric_name,
)

TITLES = {
    "accuracy": "Accuracy", "precision": "Precision", "recall": "Recall", "f1": "F1", "macro_f1": "Macro-F1",
    "fpr": "False-positive rate", "auc": "ROC AUC",
}  # fmt: skip
MEANING = {
    "accuracy": "share of labelled predictions that were right",
    "precision": "of the predicted positives, the share that were positive",
    "recall": "of the actual positives, the share the model caught",
    "f1": "harmonic mean of precision and recall",
    "macro_f1": "unweighted mean of the per-class F1 scores",
    "fpr": "of the actual negatives, the share flagged positive",
    "auc": "probability that a positive scores above a negative (trapezoid over the score buckets)",
}

T_VALUE = '{{ $value | printf "%.3f" }}'  # alert value in annotations (the rule tests expand it exactly)

MONITOR_KEY = "performance"
CONCEPT_MONITOR = "concept_drift"
LABELS_CHECK = "labels"
COVERAGE_CHECK = "label_coverage"


@dataclass(frozen=True)
class Performance:
    task: str  # binary_classification | multiclass_classification
    window: float  # seconds
    labels_delay: float  # seconds (0: none)
    compare_offset: float
    min_samples: int
    metrics: tuple[str, ...]  # recorded, in BINARY_METRICS/MULTICLASS_METRICS order
    watched: tuple[str, ...]
    min: Mapping[str, float] = field(default_factory=dict)
    max: Mapping[str, float] = field(default_factory=dict)
    critical: Mapping[str, float] = field(default_factory=dict)
    max_drop: float = 0.05  # 1 disables
    max_drop_vs_previous_version: float = 0.05  # 1 disables
    classes: tuple[str, ...] = ()
    score_buckets: tuple[float, ...] = ()
    min_coverage: float = 0.2  # 0 disables
    no_labels_for: float = 6 * 3600.0
    concept_drift: bool = True
    for_: float = 3600.0

    @property
    def multiclass(self) -> bool:
        return self.task == MULTICLASS

    def per_class(self, metric: str) -> bool:
        return self.multiclass and metric in PER_CLASS

    def thresholds(self, metric: str) -> tuple[float | None, float | None]:
        """(warning, critical) bound of a metric, in its own direction."""
        if metric in LOWER_IS_BETTER:
            return self.max.get(metric), self.critical.get(metric)
        return self.min.get(metric), self.critical.get(metric)


def _num(x: float) -> str:
    return fmt_float(float(f"{x:.12g}"))


def _dur(seconds: float) -> str:
    return format_duration(seconds)


def contract_selector(model: Any) -> str:
    """Label matchers of the model's own mlmon-contract series (``mlmon.instrument`` labels them
    ``model=<id>``; ``serving.match`` overrides, as for every preset)."""
    return presets.get("mlmon").selector(model.id, model.serving.match)


# --- schema -------------------------------------------------------------------------------------
def _metric_map(desc: str) -> dict:
    return S.obj({m: S.ratio(f"{m}: {MEANING[m]}") for m in ALL_METRICS}, (), desc)


def schema() -> dict:
    return S.obj(
        {
            "window": S.duration("labels that arrived within this window are scored (arrival time, not prediction time)", "1d"),
            "labels_delay": S.duration("typical delay from a prediction to its ground-truth label; the coverage denominator counts predictions this long ago"),
            "compare_offset": S.duration("the drop alert compares with the same window this long ago", "7d"),
            "min_samples": S.number("a ratio is recorded only when its denominator holds at least this many labelled predictions", 1, None, 100, type="integer"),
            "metrics": S.array(S.enum(list(ALL_METRICS), "metric"), "metrics to record (default: every one the task and metrics allow)", uniqueItems=True, minItems=1),
            "watch": S.array(S.enum(list(ALL_METRICS), "metric"), "metrics watched for drops, version regressions, no-data and concept drift (default: those with a threshold, else f1 / macro_f1)", uniqueItems=True, minItems=1),
            "min": _metric_map("warning when a metric falls below this (higher-is-better metrics)"),
            "max": _metric_map("warning when a metric rises above this (fpr)"),
            "critical": _metric_map("page when a metric is worse than this (below for most metrics, above for fpr); must be worse than min/max"),
            "max_drop": S.number("warning when a watched metric is worse than `compare_offset` ago by more than this (absolute; 1 = off)", 0, 1, 0.05, exclusiveMinimum=0),
            "max_drop_vs_previous_version": S.number(
                "warning when the newest version is worse than the previous one by more than this (absolute; 1 = off; versions ordered by mlmon_model_trained_timestamp_seconds)",
                None, 1, 0.05, exclusiveMinimum=0,
            ),
            "score_buckets": S.array(S.number("bucket upper bound (le)"), "le edges of mlmon_labeled_score_bucket (without +Inf); required for auc", minItems=1, uniqueItems=True),
            "classes": S.array(S.string("class name", minLength=1), "multiclass: the classes to score (every class the model predicts)", minItems=2, uniqueItems=True),
            "label_coverage": S.obj(
                {
                    "min": S.ratio("warning when labelled / predicted (labels_delay ago) falls below this; 0 = off", 0.2),
                    "no_labels_for": S.duration("warning when no label at all arrived for this long although predictions were due", "6h"),
                },
                (),
                "Ground-truth arrival checks",
            ),
            "concept_drift": S.boolean("alert when a watched metric degrades while input drift stays below its warn level (needs a drift section)", True),
            "for": S.duration("how long a quality condition must hold before its alert fires", "1h"),
        },
        (),
        "Quality from delayed ground truth: classification metrics, label coverage, concept drift",
    )


# --- compile ------------------------------------------------------------------------------------
def _duration(ctx: CompileContext, raw: dict, key: str, default: str | None) -> float | None:
    text = raw.get(key, default)
    if text is None:
        return None
    try:
        return parse_duration(text)
    except ValueError as exc:
        ctx.error((key,), "MLM203", str(exc))
        return None


def compile_section(raw: Any, ctx: CompileContext) -> Performance | None:
    if raw is None:
        return None
    task = ctx.task
    if task not in (BINARY, MULTICLASS):
        ctx.error((), "MLM104", f"performance monitoring needs task binary_classification or multiclass_classification, not {task!r}",
                  hint="remove the performance section, or set the model's task", key=True)  # fmt: skip
        return None
    ok = True
    window = _duration(ctx, raw, "window", "1d")
    delay = _duration(ctx, raw, "labels_delay", None) or 0.0
    offset = _duration(ctx, raw, "compare_offset", "7d")
    lc = raw.get("label_coverage", {})
    no_labels = None
    try:
        no_labels = parse_duration(lc.get("no_labels_for", "6h"))
    except ValueError as exc:
        ctx.error(("label_coverage", "no_labels_for"), "MLM203", str(exc))
    for_ = _duration(ctx, raw, "for", "1h")
    if None in (window, offset, no_labels, for_):
        return None
    allowed = MULTICLASS_METRICS if task == MULTICLASS else BINARY_METRICS
    classes = tuple(str(c) for c in raw.get("classes", ()))
    buckets = tuple(float(b) for b in raw.get("score_buckets", ()))

    # metrics named anywhere must exist for the task
    for key in ("metrics", "watch"):
        for i, m in enumerate(raw.get(key, ())):
            if m not in allowed:
                ctx.error((key, i), "MLM104", f"{m!r} is not available for {task} (available: {', '.join(allowed)})")
                ok = False
    for key in ("min", "max", "critical"):
        for m in raw.get(key, {}):
            if m not in allowed:
                ctx.error((key, m), "MLM104", f"{m!r} is not available for {task} (available: {', '.join(allowed)})", key=True)
                ok = False
    for m in raw.get("min", {}):
        if m in LOWER_IS_BETTER:
            ctx.error(("min", m), "MLM210", f"{m} is better when lower: give it a ceiling under 'max', not a floor under 'min'", key=True)
            ok = False
    for m in raw.get("max", {}):
        if m not in LOWER_IS_BETTER:
            ctx.error(("max", m), "MLM210", f"{m} is better when higher: give it a floor under 'min', not a ceiling under 'max'", key=True)
            ok = False
    mins, maxs, crit = dict(raw.get("min", {})), dict(raw.get("max", {})), dict(raw.get("critical", {}))
    for m, c in crit.items():
        warn = maxs.get(m) if m in LOWER_IS_BETTER else mins.get(m)
        if warn is None:
            continue
        if (m in LOWER_IS_BETTER and c <= warn) or (m not in LOWER_IS_BETTER and c >= warn):
            word = "above" if m in LOWER_IS_BETTER else "below"
            ctx.error(("critical", m), "MLM210", f"critical {m} {_num(c)} must be {word} its warning level {_num(warn)} (critical is the worse one)")
            ok = False

    # multiclass needs classes; binary ignores them
    if task == MULTICLASS and not classes:
        ctx.error((), "MLM102", "multiclass performance needs 'classes' (the class names the model predicts)", key=True,
                  hint="list every class, e.g. classes: [cat, dog, bird]; confusion counters of unlisted classes count as errors")  # fmt: skip
        ok = False
    if task == BINARY and classes:
        ctx.warning(("classes",), "MLM213", "classes are ignored for binary_classification (outcomes tp/fp/tn/fn are used)", key=True)

    # auc needs score histograms
    named = set(raw.get("metrics", ())) | set(raw.get("watch", ())) | set(mins) | set(maxs) | set(crit)
    if "auc" in named and not buckets:
        path = ("metrics",) if "auc" in raw.get("metrics", ()) else ()
        ctx.error(path, "MLM102", "auc needs score histograms: set 'score_buckets' to the le edges of mlmon_labeled_score_bucket", key=True,
                  hint="mlmon.instrument's default buckets are [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]")  # fmt: skip
        ok = False
    if list(buckets) != sorted(buckets):
        ctx.error(("score_buckets",), "MLM213", "score_buckets must be increasing")
        ok = False

    # windows vs label delay and offsets
    if delay and window < delay:
        ctx.warning(("window",), "MLM213",
                    f"window {_dur(window)} is shorter than labels_delay {_dur(delay)}: each window scores a thin, shifting slice of late labels",
                    hint=f"use a window of at least {_dur(delay)}")  # fmt: skip
    if offset < window:
        ctx.warning(("compare_offset",), "MLM213", f"compare_offset {_dur(offset)} is shorter than the window {_dur(window)}: the two windows overlap and hide drops",
                    hint=f"use a compare_offset of at least {_dur(window)} (7d compares with the same weekday)")  # fmt: skip
    if window < 4 * ctx.scrape_interval:
        ctx.error(("window",), "MLM207", f"window {_dur(window)} is shorter than 4x the scrape interval ({_dur(4 * ctx.scrape_interval)}); increase() would see too few samples")
        ok = False
    if no_labels < 4 * ctx.scrape_interval:
        ctx.error(("label_coverage", "no_labels_for"), "MLM207", f"no_labels_for {_dur(no_labels)} is shorter than 4x the scrape interval")
        ok = False
    if not ok:
        return None

    if "metrics" in raw:
        recorded = set(raw["metrics"])
    else:
        recorded = {m for m in allowed if m != "auc" or buckets}
    if "watch" in raw:
        watched = tuple(m for m in allowed if m in set(raw["watch"]))
    else:
        watched = tuple(m for m in allowed if m in set(mins) | set(maxs) | set(crit))
        if not watched:
            watched = ("macro_f1",) if task == MULTICLASS else ("f1",)
    recorded |= set(watched) | set(mins) | set(maxs) | set(crit)
    return Performance(
        task=task, window=window, labels_delay=delay, compare_offset=offset,
        min_samples=int(raw.get("min_samples", 100)),
        metrics=tuple(m for m in allowed if m in recorded), watched=watched,
        min=dict(sorted(mins.items())), max=dict(sorted(maxs.items())), critical=dict(sorted(crit.items())),
        max_drop=float(raw.get("max_drop", 0.05)),
        max_drop_vs_previous_version=float(raw.get("max_drop_vs_previous_version", 0.05)),
        classes=classes, score_buckets=buckets,
        min_coverage=float(lc.get("min", 0.2)), no_labels_for=no_labels,
        concept_drift=bool(raw.get("concept_drift", True)), for_=for_,
    )  # fmt: skip


# --- PromQL building blocks ----------------------------------------------------------------------
def _grp(version: bool) -> str:
    return f"{C.L_MODEL}, {C.L_VERSION}" if version else C.L_MODEL


class Exprs:
    """PromQL of one model's performance rules. ``version`` picks the level: per (model, version)
    or per model (all versions together)."""

    def __init__(self, model: Any, perf: Performance):
        self.model = model
        self.p = perf
        self.m = f'{C.L_MODEL}="{model.id}"'
        self.w = _dur(perf.window)
        self.n = str(perf.min_samples)

    # counts ---------------------------------------------------------------------------------------
    def count_rules(self) -> list[RecordingRule]:
        sel = contract_selector(self.model)
        lab = {C.L_MODEL: self.model.id}
        out: list[RecordingRule] = []
        if not self.p.multiclass:
            out.append(RecordingRule(C.PERF_VERSION_OUTCOMES, f"sum by ({C.L_VERSION}, outcome) (increase({C.OUTCOMES_TOTAL}{{{sel}}}[{self.w}]))", lab))
            out.append(RecordingRule(C.PERF_OUTCOMES, f"sum by ({C.L_MODEL}, outcome) ({C.PERF_VERSION_OUTCOMES}{{{self.m}}})", lab))
        else:
            out.append(RecordingRule(C.PERF_VERSION_CONFUSION, f"sum by ({C.L_VERSION}, predicted, actual) (increase({C.CONFUSION_TOTAL}{{{sel}}}[{self.w}]))", lab))
            out.append(RecordingRule(C.PERF_CONFUSION, f"sum by ({C.L_MODEL}, predicted, actual) ({C.PERF_VERSION_CONFUSION}{{{self.m}}})", lab))
            for version in (True, False):
                conf = C.PERF_VERSION_CONFUSION if version else C.PERF_CONFUSION
                g = _grp(version)
                zero = f"0 * sum by ({g}) ({conf}{{{self.m}}})"
                for c in self.p.classes:
                    cl = {**lab, "class": c}
                    q = _q(c)
                    out.append(RecordingRule(_class_rule("tp", version), f'sum by ({g}) ({conf}{{{self.m},predicted="{q}",actual="{q}"}})\nor\n{zero}', cl))
                    out.append(RecordingRule(_class_rule("predicted", version), f'sum by ({g}) ({conf}{{{self.m},predicted="{q}"}})\nor\n{zero}', cl))
                    out.append(RecordingRule(_class_rule("actual", version), f'sum by ({g}) ({conf}{{{self.m},actual="{q}"}})\nor\n{zero}', cl))
        if "auc" in self.p.metrics:
            out.append(RecordingRule(C.PERF_VERSION_SCORE_BUCKETS, f"sum by ({C.L_VERSION}, actual, le) (increase({C.LABELED_SCORE}_bucket{{{sel}}}[{self.w}]))", lab))
            out.append(RecordingRule(C.PERF_SCORE_BUCKETS, f"sum by ({C.L_MODEL}, actual, le) ({C.PERF_VERSION_SCORE_BUCKETS}{{{self.m}}})", lab))
        return out

    # binary -----------------------------------------------------------------------------------------
    def _o(self, outcomes: str, version: bool) -> str:
        """Labelled predictions with one of ``outcomes`` (e.g. "tp|fn"), 0 when that series is absent."""
        src = C.PERF_VERSION_OUTCOMES if version else C.PERF_OUTCOMES
        g = _grp(version)
        return f'(sum by ({g}) ({src}{{{self.m},outcome=~"{outcomes}"}}) or 0 * sum by ({g}) ({src}{{{self.m}}}))'

    def binary(self, metric: str, version: bool) -> str:
        o = lambda x: self._o(x, version)  # noqa: E731
        g = _grp(version)
        n = self.n
        if metric == "accuracy":
            return _ratio(o("tp|tn"), o("tp|tn|fp|fn"), o("tp|tn|fp|fn"), g, n)
        if metric == "precision":
            return _ratio(o("tp"), o("tp|fp"), o("tp|fp"), g, n)
        if metric == "recall":
            return _ratio(o("tp"), o("tp|fn"), o("tp|fn"), g, n)
        if metric == "fpr":
            return _ratio(o("fp"), o("fp|tn"), o("fp|tn"), g, n)
        if metric == "f1":
            return _ratio(f"2 * {o('tp')}", f"(2 * {o('tp')} + {o('fp|fn')})", o("tp|fp|fn"), g, n)
        if metric == "macro_f1":
            pos = f"2 * {o('tp')} / ((2 * {o('tp')} + {o('fp|fn')}) > 0)"
            neg = f"2 * {o('tn')} / ((2 * {o('tn')} + {o('fp|fn')}) > 0)"
            return f"(\n  (\n    {pos}\n  )\n  +\n  (\n    {neg}\n  )\n) / 2\nand on ({g})\n{o('tp|tn|fp|fn')} >= {n}"
        if metric == "auc":
            return self.auc(version)
        raise ValueError(metric)

    def auc(self, version: bool) -> str:
        src = C.PERF_VERSION_SCORE_BUCKETS if version else C.PERF_SCORE_BUCKETS
        g = _grp(version)
        edges = [*self.p.score_buckets, float("inf")]

        def cum(actual: str, e: float) -> str:
            return f'sum by ({g}) ({src}{{{self.m},actual="{actual}",{le_matcher(e)}}})'

        terms = []
        for j, e in enumerate(edges):
            if j == 0:
                terms.append(f"{cum('1', e)} * {cum('0', e)}")
            else:
                prev = edges[j - 1]
                terms.append(f"({cum('1', e)} - {cum('1', prev)}) * ({cum('0', e)} + {cum('0', prev)})")
        pos, neg = cum("1", edges[-1]), cum("0", edges[-1])
        body = "\n  + ".join(terms)
        return f"(\n  {body}\n)\n/ (2 * ({pos} > 0) * ({neg} > 0))\nand on ({g})\n({pos} + {neg}) >= {self.n}"

    # multiclass ---------------------------------------------------------------------------------------
    def multiclass(self, metric: str, version: bool) -> str:
        g = _grp(version)
        gc = f"{g}, class"
        n = self.n
        tp, pr, ac = (f"{_class_rule(k, version)}{{{self.m}}}" for k in ("tp", "predicted", "actual"))
        conf = C.PERF_VERSION_CONFUSION if version else C.PERF_CONFUSION
        total = f"sum by ({g}) ({conf}{{{self.m}}})"
        if metric == "precision":
            return f"{tp} / ({pr} > 0)\nand on ({gc})\n{pr} >= {n}"
        if metric == "recall":
            return f"{tp} / ({ac} > 0)\nand on ({gc})\n{ac} >= {n}"
        if metric == "f1":
            return f"2 * {tp} / (({pr} + {ac}) > 0)\nand on ({gc})\n({pr} + {ac} - {tp}) >= {n}"
        if metric == "fpr":
            neg = f"({total} - on ({g}) group_right {ac})"
            return f"({pr} - {tp}) / ({neg} > 0)\nand on ({gc})\n{neg} >= {n}"
        if metric == "accuracy":
            tps = " + ".join(f'sum by ({g}) ({_class_rule("tp", version)}{{{self.m},class="{_q(c)}"}})' for c in self.p.classes)
            return f"(\n  {tps}\n)\n/ ({total} > 0)\nand on ({g})\n{total} >= {n}"
        if metric == "macro_f1":
            zero = f"0 * {total}"
            f1s, present = [], []
            for c in self.p.classes:
                one = lambda k: f'sum by ({g}) ({_class_rule(k, version)}{{{self.m},class="{_q(c)}"}})'  # noqa: E731
                f1s.append(f"(2 * {one('tp')} / (({one('predicted')} + {one('actual')}) > 0) or {zero})")
                present.append(f"(({one('predicted')} + {one('actual')}) > bool 0)")
            return (
                "(\n  " + "\n  + ".join(f1s) + "\n)\n/\n((\n  " + "\n  + ".join(present) + "\n) > 0)"
                f"\nand on ({g})\n{total} >= {n}"
            )
        raise ValueError(metric)

    def metric(self, metric: str, version: bool) -> str:
        return self.multiclass(metric, version) if self.p.multiclass else self.binary(metric, version)

    # labels ---------------------------------------------------------------------------------------------
    def coverage_rules(self) -> list[RecordingRule]:
        sel = contract_selector(self.model)
        lab = {C.L_MODEL: self.model.id}
        off = f" offset {_dur(self.p.labels_delay)}" if self.p.labels_delay else ""
        return [
            RecordingRule(C.LABELS_JOINED, f"sum(increase({C.LABELS_JOINED_TOTAL}{{{sel}}}[{self.w}])) or vector(0)", lab),
            RecordingRule(C.LABELS_DUE, f"sum(increase({C.PREDICTIONS_TOTAL}{{{sel}}}[{self.w}]{off}))", lab),
            RecordingRule(C.LABEL_COVERAGE, f"{C.LABELS_JOINED}{{{self.m}}}\n/\n({C.LABELS_DUE}{{{self.m}}} >= {self.n})", lab),
        ]

    def labels_missing(self) -> str:
        sel = contract_selector(self.model)
        s = _dur(self.p.no_labels_for)
        off = f" offset {_dur(self.p.labels_delay)}" if self.p.labels_delay else ""
        return (
            f"sum(increase({C.PREDICTIONS_TOTAL}{{{sel}}}[{s}]{off})) >= {self.n}\n"
            f"unless\nsum(increase({C.LABELS_JOINED_TOTAL}{{{sel}}}[{s}])) > 0"
        )


def _q(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _class_rule(kind: str, version: bool) -> str:
    return (C.PERF_VERSION_CLASS if version else C.PERF_CLASS).format(kind=kind)


def _ratio(num: str, den: str, gate: str, g: str, n: str) -> str:
    return f"{num}\n/\n({den} > 0)\nand on ({g})\n{gate} >= {n}"


# --- the monitor --------------------------------------------------------------------------------------
def _dashboard(model: Any) -> str:
    return f"/d/{C.grafana_uid('model', model.id)}"


class PerformanceMonitor:
    key = MONITOR_KEY
    title = "Performance from delayed ground truth"
    depends_on = ("drift", "versions")  # concept drift reads drift scores; version regression the version ordering

    def schema(self) -> dict | None:
        return schema()

    def compile(self, raw: Any, ctx: CompileContext) -> Performance | None:
        return compile_section(raw, ctx)

    # --- labels / annotations ------------------------------------------------------------------
    def alert_labels(self, model: Any, check: str, severity: str, monitor: str = MONITOR_KEY) -> dict[str, str]:
        labels = dict(model.labels)
        labels.update({C.L_MODEL: model.id, C.L_TEAM: model.team, C.L_SEVERITY: severity, C.L_MONITOR: monitor, C.L_CHECK: check})
        return labels

    # --- rules ------------------------------------------------------------------------------------
    def rule_groups(self, model: Any, spec: Any) -> Sequence[RuleGroup]:
        p: Performance | None = model.section(self.key)
        if p is None:
            return ()
        x = Exprs(model, p)
        lab = {C.L_MODEL: model.id}
        rules: list = list(x.count_rules())
        for version in (True, False):
            for metric in p.metrics:
                rules.append(RecordingRule(metric_name(metric, version), x.metric(metric, version), lab))
        rules.extend(x.coverage_rules())
        rules.extend(self._quality_alerts(model, p))
        rules.extend(self._label_alerts(model, p, x))
        rules.extend(self._concept_alerts(model, p))
        return (RuleGroup(f"mlmon-{model.id}-performance", tuple(rules)),)

    def _cmp(self, metric: str, bound: float) -> str:
        return f"{'>' if metric in LOWER_IS_BETTER else '<'} {_num(bound)}"

    def _by(self, p: Performance, metric: str) -> str:
        return f"{C.L_MODEL}, class" if p.per_class(metric) else C.L_MODEL

    def _quality_alerts(self, model: Any, p: Performance) -> list[AlertRule]:
        out: list[AlertRule] = []
        sel = f'{{{C.L_MODEL}="{model.id}"}}'
        w = _dur(p.window)
        forr = _dur(p.for_)
        def cls_of(metric: str) -> str:
            return " ({{ $labels.class }})" if p.per_class(metric) else ""

        for metric in p.metrics:
            warn, crit = p.thresholds(metric)
            word = "above" if metric in LOWER_IS_BETTER else "below"
            for bound, sev in ((warn, C.SEVERITY_TICKET), (crit, C.SEVERITY_PAGE)):
                if bound is None:
                    continue
                out.append(AlertRule(
                    C.ALERT_PERF_LOW, f"{metric_name(metric)}{sel} {self._cmp(metric, bound)}", forr,
                    self.alert_labels(model, metric, sev),
                    {
                        "summary": f"{model.id}: {metric}{cls_of(metric)} is {T_VALUE}, {word} {_num(bound)} (labels of the last {w})",
                        "description": (
                            f"{TITLES[metric]} ({MEANING[metric]}) of model {model.id}, computed from ground-truth labels that arrived in the last {w}, "
                            f"is {word} its {'critical' if sev == C.SEVERITY_PAGE else 'warning'} level {_num(bound)}. "
                            "Compare with input drift on the dashboard: with drift, the data changed (retrain on recent data); without it, the concept changed. "
                            "Check the label pipeline first if coverage moved too."
                        ),
                        "dashboard": _dashboard(model),
                    },
                ))  # fmt: skip
        for metric in p.watched:
            by = self._by(p, metric)
            if p.max_drop < 1:
                off = _dur(p.compare_offset)
                if metric in LOWER_IS_BETTER:
                    expr = f"{metric_name(metric)}{sel}\n> on ({by})\n{metric_name(metric)}{sel} offset {off} + {_num(p.max_drop)}"
                else:
                    expr = f"{metric_name(metric)}{sel}\n< on ({by})\n{metric_name(metric)}{sel} offset {off} - {_num(p.max_drop)}"
                out.append(AlertRule(
                    C.ALERT_PERF_DROP, expr, forr, self.alert_labels(model, metric, C.SEVERITY_TICKET),
                    {
                        "summary": f"{model.id}: {metric}{cls_of(metric)} is {T_VALUE}, more than {_num(p.max_drop)} worse than {off} ago",
                        "description": (
                            f"{TITLES[metric]} of model {model.id} over the last {w} is worse by more than {_num(p.max_drop)} than over the same window {off} ago. "
                            "It may still be above its minimum: this is an early warning. Look for a deployment, a data change or a label-pipeline change in that period."
                        ),
                        "dashboard": _dashboard(model),
                    },
                ))  # fmt: skip
            if p.max_drop_vs_previous_version < 1:
                out.append(self._version_alert(model, p, metric))
            out.append(self._nodata_alert(model, p, metric))
        return out

    def version_regression_expr(self, model: Any, p: Performance, metric: str) -> str:
        m = f'{C.L_MODEL}="{model.id}"'
        cur = metric_name(metric, version=True)
        extra = ", class" if p.per_class(metric) else ""
        versions = model.section("versions")
        lb = versions.previous_lookback if versions is not None else 14 * 86400.0
        # a 1h-resolution subquery keeps the lookback cheap (336 points for 14d, not 20,160)
        # ... but never coarser than half the performance window, or short windows miss the previous version
        res = max(60.0, min(3600.0, round(lb / 24 / 60) * 60.0, round(p.window / 2 / 60) * 60.0))
        lookback = f"{_dur(lb)}:{_dur(res)}"
        margin = _num(p.max_drop_vs_previous_version)
        op, sign = (">", "+") if metric in LOWER_IS_BETTER else ("<", "-")
        return (
            f"(\n  {cur}{{{m}}}\n  and on ({C.L_MODEL}, {C.L_VERSION}) {C.VERSION_CURRENT}{{{m}}}\n)\n"
            f"{op} on ({C.L_MODEL}{extra}) group_left (previous_version)\n"
            f"(\n  max by ({C.L_MODEL}{extra}, previous_version) (\n    label_replace(\n"
            f"      last_over_time({cur}{{{m}}}[{lookback}])\n      and on ({C.L_MODEL}, {C.L_VERSION}) {C.VERSION_PREVIOUS}{{{m}}},\n"
            f'      "previous_version", "$1", "{C.L_VERSION}", "(.*)"\n    )\n  ) {sign} {margin}\n)'
        )

    def _version_alert(self, model: Any, p: Performance, metric: str) -> AlertRule:
        cls = " ({{ $labels.class }})" if p.multiclass and metric in PER_CLASS else ""
        return AlertRule(
            C.ALERT_PERF_VERSION, self.version_regression_expr(model, p, metric), _dur(p.for_),
            self.alert_labels(model, metric, C.SEVERITY_TICKET),
            {
                "summary": f"{model.id}: version {{{{ $labels.version }}}} {metric}{cls} is {T_VALUE}, more than {_num(p.max_drop_vs_previous_version)} worse than version {{{{ $labels.previous_version }}}}",
                "description": (
                    f"The newest version of model {model.id} (by mlmon_model_trained_timestamp_seconds) scores worse on {metric} than the version before it "
                    f"(its last value within the lookback) by more than {_num(p.max_drop_vs_previous_version)}. Consider rolling back or stopping the rollout."
                ),
                "dashboard": _dashboard(model),
            },
        )  # fmt: skip

    def nodata_expr(self, model: Any, p: Performance, metric: str) -> str:
        m = f'{C.L_MODEL}="{model.id}"'
        # blind when predictions were due for labels, or when the model emits no prediction counter at all
        due = f"(\n  {C.LABELS_DUE}{{{m}}} >= {p.min_samples}\n  or\n  absent({C.PREDICTIONS_TOTAL}{{{contract_selector(model)}}})\n)"
        if p.per_class(metric):
            parts = [f'absent({metric_name(metric)}{{{m},class="{_q(c)}"}})' for c in p.classes]
            return "(\n  " + "\n  or\n  ".join(parts) + f"\n)\nand on ()\n{due}"
        return f"absent({metric_name(metric)}{{{m}}})\nand on ()\n{due}"

    def _nodata_alert(self, model: Any, p: Performance, metric: str) -> AlertRule:
        return AlertRule(
            C.ALERT_PERF_NODATA, self.nodata_expr(model, p, metric), _dur(p.for_),
            self.alert_labels(model, metric, C.SEVERITY_TICKET),
            {
                "summary": f"{model.id}: {metric} cannot be computed although predictions were made (or no prediction counter exists)",
                "description": (
                    f"Fewer than {p.min_samples} labelled predictions reached {metric}'s denominator in the last {_dur(p.window)} "
                    f"(or mlmon_{'confusion' if p.multiclass else 'outcomes'}_total is missing), so the {metric} alerts are blind. "
                    "Check the label join, or lower min_samples / lengthen the window if the traffic is small."
                ),
                "dashboard": _dashboard(model),
            },
        )  # fmt: skip

    def _label_alerts(self, model: Any, p: Performance, x: Exprs) -> list[AlertRule]:
        out = []
        m = f'{C.L_MODEL}="{model.id}"'
        if p.min_coverage > 0:
            out.append(AlertRule(
                C.ALERT_LABEL_COVERAGE, f"{C.LABEL_COVERAGE}{{{m}}} < {_num(p.min_coverage)}", _dur(p.for_),
                self.alert_labels(model, COVERAGE_CHECK, C.SEVERITY_TICKET),
                {
                    "summary": f"{model.id}: labels cover only {T_VALUE} of the predictions (minimum {_num(p.min_coverage)})",
                    "description": (
                        f"Labels joined in the last {_dur(p.window)} divided by predictions made {_dur(p.labels_delay) + ' earlier' if p.labels_delay else 'in that window'} "
                        f"is below {_num(p.min_coverage)}. Performance figures rest on few, possibly biased labels. Check the label source and the join."
                    ),
                    "dashboard": _dashboard(model),
                },
            ))  # fmt: skip
        out.append(AlertRule(
            C.ALERT_LABELS_MISSING, x.labels_missing(), None,
            self.alert_labels(model, LABELS_CHECK, C.SEVERITY_TICKET),
            {
                "summary": f"{model.id}: no ground-truth label arrived for {_dur(p.no_labels_for)}",
                "description": (
                    f"At least {p.min_samples} predictions were made that should have labels by now, but mlmon_labels_joined_total has not grown "
                    f"(or is missing) for {_dur(p.no_labels_for)}. Every performance alert of {model.id} is blind until labels flow again."
                ),
                "dashboard": _dashboard(model),
            },
        ))  # fmt: skip
        return out

    # --- concept drift ------------------------------------------------------------------------------
    def concept_condition(self, model: Any, p: Performance, metric: str) -> str:
        """The watched metric is degraded: below its warning level, or dropped vs compare_offset."""
        sel = f'{{{C.L_MODEL}="{model.id}"}}'
        parts = []
        warn, _ = p.thresholds(metric)
        if warn is not None:
            parts.append(f"{metric_name(metric)}{sel} {self._cmp(metric, warn)}")
        if p.max_drop < 1:
            by = self._by(p, metric)
            off = _dur(p.compare_offset)
            if metric in LOWER_IS_BETTER:
                parts.append(f"{metric_name(metric)}{sel} > on ({by}) {metric_name(metric)}{sel} offset {off} + {_num(p.max_drop)}")
            else:
                parts.append(f"{metric_name(metric)}{sel} < on ({by}) {metric_name(metric)}{sel} offset {off} - {_num(p.max_drop)}")
        return "\n  or\n  ".join(f"({x})" for x in parts)

    def drift_low_expr(self, model: Any) -> str:
        m = f'{C.L_MODEL}="{model.id}"'
        return (
            f"max by ({C.L_MODEL}) (\n    {C.DRIFT_FEATURE_SCORE}{{{m}}}\n    - on ({C.L_MODEL}, feature)\n    {C.DRIFT_FEATURE_WARN}{{{m}}}\n  ) < 0"
        )

    def _concept_alerts(self, model: Any, p: Performance) -> list[AlertRule]:
        if not p.concept_drift or model.section("drift") is None:
            return []
        out = []
        for metric in p.watched:
            cond = self.concept_condition(model, p, metric)
            if not cond:
                continue
            expr = f"(\n  {cond}\n)\nand on ({C.L_MODEL})\n(\n  {self.drift_low_expr(model)}\n)"
            out.append(AlertRule(
                C.ALERT_CONCEPT_DRIFT, expr, _dur(p.for_),
                self.alert_labels(model, metric, C.SEVERITY_TICKET, monitor=CONCEPT_MONITOR),
                {
                    "summary": f"{model.id}: {metric} degraded while input drift stays below its warn level: concept drift",
                    "description": (
                        f"{TITLES[metric]} of model {model.id} fell below its level or dropped against {_dur(p.compare_offset)} ago, yet every scored feature's "
                        "drift stays under its warn threshold. The inputs look like the training data but the relationship between inputs and target changed "
                        "(concept drift): retrain on recently labelled data rather than reweighting old data, and review the features."
                    ),
                    "dashboard": _dashboard(model),
                },
            ))  # fmt: skip
        return out

    # --- tests -------------------------------------------------------------------------------------
    def rule_tests(self, model: Any, spec: Any, alerts: Sequence[AlertRule] = ()) -> Sequence[RuleTest]:
        from mlmon.monitors import performance_tests

        p = model.section(self.key)
        if p is None:
            return ()
        return performance_tests.tests_for(self, model, p)

    # --- dashboards ------------------------------------------------------------------------------------
    def dashboard_rows(self, model: Any, spec: Any) -> Sequence[Row]:
        p: Performance | None = model.section(self.key)
        if p is None:
            return ()
        m = f'{C.L_MODEL}="{model.id}"'
        off = _dur(p.compare_offset)
        w = _dur(p.window)
        panels = []
        for metric in p.metrics:
            legend = "{{class}}" if p.per_class(metric) else "now"
            targets = [Target(f"{metric_name(metric)}{{{m}}}", legend)]
            if not p.per_class(metric):
                targets.append(Target(f"{metric_name(metric)}{{{m}}} offset {off}", f"{off} ago"))
                targets.append(Target(f"{metric_name(metric, True)}{{{m}}}", "version {{version}}"))
            warn, crit = p.thresholds(metric)
            thr: tuple[Threshold, ...] = ()
            if metric in LOWER_IS_BETTER:
                steps = [Threshold(None, "green")] + ([Threshold(warn, "orange")] if warn is not None else []) + ([Threshold(crit, "red")] if crit is not None else [])
            else:
                steps = [Threshold(None, "red" if crit is not None else ("orange" if warn is not None else "green"))]
                if crit is not None:
                    steps.append(Threshold(crit, "orange" if warn is not None else "green"))
                if warn is not None:
                    steps.append(Threshold(warn, "green"))
            thr = tuple(steps)
            levels = ", ".join(f"{k} {_num(v)}" for k, v in (("warning", warn), ("critical", crit)) if v is not None) or "no threshold"
            panels.append(Panel(
                f"{TITLES[metric]} ({w} of labels)", "timeseries", tuple(targets), unit="percentunit", min=0, max=1, width=8,
                description=f"{MEANING[metric]}. Levels: {levels}. Dashed comparison: the same window {off} ago.", thresholds=thr,
            ))  # fmt: skip
        rows = [Row(f"Performance (labels of the last {w})", tuple(panels))]
        lab_panels = [
            Panel(
                "Label coverage", "timeseries", (Target(f"{C.LABEL_COVERAGE}{{{m}}}", "labelled / predicted"),),
                unit="percentunit", min=0, max=1, width=8,
                description=f"Labels joined in the last {w} / predictions made {_dur(p.labels_delay) + ' before' if p.labels_delay else 'in the same window'}. Minimum {_num(p.min_coverage)}.",
                thresholds=(Threshold(None, "red"), Threshold(p.min_coverage, "green")) if p.min_coverage > 0 else (),
            ),
            Panel(
                "Labels arriving", "timeseries",
                (
                    Target(f"sum(rate({C.LABELS_JOINED_TOTAL}{{{contract_selector(model)}}}[$__rate_interval]))", "labels/s"),
                    Target(f"sum(rate({C.PREDICTIONS_TOTAL}{{{contract_selector(model)}}}[$__rate_interval]))", "predictions/s"),
                ),
                unit="reqps", width=8, description=f"Ground-truth labels joined per second, next to predictions. No label for {_dur(p.no_labels_for)} raises {C.ALERT_LABELS_MISSING}.",
            ),
            Panel(
                "Label delay", "timeseries",
                tuple(Target(f"histogram_quantile({q}, sum by (le) (rate({C.LABEL_DELAY}_bucket{{{contract_selector(model)}}}[$__rate_interval])))", f"p{int(float(q) * 100)}") for q in ("0.5", "0.9")),
                unit="s", width=8,
                description=f"Time from prediction to label (from {C.LABEL_DELAY}, when the label joiner emits it). Configured labels_delay: {_dur(p.labels_delay) if p.labels_delay else 'none'}.",
                thresholds=(Threshold(None, "green"), Threshold(p.labels_delay, "orange")) if p.labels_delay else (),
            ),
        ]  # fmt: skip
        rows.append(Row("Labels", tuple(lab_panels)))
        if p.concept_drift and model.section("drift") is not None:
            rows.append(Row("Concept drift vs data drift", (
                Panel(
                    "Watched performance", "timeseries",
                    tuple(Target(f"{metric_name(x)}{{{m}}}", x + (" {{class}}" if p.per_class(x) else "")) for x in p.watched),
                    unit="percentunit", min=0, max=1, width=12,
                    description="Degrades with low input drift (right) = concept drift; with high input drift = data drift.",
                ),
                Panel(
                    "Input drift: worst feature score / its warn threshold", "timeseries",
                    (Target(f"max by ({C.L_MODEL}) ({C.DRIFT_FEATURE_SCORE}{{{m}}} / on ({C.L_MODEL}, feature) {C.DRIFT_FEATURE_WARN}{{{m}}})", "worst feature"),),
                    unit="short", width=12, thresholds=(Threshold(None, "green"), Threshold(1, "orange")),
                    description="Above 1: at least one feature drifted past its warn level (data drift).",
                ),
            )))  # fmt: skip
        return rows

    def fleet_panels(self, spec: Any) -> Sequence[Panel]:
        if not any(m.section(self.key) is not None for m in spec.models):
            return ()
        return (
            Panel(
                "Label coverage by model", "bargauge", (Target(C.LABEL_COVERAGE, "{{model}}", True),),
                unit="percentunit", min=0, max=1, width=12, height=8,
                thresholds=(Threshold(None, "red"), Threshold(0.2, "orange"), Threshold(0.5, "green")),
            ),
            Panel(
                "Firing performance alerts", "table",
                (Target(f'sum by (model, alertname, check) (ALERTS{{alertstate="firing",monitor=~"{MONITOR_KEY}|{CONCEPT_MONITOR}"}})', "", True),),
                width=12, height=8,
            ),
        )  # fmt: skip


MONITOR = PerformanceMonitor()
