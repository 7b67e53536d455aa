"""The canary rule group: per-arm requests and the sample gate, per-arm error ratio, latency and
quality with their differences, the prediction divergence, and the alerts on each."""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import AlertRule, RecordingRule, RuleGroup
from mlmon.compiler.units import format_duration, num
from mlmon.monitors.base import alert_annotations, alert_labels
from mlmon.monitors.canary import exprs as X
from mlmon.monitors.canary.compile import Canary
from mlmon.monitors.canary.schema import KEY
from mlmon.monitors.quality import LOWER_IS_BETTER

ARMS = (C.ARM_BASELINE, C.ARM_CANDIDATE)


def sel(model: Any, arm: str | None = None) -> str:
    extra = f',{C.L_ARM}="{arm}"' if arm else ""
    return f'{{{C.L_MODEL}="{model.id}"{extra}}}'


def gate_expr(model: Any, c: Canary) -> str:
    """1 when both arms served min_samples requests in the window, 0 when one did not (absent without traffic)."""
    return f"sum(\n  {C.CANARY_REQUESTS}{sel(model)} >= bool {c.min_samples}\n) == bool 2"


def _gated(model: Any) -> str:
    return f"\nand on()\n{C.CANARY_GATE}{sel(model)} == 1"


def _per_arm(model: Any, record: str, build: Any, c: Canary, gate: str) -> list[RecordingRule]:
    return [RecordingRule(record, f"(\n{build(model, c, arm)}\n){gate}", {C.L_MODEL: model.id, C.L_ARM: arm}) for arm in ARMS]


def _diff(model: Any, record: str, op: str) -> str:
    cand, base = f"{record}{sel(model, C.ARM_CANDIDATE)}", f"{record}{sel(model, C.ARM_BASELINE)}"
    return f"{cand}\n{op} ignoring ({C.L_ARM})\n" + (f"({base} > 0)" if op == "/" else base)


def recording_rules(model: Any, c: Canary) -> list[RecordingRule]:
    lab = {C.L_MODEL: model.id}
    gated = _gated(model)
    out = [RecordingRule(C.CANARY_REQUESTS, X.requests(model, c, arm), {**lab, C.L_ARM: arm}) for arm in ARMS]
    out.append(RecordingRule(C.CANARY_GATE, gate_expr(model, c), lab))
    if c.max_error_increase is not None:
        out += _per_arm(model, C.CANARY_ERROR_RATIO, X.error_ratio, c, gated)
        out.append(RecordingRule(C.CANARY_ERROR_DELTA, _diff(model, C.CANARY_ERROR_RATIO, "-"), lab))
    if c.latency is not None:
        out += _per_arm(model, C.CANARY_LATENCY, X.latency, c, gated)
        out.append(RecordingRule(C.CANARY_LATENCY_RATIO, _diff(model, C.CANARY_LATENCY, "/"), lab))
    if c.prediction is not None:
        out.append(RecordingRule(C.CANARY_DIVERGENCE, f"{X.divergence(model, c)}{gated}", lab))
    if c.quality is not None:
        out += [RecordingRule(C.CANARY_LABELS, X.labels(model, c, arm), {**lab, C.L_ARM: arm}) for arm in ARMS]
        labelled = f"\nand on()\nsum(\n  {C.CANARY_LABELS}{sel(model)} >= bool {c.quality.min_labels}\n) == 2"
        out += _per_arm(model, C.CANARY_QUALITY, X.quality, c, labelled)
        out.append(RecordingRule(C.CANARY_QUALITY_DELTA, _diff(model, C.CANARY_QUALITY, "-"), lab))
    return out


def labels(model: Any, c: Canary, check: str, severity: str | None = None) -> dict[str, str]:
    return alert_labels(model, KEY, severity or c.severity, check)


def _versions(c: Canary) -> str:
    return f"{c.label}={c.candidate} ({c.mode}) against {c.label}={c.baseline}"


