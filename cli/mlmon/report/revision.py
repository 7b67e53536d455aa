"""Which spec revision a report was made with: the git commit of the spec files when they are all
tracked in one git work tree (and whether any has uncommitted changes), else the SHA-256 of
their contents (names and bytes, sorted by name)."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path
from typing import Any


def revision(files: list[Path], names: list[str]) -> dict[str, Any]:
    git = _git(files)
    if git is not None:
        return {"kind": "git", **git, "files": names}
    h = hashlib.sha256()
    for name, f in sorted(zip(names, files)):
        data = f.read_bytes()
        h.update(f"{name}\0{len(data)}\0".encode())
        h.update(data)
    return {"kind": "sha256", "digest": h.hexdigest(), "files": names}


def _git(files: list[Path]) -> dict[str, Any] | None:
    exe = shutil.which("git")
    if exe is None or not files:
        return None
    folder = files[0].resolve().parent

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([exe, *args], cwd=folder, capture_output=True, text=True, timeout=30, check=False)

    top = git("rev-parse", "--show-toplevel")
    if top.returncode != 0:
        return None
    paths = [str(f.resolve()) for f in files]
    if git("ls-files", "--error-unmatch", "--", *paths).returncode != 0:
        return None  # a spec file is not tracked: its commit would not describe it
    commit = git("log", "-1", "--format=%H", "--", *paths)
    if commit.returncode != 0 or not commit.stdout.strip():
        return None
    dirty = git("status", "--porcelain", "--", *paths)
    return {"commit": commit.stdout.strip(), "dirty": bool(dirty.stdout.strip())}
