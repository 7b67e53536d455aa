"""The drift row of a model's dashboard, and the fleet overview's drifted-feature share."""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import Panel, Row, Target, Threshold
from mlmon.artifacts import promql_string as q
from mlmon.compiler.units import format_duration, num
from mlmon.monitors.drift import schema as D
from mlmon.monitors.drift.compile import Drift
from mlmon.monitors.drift.promql import model_matcher, re_alt


def _levels(warn: float, critical: float) -> tuple[Threshold, ...]:
    return (Threshold(None, "green"), Threshold(warn, "orange"), Threshold(critical, "red"))


def _score_panels(model: Any, s: Drift) -> list[Panel]:
    """The drift score of the features over time, one panel per set of thresholds, so the lines a
    feature is drawn against are the ones its alerts compare with; the section's set first."""
    by_levels: dict[tuple[float, float], list[str]] = {}
    for d in s.features:
        by_levels.setdefault((d.warn, d.critical), []).append(d.name)
    w = format_duration(s.window)
    if len(by_levels) == 1 and (s.warn, s.critical) in by_levels:
        return [
            Panel(
                f"Feature drift ({s.score_name}, {w} window)",
                "timeseries",
                (Target(f"{C.DRIFT_FEATURE_SCORE}{model_matcher(model)}", "{{feature}}"),),
                width=12,
                height=8,
                thresholds=_levels(s.warn, s.critical),
                min=0,
                description=f"{s.score_name} of each feature's last-{w} distribution against the baseline {s.baseline_file}. "
                f"Default thresholds: warn {num(s.warn)}, critical {num(s.critical)} (features may override).",
            )
        ]
    out = []
    for (warn, critical), names in sorted(by_levels.items(), key=lambda kv: (kv[0] != (s.warn, s.critical), kv[0])):
        sel = f"{{{C.L_MODEL}={q(model.id)},feature=~{re_alt(names)}}}"
        out.append(
            Panel(
                f"Feature drift at warn {num(warn)}, critical {num(critical)} ({s.score_name}, {w} window)",
                "timeseries",
                (Target(f"{C.DRIFT_FEATURE_SCORE}{sel}", "{{feature}}"),),
                width=12,
                height=8,
                thresholds=_levels(warn, critical),
                min=0,
                description=f"{s.score_name} of the last-{w} distribution of {', '.join(names)} against the baseline {s.baseline_file}, "
                f"drawn against these features' alert thresholds: warn {num(warn)}, critical {num(critical)}.",
            )
        )
    return out


def dashboard_rows(model: Any, s: Drift) -> list[Row]:
    m = model_matcher(model)
    w = format_duration(s.window)
    thr = _levels(s.warn, s.critical)
    share = s.drifted_share or D.DRIFTED_SHARE  # without the dataset alert: the default's line
    panels = [
        *_score_panels(model, s),
        Panel(
            "Top drifted features now",
            "bargauge",
            (Target(f"topk(10, {C.DRIFT_FEATURE_SCORE}{m})", "{{feature}}", True),),
            width=6,
            height=8,
            thresholds=thr,
            min=0,
            description="The ten features with the highest current drift score.",
        ),
        Panel(
            "Drifted features",
            "stat",
            (Target(f"{C.DRIFT_DRIFTED_SHARE}{m}", "share", True),),
            unit="percentunit",
            width=6,
            height=4,
            min=0,
            max=1,
            thresholds=(Threshold(None, "green"), Threshold(share, "red")),
            description=f"Share of scored features at or above their warn threshold (dataset drift when it reaches {num(share * 100)}%).",
        ),
        Panel(
            "Features without a score",
            "stat",
            (Target(f"{len(s.features)} - (count({C.DRIFT_FEATURE_SCORE}{m}) or vector(0))", "missing", True),),
            width=6,
            height=4,
            thresholds=(Threshold(None, "green"), Threshold(1, "red")),
            description=f"Monitored features with no drift score (absent counters or fewer than {s.min_samples} observations in {w}).",
        ),
        Panel(
            f"Observations per feature ({w} window)",
            "timeseries",
            (Target(f"{C.DRIFT_FEATURE_SAMPLES}{m}", "{{feature}}"),),
            width=12,
            height=8,
            thresholds=(Threshold(None, "red"), Threshold(s.min_samples, "green")),
            min=0,
            description=f"Observations counted per feature over the window; scores need at least {s.min_samples}.",
        ),
    ]
    if s.prediction is not None:
        panels.append(
            Panel(
                f"Prediction drift ({s.score_name})",
                "timeseries",
                (Target(f"{C.DRIFT_PREDICTION_SCORE}{m}", "prediction"), Target(f"{C.DRIFT_PRED_SAMPLES}{m}", "observations")),
                width=12,
                height=8,
                thresholds=_levels(s.prediction.warn, s.prediction.critical),
                min=0,
                description="Drift of the prediction score distribution against the baseline.",
            )
        )
    return [Row(f"Drift ({s.score_name} against {s.baseline_file})", tuple(panels))]


def fleet_panels(spec: Any) -> list[Panel]:
    if not any(m.section(D.KEY) for m in spec.models):
        return []
    return [
        Panel(
            "Drifted feature share by model",
            "bargauge",
            (Target(C.DRIFT_DRIFTED_SHARE, "{{model}}", True),),
            unit="percentunit",
            min=0,
            max=1,
            width=12,
            height=8,
            # red where the default dataset-drift alert fires, orange half way there
            thresholds=(Threshold(None, "green"), Threshold(D.DRIFTED_SHARE / 2, "orange"), Threshold(D.DRIFTED_SHARE, "red")),
        ),
    ]
