"""The data-quality row of a model's dashboard: checked requests, and per check the share of
requests that failed it, by feature."""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import Panel, Row, Target, Threshold
from mlmon.compiler.units import format_duration, num
from mlmon.monitors.data_quality.compile import DataQuality
from mlmon.monitors.data_quality.rules import WHAT, ratio_name, sel

TITLES = {"missing": "Missing values", "out_of_range": "Out of range", "unseen": "Unseen categories", "schema": "Absent or wrong type"}


def _ranges(dq: DataQuality) -> str:
    return "; ".join(f"{f.name} [{num(f.valid[0])}, {num(f.valid[1])}]" for f in dq.features if f.valid is not None)


def dashboard_rows(model: Any, dq: DataQuality) -> list[Row]:
    s, w = sel(model), format_duration(dq.window)
    panels = [
        Panel(
            f"Checked requests ({w})",
            "stat",
            (Target(f"{C.DQ_ROWS}{s}", "requests", True),),
            unit="short",
            decimals=0,
            width=12,
            height=8,
            description=f"Requests whose features mlmon.instrument checked. Rates are empty below {dq.min_samples}.",
            thresholds=(Threshold(None, "red"), Threshold(dq.min_samples, "green")),
        )
    ]
    checks = [c for c in C.DQ_KINDS if dq.checked(c)]
    for c in checks:
        ceilings = sorted({f.ceilings[c] for f in dq.checked(c)})
        extra = f" Valid ranges: {_ranges(dq)}." if c == "out_of_range" else ""
        panels.append(
            Panel(
                f"{TITLES[c]} by feature ({w})",
                "timeseries",
                (Target(f"{ratio_name(c)}{s}", "{{feature}}"),),
                unit="percentunit",
                width=12,
                height=8,
                description=f"Share of requests that {WHAT[c]}. Alert above {', '.join(num(x) for x in ceilings)}.{extra}",
                thresholds=(Threshold(None, "green"), Threshold(ceilings[0], "red")),
            )
        )
    return [Row("Data quality", tuple(panels))]
