"""What mlmon last applied to each dashboard, per server (``<state_dir>/state/grafana.json``), and
the live state one plan or apply works from."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlmon.remote.errors import RemoteError
from mlmon.remote.grafana.normalise import OWNER_TAG, TARGET

STATE_FILE = "grafana.json"


class State:
    def __init__(self, path: Path, server: str):
        self.path = path
        self.server = server
        self.data: dict[str, Any] = {"version": 1, "servers": {}}
        if path.is_file():
            try:
                loaded = json.loads(path.read_text(encoding="utf-8"))
                if isinstance(loaded, dict) and isinstance(loaded.get("servers"), dict):
                    self.data = loaded
            except (OSError, ValueError):
                raise RemoteError(f"{TARGET}: cannot read state file {path}; move it away to start afresh") from None

    @property
    def dashboards(self) -> dict[str, Any]:
        return self.data["servers"].setdefault(self.server, {}).setdefault("dashboards", {})

    def recorded(self, uid: str) -> int | None:
        rec = self.dashboards.get(uid)
        return int(rec["version"]) if isinstance(rec, dict) and "version" in rec else None

    def set(self, uid: str, version: int | None) -> None:
        if version is None:
            self.dashboards.pop(uid, None)
        else:
            self.dashboards[uid] = {"version": int(version)}

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self.data, indent=2, sort_keys=True) + "\n"
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".grafana-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, self.path)


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
    dashboards: dict[str, LiveDash | None] = field(default_factory=dict)


@dataclass
class Step:
    uid: str
    action: str
    previous: LiveDash | None
    new_version: int | None = None
    lost: bool = False  # the write's answer was lost: it may still land later
    completed: bool = False  # written and verified


class StepFailed(Exception):
    def __init__(self, message: str, lost: bool = False, auth: bool = False):
        super().__init__(message)
        self.lost = lost
        self.auth = auth  # 401/403: the token may not write here
