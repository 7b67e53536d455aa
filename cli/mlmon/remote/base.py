"""What every live-server target shares: construction, messages, the apply lock.

A target reads its live state over HTTP, compares it with the generated files and returns
``plan.Change`` values (``plan``). `mlmon apply` then calls, for every target: ``recover`` (an apply
killed half-way), ``plan``, ``preflight`` (every refusal, before any target writes), ``apply``
(perform, verify, and restore the previous state when any step fails, raising ``ApplyError``
after the rollback) and, when a later target fails under ``--atomic``, ``undo``. ``RemoteError``:
nothing was changed, the server could not be read or refused (exit code 2).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlmon.plan import Change
from mlmon.remote.errors import ApplyError, RemoteError
from mlmon.remote.http import HttpClient, HttpSettings
from mlmon.remote.lock import default_lock_path

__all__ = ["ApplyError", "ApplyOptions", "RemoteError", "Target", "TargetConfig"]

STATE_DIR = Path(".mlmon")  # local state: the locks of HTTP targets (Grafana, Mimir)


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
    state_dir: Path = STATE_DIR
    connect_timeout: float = 3.0
    read_timeout: float = 10.0
    retries: int = 3
    settings: Mapping[str, Any] = field(default_factory=dict)
    auth: Mapping[str, str] = field(default_factory=dict)  # names of variables or files (contexts), never values


class Target:
    """One server. Subclasses set ``name`` and implement ``plan`` and ``apply``; ``options`` turns
    ``TargetConfig.settings`` into their own constructor keywords."""

    name = ""  # "prometheus" | "alertmanager" | "grafana" | "mimir"

    def __init__(
        self,
        url: str,
        *,
        state_dir: Path | str = STATE_DIR,
        settings: HttpSettings | None = None,
        env: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        auth: Mapping[str, str] | None = None,
    ):
        self.client = HttpClient(self.name, url, settings=settings, env=env, headers=headers, auth=auth)
        self.url = self.client.url  # no credentials: shown in the plan header and in messages
        self.state_dir = Path(state_dir)

    @classmethod
    def options(cls, settings: Mapping[str, Any]) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, cfg: TargetConfig) -> Any:
        http = HttpSettings(connect_timeout=cfg.connect_timeout, read_timeout=cfg.read_timeout, retries=cfg.retries)
        return cls(cfg.url, state_dir=cfg.state_dir, settings=http, auth=dict(cfg.auth or {}), **cls.options(dict(cfg.settings or {})))

    @property
    def lock_path(self) -> Path:
        """Where the apply lock lives (one apply at a time per server)."""
        return default_lock_path(self.state_dir, self.name, self.url)

    def at(self, text: str) -> str:
        """A message about this server: ``"<name> at <url>: <text>"``, the server named once even when
        ``text`` quotes messages that already name it."""
        return f"{self.name} at {self.url}: {self.local(text)}"

    def local(self, exc: BaseException | str) -> str:
        """The message without "<name> at <url>: " anywhere in it (the caller adds it once)."""
        return str(exc).replace(f"{self.name} at {self.url}: ", "")

    def stale(self, changes: Sequence[Change], fresh: Sequence[Change], same: Callable[[Change], Any]) -> list[str]:
        """The refusal when the plan made again now (``fresh``) disagrees with this target's part
        of ``changes`` (``same`` gives what must be equal)."""
        now = {(c.kind, c.name): c for c in fresh}
        wanted = [c for c in changes if c.target == self.name]
        stale = [f"{c.kind} {c.name}" for c in wanted if (c.kind, c.name) not in now or same(now[(c.kind, c.name)]) != same(c)]
        return [self.at(f"the live state changed since the plan was shown ({', '.join(stale)}); run `mlmon diff` again")] if stale else []

    def plan(self, generated: Path) -> Sequence[Change]:
        raise NotImplementedError

    def recover(self) -> Sequence[str]:
        """Finish or roll back an apply that was killed half-way (before planning); lines to show."""
        return []

    def preflight(self, generated: Path, changes: Sequence[Change], options: ApplyOptions) -> list[str]:
        """Every check that can refuse the apply, before anything is written anywhere: the
        refusals (empty: go ahead). RemoteError when the server or a path is unusable."""
        return []

    def apply(self, generated: Path, changes: Sequence[Change], options: ApplyOptions) -> Sequence[str]:
        """Perform ``changes``; return human-readable verification lines. Raise ApplyError."""
        raise NotImplementedError

    def undo(self) -> Sequence[str]:
        """Put back the state from before the last successful ``apply`` (a later target failed
        under ``--atomic``); raise ApplyError when it cannot."""
        return []


def rollback_summary(server: str, earlier: int, rolled: bool, notes: Sequence[str]) -> str:
    """What an apply that stopped at a failed step did about the steps before it."""
    if not rolled:
        return f"ROLLBACK INCOMPLETE, the {server} may be half-configured: " + "; ".join(notes)
    return f"rolled back the {earlier} earlier change(s) of this apply" if earlier else "nothing else had been changed"
