"""Recording rules (the drift monitor's normalised names, from the library's values) and alerts."""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon import presets as P
from mlmon.artifacts import AlertRule, RecordingRule, RuleGroup
from mlmon.compiler.units import fmt_float, format_duration
from mlmon.monitors.base import alert_annotations, alert_labels
from mlmon.monitors.drift_scores import schema as D
from mlmon.monitors.drift_scores.compile import DriftScores

T_FEATURE = "{{ $labels.feature }}"
# the feature name routing tests use when the section lists none (the exporter names them; routes never match on it)
EXAMPLE_FEATURE = "unlisted-feature"
T_VALUE = '{{ $value | printf "%.3f" }}'
LEVELS = ((C.SEVERITY_PAGE, "critical"), (C.SEVERITY_TICKET, "warn"))


def labels(model: Any, severity: str, check: str) -> dict[str, str]:
    return alert_labels(model, D.MONITOR_LABEL, severity, check)


def model_labels(model: Any, s: DriftScores) -> dict[str, str]:
    preset = P.get(s.preset)
    assert preset is not None
    return dict(s.match) or {preset.model_label: model.id}


def value_expr(model: Any, s: DriftScores) -> str:
    """The library's value, one series per feature (or the share), over the model's series."""
    preset = P.get(s.preset)
    assert preset is not None
    src = preset.signal(D.SIGNAL[s.compared])
    assert src is not None
    return P.source_expr(src, P.Sel(P.matchers(model_labels(model, s))), format_duration(s.window))


def _op(s: DriftScores) -> str:
    return "<=" if s.compared == "p_value" else ">="


def recording_rules(model: Any, s: DriftScores) -> list[RecordingRule]:
    lab = {C.L_MODEL: model.id}
    m = f'{{{C.L_MODEL}="{model.id}"}}'
    if not s.per_feature:
        return [RecordingRule(C.DRIFT_DRIFTED_SHARE, value_expr(model, s), lab)]
    drifted = f"count by (model) ({C.DRIFT_FEATURE_SCORE}{m} {_op(s)} {fmt_float(s.warn)})\nor\n({C.DRIFT_FEATURES_SCORED}{m} * 0)"
    return [
        RecordingRule(C.DRIFT_FEATURE_SCORE, value_expr(model, s), lab),
        RecordingRule(C.DRIFT_FEATURES_SCORED, f"count by (model) ({C.DRIFT_FEATURE_SCORE}{m})", lab),
        RecordingRule(C.DRIFT_FEATURES_DRIFTED, drifted, lab),
        RecordingRule(C.DRIFT_DRIFTED_SHARE, f"{C.DRIFT_FEATURES_DRIFTED}{m}\n/\n({C.DRIFT_FEATURES_SCORED}{m} > 0)", lab),
    ]


def what(s: DriftScores) -> str:
    return {"score": "drift score", "p_value": "p-value", "share": "share of drift detector runs that flagged drift"}[s.compared]


def feature_annotations(model: Any, s: DriftScores, level: str, feature: str = T_FEATURE, value: str = T_VALUE) -> dict[str, str]:
    side = "at or below" if s.compared == "p_value" else "at or above"
    return alert_annotations(
        model,
        f"feature {feature} drifted ({s.preset} {what(s)} {value}, {side} the {level} threshold)",
        f"{s.preset} reports a {what(s)} of {value} for feature {feature} of model {model.id}, {side} the {level} threshold for "
        f"{format_duration(s.for_)}. Predictions on shifted inputs may be wrong. Check the upstream data pipeline for a change "
        "or bug; if the shift is real, evaluate the model on recent data and retrain.",
    )


def share_annotations(model: Any, s: DriftScores, thr: float, value: str = "{{ $value | humanizePercentage }}") -> dict[str, str]:
    return alert_annotations(
        model,
        f"{value} drifted by {s.preset} (threshold {fmt_float(thr * 100)}%)",
        f"{s.preset} reports that {value} of model {model.id}'s {'detector runs' if not s.per_feature else 'features'} flagged drift "
        f"(threshold {fmt_float(thr * 100)}%) for {format_duration(s.for_)}: the input data as a whole no longer looks like the "
        "reference. Look for a pipeline or upstream change first; otherwise retrain on recent data.",
    )


def nodata_annotations(model: Any, s: DriftScores) -> dict[str, str]:
    return alert_annotations(
        model,
        f"no {s.preset} drift values for {format_duration(s.no_data_for)}",
        f"The drift values {s.preset} exports for model {model.id} are missing ({', '.join(s.features) or 'all features'}), so "
        "its drift alerts cannot fire. Check that the job computing drift runs and that its exporter is scraped.",
    )


def alerts(model: Any, s: DriftScores) -> list[AlertRule]:
    m = f'{{{C.L_MODEL}="{model.id}"}}'
    fr = format_duration(s.for_)
    out: list[AlertRule] = []
    for sev, level in LEVELS:
        thr = s.critical if level == "critical" else s.warn
        if s.per_feature:
            lab = labels(model, sev, T_FEATURE)
            expr = f"{C.DRIFT_FEATURE_SCORE}{m} {_op(s)} {fmt_float(thr)}"
            # routing tests need a real feature name: the first listed, else one the exporter might report
            name = s.features[0] if s.features else EXAMPLE_FEATURE
            out.append(
                AlertRule(
                    C.ALERT_DRIFT_FEATURE,
                    expr,
                    fr,
                    lab,
                    feature_annotations(model, s, level),
                    labels_in_expr=tuple(k for k in lab if k != C.L_SEVERITY),
                    instance_labels=(labels(model, sev, name) | {"feature": name},),
                )
            )
        else:
            expr = f"{C.DRIFT_DRIFTED_SHARE}{m} >= {fmt_float(thr)}"
            out.append(AlertRule(C.ALERT_DRIFT_DATASET, expr, fr, labels(model, sev, "dataset"), share_annotations(model, s, thr)))
    if s.drifted_share is not None:
        sev = C.SEVERITY_PAGE if s.dataset_severity == "critical" else C.SEVERITY_TICKET
        expr = f"{C.DRIFT_DRIFTED_SHARE}{m} >= {fmt_float(s.drifted_share)}"
        out.append(AlertRule(C.ALERT_DRIFT_DATASET, expr, fr, labels(model, sev, "dataset"), share_annotations(model, s, s.drifted_share)))
    name = C.DRIFT_FEATURE_SCORE if s.per_feature else C.DRIFT_DRIFTED_SHARE
    if s.features:
        expr = f"(\n  {len(s.features)} - (count({name}{m}) or vector(0))\n) > 0"
    else:
        expr = f"absent({name}{m})"
    out.append(
        AlertRule(C.ALERT_DRIFT_NODATA, expr, format_duration(s.no_data_for), labels(model, C.SEVERITY_TICKET, "features"), nodata_annotations(model, s))
    )
    return out


def rule_groups(model: Any, s: DriftScores) -> list[RuleGroup]:
    return [RuleGroup(f"mlmon-{model.id}-drift-scores", (*recording_rules(model, s), *alerts(model, s)))]
