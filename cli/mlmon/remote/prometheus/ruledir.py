"""The rule directory mlmon owns next to the server's ``prometheus.yml``::

    <config-dir>/mlmon/rules          -> .rules-<hash>   (symlink, replaced atomically)
    <config-dir>/mlmon/.rules-<hash>/  one directory per applied rule set (current + previous); the
                                       name is the hash of its files, checked before it is reused
    <config-dir>/mlmon/.lock           apply lock
    <config-dir>/mlmon/journal.json    an apply in progress (``mlmon.remote.journal``)

Swapping one symlink switches the whole rule set at once, so a reload (by mlmon or anyone else, at
any moment) loads either the old or the new set, never a mix.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import shutil
from pathlib import Path
from typing import Any

OWNED_DIR = "mlmon"
RULES_LINK = "rules"
RULE_FILE_GLOB = "*.rules.yml"
JOURNAL = "journal.json"
_VERSION_PREFIX = ".rules-"
_LINK_PREFIX = ".rules-link-"


def is_owned_file(path: str) -> bool:
    """A rule file the server loaded from mlmon's directory (``.../mlmon/rules/x.rules.yml``)."""
    parts = path.replace("\\", "/").split("/")
    return len(parts) >= 3 and parts[-2] == RULES_LINK and parts[-3] == OWNED_DIR and fnmatch.fnmatch(parts[-1], RULE_FILE_GLOB)


def loads_owned_files(rule_files: list[Any]) -> bool:
    """Whether one of the server's ``rule_files`` patterns loads mlmon's directory."""
    probe = f"{OWNED_DIR}/{RULES_LINK}/probe.rules.yml"
    for pattern in rule_files:
        tail = str(pattern).replace("\\", "/").split("/")
        if any(len(tail[i:]) == 3 and fnmatch.fnmatch(probe, "/".join(tail[i:])) for i in range(len(tail))):
            return True
    return False


def digest(files: dict[str, bytes]) -> str:
    """The name of a rule set's folder comes from this hash of its rule files (names and bytes)."""
    h = hashlib.sha256()
    for name, data in sorted(files.items()):
        h.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return h.hexdigest()[:16]


def read_files(folder: Path) -> dict[str, bytes]:
    """The rule files a server loads from ``folder`` (``*.rules.yml``), by name."""
    if not folder.is_dir():
        return {}
    return {p.name: p.read_bytes() for p in sorted(folder.glob(RULE_FILE_GLOB)) if p.is_file()}


class RuleDir:
    def __init__(self, owned: Path):
        self.owned = owned
        self.link = owned / RULES_LINK

    def current(self) -> Path | None:
        return self.owned / os.readlink(self.link) if self.link.is_symlink() else None

    @staticmethod
    def intact(version: Path) -> bool:
        """Whether a rule-set folder still holds what mlmon wrote (its name is the hash of its files)."""
        name = version.name.removeprefix(_VERSION_PREFIX)
        return version.name.startswith(_VERSION_PREFIX) and version.is_dir() and name.split("-")[0] == digest(read_files(version))

    def migrate_plain_dir(self) -> None:
        """A ``rules`` folder written by hand before mlmon managed it becomes the first version."""
        if self.link.is_dir() and not self.link.is_symlink():
            version = self.write_version(read_files(self.link))
            tmp = self._tmp_link(version)
            shutil.rmtree(self.link)
            os.replace(tmp, self.link)

    def write_version(self, files: dict[str, bytes]) -> Path:
        """The folder holding exactly ``files``: an existing one only when its content is intact (a
        folder edited by hand is never reused; the new one gets a suffix)."""
        base = _VERSION_PREFIX + digest(files)
        for n in range(1, 100):
            final = self.owned / (base if n == 1 else f"{base}-{n}")
            if not final.exists():
                break
            if self.intact(final) and read_files(final) == files:
                return final
        tmp = self.owned / (final.name + f".tmp-{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        for name, data in files.items():
            with open(tmp / name, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        os.rename(tmp, final)
        return final

    def point_to(self, version: Path | None) -> None:
        if version is None:
            if self.link.is_symlink():
                self.link.unlink()
            return
        os.replace(self._tmp_link(version), self.link)  # atomic: readers see the old or the new set
        try:
            fd = os.open(self.owned, os.O_RDONLY)
            os.fsync(fd)
            os.close(fd)
        except OSError:
            pass

    def cleanup(self, keep: set[Path | None]) -> None:
        names = {p.name for p in keep if p is not None}
        for p in self.owned.iterdir():
            if p.name.startswith(_VERSION_PREFIX) and p.name not in names and not p.is_symlink():
                shutil.rmtree(p, ignore_errors=True)
            elif p.name.startswith(_LINK_PREFIX) and p.is_symlink():
                p.unlink(missing_ok=True)

    def _tmp_link(self, version: Path) -> Path:
        tmp = self.owned / f"{_LINK_PREFIX}{os.getpid()}"
        tmp.unlink(missing_ok=True)
        os.symlink(version.name, tmp)
        return tmp
