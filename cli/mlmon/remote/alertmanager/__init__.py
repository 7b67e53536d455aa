"""Alertmanager in file mode: mlmon owns the one config file the server loads.

``plan`` compares ``generated/alertmanager/alertmanager.yml`` with the loaded configuration from
``GET /api/v2/status`` (``config.original``), both normalised (see ``normalise``); ``apply`` writes
the file atomically and reloads. Next to the file, in ``.<file>.mlmon/``, mlmon keeps what it
needs to never leave the server between states: ``applied.json`` (the SHA-256 of the file it last
wrote and saw loaded: a file that no longer has it was edited outside mlmon), ``journal.json`` and
``previous.yml`` (the file before the apply in progress, see ``mlmon.remote.journal``),
``backup.yml`` (the last file the server had loaded before the last apply; never a file that did
not load) and ``lock``.

Inline secrets are invisible to the server's API (always ``<secret>``), so a change of an inline
secret value cannot be detected: use ``*_file`` fields (mlmon generates only those).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from mlmon.plan import Change
from mlmon.remote.alertmanager.normalise import diff_configs, normalise_config
from mlmon.remote.errors import RemoteError
from mlmon.remote.filemode import UNREADABLE, Disk, FileTarget, load_yaml, probe_writable
from mlmon.remote.journal import write_atomic
from mlmon.render.alertmanager import CONFIG

GENERATED_CONFIG = Path(CONFIG)


PREVIOUS = "previous.yml"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class AlertmanagerTarget(FileTarget):
    name = "alertmanager"
    LIVE = "configuration"
    FILES = "configuration"
    SETTING = "config_file"
    MISSING = "alertmanager: --alertmanager-config (or MLMON_ALERTMANAGER_CONFIG) is needed to apply"
    RELOAD_METRIC = "alertmanager_config_last_reload_successful"
    RELOAD_FAILED = "reload reported failure (alertmanager_config_last_reload_successful=0)"

    def __init__(self, url: str, location: Path | str | None = None, **kwargs: Any):
        super().__init__(url, location, **kwargs)
        self._staged: dict[str, bytes] = {}
        self._before: tuple[bytes | None, str | None, bool] = (None, None, False)  # old file, its record, whether it was loaded

    @property
    def file(self) -> Path:
        return self.required_location

    @property
    def sidecar(self) -> Path:
        return self.file.parent / f".{self.file.name}.mlmon"

    @property
    def lock_path(self) -> Path:
        return self.sidecar / "lock" if self.location is not None else super().lock_path

    @property
    def journal_path(self) -> Path:
        return self.sidecar / "journal.json"

    @property
    def where(self) -> str:
        return str(self.file)

    # --- reading -----------------------------------------------------------------------------------
    def live(self) -> dict[str, Any]:
        import yaml

        body = self.client.get_json("/api/v2/status", what="reading the loaded configuration (/api/v2/status)")
        try:
            return normalise_config(load_yaml(body["config"]["original"]) or {})
        except (KeyError, TypeError, yaml.YAMLError):
            raise RemoteError(self.at("/api/v2/status has no readable config.original")) from None

    live_config = live

    def desired_text(self, generated: Path) -> bytes:
        path = Path(generated) / GENERATED_CONFIG
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise RemoteError(f"{path}: not found (run `mlmon generate` first)") from None

    def desired(self, generated: Path) -> dict[str, Any]:
        state = self._state(self.desired_text(generated))
        if UNREADABLE in state:
            raise RemoteError(f"{Path(generated) / GENERATED_CONFIG}: not valid YAML")
        return state

    desired_config = desired

    def compare(self, before: Any, after: Any) -> list[Change]:
        return diff_configs(before, after)

    @staticmethod
    def _state(data: bytes) -> dict[str, Any]:
        import yaml

        try:
            doc = load_yaml(data) or {}
        except yaml.YAMLError:
            return {UNREADABLE: "not valid YAML"}
        return normalise_config(doc) if isinstance(doc, dict) else {UNREADABLE: "not a map"}

    def _record(self) -> str | None:
        try:
            return str(json.loads((self.sidecar / "applied.json").read_text(encoding="utf-8"))["sha256"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def disk(self) -> Disk | None:
        if not self.file.is_file():
            return None
        data, record = self.file.read_bytes(), self._record()
        owner = "mlmon" if record == sha256(data) else "edited" if record else "unknown"
        return Disk(self._state(data), owner)

    def state_of(self, token: str | None) -> Any:
        if token == PREVIOUS:
            path = self.sidecar / PREVIOUS
            return self._state(path.read_bytes()) if path.is_file() else None
        data = self.file.read_bytes() if self.file.is_file() else b""
        return self._state(data) if token is not None and sha256(data) == token else None

    # --- writing (FileTarget steps) ---------------------------------------------------------------
    def check_writable(self) -> None:
        if not self.file.parent.is_dir():
            raise RemoteError(f"alertmanager: the folder of {self.file} does not exist. Nothing was changed.")
        probe_writable(self.file.parent, self.name)
        probe_writable(self.sidecar, self.name)

    def check_files(self, generated: Path) -> list[str]:
        from mlmon.tools import ToolFailed, ToolMissing, amtool

        path = Path(generated) / GENERATED_CONFIG
        try:
            diags = amtool.check_config(path.name, cwd=path.parent)
        except ToolMissing:
            return []  # the reload and its verification still catch a configuration the server rejects
        except ToolFailed as exc:
            return [f"amtool could not check {path}: {exc}"]
        return [f"{path.parent / d.file}:{d.line}:{d.col}: {d.message}" for d in diags]

    def stage(self, generated: Path) -> tuple[str | None, str]:
        data = self.desired_text(generated)
        if not self.file.is_file():
            raise RemoteError(f"alertmanager: {self.file} does not exist; the server's configuration file is needed. Nothing was changed.")
        old = self.file.read_bytes()
        self._mode = self.file.stat().st_mode & 0o7777
        self._before = (old, self._record(), self._state(old) == self.live())
        write_atomic(self.sidecar / PREVIOUS, old)
        self._staged = {sha256(data): data}
        return PREVIOUS, sha256(data)

    def restage(self) -> tuple[str | None, str]:
        old = self._before[0] or b""
        write_atomic(self.sidecar / PREVIOUS, self.file.read_bytes())
        self._staged = {sha256(old): old}
        return PREVIOUS, sha256(old)

    def switch(self, token: str | None) -> None:
        if token is None:
            return
        data = (self.sidecar / PREVIOUS).read_bytes() if token == PREVIOUS else self._staged[token]
        write_atomic(self.file, data)
        mode = getattr(self, "_mode", None)
        if mode is not None:
            os.chmod(self.file, mode)

    def keep(self, previous: str | None, new: str, undo: bool = False) -> None:
        old, record, was_loaded = self._before
        sha = record if undo else new
        if sha is None:
            (self.sidecar / "applied.json").unlink(missing_ok=True)
        else:
            write_atomic(self.sidecar / "applied.json", (json.dumps({"sha256": sha}) + "\n").encode())
        if not undo and old is not None and was_loaded:  # a backup is always a file the server had loaded
            write_atomic(self.sidecar / "backup.yml", old)

    def back_on_disk(self) -> str:
        return f"the previous file is back ({self.file}) but the reload that restores it"

    def applied(self, generated: Path) -> str:
        return f"wrote {self.file}, reload succeeded, loaded configuration equals the generated one"
