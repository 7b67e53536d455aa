"""Production against training: with the spec's ``registry:`` block, each version's watched
metrics are compared with the figures its training run logged in the model registry.

The figures are recorded as ``mlmon_training:metric:value{model,version,metric}``
(``quality.training_rules``): constants from the registry file, or the series of the registry exporter. ``MLModelPerformanceBelowTraining``
fires when a version scores worse than its figure by more than ``max_drop_vs_training``
(multiclass per-class metrics are left out: a run logs one figure per metric)."""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import AlertRule, RecordingRule
from mlmon.compiler.units import format_duration, num
from mlmon.monitors.base import alert_annotations
from mlmon.monitors.performance.compile import Performance
from mlmon.monitors.performance.names import T_VALUE, labels
from mlmon.monitors.performance.schema import TITLES
from mlmon.monitors.quality import LOWER_IS_BETTER, metric_name, training_rules


def compared(model: Any, p: Performance) -> tuple[str, ...]:
    """The watched metrics compared with their training figures (none without a registry link)."""
    if getattr(model, "registry", None) is None or p.max_drop_vs_training >= 1:
        return ()
    return tuple(m for m in p.watched if not p.per_class(m))


def figure_rules(model: Any, p: Performance) -> list[RecordingRule]:
    return training_rules(model, compared(model, p))


def below_training_expr(model: Any, metric: str, by: float) -> str:
    m = f'{C.L_MODEL}="{model.id}"'
    op, sign = (">", "+") if metric in LOWER_IS_BETTER else ("<", "-")
    return f'{metric_name(metric, version=True)}{{{m}}}\n{op} on ({C.L_MODEL}, {C.L_VERSION})\n{C.TRAINING_METRIC}{{{m},metric="{metric}"}} {sign} {num(by)}'


def alerts(model: Any, p: Performance) -> list[AlertRule]:
    by = num(p.max_drop_vs_training)
    return [
        AlertRule(
            C.ALERT_PERF_BELOW_TRAINING,
            below_training_expr(model, metric, p.max_drop_vs_training),
            format_duration(p.for_),
            labels(model, metric, C.SEVERITY_TICKET),
            alert_annotations(
                model,
                f"version {{{{ $labels.version }}}} {metric} is {T_VALUE}, more than {by} worse than its training run",
                f"{TITLES[metric]} of model {model.id} in production (labels of the last {format_duration(p.window)}) is worse than the figure the version's "
                f"training run logged in the model registry by more than {by}. The production data differs from the evaluation data, or the labels do: "
                "compare input drift, check the label pipeline, then retrain or roll back.",
            ),
        )
        for metric in compared(model, p)
    ]
