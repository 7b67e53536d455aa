"""``ranking:`` raw data -> the typed section (``Ranking``) and its semantic checks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mlmon.compiler.context import CompileContext
from mlmon.monitors import delayed as D
from mlmon.monitors.base import duration_field
from mlmon.monitors.ranking.schema import AT_K, DEFAULTS, FAMILIES, KEY, TASK, split


@dataclass(frozen=True)
class Ranking:
    k: tuple[int, ...]  # sorted
    window: float  # seconds
    labels_delay: float
    min_samples: int
    for_: float
    metrics: tuple[str, ...]  # recorded: ndcg_at_<k>..., hit_rate_at_<k>..., mrr, catalog_coverage
    watched: tuple[str, ...]
    min: Mapping[str, float] = field(default_factory=dict)
    critical: Mapping[str, float] = field(default_factory=dict)
    max_vs_previous_version: float = DEFAULTS.max_drop_vs_previous_version  # absolute
    max_vs_training: float = DEFAULTS.max_drop_vs_training

    def thresholds(self, metric: str) -> tuple[float | None, float | None]:
        return D.thresholds(self.min, self.critical, metric)


def all_metrics(ks: tuple[int, ...], families: tuple[str, ...] = FAMILIES) -> tuple[str, ...]:
    """Metric names in their fixed order: each family with a cut-off at every k, then the others."""
    return tuple(f"{f}_at_{k}" if f in AT_K else f for f in FAMILIES if f in families for k in (ks if f in AT_K else (0,)))


def _check_names(ctx: CompileContext, raw: Mapping[str, Any], ks: tuple[int, ...]) -> bool:
    """Every metric named uses a configured cut-off (MLM340)."""
    ok = True
    named = [(("watch", i), m, False) for i, m in enumerate(raw.get("watch", ()))]
    named += [((key, m), m, True) for key in ("min", "critical") for m in raw.get(key, {})]
    for path, metric, key in named:
        family, k = split(metric)
        if k is not None and k not in ks:
            ctx.error(
                path,
                "MLM340",
                f"{metric}: the section's k does not include {k} (k: {', '.join(map(str, ks))})",
                hint=f"add {k} to k (and to the service's ModelMonitor(k=...)), or use {family}_at_{ks[-1]}",
                key=key,
            )
            ok = False
    return ok


def compile_section(raw: Any, ctx: CompileContext) -> Ranking | None:
    if raw is None or not D.task_fits(ctx, KEY, TASK):
        return None
    d = DEFAULTS
    ks = tuple(sorted({int(k) for k in raw.get("k", d.k)}))
    window = duration_field(ctx, raw, "window", d.window)
    delay = duration_field(ctx, raw, "labels_delay") or 0.0
    for_ = duration_field(ctx, raw, "for", d.for_)
    if window is None or for_ is None:
        return None
    warn, crit = dict(sorted(raw.get("min", {}).items())), dict(sorted(raw.get("critical", {}).items()))
    ok = _check_names(ctx, raw, ks)
    ok = D.check_levels(ctx, "min", warn, crit, lower=False) and ok
    ok = D.check_windows(ctx, window, delay) and ok
    if not ok:
        return None
    every = all_metrics(ks)
    watched = D.watched(raw, every, set(warn) | set(crit), d.watched(ks))
    families = {split(m)[0] for m in (*watched, *warn, *crit)} | set(raw.get("metrics", FAMILIES))
    recorded = set(all_metrics(ks, tuple(families)))
    return Ranking(
        k=ks,
        window=window,
        labels_delay=delay,
        min_samples=int(raw.get("min_samples", d.min_samples)),
        for_=for_,
        metrics=tuple(m for m in every if m in recorded),
        watched=watched,
        min=warn,
        critical=crit,
        max_vs_previous_version=float(raw.get("max_drop_vs_previous_version", d.max_drop_vs_previous_version)),
        max_vs_training=float(raw.get("max_drop_vs_training", d.max_drop_vs_training)),
    )
