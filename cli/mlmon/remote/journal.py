"""The journal of a file-mode apply in progress: written before mlmon switches a server's files,
removed once the server runs the new files (or the old ones again). A journal found by the next
``mlmon apply`` means the previous one was killed in between (SIGKILL, power loss): that apply
finishes the switch when the server has loaded the new files, and rolls it back otherwise, before
anything else. ``mlmon diff`` shows it.

The format is stable (``docs/deploy/diff-apply.md``): one JSON object, keys sorted::

    {"format": "mlmon-journal/1", "target": "prometheus", "url": "http://...",
     "host": "ci-7", "pid": 4242, "started": 1767225600,
     "previous": ".rules-0123456789abcdef", "new": ".rules-fedcba9876543210"}

``previous`` and ``new`` name the two states the target switches between: for Prometheus the
rule-set folders under ``<config-dir>/mlmon/`` (``previous`` null when there was none); for
Alertmanager ``previous`` is the copy of the file before the switch (``previous.yml`` next to the
journal) and ``new`` the SHA-256 of the file written.
"""

from __future__ import annotations

import json
import os
import socket
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from mlmon.remote.errors import RemoteError

FORMAT = "mlmon-journal/1"


@dataclass(frozen=True)
class Journal:
    target: str
    url: str
    previous: str | None
    new: str
    host: str = ""
    pid: int = 0
    started: int = 0

    def describe(self) -> str:
        from mlmon.remote.lock import age

        return f"pid {self.pid} on {self.host}, {age(time.time() - self.started)} ago"


def write_atomic(path: Path, data: bytes) -> None:
    """``path`` holds ``data`` or its old content, never a part (temp file, fsync, rename, fsync dir)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def begin(path: Path, target: str, url: str, previous: str | None, new: str) -> Journal:
    journal = Journal(target, url, previous, new, socket.gethostname(), os.getpid(), int(time.time()))
    text = json.dumps({"format": FORMAT, **asdict(journal)}, sort_keys=True) + "\n"
    write_atomic(path, text.encode())
    return journal


def read(path: Path) -> Journal | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        raise RemoteError(f"{path}: an apply journal that cannot be read; look at it, then remove it") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise RemoteError(f"{path}: not an apply journal of this mlmon version ({FORMAT}); look at it, then remove it")
    try:
        return Journal(str(data["target"]), str(data["url"]), data["previous"], str(data["new"]), str(data["host"]), int(data["pid"]), int(data["started"]))
    except (KeyError, TypeError, ValueError):
        raise RemoteError(f"{path}: an apply journal with missing fields; look at it, then remove it") from None


def end(path: Path) -> None:
    path.unlink(missing_ok=True)
    fsync_dir(path.parent)