def _comparison(model: Any, c: Canary, alert: str, check: str, expr: str, summary: str, why: str) -> AlertRule:
    act = "Hold or roll back the rollout and compare the versions' logs." if c.mode == "canary" else "Do not promote the shadow version."
    return AlertRule(alert, expr, format_duration(c.for_), labels(model, c, check), alert_annotations(model, summary, f"{_versions(c)}: {why} {act}"))


def alert_rules(model: Any, c: Canary) -> list[AlertRule]:
    m, w = sel(model), format_duration(c.window)
    out = []
    if c.max_error_increase is not None:
        x = num(c.max_error_increase)
        summary = f"the candidate fails {{{{ $value | humanizePercentage }}}} more requests than the baseline (limit {x})"
        why = f"over the last {w} the candidate's error ratio is higher by more than {x}."
        out.append(_comparison(model, c, C.ALERT_CANARY_ERRORS, "error_ratio", f"{C.CANARY_ERROR_DELTA}{m} > {x}", summary, why))
    if c.latency is not None:
        x = num(c.latency.max_ratio)
        summary = f'the candidate is {{{{ $value | printf "%.2f" }}}}x slower than the baseline (limit {x}x)'
        why = f"over the last {w} the candidate's latency (p{num(c.latency.quantile * 100)}, or the mean) is more than {x} times the baseline's."
        out.append(_comparison(model, c, C.ALERT_CANARY_LATENCY, "latency", f"{C.CANARY_LATENCY_RATIO}{m} > {x}", summary, why))
    if c.prediction is not None:
        x = num(c.prediction.max_distance)
        summary = f'the versions\' outputs differ: distance {{{{ $value | printf "%.3f" }}}} (limit {x})'
        why = (
            f"over the last {w} the largest gap between the two output distributions ({c.prediction.histogram}, Kolmogorov-Smirnov) "
            f"is above {x}: expected only when the new version was meant to answer differently."
        )
        out.append(_comparison(model, c, C.ALERT_CANARY_DIVERGENCE, "prediction_drift", f"{C.CANARY_DIVERGENCE}{m} > {x}", summary, why))
    if c.quality is not None:
        q = c.quality
        worse = f"> {num(q.max_drop)}" if q.metric in LOWER_IS_BETTER else f"< -{num(q.max_drop)}"
        summary = f"the candidate's {q.metric} differs from the baseline's by {{{{ $value | printf \"%.3f\" }}}} (worse by more than {num(q.max_drop)})"
        why = (
            f"over the labels that arrived in the last {format_duration(q.window)} (at least {q.min_labels} per version) "
            f"the candidate's {q.metric} is worse by more than {num(q.max_drop)}."
        )
        out.append(_comparison(model, c, C.ALERT_CANARY_QUALITY, "quality", f"{C.CANARY_QUALITY_DELTA}{m} {worse}", summary, why))
    out.append(
        AlertRule(
            C.ALERT_CANARY_STARVED,
            f"sum({C.CANARY_REQUESTS}{sel(model, C.ARM_CANDIDATE)}) > 0\nand on()\n{C.CANARY_GATE}{m} == 0",
            format_duration(c.starved_for),
            labels(model, c, "samples", C.SEVERITY_TICKET),
            alert_annotations(
                model,
                f"the candidate cannot be judged: fewer than {c.min_samples} requests per {w} for {format_duration(c.starved_for)}",
                f"{_versions(c)}: one version served fewer than {c.min_samples} requests in {w}, so no comparison is made "
                "and `mlmon gate` answers inconclusive. Send the candidate more traffic or lower min_samples.",
            ),
        )
    )
    return out


def rule_groups(model: Any, c: Canary) -> list[RuleGroup]:
    rules: list[RecordingRule | AlertRule] = [*recording_rules(model, c), *alert_rules(model, c)]
    return [RuleGroup(f"mlmon-{model.id}-canary", tuple(rules))]
