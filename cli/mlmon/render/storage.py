"""prometheus.yml's ``remote_write`` blocks from the spec's ``storage`` (pure).

Each receiver gets, unless ``all`` is set, ``write_relabel_configs`` that keep only mlmon's
recorded series (every recording rule mlmon writes is named ``mlmon...:...``;
``conventions.RECORDED_SERIES``), Prometheus' ``ALERTS`` and ``ALERTS_FOR_STATE``, and the raw
series the spec lists. Credentials are only ever file paths (or, for SigV4, the AWS environment):
the spec's schema has no field for a secret value.
"""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon.compiler.storage.schema import ALERTS_SERIES


def keep_regex(recorded: bool, series: tuple[str, ...]) -> str:
    parts = ([C.RECORDED_SERIES, *ALERTS_SERIES] if recorded else []) + list(series)
    return "|".join(parts)


def _auth(kind: str, settings: Any) -> dict[str, Any]:
    if kind == "basic_auth":
        return {"basic_auth": {"username": settings["username"], "password_file": settings["password_file"]}}
    if kind == "authorization":
        return {"authorization": {"type": settings.get("type", "Bearer"), "credentials_file": settings["credentials_file"]}}
    if kind == "bearer_token_file":
        return {"bearer_token_file": settings["file"]}
    if kind == "sigv4":
        return {"sigv4": dict(settings)}
    return {}


def remote_write(storage: Any) -> list[dict[str, Any]]:
    out = []
    for rw in storage.remote_write:
        block: dict[str, Any] = {"url": rw.url, "name": rw.name}
        block.update(_auth(rw.auth.kind, rw.auth.settings))
        if rw.tls:
            block["tls_config"] = dict(rw.tls)
        if not rw.everything:
            block["write_relabel_configs"] = [{"source_labels": ["__name__"], "regex": keep_regex(rw.recorded, rw.series), "action": "keep"}]
        if rw.queue:
            block["queue_config"] = dict(rw.queue)
        out.append(block)
    return out
