"""The drift alerts and their annotations (what changed, why it matters, what to check)."""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import AlertRule
from mlmon.compiler.units import fmt_float, format_duration, num
from mlmon.monitors.base import alert_annotations, alert_labels
from mlmon.monitors.drift.compile import Drift
from mlmon.monitors.drift.promql import model_matcher
from mlmon.monitors.drift.schema import KEY

# Templates Prometheus expands per alert instance; the annotation functions take them as defaults,
# so the same text serves the rules (templates) and a case that needs it expanded.
T_FEATURE = "{{ $labels.feature }}"
T_SCORE = '{{ $value | printf "%.3f" }}'
T_SHARE = "{{ $value | humanizePercentage }}"
T_COUNT = '{{ $value | printf "%.0f" }}'
LEVELS = ((C.SEVERITY_PAGE, "critical"), (C.SEVERITY_TICKET, "warn"))  # severity of each threshold level


def labels(model: Any, severity: str, check: str) -> dict[str, str]:
    return alert_labels(model, KEY, severity, check)


def dataset_severity(s: Drift) -> str:
    return C.SEVERITY_PAGE if s.dataset_severity == "critical" else C.SEVERITY_TICKET


def feature_annotations(model: Any, s: Drift, level: str, feature: str = T_FEATURE, value: str = T_SCORE) -> dict[str, str]:
    w, fr = format_duration(s.window), format_duration(s.for_)
    return alert_annotations(
        model,
        f"feature {feature} drifted ({s.score_name} {value} at or above its {level} threshold)",
        f"Over the last {w}, the distribution of feature {feature} of model {model.id} differs from the baseline "
        f"{s.baseline_file} by {s.score_name} {value} (at or above the {level} threshold for {fr}). "
        "Predictions on shifted inputs may be wrong. Check the upstream data pipeline for a change or bug "
        "(units, defaults, new categories); if the shift is real, evaluate the model on recent data and retrain.",
    )


def prediction_annotations(model: Any, s: Drift, level: str, thr: float, value: str = T_SCORE) -> dict[str, str]:
    return alert_annotations(
        model,
        f"prediction score distribution drifted ({s.score_name} {value} >= {num(thr)})",
        f"Over the last {format_duration(s.window)}, the distribution of model {model.id}'s prediction score differs from the baseline "
        f"{s.baseline_file} by {s.score_name} {value} (>= {num(thr)}, {level}). "
        "The model now decides differently: check input drift on the dashboard and the labelled performance; "
        "a shift without input drift points at a changed model, version or post-processing.",
    )


def dataset_annotations(model: Any, s: Drift, value: str = T_SHARE) -> dict[str, str]:
    pct = num((s.drifted_share or 0) * 100)
    return alert_annotations(
        model,
        f"{value} of the features drifted (threshold {pct}%)",
        f"At least {pct}% of the scored features of model {model.id} are at or above their warn threshold over the last "
        f"{format_duration(s.window)}. The input data as a whole no longer looks like the baseline {s.baseline_file}: "
        "look for a pipeline or upstream change first; otherwise the model needs retraining on recent data.",
    )


def nodata_annotations(model: Any, s: Drift, what: str, value: str = T_COUNT) -> dict[str, str]:
    nd, w, n = format_duration(s.no_data_for), format_duration(s.window), len(s.features)
    if what == "prediction":
        return alert_annotations(
            model,
            f"no prediction drift score for {nd}",
            f"Prediction drift of model {model.id} cannot be computed: prediction bin counters ({C.PREDICTION_BIN_TOTAL} or the "
            f"configured histogram) are absent or saw fewer than {s.min_samples} observations in {w}.",
        )
    return alert_annotations(
        model,
        f"no feature bin counters for {nd}" if model.idle_ok else f"{value} of {n} features have no drift score for {nd}",
        f"Feature drift of model {model.id} cannot be computed, so its drift alerts cannot fire. A feature has no score when "
        f"its bin counters ({C.FEATURE_BIN_TOTAL}) are absent, it saw fewer than {s.min_samples} observations in {w}, "
        "or its histogram's le bounds do not include every baseline edge. Check that the model is instrumented and scraped.",
    )


CONTRACT_CHECKS = {True: "contract", False: "prediction_contract"}  # check label of the contract alert: features / prediction


