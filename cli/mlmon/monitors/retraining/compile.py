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


def compile_section(raw: Any, ctx: CompileContext) -> Retraining | None:
    if raw is None:
        return None
    for_ = duration_field(ctx, raw, "for", DEFAULTS.for_)
    if for_ is None:
        return None
    triggers = tuple(r for r in REASONS if r in set(raw.get("triggers", DEFAULTS.triggers)))
    return Retraining(triggers, raw.get("drift_level", DEFAULTS.drift_level), raw.get("performance_level", DEFAULTS.performance_level), for_)
