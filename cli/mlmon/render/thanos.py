"""Files for Thanos (pure): Thanos Ruler's rule files and the sidecar's ``objstore.yml``.

Thanos Ruler reads Prometheus rule files with one more group field, ``partial_response_strategy``
(``abort`` or ``warn``; Thanos' docs/components/rule.md). promtool rejects unknown group fields, so
these are separate files, ``thanos/rules/<model>.<monitor>.rules.yml``: the same groups as
``prometheus/rules/`` with that field. ``objstore.yml`` configures the sidecar's S3 bucket without
credentials: Thanos then takes them from ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``,
``~/.aws/credentials`` or the instance profile (Thanos' docs/storage.md, "Credentials").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mlmon.artifacts import RuleGroup
from mlmon.render import emit
from mlmon.render.prometheus import rules_data, rules_name

RULES_DIR = "thanos/rules"
OBJSTORE = "thanos/objstore.yml"


def rules_path(model_id: str, monitor: str) -> str:
    return f"{RULES_DIR}/{rules_name(model_id, monitor)}"


def rules_file(groups: Sequence[RuleGroup], header: str, strategy: str) -> str:
    data = rules_data(groups)
    data["groups"] = [{"name": g["name"], "partial_response_strategy": strategy, **{k: v for k, v in g.items() if k != "name"}} for g in data["groups"]]
    return emit.to_yaml(data, header)


def objstore_file(storage: Any, header: str) -> str:
    t = storage.thanos_s3
    config: dict[str, Any] = {"bucket": t.bucket, "endpoint": t.endpoint}
    if t.region:
        config["region"] = t.region
    if t.insecure:
        config["insecure"] = True
    data: dict[str, Any] = {"type": "S3", "config": config}
    if t.prefix:
        data["prefix"] = t.prefix
    return emit.to_yaml(data, header)
