"""``feedback:`` raw data -> the typed section (``Feedback``) and its semantic checks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlmon import conventions as C
from mlmon.compiler.context import CompileContext
from mlmon.compiler.units import format_duration
from mlmon.monitors.base import parse_durations
from mlmon.monitors.feedback import schema as D


@dataclass(frozen=True)
class Feedback:
    window: float
    min_feedback: int
    spike: bool
    baseline: float
    k: float
    min_increase: float
    min_history: float
    max_negative_ratio: float | None
    min_rating: float | None
    stopped_for: float
    severity: str
    for_: float
    eval_interval: float

    @property
    def history_samples(self) -> int:
        """Samples of the ratio the baseline needs (one per evaluation over ``min_history``)."""
        return max(1, int(self.min_history // self.eval_interval))


def compile_section(raw: Any, ctx: CompileContext) -> Feedback | None:
    if raw is None:
        return None
    spike = raw.get("spike") or {}
    durs = parse_durations(
        ctx,
        (
            (("window",), raw.get("window", D.WINDOW)),
            (("stopped_for",), raw.get("stopped_for", D.STOPPED_FOR)),
            (("for",), raw.get("for", D.FOR)),
            (("spike", "baseline"), spike.get("baseline", D.BASELINE)),
            (("spike", "min_history"), spike.get("min_history", D.MIN_HISTORY)),
        ),
    )
    if durs is None:
        return None
    window, baseline, history = durs[("window",)], durs[("spike", "baseline")], durs[("spike", "min_history")]
    if window < 4 * ctx.scrape_interval:
        ctx.error(("window",), "MLM207", f"window {format_duration(window)} is shorter than 4x the scrape interval")
        return None
    if history > baseline:
        ctx.error(("spike", "min_history"), "MLM210", "min_history is longer than the baseline it must be found in, so spikes never alert")
        return None
    min_increase = float(spike.get("min_increase", D.MIN_INCREASE))
    if spike.get("enabled", D.SPIKE) and min_increase >= 1:
        ctx.error(
            ("spike", "min_increase"),
            "MLM350",
            f"min_increase {min_increase:g} can never be met: the negative share is at most 1, so it can never rise 1 or more above its mean",
            hint="use a rise below 1 (the default is 0.05), or spike: {enabled: false}",
        )
        return None
    if baseline < 4 * window:
        ctx.warning(("spike", "baseline"), "MLM210", f"a baseline of {format_duration(baseline)} holds fewer than 4 windows of {format_duration(window)}")
    return Feedback(
        window=window,
        min_feedback=int(raw.get("min_feedback", D.MIN_FEEDBACK)),
        spike=bool(spike.get("enabled", D.SPIKE)),
        baseline=baseline,
        k=float(spike.get("k", D.K)),
        min_increase=min_increase,
        min_history=history,
        max_negative_ratio=float(raw["max_negative_ratio"]) if "max_negative_ratio" in raw else None,
        min_rating=float(raw["min_rating"]) if "min_rating" in raw else None,
        stopped_for=durs[("stopped_for",)],
        severity=C.SEVERITY_BY_CLASS[raw.get("severity", D.SEVERITY)],
        for_=durs[("for",)],
        eval_interval=ctx.evaluation_interval,
    )
