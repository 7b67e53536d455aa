"""Values and times as Grafana prints them for the units mlmon's dashboards use (pure)."""

from __future__ import annotations

import math

from mlmon.compiler.units import format_duration

_SI = ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "K"))
_BYTES = ((1024.0**4, "TiB"), (1024.0**3, "GiB"), (1024.0**2, "MiB"), (1024.0, "KiB"))


def _num(x: float, decimals: int | None) -> str:
    if decimals is not None:
        return f"{x:.{decimals}f}"
    if x == 0:
        return "0"
    mag = math.floor(math.log10(abs(x)))
    places = max(0, min(6, 2 - mag))
    text = f"{x:.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _scaled(x: float, decimals: int | None, table: tuple[tuple[float, str], ...], sep: str = " ") -> str:
    for factor, suffix in table:
        if abs(x) >= factor:
            return f"{_num(x / factor, decimals)}{sep}{suffix}"
    return _num(x, decimals)


def _seconds(x: float, decimals: int | None) -> str:
    a = abs(x)
    if a == 0:
        return "0 s"
    if a < 1e-3:
        return f"{_num(x * 1e6, decimals)} µs"
    if a < 1:
        return f"{_num(x * 1e3, decimals)} ms"
    for factor, unit in ((86400 * 365, "year"), (86400 * 7, "week"), (86400, "day"), (3600, "hour"), (60, "min")):
        if a >= factor:
            v = x / factor
            return f"{_num(v, decimals)} {unit}" + ("s" if unit not in ("min",) and abs(v) != 1 else "")
    return f"{_num(x, decimals)} s"


def format_value(x: float | None, unit: str, decimals: int | None = None) -> str:
    if x is None or math.isnan(x):
        return "No data" if x is None else "NaN"
    if math.isinf(x):
        return "+Inf" if x > 0 else "-Inf"
    if unit == "percent":
        return f"{_num(x, decimals)}%"
    if unit == "percentunit":
        return f"{_num(x * 100, decimals)}%"
    if unit == "s":
        return _seconds(x, decimals)
    if unit == "reqps":
        return f"{_scaled(x, decimals, _SI)} req/s"
    if unit == "currencyUSD":
        return "$" + _scaled(x, decimals, _SI, sep="")
    if unit == "bytes":
        return _scaled(x, decimals, _BYTES) + ("" if abs(x) >= 1024 else " B")
    return _scaled(x, decimals, _SI, sep="")


def format_time(t: float, span: float, absolute: bool) -> str:
    """An axis label: UTC clock time (with the date when the span is days) or, for scenario
    times, the offset from the scenario's start."""
    if not absolute:
        return "0" if t <= 0 else format_duration(round(t))
    days, rest = divmod(int(round(t)), 86400)
    hh, mm = divmod(rest // 60, 60)
    if span > 2 * 86400:
        y, m, d = civil_date(days)
        return f"{m:02d}-{d:02d}" + ("" if hh == mm == 0 else f" {hh:02d}:{mm:02d}")
    return f"{hh:02d}:{mm:02d}"


def civil_date(days: int) -> tuple[int, int, int]:
    """Days since 1970-01-01 -> (year, month, day), proleptic Gregorian (Hinnant's algorithm)."""
    z = days + 719468
    era = (z if z >= 0 else z - 146096) // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return (y + (m <= 2), m, d)


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering [lo, hi]."""
    if hi <= lo:
        hi = lo + (abs(lo) or 1.0)
    raw = (hi - lo) / max(1, count)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.floor(lo / step) * step
    ticks = []
    v = first
    while v <= hi + step * 1e-9:
        ticks.append(round(v, 12))
        v += step
    if ticks[-1] < hi:
        ticks.append(round(v, 12))
    return ticks
