"""The live state one plan or apply works from, and the steps of an apply (what the rollback
needs: the dashboard before, what mlmon sent, the version it got)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mlmon.remote.grafana.normalise import OWNER_TAG


@dataclass
class LiveDash:
    uid: str
    json: dict[str, Any]
    version: int
    folder_uid: str
    tags: list[str]

    def owned_by(self, folder_uid: str) -> bool:
        return self.folder_uid == folder_uid and OWNER_TAG in self.tags


@dataclass
class Snapshot:
    folder_exists: bool
    folder_title: str | None
    owned: list[str]
    version: str = ""  # Grafana's version from /api/health
    dashboards: dict[str, LiveDash | None] = field(default_factory=dict)


@dataclass
class Step:
    uid: str
    action: str
    previous: LiveDash | None
    sent: dict[str, Any] | None = None  # the dashboard mlmon saved (None for a removal)
    new_version: int | None = None
    lost: bool = False  # the write's answer was lost: it may still land later
    completed: bool = False  # written and verified


class StepFailed(Exception):
    def __init__(self, message: str, lost: bool = False, auth: bool = False):
        super().__init__(message)
        self.lost = lost
        self.auth = auth  # 401/403: the token may not write here
