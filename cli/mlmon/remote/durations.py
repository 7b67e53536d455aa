"""Durations as servers and files give them, in one spelling for comparing.

The grammar and the spelling are ``mlmon.compiler.units`` (the ones ``generated/`` is written
with); this module only accepts what servers add: a number of seconds (Prometheus' rules API),
nothing at all (a field left out: zero), and values that are not durations (kept as they are, so
the comparison shows them instead of failing).
"""

from __future__ import annotations

from typing import Any

from mlmon.compiler.units import duration_seconds, format_duration


def seconds(value: Any) -> float:
    """``"1h30m"`` -> 5400.0, ``120`` -> 120.0, ``None``/``""`` -> 0.0. Raises ValueError."""
    if value is None or value == "":
        return 0.0
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return duration_seconds(str(value).strip())


def spelled(value: Any) -> Any:
    """``90m`` -> ``1h30m``, ``60s`` -> ``1m``, ``0`` -> ``0s``; anything else unchanged."""
    try:
        return format_duration(seconds(value))
    except ValueError:
        return value
