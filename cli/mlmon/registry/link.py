"""A model's registry facts as the rules read them (``Model.registry``), the registry file's
checks against the spec, and the exporter's scrape job (pure)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from mlmon import conventions as C
from mlmon.compiler.source import Document, render_path
from mlmon.compiler.units import format_duration
from mlmon.diagnostics import Diagnostic, Severity
from mlmon.registry import fileformat
from mlmon.registry.config import KEY, Exporter, RegistryConfig

FILE = "file"
EXPORTER = "exporter"


@dataclass(frozen=True)
class ModelLink:
    """What the rules know about a model from the registry.

    ``source`` is ``file`` (facts written into the rules as constants) or ``exporter`` (the rules
    read the series of `mlmon registry serve`)."""

    name: str  # registered model
    source: str
    exporter: Exporter | None = None
    version: str | None = None  # file: the current version
    stage: str | None = None
    previous_version: str | None = None
    trained: tuple[tuple[str, int], ...] = ()  # file: (version, Unix s): the current one, and the previous when trained earlier
    training_metrics: tuple[tuple[str, str, float], ...] = ()  # file: (version, metric, value) of the current and previous version


def _from_entry(cfg: RegistryConfig, e: fileformat.Entry) -> ModelLink:
    trained = [(e.version, e.current.trained_at)]
    prev = e.previous
    if prev is not None and prev.trained_at < e.current.trained_at:  # a rollback leaves the newer one out of the ordering
        trained.append((prev.version, prev.trained_at))
    metrics = tuple((v.version, m, x) for v in sorted(e.versions.values(), key=lambda v: v.version) for m, x in sorted(v.training_metrics.items()))
    return ModelLink(e.registered_model, FILE, None, e.version, e.stage, e.previous_version, tuple(sorted(trained)), metrics)


ReadFile = Callable[[str], tuple[str | None, str | None]]


def links(doc: Document, cfg: RegistryConfig, read_file: ReadFile | None) -> tuple[dict[str, ModelLink], list[Diagnostic]]:
    """Model id -> link for every model of the block; with a registry file, read and checked
    against the spec (every model present, synced from the registered model the spec names)."""
    if cfg.exporter is not None:
        return {r.model: ModelLink(r.name, EXPORTER, cfg.exporter) for r in cfg.models}, []
    diags: list[Diagnostic] = []

    def err(path: tuple[Any, ...], msg: str, hint: str | None = None, key: bool = False) -> None:
        full = (KEY, *path)
        line, col = doc.source.pos(full, key=key)
        diags.append(Diagnostic(doc.file, line, col, Severity.ERROR, fileformat.CODE, f"{render_path(full)}: {msg}", hint))

    sync = f"run `mlmon registry sync {doc.file}`"
    assert cfg.file is not None and cfg.path is not None
    if read_file is None:
        err(("file",), f"registry file {cfg.file!r} cannot be read here (no file access)")
        return {}, diags
    text, problem = read_file(cfg.file)
    if text is None:
        err(("file",), f"registry file {problem or cfg.file + ': cannot be read'}", sync)
        return {}, diags
    reg, file_diags = fileformat.load(text, cfg.path)
    if reg is None:
        diags.extend(file_diags)
        err(("file",), f"registry file {cfg.file!r} is not valid ({len(file_diags)} problem(s) reported in {cfg.path})", sync)
        return {}, diags
    out = {}
    for r in cfg.models:
        e = reg.entries.get(r.model)
        where = ("models", r.model) if doc.source.keys.get((KEY, "models", r.model)) else ("file",)
        if e is None:
            err(where, f"model {r.model!r} is not in registry file {cfg.file!r}", sync, key=True)
        elif e.registered_model != r.name:
            err(where, f"registry file {cfg.file!r} holds {r.model!r} as registered model {e.registered_model!r}, the spec says {r.name!r}", sync, key=True)
        else:
            out[r.model] = _from_entry(cfg, e)
    return out, diags


def scrape_jobs(models: Sequence[Any]) -> list[dict[str, Any]]:
    """Prometheus scrape jobs of the registry exporters the models' links name (one per distinct
    interval and path; targets sorted)."""
    groups: dict[tuple[float, str], set[str]] = {}
    for m in models:
        link = getattr(m, "registry", None)
        if link is not None and link.exporter is not None:
            groups.setdefault((link.exporter.scrape_interval, link.exporter.metrics_path), set()).update(link.exporter.targets)
    jobs = []
    for i, ((interval, path), targets) in enumerate(sorted(groups.items())):
        jobs.append(
            {
                "job_name": C.REGISTRY_JOB if i == 0 else f"{C.REGISTRY_JOB}-{i + 1}",
                "scrape_interval": format_duration(interval),
                "metrics_path": path,
                "static_configs": [{"targets": sorted(targets)}],
            }
        )
    return jobs
