"""``drift:`` raw data -> the typed section (``Drift``) and the semantic checks of lint."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mlmon import baseline as B
from mlmon.compiler.context import CompileContext
from mlmon.compiler.units import format_duration, num
from mlmon.diagnostics import Severity
from mlmon.monitors.base import check_feature_names, parse_durations, read_baseline
from mlmon.monitors.drift import schema as D
from mlmon.monitors.drift import scores


@dataclass(frozen=True)
class Source:
    histogram: str  # metric name without _bucket
    feature_label: str | None = None  # label selecting the feature in a shared histogram


@dataclass(frozen=True)
class Dist:
    """One monitored distribution: a feature or the prediction."""

    name: str
    kind: str  # numeric | categorical
    bins: tuple[str, ...]
    fractions: tuple[float, ...]
    edges: tuple[float, ...]
    warn: float
    critical: float
    source: Source | None  # None: per-bin counters
    # counters only: the baseline has no __other__ bin (numeric), so the rules add one with the
    # method's floor as its fraction, as the bin every unknown bin label is counted in
    added_other: bool = False

    def baseline(self) -> dict[str, float]:
        return dict(zip(self.bins, self.fractions))


@dataclass(frozen=True)
class Drift:
    baseline_file: str  # as written in the spec
    baseline_model: str
    method: str  # psi | js
    js_base: str | None  # "e" | "2"
    js_form: str | None  # distance | divergence
    window: float
    min_samples: int
    warn: float  # the section's thresholds (features and the prediction may override)
    critical: float
    for_: float
    no_data_for: float
    features: tuple[Dist, ...]  # monitored, sorted by name
    drifted_share: float | None  # None: no dataset-drift alert
    dataset_severity: str
    prediction: Dist | None
    max_bins_per_group: int = D.BINS_PER_GROUP  # 0: every feature in one group

    @property
    def score_name(self) -> str:
        if self.method == "psi":
            return "PSI"
        return f"JS {self.js_form} (base {self.js_base})"

    def score(self, p: Sequence[float], q: Sequence[float]) -> float:
        return scores.score(self.method, self.js_base, self.js_form, p, q)


@dataclass(frozen=True)
class _Method:
    name: str
    base: str | None
    form: str | None

    @property
    def max_score(self) -> float:
        return scores.MAX_SCORE.get((self.name, self.base, self.form), math.inf)


def _method(raw: Any, ctx: CompileContext) -> _Method | None:
    method = raw.get("method", D.METHOD)
    js_raw = raw.get("js")
    if method == "js":
        if not isinstance(js_raw, dict) or "base" not in js_raw or "form" not in js_raw:
            ctx.error(
                (),
                "MLM102",
                "method js needs js: {base: e|2, form: distance|divergence}: the variants differ numerically, so name one",
                hint='e.g. js: {base: "2", form: distance} (NannyML) or {base: e, form: distance} (Evidently)',
                key=True,
            )
            return None
        return _Method(method, str(js_raw["base"]), js_raw["form"])
    if js_raw is not None:
        ctx.warning(("js",), "MLM213", "js settings are ignored with method psi", key=True)
    return _Method(method, None, None)


def _durations(raw: Any, ctx: CompileContext) -> dict[str, float] | None:
    fields = (("window", D.WINDOW), ("for", D.FOR), ("no_data_for", D.NO_DATA_FOR))
    parsed = parse_durations(ctx, [((field,), raw.get(field, default)) for field, default in fields])
    if parsed is None:
        return None
    durations = {path[0]: v for path, v in parsed.items()}
    window = durations["window"]
    if window < 4 * ctx.scrape_interval:
        ctx.error(
            ("window",),
            "MLM207",
            f"window {format_duration(window)} is shorter than 4x the scrape interval ({format_duration(4 * ctx.scrape_interval)}); increase() would see too few samples",
            hint="use a longer window (drift needs many observations anyway, e.g. 1h)",
        )
    if window < 10 * ctx.evaluation_interval:
        ctx.warning(
            ("window",), "MLM207", f"window {format_duration(window)} is shorter than 10x the evaluation interval; scores will jump between evaluations"
        )
    return durations


def _thresholds(ctx: CompileContext, m: _Method, where: tuple[str, ...], src: Any, w0: float, c0: float) -> tuple[float, float]:
    """warn and critical of ``src`` (``w0``, ``c0`` where unset), checked against each other and the score's range."""
    w = float(src.get("warn", w0))
    c = float(src.get("critical", c0))
    for name, v in (("warn", w), ("critical", c)):
        if v >= m.max_score:
            ctx.error(
                where + (name,),
                "MLM213",
                f"{name} {num(v)} can never be reached: the {m.name} {m.form or ''} score (base {m.base}) is at most {num(m.max_score)}".replace("  ", " "),
            )
        elif m.name == "psi" and v > 10 and name in src:
            usual = D.THRESHOLDS[("psi", None)]
            ctx.warning(where + (name,), "MLM213", f"{name} {num(v)} is far above usual PSI thresholds ({num(usual[0])} moderate, {num(usual[1])} significant)")
    if w > c:
        ctx.error(where + ("warn",), "MLM210", f"warn {num(w)} is above critical {num(c)}", hint="warn must be at most critical")
    elif w == c:
        ctx.warning(where + ("warn",), "MLM210", f"warn equals critical ({num(w)}): the warning alert is always inhibited by the critical one")
    return w, c


