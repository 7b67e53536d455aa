"""``drift_scores:`` raw data -> ``DriftScores`` plus diagnostics."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlmon import presets as P
from mlmon.compiler.context import CompileContext
from mlmon.monitors.base import duration
from mlmon.monitors.drift_scores import schema as D


@dataclass(frozen=True)
class DriftScores:
    preset: str
    compared: str  # score | p_value | share
    match: dict[str, str]
    features: tuple[str, ...]
    window: float
    warn: float
    critical: float
    for_: float
    no_data_for: float
    drifted_share: float | None  # None: no dataset alert (or a share-only preset)
    dataset_severity: str

    @property
    def per_feature(self) -> bool:
        return self.compared != "share"

    def drifted(self, value: float, threshold: float) -> bool:
        return value <= threshold if self.compared == "p_value" else value >= threshold


def compile_section(raw: Any, ctx: CompileContext) -> DriftScores | None:
    if raw is None:
        return None
    preset = P.get(raw["preset"])
    assert preset is not None  # the schema's enum
    statistic = raw.get("statistic", "score")
    signal = D.SIGNAL[statistic]
    if preset.signal(signal) is not None:
        compared = statistic
    elif preset.signal("drift_share") is not None:
        compared = "share"
        for k in ("statistic", "features"):
            if k in raw:
                ctx.warning(
                    (k,),
                    "MLM328",
                    f"preset {preset.name!r} reports no per-feature values, only the share of detector runs that flagged drift: {k} has no effect",
                    key=True,
                )
    else:
        ctx.error(("statistic",), "MLM328", f"preset {preset.name!r} reports no {statistic.replace('_', '-')}", key=True)
        return None
    warn_d, crit_d = D.THRESHOLDS[compared]
    warn, crit = float(raw.get("warn", warn_d)), float(raw.get("critical", crit_d))
    worse = crit < warn if compared == "p_value" else crit > warn
    if not worse:
        order = "below" if compared == "p_value" else "above"
        ctx.error(("critical",), "MLM210", f"critical {crit} must be {order} warn {warn} for a {compared.replace('_', '-')}", key=True)
    if compared != "score" and (warn > 1 or crit > 1):
        ctx.error(("warn",), "MLM213", f"a {compared.replace('_', '-')} is at most 1", key=True)
    ds = raw.get("dataset", {})
    enabled = ds.get("enabled", True) and compared != "share"
    return DriftScores(
        preset.name,
        compared,
        dict(sorted(raw.get("match", {}).items())),
        tuple(sorted(raw.get("features", ()))),
        duration(ctx, ("window",), raw.get("window"), D.WINDOW),
        warn,
        crit,
        duration(ctx, ("for",), raw.get("for"), D.FOR),
        duration(ctx, ("no_data_for",), raw.get("no_data_for"), D.NO_DATA_FOR),
        float(ds.get("drifted_share", D.DRIFTED_SHARE)) if enabled else None,
        ds.get("severity", D.DATASET_SEVERITY),
    )
