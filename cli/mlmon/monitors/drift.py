"""Data drift and prediction drift against a committed baseline, computed in PromQL.

Spec (per model, ``drift:``)::

    drift:
      baseline: baselines/fraud-detector.yaml   # made by `mlmon baseline`; path relative to the spec file
      method: psi                  # psi (default) | js
      js: {base: "2", form: distance}   # required with method js: base e|2, form distance|divergence
      window: 1h                   # current distribution = counts over this window (default 1h)
      min_samples: 120             # gate: no score below this many observations in the window (default 10 x bins)
      warn: 0.1                    # default: psi 0.1; js distance 0.1; js divergence 0.01
      critical: 0.25               # default: psi 0.25; js distance 0.2; js divergence 0.04
      for: 15m                     # how long a threshold must hold before alerting (default 15m)
      no_data_for: 1h              # no-data alert after this long without scores (default 1h)
      features:                    # optional per-feature settings (names must exist in the baseline)
        amount: {warn: 0.2, critical: 0.5, source: {histogram: transaction_amount}}
        hour: {enabled: false}
      dataset: {drifted_share: 0.5, severity: critical}   # dataset drift: share of features at/above warn
      prediction: {enabled: true, warn: 0.1, critical: 0.25, source: {histogram: fraud_score}}
      source: {histogram: mlmon_feature_value, feature_label: feature}   # optional, see below

Every feature in the baseline is monitored unless ``enabled: false``. Inputs (names in
``conventions.py``): per-bin counters ``mlmon_feature_bin_total{model, feature, bin}`` and
``mlmon_prediction_bin_total{model, bin}`` with the baseline's bin labels (``mlmon.instrument``
emits them through :func:`mlmon.baseline.bin_index`); or, for numeric features, an existing classic
histogram ``<name>_bucket{le}`` whose ``le`` bounds include every baseline edge (``source``; the
top-level ``source`` selects ``<name>_bucket{<feature_label>="<feature>"}`` for every numeric feature,
a per-feature ``source`` selects ``<name>_bucket`` of that feature alone unless it names a
``feature_label``). Build the baseline with ``--edges COLUMN=...`` to match a histogram's buckets.

Records (group ``mlmon-<model>-drift``): counts per bin over the window, observations per feature,
current fractions (bins never observed count as 0), the score per feature and for the prediction
(only when the window holds ``min_samples`` observations), and the number and share of drifted
features. Group ``mlmon-<model>-drift-reference`` (every 2m) records the constants (reference
fractions per bin, per-feature thresholds) and the rarely changing set of bins without a count.

Math (p current, q baseline, both per bin): PSI = sum (max(p, 1e-4) - q) ln(max(p, 1e-4) / q)
(1e-4 is Evidently's empty-bin floor; q is smoothed, so never 0). JS divergence
JSD = 1/2 sum p' ln(p'/m) + 1/2 sum q ln(q/m), p' = max(p, 1e-12), m = (p' + q)/2 (the clamp keeps
0 ln 0 from becoming NaN); base 2 divides by ln 2; distance is sqrt(max(JSD, 0)).

Alerts: ``MLModelFeatureDrift`` (per feature, warning at ``warn``, critical at ``critical``),
``MLModelPredictionDrift``, ``MLModelDatasetDrift`` (share of drifted features >= ``drifted_share``),
and ``MLModelDriftNoData`` when features or the prediction have no score for ``no_data_for``
(counters absent, fewer than ``min_samples`` observations, or histogram buckets not matching the
baseline edges): a drift alert cannot fire without a score, so silence is made loud.
"""

from __future__ import annotations

import math
import posixpath
from dataclasses import dataclass
from typing import Any, Sequence

from mlmon import conventions as C
from mlmon import presets
from mlmon.diagnostics import Severity
from mlmon.artifacts import AlertCheck, AlertRule, ExpAlert, ExprCheck, Panel, RecordingRule, Row, RuleGroup, RuleTest, Sample, Target, Threshold, promql_string
from mlmon.compiler.context import CompileContext
from mlmon.compiler.units import fmt_float, format_duration, le_matcher, parse_duration

KEY = "drift"
REFERENCE_INTERVAL = 120.0  # seconds: evaluation interval of the constant reference/threshold group
PSI_FLOOR = 1e-4
JS_FLOOR = 1e-12
LN2 = math.log(2.0)
DEFAULTS = {  # (method, js form) -> (warn, critical)
    ("psi", None): (0.1, 0.25),
    ("js", "distance"): (0.1, 0.2),
    ("js", "divergence"): (0.01, 0.04),
}
MAX_SCORE = {  # (method, base, form) -> largest possible value
    ("js", "e", "distance"): math.sqrt(LN2),
    ("js", "e", "divergence"): LN2,
    ("js", "2", "distance"): 1.0,
    ("js", "2", "divergence"): 1.0,
}


# --- compiled section ------------------------------------------------------------------------------
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
    warn: float  # default per-feature thresholds (features may override)
    critical: float
    for_: float
    no_data_for: float
    features: tuple[Dist, ...]  # monitored, sorted by name
    drifted_share: float | None  # None: no dataset-drift alert
    dataset_severity: str
    prediction: Dist | None

    @property
    def score_name(self) -> str:
        if self.method == "psi":
            return "PSI"
        return f"JS {self.js_form} (base {self.js_base})"


# --- the math (pure Python; the rule tests use it for their expected values) ------------------------
def fractions(counts: Sequence[float]) -> list[float]:
    n = float(sum(counts))
    return [c / n for c in counts]


def psi(p: Sequence[float], q: Sequence[float]) -> float:
    return sum((max(pi, PSI_FLOOR) - qi) * math.log(max(pi, PSI_FLOOR) / qi) for pi, qi in zip(p, q))


def js(p: Sequence[float], q: Sequence[float], base: str, form: str) -> float:
    total = 0.0
    for pi, qi in zip(p, q):
        pc = max(pi, JS_FLOOR)
        m = (pc + qi) / 2
        total += 0.5 * pc * math.log(pc / m) + 0.5 * qi * math.log(qi / m)
    div = max(total, 0.0) / (LN2 if base == "2" else 1.0)
    return math.sqrt(div) if form == "distance" else div


