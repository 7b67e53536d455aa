"""What every live-server target supplies to `mlmon diff` / `mlmon apply`.

A target reads its live state over HTTP, compares it with the generated files and returns
``plan.Change`` values; ``apply`` performs them, verifies, and restores the previous state when
any step fails (raising ``ApplyError`` after the rollback).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Protocol, Sequence

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


@dataclass(frozen=True)
class TargetConfig:
    """How `mlmon diff`/`apply` construct a target: ``SomeTarget.from_config(cfg)``.

    ``settings`` holds target-specific values from flags or environment, e.g. Prometheus
    ``config_dir``, Alertmanager ``config_file``, Mimir ``tenant``. Secrets are never here: the
    HTTP client (``mlmon.remote.http.HttpClient``) reads them from ``MLMON_<TARGET>_*`` itself.
    """

    name: str
    url: str
    state_dir: Path = Path(".mlmon")  # local state: locks, last-applied records
    connect_timeout: float = 3.0
    read_timeout: float = 10.0
    retries: int = 3
    settings: Mapping[str, Any] = field(default_factory=dict)


class Target(Protocol):
    """Optional attributes the commands use when present:

    - ``url: str`` (shown in the plan header; no credentials),
    - ``lock_path: Path`` (where the apply lock lives; default ``<state_dir>/locks/<name>-<hash>.lock``),
    - ``from_config(cfg: TargetConfig)`` classmethod (construction).
    """

    name: str  # "prometheus" | "alertmanager" | "grafana" | "mimir"

    def plan(self, generated: Path) -> Sequence[Change]: ...

    def apply(self, generated: Path, changes: Sequence[Change], options: ApplyOptions) -> Sequence[str]:
        """Perform ``changes``; return human-readable verification lines. Raise ApplyError."""
        ...