def _source(raw: Any, feature_label: str | None) -> Source:
    return Source(raw["histogram"], raw.get("feature_label", feature_label))


def compile_section(raw: Any, ctx: CompileContext) -> Drift | None:
    if raw is None:
        return None
    n0 = len(ctx.diags)
    m = _method(raw, ctx)
    if m is None:
        return None
    durations = _durations(raw, ctx)
    if durations is None:
        return None
    warn, critical = _thresholds(ctx, m, (), raw, *D.THRESHOLDS[(m.name, m.form)])
    ref = raw["baseline"]
    bl = read_baseline(ref, ctx)
    if bl is None:
        return None
    top_source = _source(raw["source"], D.FEATURE_LABEL) if "source" in raw else None
    overrides = raw.get("features", {}) or {}
    check_feature_names(ctx, ref, bl, overrides)

    def dist(fb: B.FeatureBaseline, where: tuple[str, ...], o: Any, default_source: Source | None) -> Dist:
        w, c = _thresholds(ctx, m, where, o, warn, critical)
        src = default_source if fb.kind == B.NUMERIC else None
        if "source" in o:
            src = _source(o["source"], None)
            if fb.kind != B.NUMERIC:
                ctx.error(where + ("source",), "MLM213", f"{fb.name!r} is categorical; histograms hold numeric values only (use the per-bin counters)")
        if src is None and B.OTHER not in fb.bins:
            return Dist(fb.name, fb.kind, fb.bins + (B.OTHER,), fb.fractions + (scores.floor(m.name),), fb.edges, w, c, src, True)
        return Dist(fb.name, fb.kind, fb.bins, fb.fractions, fb.edges, w, c, src)

    feats = []
    for fb in bl.features:
        o = overrides.get(fb.name, {}) or {}
        if o.get("enabled", D.ENABLED):
            feats.append(dist(fb, ("features", fb.name), o, top_source))
    if not feats:
        ctx.error(("features",), "MLM213", "every baseline feature is disabled; remove the drift section instead", key=True)

    pred = None
    praw = raw.get("prediction", {}) or {}
    if praw.get("enabled", D.ENABLED):
        if bl.prediction is None:
            if "prediction" in raw:
                ctx.error(
                    ("prediction",),
                    "MLM211",
                    f"baseline {ref!r} has no prediction entry",
                    hint="rebuild it with `mlmon baseline ... --prediction <score column>`, or set prediction.enabled: false",
                    key=True,
                )
        else:
            pred = dist(bl.prediction, ("prediction",), praw, None)

    dataset = raw.get("dataset", {}) or {}
    share = float(dataset.get("drifted_share", D.DRIFTED_SHARE)) if dataset.get("enabled", D.ENABLED) else None
    if share is not None and share == 0:
        ctx.error(("dataset", "drifted_share"), "MLM213", "drifted_share 0 would always fire; use a share in (0, 1]")

    max_bins = max([len(d.bins) - d.added_other for d in feats + ([pred] if pred else [])] or [1])
    min_samples = int(raw.get("min_samples", D.MIN_SAMPLES_PER_BIN * max_bins))
    if min_samples < max_bins:
        ctx.warning(
            ("min_samples",),
            "MLM213",
            f"min_samples {min_samples} is below the number of bins ({max_bins}); scores on so few observations are mostly noise",
            hint=f"use at least {D.MIN_SAMPLES_PER_BIN} x bins = {D.MIN_SAMPLES_PER_BIN * max_bins}",
        )
    if any(d.severity >= Severity.ERROR for d in ctx.diags[n0:]):
        return None
    return Drift(
        ref,
        bl.model,
        m.name,
        m.base,
        m.form,
        durations["window"],
        min_samples,
        warn,
        critical,
        durations["for"],
        durations["no_data_for"],
        tuple(sorted(feats, key=lambda d: d.name)),
        share,
        dataset.get("severity", D.DATASET_SEVERITY),
        pred,
        int(raw.get("max_bins_per_group", D.BINS_PER_GROUP)),
    )
