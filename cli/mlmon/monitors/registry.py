"""The one list of monitors. Adding a capability = a module in monitors/ and a line here."""

from __future__ import annotations

from mlmon.monitors import cost, drift, errors, fairness, feedback, infra, slo

MONITORS = (
    slo.MONITOR,
    infra.MONITOR,
    errors.MONITOR,
    drift.MONITOR,
    cost.MONITOR,
    fairness.MONITOR,
    feedback.MONITOR,
)
