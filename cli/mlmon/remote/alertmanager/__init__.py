"""Alertmanager in file mode: mlmon owns the one config file the server loads.

``plan`` compares ``generated/alertmanager/alertmanager.yml`` with the loaded configuration from
``GET /api/v2/status`` (``config.original``), both normalised (see ``normalise``); ``apply`` writes
the file atomically and reloads.

Inline secrets are invisible to the server's API (always ``<secret>``), so a change of an inline
secret value cannot be detected: use ``*_file`` fields (mlmon generates only those).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mlmon.plan import Change
from mlmon.remote.alertmanager.normalise import diff_configs, normalise_config
from mlmon.remote.errors import RemoteError
from mlmon.remote.filemode import FileTarget, load_yaml
from mlmon.render.alertmanager import CONFIG

GENERATED_CONFIG = Path(CONFIG)


class AlertmanagerTarget(FileTarget):
    name = "alertmanager"
    LIVE = "configuration"
    FILES = "configuration"
    SETTING = "config_file"
    MISSING = "alertmanager: --alertmanager-config (or MLMON_ALERTMANAGER_CONFIG) is needed to apply"
    RELOAD_METRIC = "alertmanager_config_last_reload_successful"
    RELOAD_FAILED = "reload reported failure (alertmanager_config_last_reload_successful=0)"

    @property
    def lock_path(self) -> Path:
        if self.location is not None:
            return self.location.parent / f".{self.location.name}.mlmon.lock"
        return super().lock_path

    @property
    def file(self) -> Path:
        return self.required_location

    def live_config(self) -> dict[str, Any]:
        import yaml

        body = self.client.get_json("/api/v2/status", what="reading the loaded configuration (/api/v2/status)")
        try:
            return normalise_config(load_yaml(body["config"]["original"]) or {})
        except (KeyError, TypeError, yaml.YAMLError):
            raise RemoteError(self.at("/api/v2/status has no readable config.original")) from None

    def desired_text(self, generated: Path) -> bytes:
        path = Path(generated) / GENERATED_CONFIG
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise RemoteError(f"{path}: not found (run `mlmon generate` first)") from None

    def desired_config(self, generated: Path) -> dict[str, Any]:
        import yaml

        try:
            return normalise_config(load_yaml(self.desired_text(generated)) or {})
        except yaml.YAMLError:
            raise RemoteError(f"{Path(generated) / GENERATED_CONFIG}: not valid YAML") from None

    def plan(self, generated: Path) -> Sequence[Change]:
        desired = self.desired_config(generated)
        return diff_configs(self.live_config(), desired)

    # --- writing (FileTarget steps) ---------------------------------------------------------------
    def _check_writable(self) -> None:
        if not self.file.parent.is_dir():
            raise RemoteError(f"alertmanager: folder of {self.file} does not exist")

    def _install(self, generated: Path) -> tuple[bytes | None, int | None]:
        data = self.desired_text(generated)
        old = self.file.read_bytes() if self.file.exists() else None
        mode = (self.file.stat().st_mode & 0o7777) if self.file.exists() else None
        if old is not None:  # on-disk copy for a manual restore after a crash
            (self.file.parent / f".{self.file.name}.mlmon-backup").write_bytes(old)
        self._write(data, mode)
        return old, mode

    def _restore(self, previous: tuple[bytes | None, int | None]) -> None:
        old, mode = previous
        if old is not None:
            self._write(old, mode)

    def _write(self, data: bytes, mode: int | None) -> None:
        fd, tmp = tempfile.mkstemp(prefix=f".{self.file.name}.", suffix=".tmp", dir=self.file.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            if mode is not None:
                os.chmod(tmp, mode)
            os.replace(tmp, self.file)  # atomic: the server reads the old or the new file
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _verify(self, generated: Path) -> str | None:
        desired = self.desired_config(generated)
        try:
            live = self.live_config()
        except RemoteError as exc:
            return f"verification failed: {self.local(exc)}"
        if live != desired:
            left = [f"{c.action} {c.kind} {c.name}" for c in diff_configs(live, desired)][:5]
            return "verification failed: the loaded configuration differs from the generated one (" + ", ".join(left) + ")"
        return None

    def _back_on_disk(self) -> str:
        return f"the previous file is back ({self.file}) but the reload that restores it"

    def _applied(self, generated: Path) -> str:
        return f"wrote {self.file}, reload succeeded, loaded configuration equals the generated one"
