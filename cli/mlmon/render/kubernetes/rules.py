"""One PrometheusRule per model: the model's rule groups, exactly as in its rule files (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mlmon.artifacts import RuleGroup
from mlmon.compiler.kubernetes.model import Kubernetes
from mlmon.compiler.model import Model
from mlmon.render.kubernetes.meta import document, metadata, object_name, source
from mlmon.render.prometheus import rules_data


def prometheus_rule(k: Kubernetes, model: Model, groups: Sequence[RuleGroup]) -> dict[str, Any]:
    """The groups of every monitor of the model, in registry order (the order of its rule files)."""
    meta = metadata(k, object_name(model.id), base=k.selector_labels, model=model.id, team=model.team, annotations=source(model.origin.file))
    return document("PrometheusRule", meta, rules_data(groups))
