"""The z-score of a signal against its own history: recorded signal, baseline mean and stddev
(trailing, or the same hour last week plus this week's trend), and the z-score."""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import RecordingRule
from mlmon.compiler.units import format_duration as dur
from mlmon.compiler.units import num
from mlmon.monitors.errors.compile import Anomaly
from mlmon.presets import signals as S

SOURCE = {"requests": C.REQUESTS_RATE, "error_ratio": C.ERROR_RATIO, "prediction_mean": C.PREDICTION_MEAN}
# denominator of the z-score: max(stddev + rel x |mean|, floor), so a flat baseline cannot divide by 0
Z_FLOOR = {"requests": (0.05, 0.01), "error_ratio": (0.05, 0.001), "prediction_mean": (0.02, 0.001)}
DIRECTION = {"requests": "both", "error_ratio": "up", "prediction_mean": "both"}
BASELINE_GAP = 900.0  # the baseline ends the alert's ``for`` plus this long ago
WEEK = 7 * 86400


def baseline_offset(an: Anomaly) -> float:
    """The baseline window ends this long ago, so an anomaly lasting the alert's ``for`` is not
    part of its own baseline (it becomes the new normal only after that)."""
    return an.for_ + BASELINE_GAP


def condition(model: Any, an: Anomaly, s: str) -> str:
    """The alert condition on the z-score of signal ``s``."""
    z = S.rec(model.id, C.ANOMALY_ZSCORE, {"signal": s})
    return {"both": f"abs({z}) > {num(an.z)}", "up": f"{z} > {num(an.z)}", "down": f"{z} < -{num(an.z)}"}[DIRECTION[s]]


def anomaly_rules(model: Any, an: Anomaly, s: str) -> list[RecordingRule]:
    m = model.id
    lab = {C.L_MODEL: m, "signal": s}
    sig = S.rec(m, C.ANOMALY_SIGNAL, {"signal": s})
    w = dur(an.window)
    off = dur(baseline_offset(an))
    trailing = f"avg_over_time({sig}[{w}] offset {off})"
    trailing_sd = f"stddev_over_time({sig}[{w}] offset {off})"
    if an.seasonality == "weekly":
        # same hour last week (centred) + this week's trend; its spread is last week's local spread.
        # Used only once a full previous week is recorded: the signal existed half a week before it began.
        last_week = dur(WEEK - 1800)
        prev = dur(WEEK + baseline_offset(an))
        gate = f"({sig} offset {dur(WEEK + baseline_offset(an) + 3.5 * 86400)})"
        mean = (
            f"(\n  avg_over_time({sig}[1h] offset {last_week})\n  + avg_over_time({sig}[1w] offset {off})\n"
            f"  - avg_over_time({sig}[1w] offset {prev})\n  and\n  {gate}\n)\nor\n{trailing}"
        )
        stddev = f"(\n  stddev_over_time({sig}[1h] offset {last_week})\n  and\n  {gate}\n)\nor\n{trailing_sd}"
    else:
        mean, stddev = trailing, trailing_sd
    rel, floor = Z_FLOOR[s]
    base_mean = S.rec(m, C.ANOMALY_BASELINE_MEAN, {"signal": s})
    base_sd = S.rec(m, C.ANOMALY_BASELINE_STDDEV, {"signal": s})
    zscore = (
        f"({sig} - {base_mean})\n/ clamp_min({base_sd} + {num(rel)} * abs({base_mean}), {num(floor)})\n"
        f"and\n({sig} offset {dur(baseline_offset(an) + an.window / 4)})"
    )  # baseline window at least 1/4 full
    return [
        RecordingRule(C.ANOMALY_SIGNAL, f"{S.rec(m, SOURCE[s])}", lab),
        RecordingRule(C.ANOMALY_BASELINE_MEAN, mean, lab),
        RecordingRule(C.ANOMALY_BASELINE_STDDEV, stddev, lab),
        RecordingRule(C.ANOMALY_ZSCORE, zscore, lab),
    ]
