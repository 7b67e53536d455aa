"""A ConfigMap per Grafana dashboard, labelled for the Grafana sidecar (pure)."""

from __future__ import annotations

from typing import Any

from mlmon.compiler.kubernetes.model import Kubernetes
from mlmon.compiler.kubernetes.schema import FOLDER_ANNOTATION
from mlmon.render.kubernetes.meta import document, metadata, object_name, source


def dashboard_configmap(k: Kubernetes, stem: str, text: str, files: str, model: str | None = None) -> dict[str, Any]:
    """``stem``: the dashboard file's name without ``.json``; ``text``: its JSON."""
    annotations = source(files)
    if k.dashboard_folder:
        annotations[FOLDER_ANNOTATION] = k.dashboard_folder
    meta = metadata(k, object_name(stem, "ConfigMap"), base=k.dashboard_labels, model=model, annotations=annotations)
    return document("ConfigMap", meta, {f"{stem}.json": text}, key="data")
