"""A small client of MLflow's REST API (``/api/2.0/mlflow/...``) over HTTP, without the
``mlflow`` package.

- ``registered-models/get``: the model and its aliases; ``model-versions/search``: its versions and
  stages (paged); ``runs/get``: a version's run (end time, metrics).
- Credentials come from MLflow's own environment variables only: ``MLFLOW_TRACKING_TOKEN``
  (bearer) or ``MLFLOW_TRACKING_USERNAME`` / ``MLFLOW_TRACKING_PASSWORD`` (basic);
  ``MLFLOW_TRACKING_SERVER_CERT_PATH`` names a CA bundle. They never appear in messages.
- Every failure is a ``RegistryError`` whose ``kind`` says what went wrong: ``unreachable``,
  ``auth`` or ``protocol`` (the registry cannot be used: exit 2) or ``unknown`` (the spec names a
  registered model the registry lacks: exit 1).

The payload parsers (``parse_*``) are pure; tests feed them payloads recorded from a real server.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from mlmon.registry.facts import RegisteredModel, RegistryVersion

API = "/api/2.0/mlflow"
PAGE = 1000
MAX_PAGES = 100
AUTH_HINT = "set MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD"
UNREACHABLE, AUTH, PROTOCOL, UNKNOWN = "unreachable", "auth", "protocol", "unknown"


class RegistryError(Exception):
    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


# --- payloads -> values (pure) -------------------------------------------------------------------
def _ms_to_s(ms: Any) -> int | None:
    try:
        return int(ms) // 1000 if ms is not None else None
    except (TypeError, ValueError):
        return None


def parse_versions(model: Mapping[str, Any], versions: list[Mapping[str, Any]]) -> RegisteredModel:
    """``registered-models/get``'s ``registered_model`` and ``model-versions/search``'s
    ``model_versions`` -> the model (run metrics not yet filled in). Versions whose registration
    failed or is pending are left out."""
    aliases: dict[str, list[str]] = {}
    for a in model.get("aliases") or []:
        if isinstance(a, Mapping) and a.get("alias") and a.get("version") is not None:
            aliases.setdefault(str(a["version"]), []).append(str(a["alias"]))
    out = []
    for v in versions:
        if v.get("status", "READY") != "READY" or v.get("version") is None:
            continue
        name = str(v["version"])
        stage = v.get("current_stage")
        out.append(
            RegistryVersion(
                name,
                _ms_to_s(v.get("creation_timestamp")) or 0,
                tuple(sorted(set(aliases.get(name, [])) | {str(x) for x in v.get("aliases") or []})),
                None if stage in (None, "", "None") else str(stage),
                v.get("run_id") or None,
            )
        )
    return RegisteredModel(str(model.get("name", "")), tuple(sorted(out, key=lambda x: x.version)))


def parse_run(run: Mapping[str, Any]) -> tuple[int | None, dict[str, float]]:
    """``runs/get``'s ``run`` -> (end time in Unix seconds or None, latest value of each metric)."""
    info = run.get("info") or {}
    latest: dict[str, tuple[int, int, float]] = {}
    for m in (run.get("data") or {}).get("metrics") or []:
        try:
            key, value = str(m["key"]), float(m["value"])
        except (KeyError, TypeError, ValueError):
            continue
        rank = (int(m.get("step") or 0), int(m.get("timestamp") or 0), value)
        if key not in latest or rank[:2] >= latest[key][:2]:
            latest[key] = rank
    return _ms_to_s(info.get("end_time")), {k: v[2] for k, v in sorted(latest.items())}


def with_run(v: RegistryVersion, run: Mapping[str, Any]) -> RegistryVersion:
    """The version with its run's metrics, trained at the run's end (else at its registration)."""
    end, metrics = parse_run(run)
    return RegistryVersion(v.version, end or v.trained_at, v.aliases, v.stage, v.run_id, metrics)


def error_text(payload: Any) -> str:
    """MLflow's ``{"error_code": ..., "message": ...}`` as one line."""
    if isinstance(payload, Mapping) and payload.get("error_code"):
        return f"{payload.get('error_code')}: {' '.join(str(payload.get('message', '')).split())[:300]}"
    return ""


