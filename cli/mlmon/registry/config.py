"""The spec's ``registry:`` block: its schema fragment and its compiled form (pure)."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mlmon.compiler import dsl as S
from mlmon.compiler.source import Document, Path, render_path
from mlmon.compiler.units import parse_duration
from mlmon.diagnostics import Diagnostic, Severity
from mlmon.monitors.quality import TRAINED_METRIC_PATTERN

KEY = "registry"
SOURCE_MLFLOW = "mlflow"
DEFAULT_CURRENT = ("champion", "Production")
DEFAULT_SCRAPE_INTERVAL = "30s"
DEFAULT_METRICS_PATH = "/metrics"


@dataclass(frozen=True)
class ModelRef:
    """One mlmon model and the registered model it is synced from."""

    model: str  # mlmon model id
    name: str  # registered model name in the registry
    metrics: Mapping[str, str] = field(default_factory=dict)  # mlmon metric -> the run's metric key


@dataclass(frozen=True)
class Exporter:
    targets: tuple[str, ...]
    scrape_interval: float
    metrics_path: str = DEFAULT_METRICS_PATH


@dataclass(frozen=True)
class RegistryConfig:
    spec_file: str  # the spec file holding the block
    file: str | None  # as written in the spec (relative to it)
    exporter: Exporter | None
    mlflow_uri: str | None
    current: tuple[str, ...]  # aliases or stages naming the current version, first match wins
    models: tuple[ModelRef, ...]  # sorted by model id

    @property
    def path(self) -> str | None:
        """The registry file's path as the spec file's name is written (spec folder + file)."""
        return None if self.file is None else posixpath.normpath(posixpath.join(posixpath.dirname(self.spec_file), self.file))

    def ref(self, model_id: str) -> ModelRef | None:
        return next((r for r in self.models if r.model == model_id), None)


def schema() -> dict[str, Any]:
    metric_map = {
        "type": "object",
        "description": "mlmon metric -> the key its figure is logged under in the model version's run (default: the same name)",
        "propertyNames": {"pattern": f"^({TRAINED_METRIC_PATTERN})$"},
        "additionalProperties": {"type": "string", "minLength": 1},
    }
    model = S.obj(
        {
            "name": S.string("registered model name (default: the model id)", minLength=1),
            "metrics": metric_map,
        },
        (),
        "How one model is found in the registry",
    )
    return S.obj(
        {
            "mlflow_uri": S.string(
                "MLflow tracking server (credentials never here: MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME/PASSWORD); "
                "`--mlflow-uri` and MLFLOW_TRACKING_URI override it",
                pattern=r"^https?://[^\s@/]+(/[^\s@]*)?$",
            ),
            "file": S.string(
                "registry file written by `mlmon registry sync` and read by `mlmon generate`, relative to this spec and inside its folder",
                pattern=r"^[^/\s][^\s]*\.ya?ml$",
            ),
            "exporter": S.obj(
                {
                    "targets": S.array(
                        S.string(pattern=r"^[A-Za-z0-9.\-_\[\]:]+:[0-9]{1,5}$"),
                        "host:port of `mlmon registry serve`; the generated Prometheus config scrapes it",
                        minItems=1,
                        uniqueItems=True,
                    ),
                    "scrape_interval": S.duration("how often Prometheus scrapes the exporter", DEFAULT_SCRAPE_INTERVAL),
                    "metrics_path": S.string("path of the exporter's metrics", default=DEFAULT_METRICS_PATH, pattern=r"^/"),
                },
                ("targets",),
                "Serve the registry's facts with `mlmon registry serve`; the rules read its series",
            ),
            "current": S.array(
                S.string(minLength=1),
                "aliases or stages that name the served version, in order of preference (default: " + ", ".join(DEFAULT_CURRENT) + ")",
                minItems=1,
                uniqueItems=True,
            ),
            "models": {
                "type": "object",
                "description": "the models of this file kept in the registry (default: all of them, registered under their id)",
                "propertyNames": {"pattern": S.ID_PATTERN},
                "additionalProperties": model,
            },
        },
        (),
        "The MLflow model registry: current and previous versions, training times and training metrics of this file's models. "
        "Set exactly one of `file` (reviewed snapshot) and `exporter` (live)",
    )


def compile_config(doc: Document, model_ids: Sequence[str]) -> tuple[RegistryConfig | None, list[Diagnostic]]:
    """The block of a schema-valid document (None when it has none) and its problems."""
    raw = doc.data.get(KEY) if isinstance(doc.data, dict) else None
    if raw is None:
        return None, []
    diags: list[Diagnostic] = []

    def err(path: Path, msg: str, hint: str | None = None, key: bool = False) -> None:
        full = (KEY, *path)
        line, col = doc.source.pos(full, key=key)
        diags.append(Diagnostic(doc.file, line, col, Severity.ERROR, "MLM250", f"{render_path(full)}: {msg}", hint))

    file = raw.get("file")
    if file is not None and (posixpath.isabs(file) or posixpath.normpath(file).split("/")[0] == ".."):
        err(("file",), f"{file!r} is outside the spec's folder", "write the registry file next to the spec, e.g. registry/<spec name>.yaml")
    if (file is None) == ("exporter" not in raw):
        err((), "set exactly one of 'file' (a snapshot reviewed in pull requests) and 'exporter' (live series)", key=True)
    models_raw: Mapping[str, Any] = raw.get("models") or {}
    for mid in sorted(set(models_raw) - set(model_ids)):
        err(("models", mid), f"no model {mid!r} in this file", f"models here: {', '.join(sorted(model_ids)) or 'none'}", key=True)
    if diags:
        return None, diags
    ids = sorted(models_raw) if models_raw else sorted(model_ids)
    refs = tuple(
        ModelRef(mid, (models_raw.get(mid) or {}).get("name", mid), dict(sorted(((models_raw.get(mid) or {}).get("metrics") or {}).items()))) for mid in ids
    )
    exp = raw.get("exporter")
    exporter = None
    if exp is not None:
        try:
            interval = parse_duration(exp.get("scrape_interval", DEFAULT_SCRAPE_INTERVAL))
        except ValueError as exc:
            err(("exporter", "scrape_interval"), str(exc))
            return None, diags
        exporter = Exporter(tuple(exp["targets"]), interval, exp.get("metrics_path", DEFAULT_METRICS_PATH))
    return RegistryConfig(doc.file, file, exporter, raw.get("mlflow_uri"), tuple(raw.get("current", DEFAULT_CURRENT)), refs), []
