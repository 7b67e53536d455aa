"""Time options of `preview` and `report`: ``now``, ``now-6h``, Unix seconds or an RFC 3339 time."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

from mlmon.compiler.units import parse_duration

_RELATIVE = re.compile(r"^now(?:-(?P<ago>[0-9a-z]+))?$")


def parse_time(text: str, now: float | None = None) -> float:
    """Seconds since the epoch. Raises ValueError with a message for the user."""
    text = text.strip()
    m = _RELATIVE.match(text)
    if m:
        base = time.time() if now is None else now
        return float(int(base - (parse_duration(m.group("ago")) if m.group("ago") else 0)))
    try:
        return float(text)
    except ValueError:
        pass
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{text!r} is not a time (use now, now-30d, Unix seconds or 2026-01-31T00:00:00Z)") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


def period(start: str, end: str, now: float | None = None) -> tuple[float, float]:
    s, e = parse_time(start, now), parse_time(end, now)
    if e <= s:
        raise ValueError(f"--from ({start}) must be before --to ({end})")
    return s, e


def iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
