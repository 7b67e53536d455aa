"""The spec a local stack runs: compiled exactly as ``mlmon generate`` compiles it, plus what the
stack needs to start one demo service per model (id, team, drift baseline)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlmon.stack.processes import StackError


@dataclass
class ModelInfo:
    id: str
    team: str
    baseline: str | None  # absolute path of the drift baseline, when the spec names one
    port: int = 0


def spec_models(texts: Mapping[str, str]) -> list[ModelInfo]:
    """Model ids, teams and drift baselines straight from the spec YAML (baseline paths are
    relative to the spec file)."""
    import yaml

    out = []
    for file, text in texts.items():
        for doc in yaml.safe_load_all(text):
            if not isinstance(doc, dict):
                continue
            for m in doc.get("models") or []:
                if not isinstance(m, dict) or "id" not in m:
                    continue
                drift = m.get("drift") if isinstance(m.get("drift"), dict) else {}
                bl = (drift or {}).get("baseline")
                path = str((Path(file).parent / bl).resolve()) if isinstance(bl, str) else None
                out.append(ModelInfo(str(m["id"]), str(m.get("team", "")), path))
    return sorted(out, key=lambda x: x.id)


def read_specs(paths: Iterable[Path]) -> dict[str, str]:
    """Spec files named or found under folders (baselines and other kinds skipped), as text."""
    from mlmon import fsio
    from mlmon.diagnostics import format_text

    files, diags = fsio.find_specs([Path(p) for p in paths])
    texts, more = fsio.read_specs(files)
    diags += more
    if diags:
        raise StackError(format_text(diags).rstrip())
    return {name: data.decode("utf-8", "replace") for name, data in texts.items()}


def compile_specs(paths: Iterable[Path]) -> tuple[Any, dict[str, str], list[ModelInfo]]:
    """Spec files -> (spec, the generated tree in memory, the models), or StackError."""
    from mlmon import fsio, pipeline
    from mlmon.diagnostics import Severity, format_text

    texts = read_specs(paths)
    sources: dict[str, str | bytes] = dict(texts)
    spec, diags = pipeline.check(sources, fsio.make_reader())
    errors = [d for d in diags if d.severity >= Severity.ERROR]
    if spec is None or errors:
        raise StackError("the spec has errors:\n" + format_text(errors or diags).rstrip())
    known = {m.id for m in spec.models}
    return spec, pipeline.render(spec), [m for m in spec_models(texts) if m.id in known]
