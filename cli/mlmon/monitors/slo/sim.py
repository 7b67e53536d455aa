"""The burn-rate simulation the SLO rule tests use: shared with the llm monitor, in
``monitors.burnrate``."""

from __future__ import annotations

from mlmon.monitors.burnrate import Increments, Sim, cumulative, simulate, whole_minutes  # noqa: F401  (re-exported for the slo modules)
