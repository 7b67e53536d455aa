"""The ``versions`` section (always on): raw data -> ``Versions`` plus diagnostics."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlmon.compiler.context import CompileContext
from mlmon.compiler.units import format_duration, parse_duration
from mlmon.monitors.base import duration_field
from mlmon.monitors.versions.schema import DEFAULTS


@dataclass(frozen=True)
class Versions:
    stale_after: float | None = None  # seconds; None: no staleness alert
    change_event_for: float = parse_duration(DEFAULTS.change_event_for)
    previous_lookback: float = parse_duration(DEFAULTS.previous_lookback)

    @property
    def stale_for_retraining(self) -> float:
        """The age at which the retraining staleness trigger fires."""
        return self.stale_after or parse_duration(DEFAULTS.stale_for_retraining)


def compile_section(raw: Any, ctx: CompileContext) -> Versions | None:
    raw = raw or {}
    stale = duration_field(ctx, raw, "stale_after")
    event = duration_field(ctx, raw, "change_event_for", DEFAULTS.change_event_for)
    lookback = duration_field(ctx, raw, "previous_lookback", DEFAULTS.previous_lookback)
    if (stale is None and "stale_after" in raw) or event is None or lookback is None:
        return None
    if event < 2 * ctx.evaluation_interval:
        ctx.error(
            ("change_event_for",),
            "MLM207",
            f"change_event_for {format_duration(event)} is shorter than two rule evaluations ({format_duration(2 * ctx.evaluation_interval)}); the event would be missed",
        )
        return None
    if lookback < event:
        ctx.error(("previous_lookback",), "MLM210", f"previous_lookback {format_duration(lookback)} is shorter than change_event_for {format_duration(event)}")
        return None
    return Versions(stale, event, lookback)
