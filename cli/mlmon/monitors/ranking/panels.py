"""The ranking row of a model's dashboard: each metric (model, versions, training figures) and
the labelled lists scored."""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import Panel, Row, Target
from mlmon.compiler.units import format_duration
from mlmon.monitors import delayed as D
from mlmon.monitors.quality import contract_selector
from mlmon.monitors.ranking.compile import Ranking
from mlmon.monitors.ranking.rules import KIND, count, kinds
from mlmon.monitors.ranking.schema import meaning, title


def dashboard_rows(model: Any, r: Ranking) -> list[Row]:
    m, w = D.sel(model), format_duration(r.window)
    panels = D.metric_panels(KIND, model, r, title, meaning, lambda metric: "percentunit")
    if kinds(r):
        sel = contract_selector(model)
        panels.append(
            Panel(
                f"Lists scored ({w})",
                "timeseries",
                (
                    Target(f"{count('requests', False)}{{{m}}}", "scored"),
                    Target(f"sum(increase({C.RANK_COUNTERS['no_relevant']}{{{sel}}}[{w}]))", "no relevant item (not scored)"),
                    Target(f"{KIND.due()}{{{m}}}", "lists due"),
                ),
                unit="short",
                width=8,
                description=f"Labelled lists scored in the window next to the lists served labels_delay earlier. Metrics are empty below {r.min_samples}.",
            )
        )
    return [Row("Ranking quality", tuple(panels))]
