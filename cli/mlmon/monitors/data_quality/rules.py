"""The data-quality rules: checked requests in the window, per feature and check the share of
requests that failed it (gated on ``min_samples``), an alert per check, and the no-data alert."""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import AlertRule, RecordingRule, RuleGroup, regex_escape
from mlmon.compiler.units import format_duration, num
from mlmon.monitors.base import alert_annotations, alert_labels
from mlmon.monitors.data_quality.compile import DataQuality, Feature
from mlmon.monitors.data_quality.schema import CHECKS, KEY
from mlmon.monitors.quality import contract_selector

WHAT = {
    "missing": "have a missing value",
    "out_of_range": "are out of range",
    "unseen": "carry a category unseen in the reference data",
    "schema": "lack the feature or have the wrong type",
}


def sel(model: Any, extra: str = "") -> str:
    """``{model="<id>"}`` (the series these rules record), plus ``extra`` matchers."""
    return f'{{{C.L_MODEL}="{model.id}"{"," + extra if extra else ""}}}'


def features_matcher(feats: list[Feature]) -> str:
    return f'{C.L_FEATURE}=~"{"|".join(regex_escape(f.name) for f in feats)}"'


def ratio_name(check: str) -> str:
    return C.DQ_RATIO.format(kind=check)


def labels(model: Any, dq: DataQuality, check: str, severity: str | None = None) -> dict[str, str]:
    return alert_labels(model, KEY, severity or dq.severity, check)


def recording_rules(model: Any, dq: DataQuality) -> list[RecordingRule]:
    lab = {C.L_MODEL: model.id}
    w = format_duration(dq.window)
    src = contract_selector(model)
    out = [RecordingRule(C.DQ_ROWS, f"sum(increase({C.FEATURE_ROWS_TOTAL}{{{src}}}[{w}]))\nor on() vector(0)", lab)]
    for check in C.DQ_KINDS:
        feats = dq.checked(check)
        if feats:
            counted = f"sum by ({C.L_FEATURE}) (increase({C.DQ_COUNTERS[check]}{{{src},{features_matcher(feats)}}}[{w}]))"
            out.append(RecordingRule(ratio_name(check), f"{counted}\n/ on() group_left()\n({C.DQ_ROWS}{sel(model)} >= {dq.min_samples})", lab))
    return out


def _ceilings(feats: list[Feature], check: str) -> dict[float, list[Feature]]:
    by: dict[float, list[Feature]] = {}
    for f in feats:
        by.setdefault(f.ceilings[check], []).append(f)
    return dict(sorted(by.items()))


def alert_rules(model: Any, dq: DataQuality) -> list[AlertRule]:
    w, fr = format_duration(dq.window), format_duration(dq.for_)
    out = []
    for check in C.DQ_KINDS:
        by = _ceilings(dq.checked(check), check)
        if not by:
            continue
        expr = "\nor\n".join(f"{ratio_name(check)}{sel(model, features_matcher(fs))} > {num(c)}" for c, fs in by.items())
        limit = num(next(iter(by))) if len(by) == 1 else "its ceiling (" + "; ".join(f"{', '.join(f.name for f in fs)}: {num(c)}" for c, fs in by.items()) + ")"
        out.append(
            AlertRule(
                C.ALERT_DQ[check],
                expr,
                fr,
                labels(model, dq, check),
                alert_annotations(
                    model,
                    f"{{{{ $value | humanizePercentage }}}} of requests {WHAT[check]} in feature {{{{ $labels.feature }}}}",
                    f"Over the last {w}, the share of {CHECKS[check][2]} exceeded {limit}. "
                    "Check the upstream data pipeline and the feature's producer; the dashboard's data-quality row shows when it started.",
                ),
            )
        )
    out.append(
        AlertRule(
            C.ALERT_DQ_NODATA,
            f"{C.DQ_ROWS}{sel(model)} < {dq.min_samples}\nand on()\n{C.REQUESTS_RATE}{sel(model)} > 0",
            format_duration(dq.no_data_for),
            labels(model, dq, "no_data", C.SEVERITY_TICKET),
            alert_annotations(
                model,
                f"fewer than {dq.min_samples} requests with checked features per {w} while serving",
                f"Model {model.id} serves requests, but fewer than {dq.min_samples} of them had their features checked "
                f"({C.FEATURE_ROWS_TOTAL}) over the last {w}, so the data-quality alerts cannot fire. Check that the service passes "
                "its features to mlmon.instrument (predict(features) or observe_features) with the baseline loaded; for a "
                "low-traffic model lower min_samples or lengthen the window.",
            ),
        )
    )
    return out


def rule_groups(model: Any, dq: DataQuality) -> list[RuleGroup]:
    rules: list[RecordingRule | AlertRule] = [*recording_rules(model, dq), *alert_rules(model, dq)]
    return [RuleGroup(f"mlmon-{model.id}-{KEY.replace('_', '-')}", tuple(rules))]
