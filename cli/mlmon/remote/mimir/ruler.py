"""The Mimir/Cortex ruler API as the target uses it (``<api_prefix>/config/v1/rules``; header
``X-Scope-OrgID: <tenant>``; namespace and group names percent-encoded in paths). Every write is
verified by reading the group back; the API has no versions, so a write whose answer was lost is
reconciled the same way."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mlmon.remote.base import Target
from mlmon.remote.errors import RemoteError
from mlmon.remote.mimir.normalise import TARGET, normalise_group

DEFAULT_PREFIX = "mlmon"
DEFAULT_API_PREFIX = "/prometheus"


@dataclass
class Step:
    namespace: str
    group: str
    previous: dict[str, Any] | None  # raw live group (None: did not exist)
    lost: bool = False


class StepFailed(Exception):
    pass


class RulerServer(Target):
    name = TARGET

    def __init__(self, url: str, tenant: str | None, namespace_prefix: str = DEFAULT_PREFIX, *, api_prefix: str = DEFAULT_API_PREFIX, **kwargs: Any):
        if not namespace_prefix or not re.match(r"^[A-Za-z0-9_.-]+$", namespace_prefix):
            raise RemoteError(f"{TARGET}: namespace prefix {namespace_prefix!r} must be non-empty letters, digits, '_', '.', '-'")
        super().__init__(url, headers={"X-Scope-OrgID": tenant} if tenant else {}, **kwargs)
        self.tenant = tenant
        self.namespace_prefix = namespace_prefix
        self.api_prefix = "/" + api_prefix.strip("/") if api_prefix.strip("/") else ""

    def owns(self, namespace: str) -> bool:
        return namespace.startswith(self.namespace_prefix + "-")

    def _path(self, namespace: str | None = None, group: str | None = None) -> str:
        path = self.api_prefix + "/config/v1/rules"
        for part in (namespace, group):
            if part is not None:
                path += "/" + urllib.parse.quote(part, safe="")
        return path

    def _load_yaml(self, resp: Any, what: str) -> Any:
        import yaml

        try:
            return yaml.safe_load(resp.text)
        except yaml.YAMLError:
            raise RemoteError(self.at(f"{what}: the answer is not YAML (is this the ruler API?)")) from None

    def live(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Owned namespaces only: namespace -> group name -> raw group."""
        what = f"listing rule groups of tenant {self.tenant or '(none)'}"
        resp = self.client.get(self._path(), what=what, expect=(200, 404))
        if resp.status_code == 404:
            if "no rule groups found" in resp.text:
                return {}
            raise RemoteError(self.at(f"{what} failed: {self.client.describe_status(resp)}"))
        data = self._load_yaml(resp, what) or {}
        if not isinstance(data, dict):
            raise RemoteError(self.at(f"{what}: expected a map of namespaces"))
        return {
            str(ns): {str(g["name"]): g for g in groups or [] if isinstance(g, dict) and g.get("name")} for ns, groups in data.items() if self.owns(str(ns))
        }

    def get_group(self, namespace: str, group: str) -> dict[str, Any] | None:
        what = f"reading rule group {namespace}/{group}"
        resp = self.client.get(self._path(namespace, group), what=what, expect=(200, 404))
        if resp.status_code == 404:
            return None
        data = self._load_yaml(resp, what)
        if not isinstance(data, dict):
            raise RemoteError(self.at(f"{what}: unexpected answer"))
        return data

    def post_group(self, step: Step, group: Mapping[str, Any], *, rollback: bool = False) -> None:
        from mlmon.render.emit import to_yaml

        ns, name = step.namespace, step.group
        error = ""
        try:
            resp = self.client.post(
                self._path(ns),
                what=f"{'restoring' if rollback else 'writing'} rule group {ns}/{name}",
                data=to_yaml(dict(group)).encode(),
                headers={"Content-Type": "application/yaml"},
                expect=None,
            )
            if resp.status_code not in (200, 202):
                error = f"writing rule group {ns}/{name} failed: {self.client.describe_status(resp)}"
                step.lost = step.lost or resp.status_code >= 500
        except RemoteError as exc:
            error, step.lost = str(exc), True
        now = self._read_back(step, error)
        if now is not None and normalise_group(now) == normalise_group(group):
            return
        raise StepFailed(error or f"verifying rule group {ns}/{name}: the ruler does not return what was written")

    def delete_group(self, step: Step) -> None:
        ns, name = step.namespace, step.group
        error = ""
        try:
            resp = self.client.request("DELETE", self._path(ns, name), what=f"deleting rule group {ns}/{name}", expect=None)
            if resp.status_code not in (200, 202, 404):
                error = f"deleting rule group {ns}/{name} failed: {self.client.describe_status(resp)}"
        except RemoteError as exc:
            error, step.lost = str(exc), True
        if self._read_back(step, error, "deletion of ") is not None:
            raise StepFailed(error or f"verifying deletion of {ns}/{name}: it still exists")

    def _read_back(self, step: Step, error: str, what: str = "rule group ") -> dict[str, Any] | None:
        try:
            return self.get_group(step.namespace, step.group)
        except RemoteError as exc:
            raise StepFailed(error or f"verifying {what}{step.namespace}/{step.group}: {exc}") from None
