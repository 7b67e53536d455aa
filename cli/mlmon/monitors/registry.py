"""The one list of monitors. Adding a capability = a module in monitors/ and a line here."""

from __future__ import annotations

from mlmon.monitors import drift, slo

MONITORS = (
    slo.MONITOR,
    drift.MONITOR,
)
