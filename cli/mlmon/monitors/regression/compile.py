"""``regression:`` raw data -> the typed section (``Regression``) and its semantic checks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mlmon.compiler.context import CompileContext
from mlmon.monitors import delayed as D
from mlmon.monitors.base import duration_field
from mlmon.monitors.quality import REGRESSION_METRICS
from mlmon.monitors.regression.schema import COMPARED, DEFAULTS, KEY, TASK


@dataclass(frozen=True)
class Regression:
    window: float  # seconds
    labels_delay: float  # seconds (0: none)
    min_samples: int
    for_: float
    metrics: tuple[str, ...]  # recorded, in REGRESSION_METRICS order
    watched: tuple[str, ...]
    max: Mapping[str, float] = field(default_factory=dict)  # warning levels
    critical: Mapping[str, float] = field(default_factory=dict)
    max_vs_previous_version: float = DEFAULTS.max_increase_vs_previous_version  # relative
    max_vs_training: float = DEFAULTS.max_increase_vs_training  # relative

    def thresholds(self, metric: str) -> tuple[float | None, float | None]:
        """(warning, critical) ceiling of a metric (bias: of |bias|)."""
        return D.thresholds(self.max, self.critical, metric)


def compile_section(raw: Any, ctx: CompileContext) -> Regression | None:
    if raw is None or not D.task_fits(ctx, KEY, TASK):
        return None
    d = DEFAULTS
    window = duration_field(ctx, raw, "window", d.window)
    delay = duration_field(ctx, raw, "labels_delay") or 0.0
    for_ = duration_field(ctx, raw, "for", d.for_)
    if window is None or for_ is None:
        return None
    warn, crit = dict(sorted(raw.get("max", {}).items())), dict(sorted(raw.get("critical", {}).items()))
    ok = D.check_levels(ctx, "max", warn, crit, lower=True)
    ok = D.check_windows(ctx, window, delay) and ok
    if not ok:
        return None
    watched = D.watched(raw, COMPARED, set(warn) | set(crit), d.watched)
    recorded = set(raw.get("metrics", REGRESSION_METRICS)) | set(watched) | set(warn) | set(crit)
    return Regression(
        window=window,
        labels_delay=delay,
        min_samples=int(raw.get("min_samples", d.min_samples)),
        for_=for_,
        metrics=tuple(m for m in REGRESSION_METRICS if m in recorded),
        watched=watched,
        max=warn,
        critical=crit,
        max_vs_previous_version=float(raw.get("max_increase_vs_previous_version", d.max_increase_vs_previous_version)),
        max_vs_training=float(raw.get("max_increase_vs_training", d.max_increase_vs_training)),
    )
