"""File-system side of the pipeline: find and read specs, read files they reference, write the
output folder atomically, compare it for ``--check``."""

from __future__ import annotations

import difflib
import os
import re
import shutil
import tempfile
from pathlib import Path

from mlmon.diagnostics import Diagnostic, Severity

SPEC_SUFFIXES = (".yaml", ".yml")
MAX_READ = 4 * 1024 * 1024
_NOT_A_SPEC = re.compile(r"^kind:[ \t]*['\"]?(?!MonitoringSpec\b|MonitoringPolicy\b)[A-Za-z]\w*['\"]?[ \t]*(#.*)?$", re.MULTILINE)


def display(path: Path) -> str:
    """A path as shown in diagnostics and headers: relative to the working directory when inside it."""
    try:
        return os.path.relpath(path) if path.is_absolute() and Path.cwd() in path.parents else str(path)
    except ValueError:
        return str(path)


def find_specs(paths: list[Path]) -> tuple[list[Path], list[Diagnostic]]:
    """Spec files named or found under folders (recursively; files of another ``kind``, such as
    baselines, and hidden folders are skipped; policy files are specs' companions and kept)."""
    found: list[Path] = []
    diags: list[Diagnostic] = []
    for p in paths or [Path("specs")]:
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                rel = f.relative_to(p)
                if any(part.startswith(".") for part in rel.parts) or f.suffix not in SPEC_SUFFIXES or not f.is_file():
                    continue
                try:
                    head = f.read_bytes()[:65536].decode("utf-8", "replace")
                except OSError:
                    head = ""
                if _NOT_A_SPEC.search(head):
                    continue
                found.append(f)
        elif p.exists():
            found.append(p)
        else:
            diags.append(Diagnostic(str(p), 0, 0, Severity.ERROR, "MLM001", "no such file or folder"))
    if not found and not diags:
        diags.append(Diagnostic(", ".join(map(str, paths)) or "specs", 0, 0, Severity.ERROR, "MLM004", "no spec files (*.yaml, *.yml) found"))
    return found, diags


def read_specs(files: list[Path]) -> tuple[dict[str, bytes], list[Diagnostic]]:
    texts: dict[str, bytes] = {}
    diags: list[Diagnostic] = []
    for f in files:
        name = display(f)
        try:
            size = f.stat().st_size
            if size > MAX_READ:
                diags.append(
                    Diagnostic(
                        name,
                        0,
                        0,
                        Severity.ERROR,
                        "MLM001",
                        f"file is {size // 1024} KiB; spec files are limited to {MAX_READ // (1024 * 1024)} MiB",
                        "split the spec into several files",
                    )
                )
                continue
            texts[name] = f.read_bytes()
        except OSError as exc:
            diags.append(Diagnostic(name, 0, 0, Severity.ERROR, "MLM001", f"cannot read: {exc.strerror or exc}"))
    return texts, diags


def make_reader(root: Path | None = None):
    """``read_file(spec_file, path)`` for files a spec references, relative to the spec's folder."""

    def read_file(spec_file: str, ref: str) -> tuple[str | None, str | None]:
        base = Path(spec_file).parent
        p = Path(ref) if Path(ref).is_absolute() else base / ref
        try:
            if p.stat().st_size > MAX_READ:
                return None, f"{ref}: larger than {MAX_READ // (1024 * 1024)} MiB"
            return p.read_text("utf-8"), None
        except FileNotFoundError:
            return None, f"{ref}: file not found (looked at {display(p)})"
        except (OSError, UnicodeDecodeError) as exc:
            return None, f"{ref}: cannot read: {exc}"

    return read_file


def read_tree(root: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    if not root.is_dir():
        return out
    for f in sorted(root.rglob("*")):
        if f.is_file():
            try:
                out[f.relative_to(root).as_posix()] = f.read_text("utf-8")
            except UnicodeDecodeError:
                out[f.relative_to(root).as_posix()] = "<binary>"
    return out


def diff_tree(root: Path, files: dict[str, str]) -> str:
    """Unified diff from what is on disk under ``root`` to ``files`` ('' when equal)."""
    current = read_tree(root)
    chunks: list[str] = []
    for name in sorted(set(current) | set(files)):
        old, new = current.get(name), files.get(name)
        if old == new:
            continue
        a = [] if old is None else old.splitlines(keepends=True)
        b = [] if new is None else new.splitlines(keepends=True)
        chunks.extend(difflib.unified_diff(a, b, f"a/{name}" if old is not None else "/dev/null", f"b/{name}" if new is not None else "/dev/null"))
        if chunks and not chunks[-1].endswith("\n"):
            chunks[-1] += "\n"
    return "".join(chunks)


def write_tree(root: Path, files: dict[str, str]) -> None:
    """Replace ``root`` with exactly ``files``, atomically: everything is written to a temporary
    sibling folder first and swapped in with renames, so a failure leaves ``root`` untouched."""
    root = root.resolve()
    root.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{root.name}.new-", dir=root.parent))
    try:
        for name, text in files.items():
            target = tmp / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
        old = None
        if root.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{root.name}.old-", dir=root.parent))
            old.rmdir()
            os.rename(root, old)
        try:
            os.rename(tmp, root)
        except OSError:
            if old is not None:
                os.rename(old, root)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
