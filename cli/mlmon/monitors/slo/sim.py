"""The burn-rate simulation the SLO rule tests use: shared with the llm monitor, in
``monitors.burnrate``."""

from __future__ import annotations

from mlmon.monitors.burnrate import Increments as Increments  # re-exported for the slo modules
from mlmon.monitors.burnrate import Sim as Sim
from mlmon.monitors.burnrate import cumulative as cumulative
from mlmon.monitors.burnrate import simulate as simulate
from mlmon.monitors.burnrate import whole_minutes as whole_minutes