def contract_annotations(model: Any, s: Drift, feature: bool, name: str = T_FEATURE, value: str = T_COUNT) -> dict[str, str]:
    what = f"feature {name}" if feature else "the prediction score"
    counter = C.FEATURE_BIN_TOTAL if feature else C.PREDICTION_BIN_TOTAL
    return alert_annotations(
        model,
        f"{what} has {value} bin label(s) not in the baseline",
        f"Model {model.id} counts {what} in {value} bin(s) of {counter} that the baseline {s.baseline_file} does not have "
        f"(in the last {format_duration(s.window)}). Their observations are counted in the {C.DRIFT_OTHER_BIN} bin, so drift "
        "still sees them, but the service bins values differently from the baseline the spec names: it was built or "
        "deployed with another baseline, or code writes bin labels itself. Bin with mlmon.instrument (or "
        "mlmon.baseline.bin_index) on the spec's baseline, or make the spec name the baseline the service uses.",
    )


def contract_rules(model: Any, s: Drift) -> list[AlertRule]:
    """Series whose bin label is not in the baseline: a ticket per feature (and the prediction)."""
    m, fr = model_matcher(model), format_duration(s.for_)
    out = []
    for feature, d in ((True, s.features), (False, (s.prediction,) if s.prediction is not None else ())):
        if not any(x.source is None for x in d):
            continue
        rec, by = (C.DRIFT_BIN_UNKNOWN, "model, feature") if feature else (C.DRIFT_PRED_BIN_UNKNOWN, "model")
        lab = labels(model, C.SEVERITY_TICKET, CONTRACT_CHECKS[feature])
        out.append(AlertRule(C.ALERT_DRIFT_CONTRACT, f"count by ({by}) ({rec}{m})", fr, lab, contract_annotations(model, s, feature)))
    return out


def alert_rules(model: Any, s: Drift) -> list[AlertRule]:
    m = model_matcher(model)
    fr = format_duration(s.for_)
    out: list[AlertRule] = []
    for sev, level in LEVELS:
        lab = labels(model, sev, T_FEATURE)
        thr_n = C.DRIFT_FEATURE_CRITICAL if level == "critical" else C.DRIFT_FEATURE_WARN
        out.append(
            AlertRule(
                C.ALERT_DRIFT_FEATURE,
                f"{C.DRIFT_FEATURE_SCORE}{m}\n>= on (model, feature)\n{thr_n}{m}",
                fr,
                lab,
                feature_annotations(model, s, level),
                # one instance per drifted feature, possibly dozens at once: only severity (which tells
                # the two rules apart) stays a template Prometheus expands per instance
                labels_in_expr=tuple(k for k in lab if k != C.L_SEVERITY),
                instance_labels=(labels(model, sev, s.features[0].name) | {"feature": s.features[0].name},),
            )
        )
    if s.prediction is not None:
        p = s.prediction
        for sev, level in LEVELS:
            thr = p.critical if level == "critical" else p.warn
            out.append(
                AlertRule(
                    C.ALERT_DRIFT_PREDICTION,
                    f"{C.DRIFT_PREDICTION_SCORE}{m} >= {fmt_float(thr)}",
                    fr,
                    labels(model, sev, "prediction"),
                    prediction_annotations(model, s, level, thr),
                )
            )
    if s.drifted_share is not None:
        out.append(
            AlertRule(
                C.ALERT_DRIFT_DATASET,
                f"{C.DRIFT_DRIFTED_SHARE}{m} >= {fmt_float(s.drifted_share)}",
                fr,
                labels(model, dataset_severity(s), "dataset"),
                dataset_annotations(model, s),
            )
        )
    out.extend(contract_rules(model, s))
    nd = format_duration(s.no_data_for)
    if model.idle_ok:
        expr = f"absent({C.DRIFT_BIN_INCREASE}{m})"
    else:
        expr = f"(\n  {len(s.features)} - (count({C.DRIFT_FEATURE_SCORE}{m}) or vector(0))\n) > 0"
    out.append(AlertRule(C.ALERT_DRIFT_NODATA, expr, nd, labels(model, C.SEVERITY_TICKET, "features"), nodata_annotations(model, s, "features")))
    if s.prediction is not None:
        expr = f"absent({C.DRIFT_PRED_BIN_INCREASE}{m})" if model.idle_ok else f"absent({C.DRIFT_PREDICTION_SCORE}{m})"
        out.append(AlertRule(C.ALERT_DRIFT_NODATA, expr, nd, labels(model, C.SEVERITY_TICKET, "prediction"), nodata_annotations(model, s, "prediction")))
    return out
