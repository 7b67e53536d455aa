"""``canary:`` raw data -> the typed section (``Canary``) and its semantic checks."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from mlmon import conventions as C
from mlmon import presets
from mlmon.compiler.context import CompileContext
from mlmon.compiler.units import format_duration
from mlmon.monitors.base import parse_durations
from mlmon.monitors.canary import schema as D
from mlmon.monitors.quality import BINARY


@dataclass(frozen=True)
class Latency:
    quantile: float
    max_ratio: float


@dataclass(frozen=True)
class Prediction:
    histogram: str  # a metric name (scoped like the preset's model series) or a full selector
    max_distance: float


@dataclass(frozen=True)
class Quality:
    metric: str
    max_drop: float
    window: float
    min_labels: int


@dataclass(frozen=True)
class Canary:
    mode: str
    label: str
    baseline: str
    candidate: str
    window: float
    min_samples: int
    max_error_increase: float | None  # None: not compared
    latency: Latency | None
    prediction: Prediction | None
    quality: Quality | None
    starved_for: float
    severity: str
    for_: float

    def arms(self) -> tuple[tuple[str, str], tuple[str, str]]:
        """(arm, label value) of the baseline and the candidate."""
        return (C.ARM_BASELINE, self.baseline), (C.ARM_CANDIDATE, self.candidate)

    def with_arms(self, baseline: str | None = None, candidate: str | None = None) -> Canary:
        """The same comparison of other label values (``mlmon gate --baseline/--candidate``)."""
        return dataclasses.replace(self, baseline=baseline or self.baseline, candidate=candidate or self.candidate)


def _on(raw: Any, available: bool) -> bool:
    """A check is on when written (and not disabled) or by default when the model's metrics allow it."""
    return bool(raw.get("enabled", True)) if raw is not None else available


def _missing(ctx: CompileContext, field: str, what: str, hint: str) -> None:
    ctx.error((field,), "MLM212", f"preset {ctx.defaults.get('preset', 'mlmon')!r} has no {what}, so {field} cannot be compared", hint=hint, key=True)


def _checks(raw: dict[str, Any], ctx: CompileContext, preset: presets.Preset) -> tuple[float | None, Latency | None, Prediction | None]:
    er, lat, pred = raw.get("error_ratio"), raw.get("latency"), raw.get("prediction")
    max_inc = None
    if _on(er, bool(preset.errors_src)):
        if not preset.errors_src:
            _missing(ctx, "error_ratio", "failed-request counter", "set serving.overrides.errors")
        max_inc = float((er or {}).get("max_increase", D.MAX_ERROR_INCREASE))
    latency = None
    if _on(lat, preset.signal("latency_mean") is not None):
        if preset.signal("latency_mean") is None:
            _missing(ctx, "latency", "latency signal", "set serving.overrides.latency")
        latency = Latency(float((lat or {}).get("quantile", D.QUANTILE)), float((lat or {}).get("max_ratio", D.MAX_LATENCY_RATIO)))
    prediction = None
    native = preset.name == "mlmon"
    if _on(pred, native):
        histogram = (pred or {}).get("histogram") or (C.PREDICTION_SCORE if native else None)
        if histogram is None:
            ctx.error(("prediction",), "MLM212", "name the histogram of the model's output (prediction.histogram)", key=True)
        else:
            prediction = Prediction(histogram, float((pred or {}).get("max_distance", D.MAX_DISTANCE)))
            if prediction.max_distance >= 1:
                ctx.warning(("prediction", "max_distance"), "MLM210", "the distance between two distributions is at most 1, so this never alerts")
    return max_inc, latency, prediction


def compile_section(raw: Any, ctx: CompileContext) -> Canary | None:
    if raw is None:
        return None
    q = raw.get("quality")
    fields: list[tuple[tuple[str, ...], Any]] = [
        (("window",), raw.get("window", D.WINDOW)),
        (("starved_for",), raw.get("starved_for", D.STARVED_FOR)),
        (("for",), raw.get("for", D.FOR)),
    ]
    if q is not None:
        fields.append((("quality", "window"), q.get("window", D.QUALITY_WINDOW)))
    durs = parse_durations(ctx, fields)
    preset = presets.get(ctx.defaults.get("preset", "mlmon"))
    assert preset is not None  # the compiler checked it
    preset = preset.with_overrides(ctx.defaults.get("serving_overrides") or None)
    label, baseline, candidate = raw.get("label", D.LABEL), raw.get("baseline", D.BASELINE), raw.get("candidate", D.CANDIDATE)
    if baseline == candidate:
        ctx.error(("candidate",), "MLM265", f"baseline and candidate are both {baseline!r}: the two versions cannot be told apart")
    if label in (preset.model_label, C.L_MODEL):
        ctx.error(
            ("label",),
            "MLM265",
            f"label {label!r} names the model, not its version",
            hint="use the label that differs between the versions (e.g. role or version)",
        )
    quality = None
    if q is not None:
        if ctx.task != BINARY:
            ctx.error(("quality",), "MLM266", f"quality is compared from binary outcome counters; task {ctx.task!r} has none", key=True)
        quality = Quality(q.get("metric", D.QUALITY_METRIC), float(q.get("max_drop", D.MAX_QUALITY_DROP)), 0.0, int(q.get("min_labels", D.MIN_LABELS)))
        if quality.max_drop >= 1:
            ctx.warning(("quality", "max_drop"), "MLM210", f"{quality.metric} cannot change by more than 1, so this never alerts")
    max_inc, latency, prediction = _checks(raw, ctx, preset)
    if durs is None:
        return None
    window = durs[("window",)]
    if window < 4 * ctx.scrape_interval:
        ctx.error(("window",), "MLM207", f"window {format_duration(window)} is shorter than 4x the scrape interval")
    if quality is not None:
        quality = dataclasses.replace(quality, window=durs[("quality", "window")])
    return Canary(
        mode=raw.get("mode", D.MODE),
        label=label,
        baseline=baseline,
        candidate=candidate,
        window=window,
        min_samples=int(raw.get("min_samples", D.MIN_SAMPLES)),
        max_error_increase=max_inc,
        latency=latency,
        prediction=prediction,
        quality=quality,
        starved_for=durs[("starved_for",)],
        severity=C.SEVERITY_BY_CLASS[raw.get("severity", D.SEVERITY)],
        for_=durs[("for",)],
    )
