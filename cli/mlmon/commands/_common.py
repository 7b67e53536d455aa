"""Helpers shared by commands: load and compile specs, print diagnostics."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, TextIO

from mlmon import ExitCode
from mlmon.diagnostics import Diagnostic, Severity, format_json, format_text


def load(paths: list[Path], root: Path | None = None, allow_outside: bool = False, budget: bool = True) -> tuple[Any, list[Diagnostic], bool]:
    """Find, read and compile specs. Returns (spec or None, diagnostics, usage_error).

    ``root``: the spec folder the named ``paths`` belong to; every spec under it is compiled with
    them (teams, severity and business hours defined in other files; ``about`` tells which
    diagnostics concern the named paths). Files a spec references must lie inside the spec
    folders unless ``allow_outside``. ``budget=False``: the series budget (MLM280) is not checked."""
    from mlmon import fsio, pipeline

    named = list(paths) or ([] if root else [Path("specs")])
    files, diags = fsio.find_specs(([root] if root else []) + named)
    if diags:  # a named path that does not exist, or no spec files at all: usage errors
        return None, diags, True
    unique: dict[Path, Path] = {}  # a named file is also found under the root
    for f in files:
        unique.setdefault(f.resolve(), f)
    files = list(unique.values())
    roots = ([root] if root else []) + [p if p.is_dir() else p.parent for p in named if not (root and about(str(p), [root]))]
    texts, more = fsio.read_specs(files)
    diags += more
    sources: dict[str, str | bytes] = dict(texts)
    spec, more = pipeline.check(sources, fsio.make_reader(roots, allow_outside), budget=budget)
    return spec, diags + more, False


def about(file: str, paths: list[Path]) -> bool:
    """Whether a diagnostic's ``file`` is one of ``paths`` or lies under one of them."""
    p = Path(file).resolve()
    return any(p == q.resolve() or q.resolve() in p.parents for q in paths)


def print_diagnostics(diags: list[Diagnostic], fmt: str, stream: TextIO | None = None) -> None:
    stream = stream or sys.stdout
    if fmt == "json":
        stream.write(format_json(diags))
    elif diags:
        stream.write(format_text(diags))


def check_format(fmt: str) -> int | None:
    if fmt not in ("text", "json"):
        sys.stderr.write(f"mlmon: --format must be text or json, not {fmt!r}\n")
        return ExitCode.USAGE
    return None


def summary(diags: list[Diagnostic]) -> str:
    n_err = sum(1 for d in diags if d.severity == Severity.ERROR)
    n_warn = sum(1 for d in diags if d.severity == Severity.WARNING)
    return f"{n_err} error(s), {n_warn} warning(s)"
