"""An apply lock per target: a file created with O_EXCL holding ``{pid, host, started}``.

A lock whose process is gone (same host, PID not alive) is stale and taken over; a lock from
another host is never taken over automatically (its path is named in the error, to remove by hand).
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import time
from pathlib import Path

from mlmon.remote.errors import RemoteError


def default_lock_path(state_dir: Path, target: str, url: str) -> Path:
    digest = hashlib.sha256(url.encode()).hexdigest()[:12]
    return Path(state_dir) / "locks" / f"{target}-{digest}.lock"


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie child of ours counts as dead
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            if fh.read().rsplit(")", 1)[-1].split()[0] == "Z":
                return False
    except OSError:
        pass
    return True


class TargetLock:
    """``with TargetLock(path, "prometheus"):`` - raises RemoteError when another apply holds it."""

    def __init__(self, path: Path, target: str):
        self.path = Path(path)
        self.target = target
        self._held = False

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        me = {"pid": os.getpid(), "host": socket.gethostname(), "started": int(time.time())}
        for _ in range(3):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                owner = self._read_owner()
                if owner is not None and self._stale(owner):
                    self._break_stale(owner)
                    continue
                who = "unknown process" if owner is None else f"pid {owner.get('pid')} on {owner.get('host')}"
                raise RemoteError(
                    f"{self.target}: another mlmon apply holds the lock {self.path} ({who}); wait for it to finish, or remove the file if that process is gone"
                ) from None
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(me, fh)
                fh.write("\n")
            self._held = True
            return
        raise RemoteError(f"{self.target}: could not take the lock {self.path} (it keeps changing)")

    def _read_owner(self) -> dict | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8") or "null")
            return data if isinstance(data, dict) else None
        except FileNotFoundError:
            return {"pid": -1, "host": socket.gethostname()}  # vanished: retry
        except (OSError, ValueError):
            return None

    @staticmethod
    def _stale(owner: dict) -> bool:
        if owner.get("host") != socket.gethostname():
            return False
        try:
            return not _pid_alive(int(owner.get("pid", -1)))
        except (TypeError, ValueError):
            return False

    def _break_stale(self, owner: dict) -> None:
        # rename first, so two processes breaking the same stale lock cannot both win
        grave = self.path.with_name(self.path.name + f".stale-{os.getpid()}")
        try:
            os.rename(self.path, grave)
        except FileNotFoundError:
            return
        try:
            moved = json.loads(grave.read_text(encoding="utf-8") or "null")
        except (OSError, ValueError):
            moved = None
        if isinstance(moved, dict) and moved != owner and not self._stale(moved):
            try:  # we took someone's fresh lock: put it back (link fails if a new one appeared)
                os.link(grave, self.path)
            except OSError:
                pass
        grave.unlink(missing_ok=True)

    def release(self) -> None:
        if self._held:
            self._held = False
            try:
                self.path.unlink()
            except FileNotFoundError:
                pass

    def __enter__(self) -> TargetLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
