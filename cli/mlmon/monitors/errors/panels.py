"""The "Errors and anomalies" dashboard row and the fleet panel."""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import Panel, Row, Target, Threshold
from mlmon.compiler.units import num
from mlmon.monitors.errors.checks import checks
from mlmon.presets import signals as S


def rows(model: Any) -> list[Row]:
    chk = checks(model)
    m = model.id
    panels: list[Panel] = []
    if (r := chk.ratio) is not None:
        panels.append(
            Panel(
                "Error ratio",
                "timeseries",
                (Target(S.rec(m, C.ERROR_RATIO), "errors / requests"),),
                unit="percentunit",
                min=0,
                thresholds=(Threshold(None, "green"), Threshold(r.warning, "orange"), Threshold(r.critical, "red")),
                width=8,
            )
        )
    if (an := chk.anomaly) is not None:
        panels.append(
            Panel(
                "Anomaly z-scores",
                "timeseries",
                (Target(f'{C.ANOMALY_ZSCORE}{{model="{m}"}}', "{{signal}}"),),
                min=None,
                thresholds=(Threshold(None, "green"), Threshold(an.z, "red")),
                width=8,
            )
        )
        for s in chk.signals:
            lab = {"signal": s}
            mean, sd = S.rec(m, C.ANOMALY_BASELINE_MEAN, lab), S.rec(m, C.ANOMALY_BASELINE_STDDEV, lab)
            panels.append(
                Panel(
                    f"{s.replace('_', ' ')} vs baseline",
                    "timeseries",
                    (
                        Target(S.rec(m, C.ANOMALY_SIGNAL, lab), "value"),
                        Target(mean, "expected"),
                        Target(f"{mean} + {num(an.z)} * {sd}", "upper band"),
                        Target(f"{mean} - {num(an.z)} * {sd}", "lower band"),
                    ),
                    width=8,
                )
            )
    if chk.degenerate is not None:
        panels.append(Panel("Prediction mean", "timeseries", (Target(S.rec(m, C.PREDICTION_MEAN), "mean score"),), width=8))
        panels.append(Panel("Invalid outputs", "timeseries", (Target(S.rec(m, C.INVALID_OUTPUT_RATIO), "invalid / requests"),), unit="percentunit", width=8))
    return [Row("Errors and anomalies", tuple(panels))] if panels else []


def fleet() -> list[Panel]:
    # (the fleet's "Top alerting models" panel comes from the cost monitor)
    return [Panel("Error ratio by model", "timeseries", (Target(f"max by (model) ({C.ERROR_RATIO})", "{{model}}"),), unit="percentunit", width=12)]
