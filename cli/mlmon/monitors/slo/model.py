"""The compiled ``slos`` section: one frozen ``SLO`` per objective, in spec order."""

from __future__ import annotations

from dataclasses import dataclass

from mlmon.monitors.slo.schema import TIERS, Tier


@dataclass(frozen=True)
class SLI:
    kind: str  # availability | latency | ratio
    threshold: float | None = None  # seconds, latency
    good: str | None = None  # ratio
    total: str | None = None  # ratio


@dataclass(frozen=True)
class SLO:
    name: str
    description: str
    objective: float  # percent
    period: float  # seconds
    sli: SLI
    page: bool
    ticket: bool
    no_data_for: float  # seconds

    @property
    def budget(self) -> float:
        """The error budget: the share of events that may fail."""
        return round(1.0 - self.objective / 100.0, 12)

    def tiers(self) -> list[Tier]:
        """The tiers this SLO alerts on, scaled to its period."""
        return [t.scaled(self.period) for t in TIERS if (self.page if t.severity_class == "page" else self.ticket)]

    def windows(self) -> list[float]:
        """Every window of every tier (alerting or not), scaled, shortest first."""
        return sorted({w for t in (x.scaled(self.period) for x in TIERS) for w in (t.long, t.short)})

    @property
    def nodata_window(self) -> float:
        """The range of the traffic query of the no-data alert: the shortest window."""
        return self.windows()[0]
