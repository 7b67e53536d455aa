"""Helpers shared by commands: load and compile specs, print diagnostics."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, TextIO

from mlmon import ExitCode
from mlmon.diagnostics import Diagnostic, Severity, format_json, format_text


def load(paths: list[Path]) -> tuple[Any, list[Diagnostic], bool]:
    """Find, read and compile specs. Returns (spec or None, diagnostics, usage_error)."""
    from mlmon import fsio, pipeline

    files, diags = fsio.find_specs(list(paths))
    if diags:  # a named path that does not exist, or no spec files at all: usage errors
        return None, diags, True
    texts, more = fsio.read_specs(files)
    diags += more
    sources: dict[str, str | bytes] = dict(texts)
    spec, more = pipeline.check(sources, fsio.make_reader())
    return spec, diags + more, False


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
