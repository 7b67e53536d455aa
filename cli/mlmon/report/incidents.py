"""Alert history from ``ALERTS`` samples (pure): runs of consecutive firing samples per label set,
their start, end and duration. A run ends at the last firing sample plus one step (the resolution
of the query); gaps of up to two steps (a rule group evaluated less often than the step) do not
break a run."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Incident:
    labels: tuple[tuple[str, str], ...]
    start: float
    end: float

    @property
    def seconds(self) -> float:
        return self.end - self.start


def runs(series: Iterable[tuple[Mapping[str, str], list[tuple[float, float]]]], step: float) -> list[Incident]:
    out: list[Incident] = []
    for labels, points in series:
        ident = tuple(sorted((k, v) for k, v in labels.items() if k not in ("__name__", "alertstate")))
        start = last = None
        for t, _ in sorted(points):
            if last is not None and t - last > step * 2.5:
                out.append(Incident(ident, start, last + step))  # type: ignore[arg-type]
                start = None
            if start is None:
                start = t
            last = t
        if start is not None and last is not None:
            out.append(Incident(ident, start, last + step))
    return sorted(out, key=lambda i: (i.labels, i.start))
