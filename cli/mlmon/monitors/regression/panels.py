"""The regression row of a model's dashboard: each metric (model, versions, training figures)
and the labels scored."""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import Panel, Row, Target
from mlmon.compiler.units import format_duration
from mlmon.monitors import delayed as D
from mlmon.monitors.regression.compile import Regression
from mlmon.monitors.regression.rules import KIND, count
from mlmon.monitors.regression.schema import MEANING, TITLES


def dashboard_rows(model: Any, r: Regression) -> list[Row]:
    m, w = D.sel(model), format_duration(r.window)
    panels = D.metric_panels(KIND, model, r, TITLES.get, MEANING.get, lambda metric: "percentunit" if metric == "mape" else "short")
    panels.append(
        Panel(
            f"Labels scored ({w})",
            "timeseries",
            (
                Target(f"{count('samples', False)}{{{m}}}", "scored"),
                *((Target(f"{count('zero_actuals', False)}{{{m}}}", "actual 0 (not in MAPE)"),) if "mape" in r.metrics else ()),
                Target(f"{KIND.due()}{{{m}}}", "predictions due"),
            ),
            unit="short",
            width=8,
            description=f"Labelled predictions scored in the window ({C.REG_COUNTERS['samples']}) next to the predictions made labels_delay earlier. "
            f"Metrics are empty below {r.min_samples}.",
        )
    )
    return [Row("Regression quality", tuple(panels))]
