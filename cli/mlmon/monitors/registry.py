"""The one list of monitors. Adding a capability = a package in monitors/ and a line here."""

from __future__ import annotations

from mlmon.monitors import (
    canary,
    cost,
    data_quality,
    drift,
    drift_scores,
    errors,
    fairness,
    feedback,
    infra,
    llm,
    performance,
    ranking,
    regression,
    retraining,
    slo,
    versions,
)

MONITORS = (
    slo.MONITOR,
    infra.MONITOR,
    errors.MONITOR,
    drift.MONITOR,
    drift_scores.MONITOR,  # drift computed by a library: the same alerts (a model has one of the two)
    data_quality.MONITOR,
    versions.MONITOR,  # before performance: its rules read the version ordering of the same tick
    performance.MONITOR,
    regression.MONITOR,  # after versions: its version comparison reads the ordering
    ranking.MONITOR,  # after versions, likewise
    cost.MONITOR,
    fairness.MONITOR,
    feedback.MONITOR,
    llm.MONITOR,
    canary.MONITOR,
    retraining.MONITOR,  # last: reads drift, performance and versions rules
)
