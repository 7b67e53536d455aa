"""The report's queries against a live Prometheus: instant queries at the end of the period and
range queries over it, split into requests of at most MAX_POINTS points (Prometheus refuses
more than 11,000 per series)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mlmon.preview.live import Prometheus, QueryError
from mlmon.report.sections import Source

MAX_POINTS = 10_000


class QueryFailed(Exception):
    """A query of the report was rejected (mlmon's own PromQL: a bug, or a server too old)."""


def source(prom: Prometheus, start: float, end: float, alert_step: float) -> Source:
    def instant(expr: str) -> list[tuple[Mapping[str, str], float]]:
        data = _ask(lambda: prom.query(expr, end), expr)
        if data.get("resultType") == "scalar":
            return [({}, float(data["result"][1]))]
        return [(dict(r["metric"]), float(r["value"][1])) for r in data.get("result") or []]

    def range_(expr: str, step: float) -> list[tuple[Mapping[str, str], list[tuple[float, float]]]]:
        series: dict[tuple[tuple[str, str], ...], list[tuple[float, float]]] = {}
        t = start
        while t <= end:
            stop = min(end, t + step * (MAX_POINTS - 1))
            data = _ask(lambda a=t, b=stop: prom.query_range(expr, a, b, step), expr)
            for r in data.get("result") or []:
                key = tuple(sorted(r["metric"].items()))
                series.setdefault(key, []).extend((float(ts), float(v)) for ts, v in r["values"])
            t = stop + step
        return [(dict(k), sorted(set(v))) for k, v in sorted(series.items())]

    return Source(instant, range_, start, end, alert_step)


def _ask(call: Any, expr: str) -> Any:
    try:
        return call()
    except QueryError as exc:
        raise QueryFailed(f"Prometheus rejected the query {expr!r}: {exc}") from None
