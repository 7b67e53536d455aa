"""Results of ``promtool test rules`` kept by content: a test file whose bytes, rule files' bytes and
promtool version were seen passing before is not run again.

The key is a SHA-256 over the promtool version line, the test file and every rule file it loads
(``rule_files``, globs expanded, relative to the test file's folder as promtool reads them). Only
passes are kept: a failing file runs every time, so its findings are always current. The cache is a
folder of empty marker files named by key (``--cache-dir``, else ``$MLMON_CACHE_DIR``, else
``$XDG_CACHE_HOME/mlmon/rule-tests``); CI can keep it between runs. Writes are atomic (rename), so
parallel runs share one folder safely.
"""

from __future__ import annotations

import glob
import hashlib
import os
import tempfile
from functools import lru_cache
from pathlib import Path

import yaml

from mlmon.tools import run

CACHE_ENV = "MLMON_CACHE_DIR"


def default_dir() -> Path:
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mlmon" / "rule-tests"


@lru_cache(maxsize=4)
def _tool_version(exe_hint: str) -> str | None:
    """promtool's version line, or None when it cannot say (no cache then: a stand-in or broken tool)."""
    try:
        res = run("promtool", ["--version"], cwd=".", merge=True)
    except Exception:
        return None
    line = res.stdout.strip().splitlines()[0] if res.returncode == 0 and res.stdout.strip() else ""
    return line or None


def key(root: Path, test_file: str) -> str | None:
    """The content key of ``root/test_file``, or None when it cannot be computed (unreadable files)."""
    from mlmon.tools import which

    version = _tool_version(which("promtool") or "")
    if version is None:
        return None
    path = root / test_file
    try:
        text = path.read_bytes()
        loaded = yaml.safe_load(text) or {}
    except (OSError, yaml.YAMLError):
        return None
    h = hashlib.sha256()
    h.update(version.encode() + b"\0" + test_file.encode() + b"\0" + text)
    patterns = loaded.get("rule_files") if isinstance(loaded, dict) else None
    for pattern in patterns or []:
        full = os.path.join(path.parent, str(pattern))
        for rule in sorted(glob.glob(full)) or [full]:
            try:
                h.update(b"\0" + os.path.relpath(rule, path.parent).encode() + b"\0" + Path(rule).read_bytes())
            except OSError:
                return None
    return h.hexdigest()


class Cache:
    def __init__(self, directory: Path | None):
        self.directory = directory

    def hit(self, k: str | None) -> bool:
        return self.directory is not None and k is not None and (self.directory / k).is_file()

    def store(self, k: str | None) -> None:
        if self.directory is None or k is None:
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-")
            os.close(fd)
            os.replace(tmp, self.directory / k)
        except OSError:
            pass  # an unwritable cache costs time, never a result
