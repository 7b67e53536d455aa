"""``fairness:`` raw data -> the typed section (``Fairness``) and its semantic checks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlmon import conventions as C
from mlmon.compiler.context import CompileContext
from mlmon.compiler.units import format_duration
from mlmon.monitors.base import parse_durations
from mlmon.monitors.fairness import schema as D

RESERVED = C.RESERVED_GROUP_LABELS


@dataclass(frozen=True)
class Fairness:
    group_label: str
    window: float
    min_samples: int
    dp_min_ratio: float | None
    dp_max_difference: float | None
    eo_max_difference: float | None
    eo_window: float
    min_positives: int
    groups: tuple[str, ...]
    severity: str
    for_: float


def compile_section(raw: Any, ctx: CompileContext) -> Fairness | None:
    if raw is None:
        return None
    eo_window = (raw.get("equal_opportunity") or {}).get("window", D.EO_WINDOW)
    durs = parse_durations(ctx, ((("window",), raw.get("window", D.WINDOW)), (("for",), raw.get("for", D.FOR)), (("equal_opportunity", "window"), eo_window)))
    if durs is None:
        return None
    label = raw["group_label"]
    if label in RESERVED:
        ctx.error(("group_label",), "MLM213", f"group_label {label!r} is a label mlmon or Prometheus already uses for something else")
        return None
    dp = raw.get("demographic_parity") or {}
    eo = raw.get("equal_opportunity")
    if eo is not None and ctx.task not in ("binary_classification",):
        ctx.warning(("equal_opportunity",), "MLM213", f"equal opportunity needs binary outcome counters (tp/fn); task is {ctx.task}", key=True)
    dp_ratio = dp.get("min_ratio", D.DP_MIN_RATIO)
    if dp_ratio == 0 and "max_difference" not in dp:
        ctx.warning(("demographic_parity", "min_ratio"), "MLM210", "min_ratio 0 never fires and no max_difference is set: demographic parity is not alerted on")
    window = durs[("window",)]
    if window < 4 * ctx.scrape_interval:
        ctx.error(("window",), "MLM207", f"window {format_duration(window)} is shorter than 4x the scrape interval")
        return None
    return Fairness(
        group_label=label,
        window=window,
        min_samples=int(raw.get("min_samples", D.MIN_SAMPLES)),
        dp_min_ratio=float(dp_ratio) if dp_ratio else None,
        dp_max_difference=float(dp["max_difference"]) if "max_difference" in dp else None,
        eo_max_difference=float(eo.get("max_difference", D.EO_MAX_DIFFERENCE)) if eo is not None else None,
        eo_window=durs[("equal_opportunity", "window")],
        min_positives=int((eo or {}).get("min_positives", D.MIN_POSITIVES)),
        groups=tuple(raw.get("groups", ())),
        severity=C.SEVERITY_BY_CLASS[raw.get("severity", D.SEVERITY)],
        for_=durs[("for",)],
    )
