"""The fairness alerts: parity thresholds, and the low-sample alerts that say when fairness cannot
be assessed (always tickets)."""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import AlertRule, regex_escape
from mlmon.compiler.units import format_duration, num
from mlmon.monitors.base import alert_annotations, alert_labels
from mlmon.monitors.fairness.compile import Fairness
from mlmon.monitors.fairness.promql import sel
from mlmon.monitors.fairness.schema import KEY

T_VALUE = '{{ $value | printf "%.3f" }}'


def labels(model: Any, f: Fairness, check: str, severity: str | None = None) -> dict[str, str]:
    return alert_labels(model, KEY, severity or f.severity, check)


def _parity_alerts(model: Any, f: Fairness) -> list[AlertRule]:
    s, w, fr, g = sel(model), format_duration(f.window), format_duration(f.for_), f.group_label
    out = []
    if f.dp_min_ratio is not None:
        r = num(f.dp_min_ratio)
        out.append(
            AlertRule(
                C.ALERT_FAIR_DP_RATIO,
                f"{C.FAIR_DP_RATIO}{s} < {r}",
                fr,
                labels(model, f, "demographic_parity"),
                alert_annotations(
                    model,
                    f"demographic-parity ratio {T_VALUE} across {g} is below {r}",
                    f"Over the last {w} the lowest selection rate (share of positive decisions) among the {g} groups is less "
                    f"than {r} of the highest. {r} is a screening convention (the four-fifths rule of thumb), not a legal test: "
                    "look at the per-group selection rates on the dashboard, check whether the input mix of the groups changed, "
                    "and involve the model's fairness reviewer.",
                ),
            )
        )
    if f.dp_max_difference is not None:
        d = num(f.dp_max_difference)
        out.append(
            AlertRule(
                C.ALERT_FAIR_DP_DIFFERENCE,
                f"{C.FAIR_DP_DIFFERENCE}{s} > {d}",
                fr,
                labels(model, f, "demographic_parity"),
                alert_annotations(
                    model,
                    f"demographic-parity difference {T_VALUE} across {g} exceeds {d}",
                    f"Over the last {w} the selection rates of the {g} groups differ by more than {d} (highest minus lowest). "
                    "Compare the per-group selection rates on the dashboard and check the inputs of the lowest group.",
                ),
            )
        )
    if f.eo_max_difference is not None:
        d = num(f.eo_max_difference)
        out.append(
            AlertRule(
                C.ALERT_FAIR_EO_DIFFERENCE,
                f"{C.FAIR_EO_DIFFERENCE}{s} > {d}",
                fr,
                labels(model, f, "equal_opportunity"),
                alert_annotations(
                    model,
                    f"equal-opportunity difference {T_VALUE} across {g} exceeds {d}",
                    f"Over the last {format_duration(f.eo_window)} of joined labels, the true-positive rates of the {g} groups "
                    f"differ by more than {d}: the model misses qualified cases of one group more often. Check the per-group TPR panel.",
                ),
            )
        )
    return out


def _low_sample_alerts(model: Any, f: Fairness) -> list[AlertRule]:
    s, w, fr, g = sel(model), format_duration(f.window), format_duration(f.for_), f.group_label
    out = [
        AlertRule(
            C.ALERT_FAIR_LOW_SAMPLES,
            f"{C.FAIR_SR_GROUPS}{s} < 2",
            fr,
            labels(model, f, "demographic_parity", C.SEVERITY_TICKET),
            alert_annotations(
                model,
                f"fewer than 2 {g} groups have {f.min_samples} decisions in {w}: fairness cannot be assessed",
                f"Demographic parity needs at least two groups with {f.min_samples} decisions (mlmon_predictions_total with "
                f"labels {g} and positive) in the last {w}. The counters are missing, lack the labels, or traffic is too "
                "low; fairness alerts cannot fire until this is fixed (lower min_samples or lengthen the window for low traffic).",
            ),
        )
    ]
    if f.groups:
        parts = [f'{C.FAIR_PREDICTIONS}{{{C.L_MODEL}="{model.id}",{C.L_GROUP}=~"{"|".join(regex_escape(x) for x in f.groups)}"}} < {f.min_samples}']
        parts += [f'absent({C.FAIR_PREDICTIONS}{{{C.L_MODEL}="{model.id}",{C.L_GROUP}="{x}"}})' for x in f.groups]
        out.append(
            AlertRule(
                C.ALERT_FAIR_LOW_SAMPLES,
                "\nor\n".join(parts),
                fr,
                labels(model, f, "groups", C.SEVERITY_TICKET),
                alert_annotations(
                    model,
                    f"{g} group {{{{ $labels.group }}}} has fewer than {f.min_samples} decisions in {w}",
                    "The group is listed in fairness.groups but is missing or too small to assess, so its treatment is not checked.",
                ),
            )
        )
    if f.eo_max_difference is not None:
        out.append(
            AlertRule(
                C.ALERT_FAIR_LOW_SAMPLES,
                f"{C.FAIR_TPR_GROUPS}{s} < 2",
                fr,
                labels(model, f, "equal_opportunity", C.SEVERITY_TICKET),
                alert_annotations(
                    model,
                    f"fewer than 2 {g} groups have {f.min_positives} labelled positives in {format_duration(f.eo_window)}",
                    "Equal opportunity needs outcome counters (mlmon_outcomes_total{outcome=tp|fn}) with the group label and enough "
                    "actual positives per group. Check the label join and its delay.",
                ),
            )
        )
    return out


def alert_rules(model: Any, f: Fairness) -> list[AlertRule]:
    return _parity_alerts(model, f) + _low_sample_alerts(model, f)