def score(section: Drift, p: Sequence[float], q: Sequence[float]) -> float:
    if section.method == "psi":
        return psi(p, q)
    return js(p, q, section.js_base or "e", section.js_form or "distance")


# --- helpers -------------------------------------------------------------------------------------------
_q = promql_string


_REGEX_META = set(".^$*+?()[]{}|\\")


def _re_alt(names: Sequence[str]) -> str:
    """A PromQL regex literal matching exactly these names."""
    parts = ["".join("\\" + ch if ch in _REGEX_META else ch for ch in n) for n in names]
    return _q("|".join(parts))


def _constants(label: str, items: Any) -> str:
    """PromQL for constant series, one per (label value, number): a chain of label_replace(vector(x), ...)."""
    terms = [f"label_replace(vector({_exact(v)}), {_q(label)}, {_q(name)}, \"\", \"\")" for name, v in items]
    return "\nor ".join(terms)


def _num(x: float) -> str:
    return fmt_float(float(f"{x:.12g}"))


def _exact(x: float) -> str:
    return fmt_float(float(x))


class DriftMonitor:
    key = KEY
    title = "Data and prediction drift"

    # --- schema ----------------------------------------------------------------------------------
    def schema(self) -> dict | None:
        from mlmon.compiler.dsl import boolean, duration, enum, number, obj, ratio, string

        def thresholds(what: str) -> dict:
            return {
                "warn": number(f"{what}: warning at or above this score (default by method: psi 0.1, js distance 0.1, js divergence 0.01)", exclusiveMinimum=0),
                "critical": number(f"{what}: critical at or above this score (default: psi 0.25, js distance 0.2, js divergence 0.04)", exclusiveMinimum=0),
            }

        source = obj(
            {
                "histogram": string("classic histogram metric name without _bucket; its le bounds must include every baseline edge", pattern=r"^[a-zA-Z_:][a-zA-Z0-9_:]*$"),
                "feature_label": string("label whose value is the feature name (when one histogram holds several features)", pattern=r"^[a-zA-Z_][a-zA-Z0-9_]*$"),
            },
            ("histogram",),
            "Read bins from an existing classic histogram instead of mlmon's per-bin counters",
        )
        feature = obj(
            {"enabled": boolean("monitor this feature", True), **thresholds("this feature"), "source": source},
            (),
            "Per-feature settings",
        )
        return obj(
            {
                "baseline": string("baseline YAML made by `mlmon baseline`, relative to this spec file", minLength=1),
                "method": enum(["psi", "js"], "drift score: population stability index or Jensen-Shannon", "psi"),
                "js": obj(
                    {
                        "base": enum(["e", "2"], "logarithm base: e (Evidently, range up to sqrt(ln 2) for the distance) or 2 (NannyML, range [0, 1])"),
                        "form": enum(["distance", "divergence"], "distance = sqrt(divergence)"),
                    },
                    ("base", "form"),
                    "Jensen-Shannon variant; required with method js (the variants differ numerically)",
                ),
                "window": duration("the current distribution is the bin counts over this window", "1h"),
                "min_samples": {"type": "integer", "minimum": 1, "description": "no score (and the no-data alert) below this many observations in the window (default 10 x the feature's bins)"},
                **thresholds("every feature and the prediction"),
                "for": duration("how long a score must stay at or above a threshold before the alert fires", "15m"),
                "no_data_for": duration("raise the no-data alert after features or the prediction had no score this long", "1h"),
                "features": {
                    "type": "object",
                    "description": "per-feature settings by feature name (names must exist in the baseline)",
                    "additionalProperties": feature,
                },
                "dataset": obj(
                    {
                        "enabled": boolean("raise the dataset-drift alert", True),
                        "drifted_share": ratio("alert when at least this share of the scored features is at or above its warn threshold", 0.5),
                        "severity": enum(["warning", "critical"], "severity of the dataset-drift alert", "critical"),
                    },
                    (),
                    "Dataset drift (Evidently's drift_share)",
                ),
                "prediction": obj(
                    {"enabled": boolean("monitor the prediction score distribution (needs a prediction entry in the baseline)", True),
                     **thresholds("the prediction"), "source": source},
                    (),
                    "Prediction drift",
                ),  # fmt: skip
                "source": source,
            },
            ("baseline",),
            "Feature and prediction drift against a reference baseline (PSI or Jensen-Shannon), computed in PromQL",
        )

    # --- compile ---------------------------------------------------------------------------------
    def compile(self, raw: Any, ctx: CompileContext) -> Drift | None:
        if raw is None:
            return None
        from mlmon import baseline as B

        n0 = len(ctx.diags)
        method = raw.get("method", "psi")
        js_raw = raw.get("js")
        base = form = None
        if method == "js":
            if not isinstance(js_raw, dict) or "base" not in js_raw or "form" not in js_raw:
                ctx.error((), "MLM102", "method js needs js: {base: e|2, form: distance|divergence}: the variants differ numerically, so name one",
                          hint="e.g. js: {base: \"2\", form: distance} (NannyML) or {base: e, form: distance} (Evidently)", key=True)  # fmt: skip
                return None
            base, form = str(js_raw["base"]), js_raw["form"]
        elif js_raw is not None:
            ctx.warning(("js",), "MLM213", "js settings are ignored with method psi", key=True)
        dwarn, dcrit = DEFAULTS[(method, form)]
        maxv = MAX_SCORE.get((method, base, form), math.inf)

        durations: dict[str, float] = {}
        for field, default in (("window", "1h"), ("for", "15m"), ("no_data_for", "1h")):
            try:
                durations[field] = parse_duration(raw.get(field, default))
            except ValueError as exc:
                ctx.error((field,), "MLM203", str(exc))
        if len(durations) < 3:
            return None
        window = durations["window"]
        if window < 4 * ctx.scrape_interval:
            ctx.error(("window",), "MLM207", f"window {format_duration(window)} is shorter than 4x the scrape interval ({format_duration(4 * ctx.scrape_interval)}); increase() would see too few samples",
                      hint="use a longer window (drift needs many observations anyway, e.g. 1h)")  # fmt: skip
        if window < 10 * ctx.evaluation_interval:
            ctx.warning(("window",), "MLM207", f"window {format_duration(window)} is shorter than 10x the evaluation interval; scores will jump between evaluations")

        def thresholds(where: tuple, src: dict, w0: float, c0: float) -> tuple[float, float]:
            w = float(src.get("warn", w0))
            c = float(src.get("critical", c0))
            for name, v in (("warn", w), ("critical", c)):
                if v >= maxv:
                    ctx.error(where + (name,), "MLM213", f"{name} {_num(v)} can never be reached: the {method} {form or ''} score (base {base}) is at most {_num(maxv)}".replace("  ", " "))
                elif method == "psi" and v > 10 and name in src:
                    ctx.warning(where + (name,), "MLM213", f"{name} {_num(v)} is far above usual PSI thresholds (0.1 moderate, 0.25 significant)")
            if w > c:
                ctx.error(where + ("warn",), "MLM210", f"warn {_num(w)} is above critical {_num(c)}", hint="warn must be at most critical")
            elif w == c:
                ctx.warning(where + ("warn",), "MLM210", f"warn equals critical ({_num(w)}): the warning alert is always inhibited by the critical one")
            return w, c

        warn, critical = thresholds((), raw, dwarn, dcrit)

        # baseline
        ref = raw["baseline"]
        file = posixpath.normpath(posixpath.join(posixpath.dirname(ctx.file), ref)) if not ref.startswith("/") else ref
        if ctx.read_file is None:
            ctx.error(("baseline",), "MLM211", f"baseline {ref!r} cannot be read here (no file access)")
            return None
        text, problem = ctx.read_file(ref)
        if text is None:
            ctx.error(("baseline",), "MLM211", f"baseline {ref!r}: {problem or 'cannot be read'}",
                      hint=f"create it with: mlmon baseline <reference.csv> --model {ctx.model_id} -o {file}")  # fmt: skip
            return None
        bl, bdiags = B.load_baseline(text, file)
        if bl is None:
            ctx.diags.extend(bdiags)
            ctx.error(("baseline",), "MLM211", f"baseline {ref!r} is not valid ({len(bdiags)} problem(s) reported in {file})")
            return None
        if bl.model != ctx.model_id:
            ctx.warning(("baseline",), "MLM211", f"baseline {ref!r} was made for model {bl.model!r}, not {ctx.model_id!r}")

        top_source = None
        if "source" in raw:
            top_source = Source(raw["source"]["histogram"], raw["source"].get("feature_label", "feature"))
        overrides = raw.get("features", {}) or {}
        for name in sorted(overrides):
            if bl.feature(name) is None:
                import difflib

                close = difflib.get_close_matches(name, bl.feature_names, n=1)
                ctx.error(("features", name), "MLM211", f"feature {name!r} is not in baseline {ref!r}",
                          hint=(f"did you mean {close[0]!r}? " if close else "") + f"baseline features: {', '.join(bl.feature_names)}", key=True)  # fmt: skip

        def dist(fb: Any, where: tuple, o: dict, w0: float, c0: float, default_source: Source | None) -> Dist:
            w, c = thresholds(where, o, w0, c0)
            src = default_source if fb.kind == B.NUMERIC else None
            if "source" in o:
                src = Source(o["source"]["histogram"], o["source"].get("feature_label"))
                if fb.kind != B.NUMERIC:
                    ctx.error(where + ("source",), "MLM213", f"{fb.name!r} is categorical; histograms hold numeric values only (use the per-bin counters)")
            return Dist(fb.name, fb.kind, fb.bins, fb.fractions, fb.edges, w, c, src)

        feats = []
        for fb in bl.features:
            o = overrides.get(fb.name, {}) or {}
            if not o.get("enabled", True):
                continue
            feats.append(dist(fb, ("features", fb.name), o, warn, critical, top_source))
        if not feats:
            ctx.error(("features",), "MLM213", "every baseline feature is disabled; remove the drift section instead", key=True)

        pred = None
        praw = raw.get("prediction", {}) or {}
        if praw.get("enabled", True):
            if bl.prediction is None:
                if "prediction" in raw:
                    ctx.error(("prediction",), "MLM211", f"baseline {ref!r} has no prediction entry",
                              hint="rebuild it with `mlmon baseline ... --prediction <score column>`, or set prediction.enabled: false", key=True)  # fmt: skip
            else:
                pred = dist(bl.prediction, ("prediction",), praw, warn, critical, None)

        dataset = raw.get("dataset", {}) or {}
        share = float(dataset.get("drifted_share", 0.5)) if dataset.get("enabled", True) else None
        if share is not None and share == 0:
            ctx.error(("dataset", "drifted_share"), "MLM213", "drifted_share 0 would always fire; use a share in (0, 1]")

        max_bins = max([len(d.bins) for d in feats + ([pred] if pred else [])] or [1])
        min_samples = int(raw.get("min_samples", 10 * max_bins))
        if min_samples < max_bins:
            ctx.warning(("min_samples",), "MLM213", f"min_samples {min_samples} is below the number of bins ({max_bins}); scores on so few observations are mostly noise",
                        hint=f"use at least 10 x bins = {10 * max_bins}")  # fmt: skip
        if len(ctx.diags) > n0 and any(d.severity >= Severity.ERROR for d in ctx.diags[n0:]):
            return None
        return Drift(
            ref, bl.model, method, base, form, window, min_samples, warn, critical, durations["for"], durations["no_data_for"],
            tuple(sorted(feats, key=lambda d: d.name)), share, dataset.get("severity", "critical"), pred,
        )  # fmt: skip

    # --- PromQL ------------------------------------------------------------------------------------------
    @staticmethod
    def contract_selector(model: Any) -> str:
        """Label matchers for mlmon's own counters (emitted with model=<id> by mlmon.instrument)."""
        preset = presets.get(model.serving.preset)
        if preset is not None and preset.name == "mlmon":
            return preset.selector(model.id, model.serving.match)
        return f"{C.L_MODEL}={_q(model.id)}"

    @staticmethod
    def framework_selector(model: Any) -> str:
        preset = presets.get(model.serving.preset)
        return preset.selector(model.id, model.serving.match) if preset is not None else f"{C.L_MODEL}={_q(model.id)}"

    def _histogram_bins(self, model: Any, d: Dist, w: str, feature: bool) -> str:
        """Per-bin counts over the window from a classic histogram (cumulative differencing)."""
        assert d.source is not None
        sel = self.framework_selector(model)
        if d.source.feature_label:
            sel += f",{d.source.feature_label}={_q(d.name)}"
        bounds = list(d.edges) + [math.inf]

        def cum(x: float) -> str:
            return f"sum(increase({d.source.histogram}_bucket{{{sel},{le_matcher(x)}}}[{w}]))"

        terms = []
        for j, b in enumerate(bounds):
            inner = cum(b) if j == 0 else f"clamp_min({cum(b)} - {cum(bounds[j - 1])}, 0)"
            terms.append(f'label_replace({inner}, "bin", "{j}", "", "")')
        return "\n or ".join(terms)

    def _dist_rules(self, model: Any, section: Drift, dists: Sequence[Dist], feature: bool) -> list[RecordingRule]:
        """Recording rules for features (feature=True) or the prediction, in dependency order."""
        mid = model.id
        m = f"{{{C.L_MODEL}={_q(mid)}}}"
        w = format_duration(section.window)
        if feature:
            inc_n, samples_n, cur_n, base_n, absent_n, score_n = (
                C.DRIFT_BIN_INCREASE, C.DRIFT_FEATURE_SAMPLES, C.DRIFT_BIN_CURRENT, C.DRIFT_BIN_BASELINE, C.DRIFT_BIN_ABSENT, C.DRIFT_FEATURE_SCORE
            )
            by, by_bin, counter = "model, feature", "model, feature, bin", C.FEATURE_BIN_TOTAL
        else:
            inc_n, samples_n, cur_n, base_n, absent_n, score_n = (
                C.DRIFT_PRED_BIN_INCREASE, C.DRIFT_PRED_SAMPLES, C.DRIFT_PRED_BIN_CURRENT, C.DRIFT_PRED_BIN_BASELINE, C.DRIFT_PRED_BIN_ABSENT,
                C.DRIFT_PREDICTION_SCORE,
            )
            by, by_bin, counter = "model", "model, bin", C.PREDICTION_BIN_TOTAL
        rules: list[RecordingRule] = []

        def labels(d: Dist, **extra: str) -> dict[str, str]:
            out = {C.L_MODEL: mid}
            if feature:
                out["feature"] = d.name
            out.update(extra)
            return out

        for d in dists:  # one rule per distribution: its constant reference fractions, one series per bin
            rules.append(RecordingRule(base_n, _constants("bin", zip(d.bins, d.fractions)), labels(d)))
        counter_dists = [d for d in dists if d.source is None]
        if counter_dists:
            sel = self.contract_selector(model)
            if feature:
                sel += f",feature=~{_re_alt([d.name for d in counter_dists])}"
                expr = f"sum by (feature, bin) (\n  increase({counter}{{{sel}}}[{w}])\n)"
            else:
                expr = f"sum by (bin) (\n  increase({counter}{{{sel}}}[{w}])\n)"
            rules.append(RecordingRule(inc_n, expr, {C.L_MODEL: mid}))
        for d in dists:
            if d.source is not None:
                rules.append(RecordingRule(inc_n, self._histogram_bins(model, d, w, feature), labels(d)))
        rules.append(RecordingRule(samples_n, f"sum by ({by}) ({inc_n}{m})", {C.L_MODEL: mid}))
        # the current fraction p, floored (so the logarithms stay finite) once here rather than at
        # each of its uses in the score
        p_floor = fmt_float(PSI_FLOOR if section.method == "psi" else JS_FLOOR)
        cur = f"clamp_min(\n  {inc_n}{m}\n  / on ({by}) group_left ()\n  ({samples_n}{m} > 0),\n  {p_floor}\n)"
        if counter_dists:
            # A bin whose counter has no count in the window (a lazy exporter creates a bin's counter
            # at its first observation) has seen 0 observations: it gets the floor. Which bins those
            # are changes rarely (a first observation, or an hour without samples), so the set is
            # recorded with the constants every 2m (absent_n, normally empty) and the fractions read
            # it instead of re-reading every reference bin at each evaluation. Only features with
            # counted bins are filled: a feature without any gets no score anyway (the sample gate),
            # and filling it would create (then leave stale) a series per bin at every start-up,
            # which later reads would still have to look at. The feature matcher is needed only
            # beside histogram-backed features.
            mixed = feature and len(counter_dists) < len(dists)
            bsel = f"{C.L_MODEL}={_q(mid)}" + (f",feature=~{_re_alt([d.name for d in counter_dists])}" if mixed else "")
            absent = f"  (\n    {base_n}{{{bsel}}}\n    unless on ({by_bin})\n    {inc_n}{m}\n  )\n  and on ({by})\n  {samples_n}{m}"
            rules.append(RecordingRule(absent_n, f"clamp(\n{absent},\n  {p_floor}, {p_floor}\n)", {C.L_MODEL: mid}))
            cur = f"{cur}\nor on ({by_bin})\n{absent_n}{m}"
        rules.append(RecordingRule(cur_n, cur, {C.L_MODEL: mid}))
        p = f"{cur_n}{m}"
        q = f"{base_n}{m}"
        # p and q are recorded by these rules with exactly the labels ({by_bin}), so plain one-to-one
        # matching pairs each bin with its reference (and costs less than on (...) here)
        if section.method == "psi":
            body = f"sum by ({by}) (\n  ({p} - {q})\n  * ln({p} / {q})\n)"
        else:
            mid_ = f"(({p} + {q}) / 2)"
            jsd = (
                f"(\n  0.5 * sum by ({by}) ({p} * ln({p} / {mid_}))\n"
                f"  + on ({by})\n"
                f"  0.5 * sum by ({by}) ({q} * ln({q} / {mid_}))\n)"
            )
            div = f"clamp_min({jsd}, 0)"
            if section.js_base == "2":
                div = f"{div} / {_exact(LN2)}"
            body = f"sqrt({div})" if section.js_form == "distance" else div
        gate = f"\nand on ({by})\n({samples_n}{m} >= {section.min_samples})"
        hist = [d for d in dists if d.source is not None]
        if hist:
            # a histogram whose le bounds miss a baseline edge gives incomplete bins: no score (no-data alert)
            hsel = f"{C.L_MODEL}={_q(mid)}" + (f",feature=~{_re_alt([d.name for d in hist])}" if feature else "")
            gate += f"\nunless on ({by})\n(count by ({by}) ({cur_n}{{{hsel}}}) < count by ({by}) ({base_n}{{{hsel}}}))"
        rules.append(RecordingRule(score_n, f"(\n{body}\n){gate}", {C.L_MODEL: mid}))
        return rules

    def rule_groups(self, model: Any, spec: Any) -> Sequence[RuleGroup]:
        section: Drift | None = model.section(self.key)
        if section is None:
            return ()
        mid = model.id
        m = f"{{{C.L_MODEL}={_q(mid)}}}"
        rules: list = self._dist_rules(model, section, section.features, True)
        feats = section.features
        rules.append(RecordingRule(C.DRIFT_FEATURE_WARN, _constants("feature", ((d.name, d.warn) for d in feats)), {C.L_MODEL: mid}))
        rules.append(RecordingRule(C.DRIFT_FEATURE_CRITICAL, _constants("feature", ((d.name, d.critical) for d in feats)), {C.L_MODEL: mid}))
        rules.append(RecordingRule(C.DRIFT_FEATURES_SCORED, f"count by (model) ({C.DRIFT_FEATURE_SCORE}{m})", {C.L_MODEL: mid}))
        rules.append(RecordingRule(
            C.DRIFT_FEATURES_DRIFTED,
            f"count by (model) (\n  {C.DRIFT_FEATURE_SCORE}{m} >= on (model, feature) {C.DRIFT_FEATURE_WARN}{m}\n)\nor on (model)\n({C.DRIFT_FEATURES_SCORED}{m} * 0)",
            {C.L_MODEL: mid},
        ))  # fmt: skip
        rules.append(RecordingRule(C.DRIFT_DRIFTED_SHARE, f"{C.DRIFT_FEATURES_DRIFTED}{m} / on (model) {C.DRIFT_FEATURES_SCORED}{m}", {C.L_MODEL: mid}))
        if section.prediction is not None:
            rules.extend(self._dist_rules(model, section, (section.prediction,), False))
        rules.extend(self.alerts(model, section))
        # Constants (reference fractions, thresholds) and the rarely changing set of bins without a
        # count go to their own group, evaluated every 2m (inside Prometheus' 5m lookback), so the
        # drift group's evaluations do not pay for re-emitting them.
        slow = {C.DRIFT_BIN_BASELINE, C.DRIFT_PRED_BIN_BASELINE, C.DRIFT_FEATURE_WARN, C.DRIFT_FEATURE_CRITICAL, C.DRIFT_BIN_ABSENT, C.DRIFT_PRED_BIN_ABSENT}
        ref = tuple(r for r in rules if isinstance(r, RecordingRule) and r.record in slow)
        live = tuple(r for r in rules if not (isinstance(r, RecordingRule) and r.record in slow))
        interval = format_duration(REFERENCE_INTERVAL) if model.evaluation_interval < REFERENCE_INTERVAL else None
        return (RuleGroup(f"mlmon-{mid}-drift-reference", ref, interval), RuleGroup(f"mlmon-{mid}-drift", live))

    # --- alerts ------------------------------------------------------------------------------------------
    def alert_labels(self, model: Any, severity: str, check: str) -> dict[str, str]:
        labels = dict(model.labels)
        labels.update({C.L_MODEL: model.id, C.L_TEAM: model.team, C.L_SEVERITY: severity, C.L_MONITOR: KEY, C.L_CHECK: check})
        return labels

    def _dash(self, model: Any) -> str:
        return f"/d/{C.grafana_uid('model', model.id)}"

    # Annotation texts. With the default arguments they are Prometheus templates; the rule tests
    # pass the expanded values (what Prometheus renders) to assert exact annotations.
    T_FEATURE = "{{ $labels.feature }}"
    T_SCORE = '{{ $value | printf "%.3f" }}'
    T_SHARE = "{{ $value | humanizePercentage }}"
    T_COUNT = '{{ $value | printf "%.0f" }}'

    def feature_annotations(self, model: Any, s: Drift, level: str, feature: str = T_FEATURE, value: str = T_SCORE) -> dict[str, str]:
        w, fr = format_duration(s.window), format_duration(s.for_)
        return {
            "summary": f"{model.id}: feature {feature} drifted ({s.score_name} {value} at or above its {level} threshold)",
            "description": (
                f"Over the last {w}, the distribution of feature {feature} of model {model.id} differs from the baseline "
                f"{s.baseline_file} by {s.score_name} {value} (at or above the {level} threshold for {fr}). "
                "Predictions on shifted inputs may be wrong. Check the upstream data pipeline for a change or bug "
                "(units, defaults, new categories); if the shift is real, evaluate the model on recent data and retrain."
            ),
            "dashboard": self._dash(model),
        }

    def prediction_annotations(self, model: Any, s: Drift, level: str, thr: float, value: str = T_SCORE) -> dict[str, str]:
        w = format_duration(s.window)
        return {
            "summary": f"{model.id}: prediction score distribution drifted ({s.score_name} {value} >= {_num(thr)})",
            "description": (
                f"Over the last {w}, the distribution of model {model.id}'s prediction score differs from the baseline "
                f"{s.baseline_file} by {s.score_name} {value} (>= {_num(thr)}, {level}). "
                "The model now decides differently: check input drift on the dashboard and the labelled performance; "
                "a shift without input drift points at a changed model, version or post-processing."
            ),
            "dashboard": self._dash(model),
        }

    def dataset_annotations(self, model: Any, s: Drift, value: str = T_SHARE) -> dict[str, str]:
        pct = _num((s.drifted_share or 0) * 100)
        return {
            "summary": f"{model.id}: {value} of the features drifted (threshold {pct}%)",
            "description": (
                f"At least {pct}% of the scored features of model {model.id} are at or above their warn threshold over the last "
                f"{format_duration(s.window)}. The input data as a whole no longer looks like the baseline {s.baseline_file}: "
                "look for a pipeline or upstream change first; otherwise the model needs retraining on recent data."
            ),
            "dashboard": self._dash(model),
        }

    def nodata_annotations(self, model: Any, s: Drift, what: str, value: str = T_COUNT) -> dict[str, str]:
        nd, w, n = format_duration(s.no_data_for), format_duration(s.window), len(s.features)
        if what == "prediction":
            return {
                "summary": f"{model.id}: no prediction drift score for {nd}",
                "description": (
                    f"Prediction drift of model {model.id} cannot be computed: prediction bin counters ({C.PREDICTION_BIN_TOTAL} or the "
                    f"configured histogram) are absent or saw fewer than {s.min_samples} observations in {w}."
                ),
                "dashboard": self._dash(model),
            }
        return {
            "summary": (f"{model.id}: no feature bin counters for {nd}" if model.idle_ok else
                        f"{model.id}: {value} of {n} features have no drift score for {nd}"),  # fmt: skip
            "description": (
                f"Feature drift of model {model.id} cannot be computed, so its drift alerts cannot fire. A feature has no score when "
                f"its bin counters ({C.FEATURE_BIN_TOTAL}) are absent, it saw fewer than {s.min_samples} observations in {w}, "
                "or its histogram's le bounds do not include every baseline edge. Check that the model is instrumented and scraped."
            ),
            "dashboard": self._dash(model),
        }

    def alerts(self, model: Any, s: Drift) -> list[AlertRule]:
        m = f"{{{C.L_MODEL}={_q(model.id)}}}"
        fr = format_duration(s.for_)
        out: list[AlertRule] = []
        for sev, thr_n, level in ((C.SEVERITY_PAGE, C.DRIFT_FEATURE_CRITICAL, "critical"), (C.SEVERITY_TICKET, C.DRIFT_FEATURE_WARN, "warn")):
            labels = self.alert_labels(model, sev, self.T_FEATURE)
            out.append(AlertRule(
                C.ALERT_DRIFT_FEATURE, f"{C.DRIFT_FEATURE_SCORE}{m}\n>= on (model, feature)\n{thr_n}{m}", fr,
                labels, self.feature_annotations(model, s, level),
                # one instance per drifted feature, possibly dozens at once: only severity (which tells
                # the two rules apart) stays a template Prometheus expands per instance
                labels_in_expr=tuple(k for k in labels if k != C.L_SEVERITY),
            ))  # fmt: skip
        if s.prediction is not None:
            p = s.prediction
            for sev, thr, level in ((C.SEVERITY_PAGE, p.critical, "critical"), (C.SEVERITY_TICKET, p.warn, "warn")):
                out.append(AlertRule(
                    C.ALERT_DRIFT_PREDICTION, f"{C.DRIFT_PREDICTION_SCORE}{m} >= {_exact(thr)}", fr,
                    self.alert_labels(model, sev, "prediction"), self.prediction_annotations(model, s, level, thr),
                ))  # fmt: skip
        if s.drifted_share is not None:
            sev = C.SEVERITY_PAGE if s.dataset_severity == "critical" else C.SEVERITY_TICKET
            out.append(AlertRule(
                C.ALERT_DRIFT_DATASET, f"{C.DRIFT_DRIFTED_SHARE}{m} >= {_exact(s.drifted_share)}", fr,
                self.alert_labels(model, sev, "dataset"), self.dataset_annotations(model, s),
            ))  # fmt: skip
        nd = format_duration(s.no_data_for)
        if model.idle_ok:
            expr = f"absent({C.DRIFT_BIN_INCREASE}{m})"
        else:
            expr = f"(\n  {len(s.features)} - (count({C.DRIFT_FEATURE_SCORE}{m}) or vector(0))\n) > 0"
        out.append(AlertRule(C.ALERT_DRIFT_NODATA, expr, nd, self.alert_labels(model, C.SEVERITY_TICKET, "features"),
                             self.nodata_annotations(model, s, "features")))  # fmt: skip
        if s.prediction is not None:
            expr = f"absent({C.DRIFT_PRED_BIN_INCREASE}{m})" if model.idle_ok else f"absent({C.DRIFT_PREDICTION_SCORE}{m})"
            out.append(AlertRule(C.ALERT_DRIFT_NODATA, expr, nd, self.alert_labels(model, C.SEVERITY_TICKET, "prediction"),
                                 self.nodata_annotations(model, s, "prediction")))  # fmt: skip
        return out

    # --- rule tests ----------------------------------------------------------------------------------
    def rule_tests(self, model: Any, spec: Any, alerts: Sequence[AlertRule] = ()) -> Sequence[RuleTest]:
        s: Drift | None = model.section(self.key)
        if s is None:
            return ()
        return tests_for(self, model, s)

    # --- dashboards ------------------------------------------------------------------------------------
    def dashboard_rows(self, model: Any, spec: Any) -> Sequence[Row]:
        s: Drift | None = model.section(self.key)
        if s is None:
            return ()
        m = f"{{{C.L_MODEL}={_q(model.id)}}}"
        w = format_duration(s.window)
        thr = (Threshold(None, "green"), Threshold(s.warn, "orange"), Threshold(s.critical, "red"))
        panels = [
            Panel(
                f"Feature drift ({s.score_name}, {w} window)", "timeseries",
                (Target(f"{C.DRIFT_FEATURE_SCORE}{m}", "{{feature}}"),),
                width=12, height=8, thresholds=thr, min=0,
                description=f"{s.score_name} of each feature's last-{w} distribution against the baseline {s.baseline_file}. "
                            f"Default thresholds: warn {_num(s.warn)}, critical {_num(s.critical)} (features may override).",
            ),
            Panel(
                "Top drifted features now", "bargauge",
                (Target(f"topk(10, {C.DRIFT_FEATURE_SCORE}{m})", "{{feature}}", True),),
                width=6, height=8, thresholds=thr, min=0,
                description="The ten features with the highest current drift score.",
            ),
            Panel(
                "Drifted features", "stat",
                (Target(f"{C.DRIFT_DRIFTED_SHARE}{m}", "share", True),),
                unit="percentunit", width=6, height=4, min=0, max=1,
                thresholds=(Threshold(None, "green"), Threshold(s.drifted_share or 0.5, "red")),
                description="Share of scored features at or above their warn threshold (dataset drift when it reaches "
                            f"{_num((s.drifted_share or 0.5) * 100)}%).",
            ),
            Panel(
                "Features without a score", "stat",
                (Target(f"{len(s.features)} - (count({C.DRIFT_FEATURE_SCORE}{m}) or vector(0))", "missing", True),),
                width=6, height=4, thresholds=(Threshold(None, "green"), Threshold(1, "red")),
                description=f"Monitored features with no drift score (absent counters or fewer than {s.min_samples} observations in {w}).",
            ),
            Panel(
                f"Observations per feature ({w} window)", "timeseries",
                (Target(f"{C.DRIFT_FEATURE_SAMPLES}{m}", "{{feature}}"),),
                width=12, height=8, thresholds=(Threshold(None, "red"), Threshold(s.min_samples, "green")), min=0,
                description=f"Observations counted per feature over the window; scores need at least {s.min_samples}.",
            ),
        ]  # fmt: skip
        if s.prediction is not None:
            pthr = (Threshold(None, "green"), Threshold(s.prediction.warn, "orange"), Threshold(s.prediction.critical, "red"))
            panels.append(Panel(
                f"Prediction drift ({s.score_name})", "timeseries",
                (Target(f"{C.DRIFT_PREDICTION_SCORE}{m}", "prediction"), Target(f"{C.DRIFT_PRED_SAMPLES}{m}", "observations")),
                width=12, height=8, thresholds=pthr, min=0,
                description="Drift of the prediction score distribution against the baseline.",
            ))  # fmt: skip
        return (Row(f"Drift ({s.score_name} against {s.baseline_file})", tuple(panels)),)

    def fleet_panels(self, spec: Any) -> Sequence[Panel]:
        if not any(m.section(self.key) for m in spec.models):
            return ()
        return (
            Panel(
                "Drifted feature share by model", "bargauge",
                (Target(C.DRIFT_DRIFTED_SHARE, "{{model}}", True),),
                unit="percentunit", min=0, max=1, width=12, height=8,
                thresholds=(Threshold(None, "green"), Threshold(0.25, "orange"), Threshold(0.5, "red")),
            ),
        )  # fmt: skip


