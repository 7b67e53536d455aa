"""What a monitor's compile step sees (``CompileContext``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mlmon.compiler.source import Path, SourceMap, render_path
from mlmon.diagnostics import Diagnostic, Severity


class FileProblem(str):
    """Why a file a spec references cannot be read (the text of the message); ``missing`` when
    the file does not exist, so that creating it is the fix."""

    missing: bool

    def __new__(cls, text: str, missing: bool = False) -> FileProblem:
        obj = super().__new__(cls, text)
        obj.missing = missing
        return obj


@dataclass
class CompileContext:
    """What a monitor's compile step may look at: its own raw data and position, the model's
    basic facts, and a sink for diagnostics."""

    file: str
    path: Path  # path of the monitor's field in the document
    smap: SourceMap
    model_id: str
    task: str
    scrape_interval: float
    evaluation_interval: float
    defaults: Mapping[str, Any]
    read_file: Callable[[str], tuple[str | None, str | None]] | None = None  # (text, error) for referenced files
    diags: list[Diagnostic] = field(default_factory=list)

    def error(self, sub: Path, code: str, msg: str, hint: str | None = None, *, key: bool = False) -> None:
        self._add(Severity.ERROR, sub, code, msg, hint, key)

    def warning(self, sub: Path, code: str, msg: str, hint: str | None = None, *, key: bool = False) -> None:
        self._add(Severity.WARNING, sub, code, msg, hint, key)

    def _add(self, sev: Severity, sub: Path, code: str, msg: str, hint: str | None, key: bool) -> None:
        full = self.path + tuple(sub)
        line, col = self.smap.pos(full, key=key)
        self.diags.append(Diagnostic(self.file, line, col, sev, code, f"{render_path(full)}: {msg}", hint))
