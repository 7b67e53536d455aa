"""The ``performance`` section: raw data -> ``Performance`` plus diagnostics."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mlmon.compiler.context import CompileContext
from mlmon.compiler.units import format_duration, num, parse_duration
from mlmon.monitors.base import duration_field
from mlmon.monitors.performance.schema import DEFAULTS
from mlmon.monitors.quality import BINARY, BINARY_METRICS, LOWER_IS_BETTER, MULTICLASS, MULTICLASS_METRICS, PER_CLASS


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
    max_drop: float = DEFAULTS.max_drop  # 1 disables
    max_drop_vs_previous_version: float = DEFAULTS.max_drop_vs_previous_version  # 1 disables
    max_drop_vs_training: float = DEFAULTS.max_drop_vs_training  # 1 disables; needs a registry link
    classes: tuple[str, ...] = ()
    score_buckets: tuple[float, ...] = ()
    min_coverage: float = DEFAULTS.min_coverage  # 0 disables
    no_labels_for: float = parse_duration(DEFAULTS.no_labels_for)
    concept_drift: bool = DEFAULTS.concept_drift
    for_: float = parse_duration(DEFAULTS.for_)

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


def _check_metrics(raw: Mapping[str, Any], ctx: CompileContext, task: str, allowed: tuple[str, ...]) -> bool:
    """Every metric named exists for the task, thresholds point the metric's way, critical is the worse level."""
    ok = True
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
    for m, c in raw.get("critical", {}).items():
        warn = raw.get("max", {}).get(m) if m in LOWER_IS_BETTER else raw.get("min", {}).get(m)
        if warn is None:
            continue
        if (m in LOWER_IS_BETTER and c <= warn) or (m not in LOWER_IS_BETTER and c >= warn):
            word = "above" if m in LOWER_IS_BETTER else "below"
            ctx.error(("critical", m), "MLM210", f"critical {m} {num(c)} must be {word} its warning level {num(warn)} (critical is the worse one)")
            ok = False
    return ok


def _check_inputs(raw: Mapping[str, Any], ctx: CompileContext, task: str, classes: tuple[str, ...], buckets: tuple[float, ...]) -> bool:
    """Multiclass needs classes (binary ignores them); auc needs increasing score buckets."""
    ok = True
    if task == MULTICLASS and not classes:
        ctx.error(
            (),
            "MLM102",
            "multiclass performance needs 'classes' (the class names the model predicts)",
            key=True,
            hint="list every class, e.g. classes: [cat, dog, bird]; confusion counters of unlisted classes count as errors",
        )
        ok = False
    if task == BINARY and classes:
        ctx.warning(("classes",), "MLM213", "classes are ignored for binary_classification (outcomes tp/fp/tn/fn are used)", key=True)
    named = set(raw.get("metrics", ())) | set(raw.get("watch", ())) | set(raw.get("min", {})) | set(raw.get("max", {})) | set(raw.get("critical", {}))
    if "auc" in named and not buckets:
        path = ("metrics",) if "auc" in raw.get("metrics", ()) else ()
        ctx.error(
            path,
            "MLM102",
            "auc needs score histograms: set 'score_buckets' to the le edges of mlmon_labeled_score_bucket",
            key=True,
            hint="mlmon.instrument's default buckets are [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]",
        )
        ok = False
    if list(buckets) != sorted(buckets):
        ctx.error(("score_buckets",), "MLM213", "score_buckets must be increasing")
        ok = False
    return ok


