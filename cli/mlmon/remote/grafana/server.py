"""Grafana's HTTP API as the target uses it: reading the folder and its dashboards, and the write
steps, each verified by reading back (a write whose answer was lost is reconciled that way)."""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from typing import Any

from mlmon.remote.base import Target
from mlmon.remote.errors import ApplyError, RemoteError
from mlmon.remote.grafana.normalise import OWNER_TAG, TARGET, normalise_dashboard
from mlmon.remote.grafana.state import LiveDash, Snapshot, StepFailed

SEARCH_PAGE = 1000
DEFAULT_FOLDER = "mlmon"


def _quoted(prefix: str, uid: str) -> str:
    return prefix + urllib.parse.quote(uid, safe="")


class GrafanaServer(Target):
    name = TARGET

    def __init__(self, url: str, folder_uid: str = DEFAULT_FOLDER, folder_title: str = DEFAULT_FOLDER, **kwargs: Any):
        super().__init__(url, **kwargs)
        self.folder_uid = folder_uid
        self.folder_title = folder_title
        self._last_status = 0

    # ---- reading
    def get_dashboard(self, uid: str) -> LiveDash | None:
        resp = self.client.get(_quoted("/api/dashboards/uid/", uid), what=f"reading dashboard {uid}", expect=(200, 404))
        if resp.status_code == 404:
            return None
        try:
            body = resp.json()
            dash, meta = body["dashboard"], body.get("meta") or {}
        except (ValueError, KeyError, TypeError):
            raise RemoteError(self.at(f"reading dashboard {uid}: unexpected answer")) from None
        version = meta.get("version", dash.get("version"))
        return LiveDash(uid, dash, int(version or 0), str(meta.get("folderUid") or ""), list(dash.get("tags") or []))

    def folder(self) -> dict[str, Any] | None:
        resp = self.client.get(_quoted("/api/folders/", self.folder_uid), what=f"reading folder {self.folder_uid}", expect=(200, 404))
        return resp.json() if resp.status_code == 200 else None

    def owned_uids(self) -> list[str]:
        uids: list[str] = []
        page = 1
        while True:
            hits = self.client.get_json(
                "/api/search",
                what=f"listing dashboards in folder {self.folder_uid}",
                params={"type": "dash-db", "folderUIDs": self.folder_uid, "tag": OWNER_TAG, "limit": SEARCH_PAGE, "page": page},
            )
            if not isinstance(hits, list):
                raise RemoteError(self.at("search returned an unexpected answer"))
            for hit in hits:
                if hit.get("type", "dash-db") == "dash-db" and hit.get("folderUid") == self.folder_uid and OWNER_TAG in (hit.get("tags") or []):
                    uids.append(str(hit["uid"]))
            if len(hits) < SEARCH_PAGE:
                return sorted(set(uids))
            page += 1

    def snapshot(self, desired: Mapping[str, Any]) -> Snapshot:
        health = self.client.get_json("/api/health", what="health check (GET /api/health)")
        folder = self.folder()
        owned = self.owned_uids() if folder else []
        snap = Snapshot(folder is not None, (folder or {}).get("title"), owned, str((health or {}).get("version") or "") if isinstance(health, dict) else "")
        for uid in sorted(set(desired) | set(owned)):
            snap.dashboards[uid] = self.get_dashboard(uid)
        return snap

    # ---- write steps
    def create_folder(self) -> None:
        what = f"creating folder {self.folder_uid}"
        try:
            resp = self.client.post("/api/folders", what=what, json={"uid": self.folder_uid, "title": self.folder_title}, expect=None)
        except RemoteError:
            resp = None  # the answer was lost: check below whether it exists
        if resp is not None and resp.status_code in (401, 403):
            raise RemoteError(self.at(f"{what} failed: {self.client.describe_status(resp)}. Nothing was changed."))
        if resp is not None and resp.status_code not in (200, 409):
            raise ApplyError(self.at(f"{what} failed: {self.client.describe_status(resp)}. Nothing was changed."), rolled_back=True)
        try:
            found = self.folder()
        except RemoteError as exc:
            raise ApplyError(f"{exc} (while verifying that folder {self.folder_uid} was created)", rolled_back=False) from None
        if found is None:
            raise ApplyError(self.at(f"{what}: folder not found after creating it. Nothing was changed."), rolled_back=True)

    def remove_folder_if_empty(self) -> None:
        left = self.client.get_json(
            "/api/search", what="listing the folder before removing it", params={"type": "dash-db", "folderUIDs": self.folder_uid, "limit": 1}
        )
        if not left:
            what = f"removing folder {self.folder_uid} created by this apply"
            self.client.request("DELETE", _quoted("/api/folders/", self.folder_uid), what=what, expect=(200, 404))

    def post_dashboard(self, dashboard: dict[str, Any], folder_uid: str, overwrite: bool, message: str, uid: str) -> tuple[int | None, str, bool]:
        """POST /api/dashboards/db -> (new version or None, error text, answer lost)."""
        body = {"dashboard": dashboard, "folderUid": folder_uid, "overwrite": overwrite, "message": message[:500]}
        self._last_status = 0
        try:
            resp = self.client.post("/api/dashboards/db", what=f"saving dashboard {uid}", json=body, expect=None)
        except RemoteError as exc:
            return None, str(exc), True
        if resp.status_code == 200:
            try:
                return int(resp.json()["version"]), "", False
            except (ValueError, KeyError, TypeError):
                return None, "unexpected answer to save", False
        self._last_status = resp.status_code
        return None, self._save_error(uid, resp), resp.status_code >= 500

    def _save_error(self, uid: str, resp: Any) -> str:
        try:
            body = resp.json()
        except ValueError:
            body = {}
        status = str(body.get("status") or "") if isinstance(body, dict) else ""
        message = str(body.get("message") or "") if isinstance(body, dict) else ""
        if resp.status_code == 412 and status == "version-mismatch":
            return f"dashboard {uid} was changed by someone else while mlmon was applying (412 version-mismatch); run `mlmon diff` again"
        if resp.status_code in (400, 412) and status == "name-exists":
            return (
                f"dashboard {uid}: Grafana reports another dashboard with the same title or uid in folder "
                f"'{self.folder_uid}' ({resp.status_code} name-exists: {message}); rename or remove the other dashboard"
            )
        if resp.status_code == 412 and status == "plugin-dashboard":
            return f"dashboard {uid} is managed by a Grafana plugin (412 plugin-dashboard); mlmon will not overwrite it"
        if resp.status_code == 404:
            return f"saving dashboard {uid}: {message or 'not found'} (404; folder {self.folder_uid} missing?)"
        return f"saving dashboard {uid} failed: {self.client.describe_status(resp)}"

    def save(self, dashboard: dict[str, Any], live: LiveDash | None, overwrite: bool, message: str) -> int:
        uid = str(dashboard["uid"])
        body = dict(dashboard)
        if live is not None:
            body["version"] = live.version
        version, error, lost = self.post_dashboard(body, self.folder_uid, overwrite, message, uid)
        # Verify (and reconcile a lost answer): the server holds the new content, or the step failed.
        try:
            now = self.get_dashboard(uid)
        except RemoteError as exc:
            raise StepFailed(error or f"verifying dashboard {uid}: {exc}", lost=True) from None
        if (
            now is not None
            and now.folder_uid == self.folder_uid
            and normalise_dashboard(now.json) == normalise_dashboard(dashboard)
            and (version is None or now.version == version)
            and (live is None or now.version > live.version)
        ):
            return now.version
        if error:
            raise StepFailed(error, lost=lost, auth=self._last_status in (401, 403))
        raise StepFailed(
            f"verifying dashboard {uid}: the server does not hold the saved content at version {version}"
            + (f" (it has version {now.version})" if now else " (dashboard not found)")
        )

    def delete(self, uid: str) -> None:
        error = ""
        try:
            resp = self.client.request("DELETE", _quoted("/api/dashboards/uid/", uid), what=f"deleting dashboard {uid}", expect=None)
            if resp.status_code not in (200, 404):
                error = f"deleting dashboard {uid} failed: {self.client.describe_status(resp)}"
        except RemoteError as exc:
            error = str(exc)
        try:
            now = self.get_dashboard(uid)
        except RemoteError as exc:
            raise StepFailed(error or f"verifying deletion of dashboard {uid}: {exc}") from None
        if now is not None:
            raise StepFailed(error or f"verifying deletion of dashboard {uid}: it still exists")
