"""The alerts that keep the performance alerts from going blind: a watched metric that cannot be
computed although predictions were due (MLModelPerformanceNoData), labels that stopped
(MLModelLabelsMissing) or cover too few predictions (MLModelLabelCoverageLow)."""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import AlertRule, promql_string
from mlmon.compiler.units import format_duration, num
from mlmon.monitors.base import alert_annotations
from mlmon.monitors.performance.compile import Performance
from mlmon.monitors.performance.exprs import Exprs
from mlmon.monitors.performance.names import COVERAGE_CHECK, LABELS_CHECK, T_VALUE, labels, sel
from mlmon.monitors.quality import contract_selector, metric_name


def nodata_expr(model: Any, p: Performance, metric: str) -> str:
    m = f'{C.L_MODEL}="{model.id}"'
    # blind when predictions were due for labels, or when the model emits no prediction counter at all
    due = f"(\n  {C.LABELS_DUE}{{{m}}} >= {p.min_samples}\n  or\n  absent({C.PREDICTIONS_TOTAL}{{{contract_selector(model)}}})\n)"
    if p.per_class(metric):
        parts = [f"absent({metric_name(metric)}{{{m},class={promql_string(c)}}})" for c in p.classes]
        return "(\n  " + "\n  or\n  ".join(parts) + f"\n)\nand on ()\n{due}"
    return f"absent({metric_name(metric)}{{{m}}})\nand on ()\n{due}"


def nodata_alert(model: Any, p: Performance, metric: str) -> AlertRule:
    return AlertRule(
        C.ALERT_PERF_NODATA,
        nodata_expr(model, p, metric),
        format_duration(p.for_),
        labels(model, metric, C.SEVERITY_TICKET),
        alert_annotations(
            model,
            f"{metric} cannot be computed although predictions were made (or no prediction counter exists)",
            f"Fewer than {p.min_samples} labelled predictions reached {metric}'s denominator in the last {format_duration(p.window)} "
            f"(or mlmon_{'confusion' if p.multiclass else 'outcomes'}_total is missing), so the {metric} alerts are blind. "
            "Check the label join, or lower min_samples / lengthen the window if the traffic is small.",
        ),
    )


def label_alerts(model: Any, p: Performance, x: Exprs) -> list[AlertRule]:
    out = []
    w, gone = format_duration(p.window), format_duration(p.no_labels_for)
    if p.min_coverage > 0:
        before = format_duration(p.labels_delay) + " earlier" if p.labels_delay else "in that window"
        out.append(
            AlertRule(
                C.ALERT_LABEL_COVERAGE,
                f"{C.LABEL_COVERAGE}{sel(model)} < {num(p.min_coverage)}",
                format_duration(p.for_),
                labels(model, COVERAGE_CHECK, C.SEVERITY_TICKET),
                alert_annotations(
                    model,
                    f"labels cover only {T_VALUE} of the predictions (minimum {num(p.min_coverage)})",
                    f"Labels joined in the last {w} divided by predictions made {before} "
                    f"is below {num(p.min_coverage)}. Performance figures rest on few, possibly biased labels. Check the label source and the join.",
                ),
            )
        )
    out.append(
        AlertRule(
            C.ALERT_LABELS_MISSING,
            x.labels_missing(),
            None,
            labels(model, LABELS_CHECK, C.SEVERITY_TICKET),
            alert_annotations(
                model,
                f"no ground-truth label arrived for {gone}",
                f"At least {p.min_samples} predictions were made that should have labels by now, but mlmon_labels_joined_total has not grown "
                f"(or is missing) for {gone}. Every performance alert of {model.id} is blind until labels flow again.",
            ),
        )
    )
    return out
