"""Durations and number formatting shared by the compiler and the renderers (pure)."""

from __future__ import annotations

import functools
import math
import re

_DUR_RE = re.compile(r"^((?P<y>\d+)y)?((?P<w>\d+)w)?((?P<d>\d+)d)?((?P<h>\d+)h)?((?P<m>\d+)m)?((?P<s>\d+)s)?((?P<ms>\d+)ms)?$")
_UNITS = (("y", 365 * 86400.0), ("w", 7 * 86400.0), ("d", 86400.0), ("h", 3600.0), ("m", 60.0), ("s", 1.0), ("ms", 0.001))

# The bounds of what a spec may write (lint reports anything beyond, MLM221/MLM222): windows,
# periods and intervals up to ten years (Prometheus itself stops near 292 years, and the monitors'
# rule tests and range queries grow with the window); numbers finite, at most 1e15 in absolute
# value (exact in float64, written without exponent) and, unless zero, at least 1e-12 (smaller
# ones would print as 0 in rules).
MAX_DURATION = "10y"
MAX_NUMBER = 1e15
MIN_NUMBER = 1e-12


def duration_seconds(text: str) -> float:
    """Any Prometheus duration, zero included ("0", "0s", "1h30m", "250ms") -> seconds. Raises ValueError."""
    if not isinstance(text, str) or not text:
        raise ValueError(f"not a duration: {text!r} (use e.g. 5m, 1h, 30d)")
    return _seconds(text)


@functools.lru_cache(maxsize=4096)  # a fleet repeats the same few durations in every model
def _seconds(text: str) -> float:
    if text == "0":
        return 0.0
    m = _DUR_RE.match(text)
    if not m or not any(m.groupdict().values()):
        raise ValueError(f"not a duration: {text!r} (use units ms, s, m, h, d, w, y, largest first, e.g. 1h30m)")
    if any(len(v) > 18 for v in m.groupdict().values() if v):
        raise ValueError(f"duration {text[:24]}{'...' if len(text) > 24 else ''} is out of range")
    return sum(int(v) * dict(_UNITS)[k] for k, v in m.groupdict().items() if v)


def parse_duration(text: str) -> float:
    """Prometheus duration ("1h30m", "250ms", "30d") of a spec -> seconds, positive and at most
    ``MAX_DURATION``. Raises ValueError."""
    total = duration_seconds(text)
    if total <= 0:
        raise ValueError(f"duration must be positive: {text!r}")
    if total > duration_seconds(MAX_DURATION):
        raise ValueError(f"duration {text} is longer than {MAX_DURATION}, the longest a spec may use")
    return total


def number_problem(x: float) -> str | None:
    """Why the number ``x`` of a spec is out of range (not finite, too large, too small), or None."""
    if isinstance(x, float) and math.isnan(x):
        return ".nan is not a number a threshold or setting can take; write a finite number"
    if isinstance(x, float) and math.isinf(x):
        return f"{'-' if x < 0 else ''}.inf is not a finite number; write a finite number"
    if abs(x) > MAX_NUMBER:
        digits = len(str(abs(int(x)))) if isinstance(x, int) else None
        shown = f"a {digits}-digit number" if digits and digits > 16 else f"{x:g}"
        return f"{shown} is out of range (at most {MAX_NUMBER:g} in absolute value)"
    if x and abs(x) < MIN_NUMBER:
        return f"{x:g} is too small (a number other than 0 must be at least {MIN_NUMBER:g} in absolute value)"
    return None


@functools.lru_cache(maxsize=4096)
def format_duration(seconds: float) -> str:
    """Seconds -> the shortest Prometheus duration in days at most (7d stays 7d); 0 -> 0s."""
    if seconds < 0:
        raise ValueError("duration must not be negative")
    ms = int(round(seconds * 1000))
    if ms == 0:
        return "0s"
    out = ""
    for unit, size in (("d", 86400000), ("h", 3600000), ("m", 60000), ("s", 1000), ("ms", 1)):
        n, ms = divmod(ms, size)
        if n:
            out += f"{n}{unit}"
    return out


@functools.lru_cache(maxsize=65536)
def fmt_float(x: float) -> str:
    """Stable, short, round-trippable float text for PromQL and YAML (no exponent for usual values)."""
    if math.isinf(x):
        return "+Inf" if x > 0 else "-Inf"
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    text = repr(float(x))
    if "e" in text:
        text = f"{x:.15f}".rstrip("0").rstrip(".")
    return text


def num(x: float) -> str:
    """A number as written into rules and text: 12 significant digits (so 0.1 + 0.2 prints 0.3),
    then ``fmt_float``."""
    return fmt_float(float(f"{x:.12g}"))


def le_strings(x: float) -> list[str]:
    """Every spelling of a histogram bucket bound that clients emit for ``x``:
    Go (``1``, ``0.25``), Python prometheus_client and Prometheus 3 (``1.0``)."""
    if math.isinf(x):
        return ["+Inf"]
    out = {fmt_float(x), repr(float(x))}
    go = f"{x:g}"
    if "e" not in go:
        out.add(go)
    return sorted(out)


def le_matcher(x: float) -> str:
    """PromQL label matcher text for ``le`` equal to ``x`` in any client's spelling."""
    spellings = le_strings(x)
    if len(spellings) == 1:
        return f'le="{spellings[0]}"'
    return 'le=~"' + "|".join(s.replace(".", "\\\\.").replace("+", "\\\\+") for s in spellings) + '"'
