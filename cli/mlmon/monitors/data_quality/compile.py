"""``data_quality:`` raw data -> the typed section (``DataQuality``) and its semantic checks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mlmon import baseline as B
from mlmon import conventions as C
from mlmon.compiler.context import CompileContext
from mlmon.compiler.units import format_duration
from mlmon.diagnostics import Severity
from mlmon.monitors.base import check_feature_names, parse_durations, read_baseline
from mlmon.monitors.data_quality import schema as D


@dataclass(frozen=True)
class Feature:
    name: str
    numeric: bool
    ceilings: Mapping[str, float]  # check -> max ratio, for the checks this feature gets
    valid: tuple[float, float] | None  # numeric: the in-range values


@dataclass(frozen=True)
class DataQuality:
    baseline_file: str
    window: float
    min_samples: int
    severity: str
    for_: float
    no_data_for: float
    features: tuple[Feature, ...]  # checked ones, sorted by name

    def checked(self, check: str) -> list[Feature]:
        return [f for f in self.features if check in f.ceilings]


def _checks(fb: B.FeatureBaseline) -> tuple[str, ...]:
    """The checks the instrument counts for a baseline feature."""
    if fb.kind == B.NUMERIC:
        return ("missing", "out_of_range", "schema")
    return ("missing", "unseen", "schema") if fb.known_categories is not None else ("missing", "schema")


def compile_section(raw: Any, ctx: CompileContext) -> DataQuality | None:
    if raw is None:
        return None
    n0 = len(ctx.diags)
    durs = parse_durations(ctx, [((f,), raw.get(f, d)) for f, d in (("window", D.WINDOW), ("for", D.FOR), ("no_data_for", D.NO_DATA_FOR))])
    if durs is None:
        return None
    window = durs[("window",)]
    if window < 4 * ctx.scrape_interval:
        ctx.error(("window",), "MLM207", f"window {format_duration(window)} is shorter than 4x the scrape interval")
    ref = raw["baseline"]
    bl = read_baseline(ref, ctx)
    if bl is None:
        return None
    overrides = raw.get("features", {}) or {}
    check_feature_names(ctx, ref, bl, overrides)
    top = {c: float(raw.get(field, default)) for c, (field, default, _) in D.CHECKS.items()}
    feats = []
    for fb in bl.features:
        o = overrides.get(fb.name, {}) or {}
        if not o.get("enabled", D.ENABLED):
            continue
        checks = _checks(fb)
        if "unseen" not in checks and fb.kind == B.CATEGORICAL:
            ctx.warning(
                ("baseline",),
                "MLM255",
                f"baseline {ref!r} does not list every reference category of {fb.name!r}: its unseen categories are not checked",
                hint="rebuild the baseline with the current `mlmon baseline`, which records them (up to a cap)",
            )
        ceilings = {c: float(o.get(D.CHECKS[c][0], top[c])) for c in checks}
        feats.append(Feature(fb.name, fb.kind == B.NUMERIC, ceilings, fb.valid_range if fb.kind == B.NUMERIC else None))
    if not feats:
        ctx.error(("features",), "MLM213", "every baseline feature is disabled; remove the data_quality section instead", key=True)
    if any(d.severity >= Severity.ERROR for d in ctx.diags[n0:]):
        return None
    return DataQuality(
        ref,
        window,
        int(raw.get("min_samples", D.MIN_SAMPLES)),
        C.SEVERITY_BY_CLASS[raw.get("severity", D.SEVERITY)],
        durs[("for",)],
        durs[("no_data_for",)],
        tuple(sorted(feats, key=lambda f: f.name)),
    )
