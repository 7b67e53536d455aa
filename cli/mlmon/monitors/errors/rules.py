"""The errors rules: prediction-mean and invalid-output ratios, the anomaly z-scores, and the
error-ratio, anomaly, degenerate-output and no-data alerts (group ``mlmon-<id>-errors``)."""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import AlertRule, RecordingRule, RuleGroup
from mlmon.compiler.units import format_duration as dur
from mlmon.compiler.units import num
from mlmon.monitors.base import alert_annotations, alert_labels
from mlmon.monitors.errors import schema as D
from mlmon.monitors.errors.anomaly import anomaly_rules, condition
from mlmon.monitors.errors.checks import Checks, checks
from mlmon.presets import signals as S


def labels(model: Any, severity: str, check: str, **extra: str) -> dict[str, str]:
    return alert_labels(model, D.KEY, severity, check, **extra)


def contract_sel(model: Any) -> str:
    """Matchers of the model's own metric-contract series."""
    return f'{C.L_MODEL}="{model.id}"'


def rule_groups(model: Any) -> list[RuleGroup]:
    chk = checks(model)
    rules: list[RecordingRule | AlertRule] = [
        *_recorded(model, chk),
        *_ratio_alerts(model, chk),
        *_anomaly_alerts(model, chk),
        *_degenerate_alerts(model, chk),
        *nodata_alerts(model, chk),
    ]
    return [RuleGroup(f"mlmon-{model.id}-errors", tuple(rules))] if rules else []


def _recorded(model: Any, chk: Checks) -> list[RecordingRule]:
    out = []
    lab = {C.L_MODEL: model.id}
    csel = contract_sel(model)
    if chk.predictions:
        expr = f"sum(rate({C.PREDICTION_SCORE}_sum{{{csel}}}[{S.WINDOW}]))\n/\n(sum(rate({C.PREDICTION_SCORE}_count{{{csel}}}[{S.WINDOW}])) > 0)"
        out.append(RecordingRule(C.PREDICTION_MEAN, expr, lab))
    if chk.degenerate is not None:
        expr = f"sum(rate({C.INVALID_OUTPUTS_TOTAL}{{{csel}}}[{S.WINDOW}]))\n/\n(sum({S.rec(model.id, C.REQUESTS_RATE)}) > 0)"
        out.append(RecordingRule(C.INVALID_OUTPUT_RATIO, expr, lab))
    if chk.anomaly is not None:
        for s in chk.signals:
            out.extend(anomaly_rules(model, chk.anomaly, s))
    return out


def _ratio_alerts(model: Any, chk: Checks) -> list[AlertRule]:
    if (r := chk.ratio) is None:
        return []
    out = []
    for sev, thr in ((C.SEVERITY_TICKET, r.warning), (C.SEVERITY_PAGE, r.critical)):
        expr = f"{S.rec(model.id, C.ERROR_RATIO)} > {num(thr)}"
        if r.min_rps > 0:
            expr = f"{expr}\nand on (model)\n{S.rec(model.id, C.REQUESTS_RATE)} > {num(r.min_rps)}"
        out.append(
            AlertRule(
                D.A_RATIO,
                expr,
                dur(r.for_),
                labels(model, sev, "error_ratio"),
                alert_annotations(
                    model,
                    f"more than {num(thr * 100)}% of requests fail",
                    f"More than {num(thr * 100)}% of the requests to {model.id} have failed for {dur(r.for_)}. "
                    "Check the server logs for the failing reason, recent deploys and dependencies (feature store, GPU).",
                ),
            )
        )
    return out


def _anomaly_alerts(model: Any, chk: Checks) -> list[AlertRule]:
    if (an := chk.anomaly) is None:
        return []
    base = "the same time last week (plus this week's trend)" if an.seasonality == "weekly" else f"the trailing {dur(an.window)}"
    return [
        AlertRule(
            D.A_ANOMALY,
            condition(model, an, s),
            dur(an.for_),
            labels(model, C.SEVERITY_TICKET, f"anomaly_{s}"),
            alert_annotations(
                model,
                f"{s.replace('_', ' ')} is anomalous (|z| > {num(an.z)})",
                f"The {s.replace('_', ' ')} of {model.id} is more than {num(an.z)} standard deviations from {base}. "
                "Check what changed: traffic source, a deploy, upstream data; compare with the dashboard's baseline band.",
            ),
        )
        for s in chk.signals
    ]


def _degenerate_alerts(model: Any, chk: Checks) -> list[AlertRule]:
    if (dg := chk.degenerate) is None:
        return []
    pm = S.rec(model.id, C.PREDICTION_MEAN)
    # gate: the series existed half a window ago (independent of the evaluation interval)
    constant = f"stddev_over_time({pm}[{dur(dg.window)}]) < {num(dg.min_stddev)}\nand\n({pm} offset {dur(dg.window / 2)})"
    return [
        AlertRule(
            D.A_CONSTANT,
            constant,
            dur(dg.for_),
            labels(model, C.SEVERITY_TICKET, "constant_predictions"),
            alert_annotations(
                model,
                f"predictions have not varied for {dur(dg.window)}",
                f"The mean prediction score of {model.id} has been constant for {dur(dg.window)} while serving traffic: the model "
                "likely returns a fallback/default value (broken feature input, failed model load, stuck cache). Inspect raw outputs.",
            ),
        ),
        AlertRule(
            D.A_INVALID,
            f"{S.rec(model.id, C.INVALID_OUTPUT_RATIO)} > {num(dg.invalid_ratio)}",
            dur(dg.for_),
            labels(model, C.SEVERITY_TICKET, "invalid_outputs"),
            alert_annotations(
                model,
                f"more than {num(dg.invalid_ratio * 100)}% of outputs are invalid (NaN or out of range)",
                f"{model.id} returned more than {num(dg.invalid_ratio * 100)}% invalid outputs (counted in {C.INVALID_OUTPUTS_TOTAL}). "
                "Usually bad inputs (missing features, NaN propagation) or numeric overflow; check the input pipeline.",
            ),
        ),
    ]


def nodata_alerts(model: Any, chk: Checks) -> list[AlertRule]:
    """One no-data alert per input the checks read: the request rate, the contract's metrics."""
    items = []
    if chk.ratio is not None or chk.anomaly is not None:
        items.append(("requests", S.rec(model.id, C.REQUESTS_RATE), "the request rate"))
    if chk.predictions:
        items.append(("prediction_score", f"{C.PREDICTION_SCORE}_count{{{contract_sel(model)}}}", C.PREDICTION_SCORE))
    if chk.degenerate is not None:
        items.append(("invalid_outputs", f"{C.INVALID_OUTPUTS_TOTAL}{{{contract_sel(model)}}}", C.INVALID_OUTPUTS_TOTAL))
    nd = dur(chk.cfg.no_data_for)
    return [
        AlertRule(
            D.A_NODATA,
            f"absent({sel})",
            nd,
            labels(model, C.SEVERITY_TICKET, check),
            alert_annotations(
                model,
                f"{what} is missing: error and anomaly alerts are blind",
                f"{what} of {model.id} has had no data for {nd}, so the error/anomaly alerts cannot fire. "
                f"Check the scrape target, the preset ({model.serving.preset}) and that the service emits the metric "
                "(initialise labelled counters at start-up).",
            ),
        )
        for check, sel, what in items
    ]