def _check_windows(ctx: CompileContext, window: float, delay: float, offset: float, no_labels: float) -> bool:
    """Windows against the label delay, the comparison offset and the scrape interval."""
    dur = format_duration
    if delay and window < delay:
        ctx.warning(
            ("window",),
            "MLM213",
            f"window {dur(window)} is shorter than labels_delay {dur(delay)}: each window scores a thin, shifting slice of late labels",
            hint=f"use a window of at least {dur(delay)}",
        )
    if offset < window:
        ctx.warning(
            ("compare_offset",),
            "MLM213",
            f"compare_offset {dur(offset)} is shorter than the window {dur(window)}: the two windows overlap and hide drops",
            hint=f"use a compare_offset of at least {dur(window)} (7d compares with the same weekday)",
        )
    ok = True
    if window < 4 * ctx.scrape_interval:
        ctx.error(
            ("window",),
            "MLM207",
            f"window {dur(window)} is shorter than 4x the scrape interval ({dur(4 * ctx.scrape_interval)}); increase() would see too few samples",
        )
        ok = False
    if no_labels < 4 * ctx.scrape_interval:
        ctx.error(("label_coverage", "no_labels_for"), "MLM207", f"no_labels_for {dur(no_labels)} is shorter than 4x the scrape interval")
        ok = False
    return ok


def compile_section(raw: Any, ctx: CompileContext) -> Performance | None:
    if raw is None:
        return None
    task = ctx.task
    if task not in (BINARY, MULTICLASS):
        ctx.error(
            (),
            "MLM104",
            f"performance monitoring needs task binary_classification or multiclass_classification, not {task!r}",
            hint=f"use a {task}: section instead" if task in ("regression", "ranking") else "remove the performance section, or set the model's task",
            key=True,
        )
        return None
    d = DEFAULTS
    lc = raw.get("label_coverage", {})
    window = duration_field(ctx, raw, "window", d.window)
    delay = duration_field(ctx, raw, "labels_delay") or 0.0
    offset = duration_field(ctx, raw, "compare_offset", d.compare_offset)
    no_labels = duration_field(ctx, lc, "no_labels_for", d.no_labels_for, at=("label_coverage",))
    for_ = duration_field(ctx, raw, "for", d.for_)
    if window is None or offset is None or no_labels is None or for_ is None:
        return None
    allowed = MULTICLASS_METRICS if task == MULTICLASS else BINARY_METRICS
    classes = tuple(str(c) for c in raw.get("classes", ()))
    buckets = tuple(float(b) for b in raw.get("score_buckets", ()))
    ok = _check_metrics(raw, ctx, task, allowed)
    ok = _check_inputs(raw, ctx, task, classes, buckets) and ok
    ok = _check_windows(ctx, window, delay, offset, no_labels) and ok
    if not ok:
        return None

    mins, maxs, crit = dict(raw.get("min", {})), dict(raw.get("max", {})), dict(raw.get("critical", {}))
    recorded = set(raw["metrics"]) if "metrics" in raw else {m for m in allowed if m != "auc" or buckets}
    if "watch" in raw:
        watched = tuple(m for m in allowed if m in set(raw["watch"]))
    else:
        watched = tuple(m for m in allowed if m in set(mins) | set(maxs) | set(crit)) or d.watched(task)
    recorded |= set(watched) | set(mins) | set(maxs) | set(crit)
    return Performance(
        task=task,
        window=window,
        labels_delay=delay,
        compare_offset=offset,
        min_samples=int(raw.get("min_samples", d.min_samples)),
        metrics=tuple(m for m in allowed if m in recorded),
        watched=watched,
        min=dict(sorted(mins.items())),
        max=dict(sorted(maxs.items())),
        critical=dict(sorted(crit.items())),
        max_drop=float(raw.get("max_drop", d.max_drop)),
        max_drop_vs_previous_version=float(raw.get("max_drop_vs_previous_version", d.max_drop_vs_previous_version)),
        max_drop_vs_training=float(raw.get("max_drop_vs_training", d.max_drop_vs_training)),
        classes=classes,
        score_buckets=buckets,
        min_coverage=float(lc.get("min", d.min_coverage)),
        no_labels_for=no_labels,
        concept_drift=bool(raw.get("concept_drift", d.concept_drift)),
        for_=for_,
    )
