"""``errors`` raw data -> the typed ``Errors`` section, plus diagnostics. Defaults come from
``schema``; durations are in seconds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlmon.compiler.context import CompileContext
from mlmon.compiler.units import format_duration, parse_duration
from mlmon.monitors.base import duration
from mlmon.monitors.errors import schema as D
from mlmon.presets import signals as S


@dataclass(frozen=True)
class Ratio:
    enabled: bool
    warning: float
    critical: float
    for_: float
    min_rps: float


@dataclass(frozen=True)
class Anomaly:
    enabled: bool
    signals: tuple[str, ...] | None  # None: the defaults for the model
    z: float
    window: float
    seasonality: str  # none | weekly
    for_: float


@dataclass(frozen=True)
class Degenerate:
    enabled: bool | None  # None: on for the native preset
    window: float
    min_stddev: float
    invalid_ratio: float
    for_: float


@dataclass(frozen=True)
class Errors:
    enabled: bool
    ratio: Ratio
    anomaly: Anomaly
    degenerate: Degenerate
    no_data_for: float


def compile_errors(raw: Any, ctx: CompileContext) -> Errors:
    raw = raw or {}
    r, a, dg = (raw.get(k, {}) for k in ("ratio", "anomaly", "degenerate"))
    rd, ad, dd = D.RATIO, D.ANOMALY, D.DEGENERATE
    ratio = Ratio(
        r.get("enabled", rd["enabled"]),
        float(r.get("warning", rd["warning"])),
        float(r.get("critical", rd["critical"])),
        duration(ctx, ("ratio", "for"), r.get("for"), rd["for"]),
        float(r.get("min_rps", rd["min_rps"])),
    )
    if ratio.critical <= ratio.warning:
        ctx.error(("ratio", "critical"), "MLM210", f"critical {ratio.critical} must be above warning {ratio.warning}")
    anomaly = Anomaly(
        a.get("enabled", ad["enabled"]),
        tuple(a["signals"]) if "signals" in a else None,
        float(a.get("z", ad["z"])),
        duration(ctx, ("anomaly", "window"), a.get("window"), ad["window"]),
        a.get("seasonality", ad["seasonality"]),
        duration(ctx, ("anomaly", "for"), a.get("for"), ad["for"]),
    )
    if anomaly.window < 3600:
        ctx.error(("anomaly", "window"), "MLM203", "the anomaly baseline window must be at least 1h")
    if anomaly.window / ctx.evaluation_interval > 20000:
        ctx.warning(
            ("anomaly", "window"),
            "MLM203",
            f"the window holds {int(anomaly.window / ctx.evaluation_interval)} samples per evaluation; consider a shorter window",
        )
    degenerate = Degenerate(
        dg.get("enabled"),
        duration(ctx, ("degenerate", "window"), dg.get("window"), dd["window"]),
        float(dg.get("min_stddev", dd["min_stddev"])),
        float(dg.get("invalid_ratio", dd["invalid_ratio"])),
        duration(ctx, ("degenerate", "for"), dg.get("for"), dd["for"]),
    )
    rate_window = parse_duration(S.WINDOW)
    if degenerate.window < 4 * rate_window:
        ctx.error(
            ("degenerate", "window"),
            "MLM203",
            f"the degenerate-output window must be at least {format_duration(4 * rate_window)} (4 x the {S.WINDOW} rate window)",
        )
    return Errors(bool(raw.get("enabled", D.ENABLED)), ratio, anomaly, degenerate, duration(ctx, ("no_data_for",), raw.get("no_data_for"), D.NO_DATA_FOR))
