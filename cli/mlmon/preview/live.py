"""``--prometheus URL``: fill panels with the panels' own PromQL over a time range, as Grafana
would ask for it (range queries for time series, instant queries at the end for the others)."""

from __future__ import annotations

import math
from typing import Any

from mlmon.preview.model import Dashboard, PanelData, Series, legend, substitute
from mlmon.remote.errors import RemoteError
from mlmon.remote.http import HttpClient

POINTS = 240  # points per time series (Grafana asks for about the panel's width in pixels)


class Prometheus:
    """The query API of one Prometheus server."""

    def __init__(self, url: str, timeout: float = 30.0):
        from mlmon.remote.http import HttpSettings

        self.client = HttpClient("prometheus", url, settings=HttpSettings(read_timeout=timeout))

    def query(self, expr: str, at: float) -> Any:
        return self._get("/api/v1/query", {"query": expr, "time": _ts(at)})

    def query_range(self, expr: str, start: float, end: float, step: float) -> Any:
        return self._get("/api/v1/query_range", {"query": expr, "start": _ts(start), "end": _ts(end), "step": _ts(step)})

    def _get(self, path: str, params: dict[str, str]) -> Any:
        resp = self.client.request("GET", path, what="query", expect=None, params=params)
        try:
            body = resp.json()
        except ValueError:
            raise RemoteError(f"prometheus: {path} answered HTTP {resp.status_code} without JSON") from None
        if body.get("status") != "success":
            raise QueryError(body.get("error") or f"HTTP {resp.status_code}")
        return body["data"]

    def close(self) -> None:
        self.client.close()


class QueryError(Exception):
    """Prometheus rejected a query (bad PromQL, an execution error): shown in the panel."""


def _ts(x: float) -> str:
    return f"{x:.3f}".rstrip("0").rstrip(".")


def step_for(start: float, end: float, scrape_interval: float, points: int = POINTS) -> float:
    return max(scrape_interval, math.ceil((end - start) / points))


def fill(prom: Prometheus, dashboard: Dashboard, start: float, end: float, *, scrape_interval: float = 15.0) -> dict[int, PanelData]:
    step = step_for(start, end, scrape_interval)
    out: dict[int, PanelData] = {}
    for p in dashboard.panels:
        if p.type == "row" or not p.targets:
            continue
        series: list[Series] = []
        errors: list[str] = []
        for t in p.targets:
            expr = substitute(t.expr, step=step, scrape_interval=scrape_interval, range_seconds=end - start)
            try:
                if t.instant:
                    data = prom.query(expr, end)
                else:
                    data = prom.query_range(expr, start, end, step)
            except QueryError as exc:
                errors.append(f"{t.ref}: {exc}")
                continue
            series.extend(_series(data, t.legend, t.ref, end))
        out[p.id] = PanelData(tuple(series), tuple(errors), "", start, end, absolute=True)
    return out


def _series(data: Any, fmt: str, ref: str, at: float) -> list[Series]:
    kind, result = data.get("resultType"), data.get("result")
    if kind == "scalar":
        return [Series(fmt or "value", (), ((float(result[0]), float(result[1])),), ref)]
    out = []
    for item in result or []:
        labels = dict(item.get("metric", {}))
        if "values" in item:
            points = tuple((float(t), float(v)) for t, v in item["values"])
        else:
            points = ((float(item["value"][0]), float(item["value"][1])),)
        out.append(Series(legend(fmt, labels), tuple(sorted(labels.items())), points, ref))
    return sorted(out, key=lambda s: (s.name, s.labels))