# --- generated promtool tests --------------------------------------------------------------------------
TEST_TOLERANCE = 1e-6
_SCALE = 1000  # observations per minute in the healthy case


def _shifted(q: Sequence[float]) -> list[float]:
    """An incident distribution: the baseline rolled one bin up, with the lowest bin emptied
    (exercises the 0 -> floor clamp)."""
    rolled = list(q[-1:]) + list(q[:-1])
    rolled[0] = 0.0
    tot = sum(rolled)
    return [x / tot for x in rolled]


def _per_minute(fr: Sequence[float], scale: float) -> list[float]:
    """Per-bin increments per minute, rounded to 3 decimals (promtool series notation)."""
    return [round(x * scale, 3) for x in fr]


def _series_for(model: Any, mon: DriftMonitor, d: Dist, incs: Sequence[float], feature: bool, steps: int) -> list[tuple[str, str]]:
    out = []
    if d.source is None:
        name = C.FEATURE_BIN_TOTAL if feature else C.PREDICTION_BIN_TOTAL
        sel = mon.contract_selector(model)
        for b, inc in zip(d.bins, incs):
            lab = f"{sel},{'feature=' + _q(d.name) + ',' if feature else ''}bin={_q(b)}"
            out.append((f"{name}{{{lab}}}", f"0+{fmt_float(inc)}x{steps}"))
        return out
    sel = mon.framework_selector(model)
    if d.source.feature_label:
        sel += f",{d.source.feature_label}={_q(d.name)}"
    cum = 0.0
    bounds = list(d.edges) + [math.inf]
    for b, inc in zip(bounds, incs):
        cum = round(cum + inc, 6)
        out.append((f"{d.source.histogram}_bucket{{{sel},le={_q(fmt_float(b))}}}", f"0+{fmt_float(cum)}x{steps}"))
    return out


