"""The regression monitor's rule group: window sums per version and per model, the metrics from
them (gated on ``min_samples``), the predictions due for labels, the training figures, and the
alerts of ``monitors.delayed``."""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import RecordingRule, RuleGroup
from mlmon.compiler.units import format_duration
from mlmon.monitors import delayed as D
from mlmon.monitors.quality import contract_selector
from mlmon.monitors.regression.compile import Regression
from mlmon.monitors.regression.schema import KEY, TITLES

KIND = D.Kind(
    KEY,
    C.REG_METRIC,
    C.REG_VERSION_METRIC,
    C.ALERT_REG_HIGH,
    C.ALERT_REG_VERSION,
    C.ALERT_REG_TRAINING,
    C.ALERT_REG_NODATA,
    relative=True,
    two_sided=frozenset({"bias"}),
)
NEEDS = {
    "mae": ("over_prediction", "under_prediction"),
    "rmse": ("squared_error",),
    "mape": ("absolute_percentage_error", "zero_actuals"),
    "bias": ("over_prediction", "under_prediction"),
}


def kinds(r: Regression) -> list[str]:
    """The sums the recorded metrics need, in REG_COUNTERS order."""
    wanted = {"samples", *(k for m in r.metrics for k in NEEDS[m])}
    return [k for k in C.REG_COUNTERS if k in wanted]


def count(kind: str, version: bool) -> str:
    return (C.REG_VERSION_COUNT if version else C.REG_COUNT).format(kind=kind)


def metric_expr(model: Any, r: Regression, metric: str, version: bool) -> str:
    m = D.sel(model)

    def c(kind: str) -> str:
        return f"{count(kind, version)}{{{m}}}"

    n = f"({c('samples')} >= {r.min_samples})"
    return {
        "mae": f"(\n  {c('over_prediction')}\n  +\n  {c('under_prediction')}\n)\n/\n{n}",
        "rmse": f"sqrt(\n  {c('squared_error')}\n  /\n  {n}\n)",
        "mape": f"{c('absolute_percentage_error')}\n/\n(({c('samples')} - {c('zero_actuals')}) >= {r.min_samples})",
        "bias": f"(\n  {c('over_prediction')}\n  -\n  {c('under_prediction')}\n)\n/\n{n}",
    }[metric]


def count_rules(model: Any, r: Regression) -> list[RecordingRule]:
    lab = {C.L_MODEL: model.id}
    sel, w = contract_selector(model), format_duration(r.window)
    out = [RecordingRule(count(k, True), f"sum by ({C.L_VERSION}) (increase({C.REG_COUNTERS[k]}{{{sel}}}[{w}]))", lab) for k in kinds(r)]
    return out + [RecordingRule(count(k, False), f"sum by ({C.L_MODEL}) ({count(k, True)}{{{D.sel(model)}}})", lab) for k in kinds(r)]


def rule_groups(model: Any, r: Regression) -> list[RuleGroup]:
    why = (
        f"Fewer than {r.min_samples} labelled predictions were scored in the last {format_duration(r.window)} "
        f"({C.REG_COUNTERS['samples']}; for mape: with an actual other than 0), so the regression alerts are blind. "
        "Check that the label joiner calls ModelMonitor.outcome(actual, predicted=...), or lower min_samples / lengthen the window if the traffic is small."
    )
    expr = lambda metric, version: metric_expr(model, r, metric, version)  # noqa: E731
    return [D.rule_group(KIND, model, r, count_rules(model, r), expr, TITLES.get, C.REG_COUNTERS["samples"], why)]
