"""What every live-server target supplies to `mlmon diff` / `mlmon apply`.

A target reads its live state over HTTP, compares it with the generated files and returns
``plan.Change`` values; ``apply`` performs them, verifies, and restores the previous state when
any step fails (raising ``ApplyError`` after the rollback).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, Sequence

from mlmon.plan import Change


class RemoteError(Exception):
    """A server could not be reached or answered wrongly (exit code 2). Message names the server."""


class ApplyError(Exception):
    """An apply step failed; ``rolled_back`` says whether the previous state was restored."""

    def __init__(self, message: str, rolled_back: bool):
        super().__init__(message)
        self.rolled_back = rolled_back


@dataclass(frozen=True)
class ApplyOptions:
    force: bool = False  # overwrite objects changed outside mlmon (e.g. dashboards edited in the UI)
    message: str = "mlmon apply"


class Target(Protocol):
    name: str  # "prometheus" | "alertmanager" | "grafana" | "mimir"

    def plan(self, generated: Path) -> Sequence[Change]: ...

    def apply(self, generated: Path, changes: Sequence[Change], options: ApplyOptions) -> Sequence[str]:
        """Perform ``changes``; return human-readable verification lines. Raise ApplyError."""
        ...
