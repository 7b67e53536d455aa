"""The ``versions`` section's schema and its defaults (written here once)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlmon.compiler import dsl as S


@dataclass(frozen=True)
class Defaults:
    change_event_for: str = "15m"
    previous_lookback: str = "14d"
    stale_for_retraining: str = "30d"  # the retraining staleness trigger's age when stale_after is unset


DEFAULTS = Defaults()


def schema() -> dict[str, Any]:
    d = DEFAULTS
    return S.obj(
        {
            "stale_after": S.duration(
                "warning when the current version was trained longer ago than this (reads mlmon_model_trained_timestamp_seconds); "
                f"also the staleness retraining trigger (default {d.stale_for_retraining} there)"
            ),
            "change_event_for": S.duration("how long the version-change event alert stays firing after a new version appears", d.change_event_for),
            "previous_lookback": S.duration("how far back the previous version is searched for the version-regression alert", d.previous_lookback),
        },
        (),
        "Version info, deployment events and staleness (always on; this only tunes it)",
    )
