"""An apply lock per target: an OS lock (``fcntl.flock``) on a file that names its holder.

The kernel releases a ``flock`` when its process ends, however it ends (SIGKILL included), so a dead
apply on this host never blocks the next one. The file holds one JSON line, ``{"host", "pid",
"started"}`` (``started``: Unix seconds), written after the lock is taken and emptied when it is
released; it names the holder in messages. A file that names another host while no process holds
the OS lock (a shared folder whose file system does not carry locks between hosts, or a host that
went away mid-apply) is never taken over automatically: ``mlmon unlock`` removes it after a
confirmation.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path

from mlmon.remote.errors import RemoteError


def default_lock_path(state_dir: Path, target: str, url: str) -> Path:
    digest = hashlib.sha256(url.encode()).hexdigest()[:12]
    return Path(state_dir) / "locks" / f"{target}-{digest}.lock"


def age(seconds: float) -> str:
    """``75`` -> ``1m15s``; whole seconds, the largest units first."""
    s = max(0, int(seconds))
    parts = [(s // 86400, "d"), (s % 86400 // 3600, "h"), (s % 3600 // 60, "m"), (s % 60, "s")]
    text = "".join(f"{n}{u}" for n, u in parts if n)
    return text or "0s"


@dataclass(frozen=True)
class Holder:
    host: str
    pid: int
    started: int

    @property
    def here(self) -> bool:
        return self.host == socket.gethostname()

    def describe(self) -> str:
        where = self.host + ("" if self.here else ", another host")
        return f"pid {self.pid} on {where}, for {age(time.time() - self.started)}"


def _parse(text: str) -> Holder | None:
    try:
        data = json.loads(text or "null")
        return Holder(str(data["host"]), int(data["pid"]), int(data["started"])) if isinstance(data, dict) else None
    except (ValueError, KeyError, TypeError):
        return None


def _open(path: Path, target: str) -> int:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise RemoteError(f"{target}: cannot create the lock file {path}: {exc.strerror or exc}. Nothing was changed.") from None


def _read(fd: int) -> Holder | None:
    os.lseek(fd, 0, os.SEEK_SET)
    return _parse(os.read(fd, 4096).decode("utf-8", "replace"))


def _clear(fd: int) -> None:
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.fsync(fd)


class TargetLock:
    """``with TargetLock(path, "prometheus"):`` - raises RemoteError when another apply holds it."""

    def __init__(self, path: Path, target: str):
        self.path = Path(path)
        self.target = target
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = _open(self.path, self.target)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read(fd)
            os.close(fd)
            who = holder.describe() if holder else "a process that has not written its name yet"
            raise RemoteError(f"{self.target}: another mlmon apply holds the lock {self.path} ({who}); wait for it to finish") from None
        holder = _read(fd)
        if holder is not None and not holder.here:
            os.close(fd)  # closing releases the OS lock
            raise RemoteError(
                f"{self.target}: the lock {self.path} names an apply on another host ({holder.describe()}); "
                f"if that apply is no longer running, remove it with `mlmon unlock` (same target options)"
            )
        # a holder on this host without the OS lock has ended: its lock is ours now
        me = {"host": socket.gethostname(), "pid": os.getpid(), "started": int(time.time())}
        _clear(fd)
        os.write(fd, (json.dumps(me, sort_keys=True) + "\n").encode())
        os.fsync(fd)
        self._fd = fd

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            try:
                _clear(fd)
            finally:
                os.close(fd)

    def __enter__(self) -> TargetLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def inspect(path: Path) -> tuple[str, Holder | None]:
    """``("free" | "running" | "left", holder)`` without changing anything: ``running`` when a live
    process holds the OS lock, ``left`` when the file names a holder that no process backs."""
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return "free", None
    except OSError as exc:
        raise RemoteError(f"cannot open the lock file {path}: {exc.strerror or exc}") from None
    try:
        holder = _read(fd)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return "running", holder
        return ("left" if holder else "free"), holder
    finally:
        os.close(fd)  # releases the OS lock if we took it


def remove(path: Path) -> None:
    """Empty a lock file no process holds (``mlmon unlock``); RemoteError when one does."""
    fd = os.open(path, os.O_RDWR)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RemoteError(f"{path}: a running mlmon apply holds this lock; it was not removed") from None
        _clear(fd)
    finally:
        os.close(fd)
