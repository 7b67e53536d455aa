"""The ``retraining`` section (opt-in): raw data -> ``Retraining`` plus diagnostics."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlmon.compiler.context import CompileContext
from mlmon.compiler.units import parse_duration
from mlmon.monitors.base import duration_field
from mlmon.monitors.retraining.schema import DEFAULTS, REASONS


@dataclass(frozen=True)
class Retraining:
    triggers: tuple[str, ...] = DEFAULTS.triggers  # in REASONS order
    drift_level: str = DEFAULTS.drift_level
    performance_level: str = DEFAULTS.performance_level
    for_: float = parse_duration(DEFAULTS.for_)
    feedback_decline: float = DEFAULTS.feedback_decline
    new_labels_min: int = DEFAULTS.new_labels_min
    new_labels_lookback: float = parse_duration(DEFAULTS.new_labels_lookback)


def compile_section(raw: Any, ctx: CompileContext) -> Retraining | None:
    if raw is None:
        return None
    for_ = duration_field(ctx, raw, "for", DEFAULTS.for_)
    labels = raw.get("new_labels") or {}
    lookback = duration_field(ctx, labels, "lookback", DEFAULTS.new_labels_lookback, at=("new_labels",))
    if for_ is None or lookback is None:
        return None
    triggers = tuple(r for r in REASONS if r in set(raw.get("triggers", DEFAULTS.triggers)))
    return Retraining(
        triggers,
        raw.get("drift_level", DEFAULTS.drift_level),
        raw.get("performance_level", DEFAULTS.performance_level),
        for_,
        float(raw.get("feedback_decline", DEFAULTS.feedback_decline)),
        int(labels.get("min", DEFAULTS.new_labels_min)),
        lookback,
    )