def _check_score(metric: str, mid: str, name: str | None, value: float, t: str) -> ExprCheck:
    sel = f"{C.L_MODEL}={_q(mid)}" + (f",feature={_q(name)}" if name is not None else "")
    return ExprCheck(f"abs({metric}{{{sel}}} - {_exact(value)}) < bool {fmt_float(TEST_TOLERANCE)}", t, (Sample("{" + sel + "}", 1.0),))


def _go_pct(x: float) -> str:
    """Prometheus' humanizePercentage (Go ``%.4g%%`` of x*100)."""
    text = f"{x * 100:.4g}"
    if "e" in text:  # Go writes e+06 like Python; drift shares are never that small or large
        pass
    return text + "%"


def tests_for(mon: DriftMonitor, model: Any, s: Drift) -> list[RuleTest]:
    """Promtool cases: healthy, one feature shifted, dataset + prediction shift (exact scores and
    exact alerts), below the sample gate and no counters at all (no-data alerts)."""
    for_min = int(math.ceil(s.for_ / 60))
    w_min = int(math.ceil(s.window / 60))
    nd_min = int(math.ceil(s.no_data_for / 60))
    steps = for_min + 5  # the score is exact from the 2nd sample on (same timestamps for every bin)
    t_end = f"{steps}m"
    nd_steps = nd_min + 5
    nd_t = f"{nd_steps}m"
    mid = model.id
    feats = list(s.features)
    dists = feats + ([s.prediction] if s.prediction else [])
    fast = float(max(_SCALE, 2 * s.min_samples))  # observations per minute: gate passes after one minute
    slow = s.min_samples / (2.0 * w_min)  # half the gate over a full window
    m_sel = f"{{{C.L_MODEL}={_q(mid)}}}"

    def series(shifted: set[str], rate: float, n: int) -> tuple[list[tuple[str, str]], dict[str, list[float]]]:
        out: list[tuple[str, str]] = []
        incs_by: dict[str, list[float]] = {}
        for d in dists:
            is_feat = d is not s.prediction
            key = d.name if is_feat else "__prediction__"
            fr = _shifted(d.fractions) if key in shifted else list(d.fractions)
            incs = _per_minute(fr, rate)
            incs_by[key] = incs
            out.extend(_series_for(model, mon, d, incs, is_feat, n))
        return out, incs_by

    def scored_case(name: str, shifted: set[str]) -> RuleTest:
        ser, incs_by = series(shifted, fast, steps)
        checks: list[ExprCheck] = []
        exp_feature: list[ExpAlert] = []
        exp_pred: list[ExpAlert] = []
        drifted = 0
        for d in dists:
            is_feat = d is not s.prediction
            val = score(s, fractions(incs_by[d.name if is_feat else "__prediction__"]), d.fractions)
            checks.append(_check_score(C.DRIFT_FEATURE_SCORE if is_feat else C.DRIFT_PREDICTION_SCORE, mid, d.name if is_feat else None, val, t_end))
            value = f"{val:.3f}"
            if is_feat:
                drifted += val >= d.warn
                for sev, thr, level in ((C.SEVERITY_PAGE, d.critical, "critical"), (C.SEVERITY_TICKET, d.warn, "warn")):
                    if val >= thr:
                        lab = mon.alert_labels(model, sev, d.name)
                        lab["feature"] = d.name
                        exp_feature.append(ExpAlert(lab, mon.feature_annotations(model, s, level, d.name, value)))
            else:
                for sev, thr, level in ((C.SEVERITY_PAGE, d.critical, "critical"), (C.SEVERITY_TICKET, d.warn, "warn")):
                    if val >= thr:
                        exp_pred.append(ExpAlert(mon.alert_labels(model, sev, "prediction"), mon.prediction_annotations(model, s, level, thr, value)))
        share = drifted / len(feats)
        checks.append(ExprCheck(f"{C.DRIFT_DRIFTED_SHARE}{m_sel}", t_end, (Sample(f"{C.DRIFT_DRIFTED_SHARE}{m_sel}", share),)))
        alerts = [AlertCheck(t_end, C.ALERT_DRIFT_FEATURE, tuple(exp_feature))]
        if s.prediction is not None:
            alerts.append(AlertCheck(t_end, C.ALERT_DRIFT_PREDICTION, tuple(exp_pred)))
        if s.drifted_share is not None:
            exp_ds: tuple[ExpAlert, ...] = ()
            if share >= s.drifted_share:
                sev = C.SEVERITY_PAGE if s.dataset_severity == "critical" else C.SEVERITY_TICKET
                exp_ds = (ExpAlert(mon.alert_labels(model, sev, "dataset"), mon.dataset_annotations(model, s, _go_pct(share))),)
            alerts.append(AlertCheck(t_end, C.ALERT_DRIFT_DATASET, exp_ds))
        alerts.append(AlertCheck(t_end, C.ALERT_DRIFT_NODATA, ()))
        return RuleTest(name, "1m", tuple(ser), tuple(alerts), tuple(checks))

    def nodata_alerts(missing: int) -> tuple[ExpAlert, ...]:
        out = [ExpAlert(mon.alert_labels(model, C.SEVERITY_TICKET, "features"), mon.nodata_annotations(model, s, "features", str(missing)))]
        if s.prediction is not None:
            out.append(ExpAlert(mon.alert_labels(model, C.SEVERITY_TICKET, "prediction"), mon.nodata_annotations(model, s, "prediction")))
        return tuple(out)

    silent = [AlertCheck(nd_t, C.ALERT_DRIFT_FEATURE, ())]
    if s.prediction is not None:
        silent.append(AlertCheck(nd_t, C.ALERT_DRIFT_PREDICTION, ()))
    if s.drifted_share is not None:
        silent.append(AlertCheck(nd_t, C.ALERT_DRIFT_DATASET, ()))

    first = feats[0].name
    n_ds = len(feats) if s.drifted_share is None else max(1, math.ceil(s.drifted_share * len(feats)))
    everything = {d.name for d in feats} | {"__prediction__"}
    tests = [
        scored_case("drift: current bins match the baseline: exact scores, no drift alert", set()),
        scored_case(f"drift: feature {first} shifts by one bin: its drift alerts fire with exact labels and scores", {first}),
        scored_case(f"drift: {n_ds} of {len(feats)} features and the prediction shift: dataset and prediction drift fire",
                    {d.name for d in feats[:n_ds]} | {"__prediction__"}),  # fmt: skip
    ]
    if not model.idle_ok:
        ser, _ = series(everything, slow, nd_steps)
        tests.append(RuleTest(
            f"drift: shifted data but fewer than {s.min_samples} observations per {format_duration(s.window)}: no score, no drift alert, the no-data alert fires",
            "1m", tuple(ser), tuple(silent) + (AlertCheck(nd_t, C.ALERT_DRIFT_NODATA, nodata_alerts(len(feats))),),
            (ExprCheck(f"{C.DRIFT_FEATURE_SCORE}{m_sel}", nd_t, ()),),
        ))  # fmt: skip
    other = f"{C.PREDICTIONS_TOTAL}{{{mon.contract_selector(model)}}}"
    tests.append(RuleTest(
        "drift: no bin counters at all: the drift no-data alerts fire instead of going blind", "1m",
        ((other, f"0+10x{nd_steps}"),), tuple(silent) + (AlertCheck(nd_t, C.ALERT_DRIFT_NODATA, nodata_alerts(len(feats))),),
    ))  # fmt: skip
    return tests


MONITOR = DriftMonitor()