# --- HTTP ------------------------------------------------------------------------------------------
class MlflowClient:
    """Talks to one MLflow tracking server. ``env`` defaults to ``os.environ``."""

    def __init__(self, uri: str, *, timeout: float = 10.0, retries: int = 2, env: Mapping[str, str] | None = None):
        from mlmon.remote.errors import RemoteError
        from mlmon.remote.http import HttpClient, HttpSettings, safe_url

        env = os.environ if env is None else env
        self.url = safe_url(uri or "")
        parts = urlsplit(uri or "")
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise RegistryError(PROTOCOL, f"MLflow URI must be http(s)://host[:port][/path], got {self.url!r}")
        if parts.username or parts.password:
            raise RegistryError(AUTH, f"MLflow at {self.url}: do not put credentials in the URI; {AUTH_HINT}")
        mapped = {}
        if env.get("MLFLOW_TRACKING_TOKEN"):
            mapped["MLMON_MLFLOW_TOKEN"] = env["MLFLOW_TRACKING_TOKEN"]
        elif env.get("MLFLOW_TRACKING_USERNAME"):
            mapped["MLMON_MLFLOW_USER"] = env["MLFLOW_TRACKING_USERNAME"]
            mapped["MLMON_MLFLOW_PASSWORD"] = env.get("MLFLOW_TRACKING_PASSWORD", "")
        if env.get("MLFLOW_TRACKING_SERVER_CERT_PATH"):
            mapped["MLMON_MLFLOW_CA_FILE"] = env["MLFLOW_TRACKING_SERVER_CERT_PATH"]
        settings = HttpSettings(connect_timeout=min(3.0, timeout), read_timeout=timeout, retries=retries)
        try:
            self.http = HttpClient("MLflow", uri, settings=settings, env=mapped)
        except RemoteError as exc:
            raise RegistryError(PROTOCOL, str(exc)) from None

    def _get(self, path: str, params: Mapping[str, Any], what: str) -> tuple[int, Any]:
        from mlmon.remote.errors import RemoteError
        from mlmon.remote.http import redact

        try:
            resp = self.http.get(API + path, what=what, expect=None, params=dict(params))
        except RemoteError as exc:
            raise RegistryError(UNREACHABLE, str(exc)) from None
        try:
            payload = resp.json()
        except ValueError:
            payload = None
        if resp.status_code in (401, 403):
            raise RegistryError(AUTH, redact(f"MLflow at {self.url}: {what} failed: HTTP {resp.status_code} (authentication failed); {AUTH_HINT}"))
        if resp.status_code == 200 and isinstance(payload, Mapping):
            return 200, payload
        if resp.status_code == 404 and error_text(payload):
            return 404, payload
        detail = error_text(payload) or ("the answer is not MLflow's JSON; is this an MLflow tracking server?" if payload is None else "unexpected answer")
        raise RegistryError(PROTOCOL, redact(f"MLflow at {self.url}: {what} failed: HTTP {resp.status_code}: {detail}"))

    def names(self) -> list[str]:
        """Registered model names (the first page: for did-you-mean hints)."""
        _, payload = self._get("/registered-models/search", {"max_results": PAGE}, "listing registered models")
        return sorted(str(m.get("name")) for m in payload.get("registered_models") or [] if isinstance(m, Mapping))

    def model(self, name: str) -> RegisteredModel:
        """The registered model, its aliases and its versions (without run metrics)."""
        status, payload = self._get("/registered-models/get", {"name": name}, f"reading registered model {name!r}")
        if status == 404:
            try:
                close = difflib.get_close_matches(name, self.names(), n=1)
            except RegistryError:
                close = []
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise RegistryError(UNKNOWN, f"registered model {name!r} not found in MLflow at {self.url}{hint}")
        model = payload.get("registered_model") or {}
        versions: list[Mapping[str, Any]] = []
        token = None
        for _ in range(MAX_PAGES):
            params: dict[str, Any] = {"filter": f"name='{name}'", "max_results": PAGE}
            if token:
                params["page_token"] = token
            _, page = self._get("/model-versions/search", params, f"listing versions of {name!r}")
            versions.extend(v for v in page.get("model_versions") or [] if isinstance(v, Mapping))
            token = page.get("next_page_token")
            if not token:
                break
        return parse_versions(model, versions)

    def run(self, run_id: str) -> Mapping[str, Any]:
        status, payload = self._get("/runs/get", {"run_id": run_id}, f"reading run {run_id}")
        if status == 404:
            return {}
        run = payload.get("run")
        return run if isinstance(run, Mapping) else {}

    def close(self) -> None:
        self.http.close()
