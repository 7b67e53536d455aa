"""Grafana target of `mlmon diff` / `mlmon apply`: dashboards in one folder that mlmon owns.

Desired state: ``generated/grafana/dashboards/*.json`` (each with a stable ``uid``). mlmon owns the
dashboards that are in its folder (``folder_uid``, default ``mlmon``) *and* carry the tag ``mlmon``;
it never changes or deletes anything else. A desired uid that exists outside that ownership is a
conflict: reported by ``plan`` and refused by ``apply``.

HTTP (Grafana's ``/api``): ``GET /api/health``, ``GET/POST /api/folders[/{uid}]``,
``GET /api/search?type=dash-db&folderUIDs=..&tag=mlmon``, ``GET/DELETE /api/dashboards/uid/{uid}``,
``POST /api/dashboards/db`` with ``{dashboard, folderUid, overwrite, message}``.

Safety:
- Optimistic concurrency: an update sends the live ``version`` with ``overwrite: false``, so a save
  by someone else between mlmon's read and its write is a 412 ``version-mismatch``, not a silent
  overwrite. ``overwrite: true`` is sent only with ``--force``.
- UI edits: the version mlmon last applied to each dashboard is recorded per server in
  ``<state_dir>/state/grafana.json``. A live version different from the recorded one (or a live
  dashboard this state directory has no record of) means someone saved it outside mlmon: ``plan``
  says so and ``apply`` refuses to overwrite or delete it without ``force``.
- Every write is verified (``GET`` by uid returns the new version and the desired content). When a
  step fails, the dashboards already written by this apply are restored to their previous JSON
  (and deleted when they were new), and ``ApplyError(rolled_back=True)`` is raised.
- A write whose answer is lost (timeout, dropped connection) is reconciled by reading the dashboard
  back: the server ends in the old or the new state, never between.

Auth: ``MLMON_GRAFANA_TOKEN`` (bearer) or ``MLMON_GRAFANA_USER``/``MLMON_GRAFANA_PASSWORD``, read by
:class:`mlmon.remote.http.HttpClient`; never printed.
"""

from __future__ import annotations

import json
import os
import tempfile
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from mlmon.plan import Change
from mlmon.remote.base import ApplyError, ApplyOptions, RemoteError, TargetConfig
from mlmon.remote.http import HttpClient, HttpSettings, safe_url

TARGET = "grafana"
OWNER_TAG = "mlmon"
STATE_FILE = "grafana.json"
# Fields Grafana fills or bumps on every save; never part of a comparison.
SERVER_FIELDS = frozenset({"id", "version", "iteration"})
PANEL_SERVER_FIELDS = frozenset({"pluginVersion"})
SEARCH_PAGE = 1000


# --------------------------------------------------------------------------------------------
# pure: normalisation and comparison


def _clean(value: Any) -> Any:
    """Drop nulls (Grafana and the UI treat null and absent alike); recurse."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _normalise_panel(panel: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in panel.items() if k not in PANEL_SERVER_FIELDS}
    if isinstance(out.get("panels"), list):  # collapsed row
        out["panels"] = [_normalise_panel(p) for p in out["panels"] if isinstance(p, Mapping)]
    return _clean(out)


def normalise_dashboard(dashboard: Mapping[str, Any]) -> dict[str, Any]:
    """Comparable form: server-filled fields dropped, nulls dropped, tags sorted and unique."""
    out = {k: v for k, v in dashboard.items() if k not in SERVER_FIELDS}
    out["tags"] = sorted(set(str(t) for t in out.get("tags") or []))
    if isinstance(out.get("panels"), list):
        out["panels"] = [_normalise_panel(p) for p in out["panels"] if isinstance(p, Mapping)]
    return _clean(out)


def _panels_flat(dashboard: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Panels (including those inside collapsed rows) keyed by id, or title when there is no id."""
    found: dict[str, dict[str, Any]] = {}

    def visit(panels: Any) -> None:
        for p in panels or []:
            if not isinstance(p, Mapping):
                continue
            key = f"{p['id']}" if p.get("id") is not None else f"title={p.get('title', '')}"
            body = {k: v for k, v in p.items() if k != "panels"}
            found[key] = body
            visit(p.get("panels"))

    visit(dashboard.get("panels"))
    return found


def _panel_name(key: str, panel: Mapping[str, Any]) -> str:
    title = panel.get("title") or panel.get("type") or ""
    return f"{key}: {title}" if not key.startswith("title=") else str(title)


def panel_changes(uid: str, before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> tuple[Change, ...]:
    old = _panels_flat(before or {})
    new = _panels_flat(after or {})
    out = []
    for key in sorted(set(old) | set(new), key=_panel_sort_key):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if a is None:
            out.append(Change(TARGET, "panel", f"{uid}/{_panel_name(key, b)}", "add", None, b))
        elif b is None:
            out.append(Change(TARGET, "panel", f"{uid}/{_panel_name(key, a)}", "remove", a, None))
        else:
            fields = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
            out.append(Change(TARGET, "panel", f"{uid}/{_panel_name(key, b)}", "change", a, b, "changed: " + ", ".join(fields)))
    return tuple(out)


def _panel_sort_key(key: str) -> tuple[int, int, str]:
    return (0, int(key), "") if key.isdigit() else (1, 0, key)


def dashboard_fields_changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    return sorted(k for k in set(before) | set(after) if k != "panels" and before.get(k) != after.get(k))


# --------------------------------------------------------------------------------------------
# state: what mlmon last applied, per server


class _State:
    def __init__(self, path: Path, server: str):
        self.path = path
        self.server = server
        self.data: dict[str, Any] = {"version": 1, "servers": {}}
        if path.is_file():
            try:
                loaded = json.loads(path.read_text(encoding="utf-8"))
                if isinstance(loaded, dict) and isinstance(loaded.get("servers"), dict):
                    self.data = loaded
            except (OSError, ValueError):
                raise RemoteError(f"{TARGET}: cannot read state file {path}; move it away to start afresh") from None

    @property
    def dashboards(self) -> dict[str, Any]:
        return self.data["servers"].setdefault(self.server, {}).setdefault("dashboards", {})

    def recorded(self, uid: str) -> int | None:
        rec = self.dashboards.get(uid)
        return int(rec["version"]) if isinstance(rec, dict) and "version" in rec else None

    def set(self, uid: str, version: int | None) -> None:
        if version is None:
            self.dashboards.pop(uid, None)
        else:
            self.dashboards[uid] = {"version": int(version)}

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self.data, indent=2, sort_keys=True) + "\n"
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".grafana-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, self.path)


# --------------------------------------------------------------------------------------------
# live state


@dataclass
class _LiveDash:
    uid: str
    json: dict[str, Any]
    version: int
    folder_uid: str
    tags: list[str]

    def owned_by(self, folder_uid: str) -> bool:
        return self.folder_uid == folder_uid and OWNER_TAG in self.tags


@dataclass
class _Snapshot:
    folder_exists: bool
    folder_title: str | None
    owned: list[str]
    dashboards: dict[str, _LiveDash | None] = field(default_factory=dict)


@dataclass
class _Step:
    uid: str
    action: str
    previous: _LiveDash | None
    new_version: int | None = None
    lost: bool = False  # the write's answer was lost: it may still land later
    completed: bool = False  # written and verified


class _StepFailed(Exception):
    def __init__(self, message: str, lost: bool = False, auth: bool = False):
        super().__init__(message)
        self.lost = lost
        self.auth = auth  # 401/403: the token may not write here


class GrafanaTarget:
    name = TARGET

    def __init__(
        self,
        url: str,
        folder_uid: str = "mlmon",
        folder_title: str = "mlmon",
        state_dir: Path | str = Path(".mlmon"),
        *,
        settings: HttpSettings | None = None,
        env: Mapping[str, str] | None = None,
    ):
        self.client = HttpClient(TARGET, url, settings=settings, env=env)
        self.url = safe_url(url)
        self.folder_uid = folder_uid
        self.folder_title = folder_title
        self.state_dir = Path(state_dir)
        self.state_path = self.state_dir / "state" / STATE_FILE
        self._last_status = 0

    @classmethod
    def from_config(cls, cfg: TargetConfig) -> "GrafanaTarget":
        s = dict(cfg.settings or {})
        return cls(
            cfg.url,
            folder_uid=str(s.get("folder_uid") or "mlmon"),
            folder_title=str(s.get("folder_title") or s.get("folder_uid") or "mlmon"),
            state_dir=cfg.state_dir,
            settings=HttpSettings(connect_timeout=cfg.connect_timeout, read_timeout=cfg.read_timeout, retries=cfg.retries),
        )

    # ---- desired

    def desired(self, generated: Path) -> dict[str, dict[str, Any]]:
        """uid -> dashboard JSON as mlmon will send it (``mlmon`` tag added, no id/version)."""
        folder = Path(generated) / "grafana" / "dashboards"
        if not folder.is_dir():
            raise RemoteError(f"{TARGET}: {folder} does not exist; run `mlmon generate` first")
        out: dict[str, dict[str, Any]] = {}
        for path in sorted(folder.glob("*.json")):
            try:
                dash = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise RemoteError(f"{TARGET}: cannot read {path}: {exc}") from None
            uid = dash.get("uid") if isinstance(dash, dict) else None
            if not isinstance(uid, str) or not uid:
                raise RemoteError(f"{TARGET}: {path} has no dashboard uid")
            if uid in out:
                raise RemoteError(f"{TARGET}: {path}: uid {uid!r} is used by two dashboards")
            dash = {k: v for k, v in dash.items() if k not in SERVER_FIELDS}
            tags = list(dash.get("tags") or [])
            if OWNER_TAG not in tags:
                tags.append(OWNER_TAG)
            dash["tags"] = tags
            out[uid] = dash
        return out

    # ---- reading the server

    def _health(self) -> None:
        self.client.get_json("/api/health", what="health check (GET /api/health)")

    def _get_dashboard(self, uid: str) -> _LiveDash | None:
        path = "/api/dashboards/uid/" + urllib.parse.quote(uid, safe="")
        resp = self.client.get(path, what=f"reading dashboard {uid}", expect=(200, 404))
        if resp.status_code == 404:
            return None
        try:
            body = resp.json()
            dash, meta = body["dashboard"], body.get("meta") or {}
        except (ValueError, KeyError, TypeError):
            raise RemoteError(f"{TARGET} at {self.url}: reading dashboard {uid}: unexpected answer") from None
        version = meta.get("version", dash.get("version"))
        return _LiveDash(uid, dash, int(version or 0), str(meta.get("folderUid") or ""), list(dash.get("tags") or []))

    def _folder(self) -> dict[str, Any] | None:
        path = "/api/folders/" + urllib.parse.quote(self.folder_uid, safe="")
        resp = self.client.get(path, what=f"reading folder {self.folder_uid}", expect=(200, 404))
        return resp.json() if resp.status_code == 200 else None

    def _owned_uids(self) -> list[str]:
        uids: list[str] = []
        page = 1
        while True:
            hits = self.client.get_json(
                "/api/search",
                what=f"listing dashboards in folder {self.folder_uid}",
                params={"type": "dash-db", "folderUIDs": self.folder_uid, "tag": OWNER_TAG, "limit": SEARCH_PAGE, "page": page},
            )
            if not isinstance(hits, list):
                raise RemoteError(f"{TARGET} at {self.url}: search returned an unexpected answer")
            for hit in hits:
                if hit.get("type", "dash-db") == "dash-db" and hit.get("folderUid") == self.folder_uid and OWNER_TAG in (hit.get("tags") or []):
                    uids.append(str(hit["uid"]))
            if len(hits) < SEARCH_PAGE:
                return sorted(set(uids))
            page += 1

    def _snapshot(self, desired: Mapping[str, Any]) -> _Snapshot:
        self._health()
        folder = self._folder()
        owned = self._owned_uids() if folder else []
        snap = _Snapshot(folder is not None, (folder or {}).get("title"), owned)
        for uid in sorted(set(desired) | set(owned)):
            snap.dashboards[uid] = self._get_dashboard(uid)
        return snap

    # ---- plan

    def plan(self, generated: Path) -> Sequence[Change]:
        desired = self.desired(generated)
        state = _State(self.state_path, self.url)
        return self._plan(desired, self._snapshot(desired), state)

    def _edited_note(self, live: _LiveDash, state: _State) -> str | None:
        rec = state.recorded(live.uid)
        if rec is None:
            return (
                f"live version {live.version} was not applied from this state directory ({self.state_path}); "
                "it may have been edited in the Grafana UI"
            )
        if rec != live.version:
            return f"edited outside mlmon since the last apply (live version {live.version}, mlmon applied version {rec})"
        return None

    def _plan(self, desired: Mapping[str, dict[str, Any]], snap: _Snapshot, state: _State) -> list[Change]:
        changes: list[Change] = []
        if not snap.folder_exists and desired:
            changes.append(Change(TARGET, "folder", self.folder_uid, "add", None, {"uid": self.folder_uid, "title": self.folder_title}))
        for uid in sorted(desired):
            want = normalise_dashboard(desired[uid])
            live = snap.dashboards.get(uid)
            title = str(desired[uid].get("title", ""))
            if live is None:
                changes.append(Change(TARGET, "dashboard", uid, "add", None, want, f"'{title}'", panel_changes(uid, None, want)))
                continue
            have = normalise_dashboard(live.json)
            if not live.owned_by(self.folder_uid):
                where = f"folder '{live.folder_uid or 'General'}'" + ("" if OWNER_TAG in live.tags else f", without tag '{OWNER_TAG}'")
                changes.append(Change(
                    TARGET, "dashboard", uid, "change", have, want,
                    f"conflict: uid exists in Grafana outside mlmon's ownership ({where}); apply will not touch it",
                ))
                continue
            if have == want:
                continue
            notes = [f"'{title}'"]
            top = dashboard_fields_changed(have, want)
            if top:
                notes.append("fields: " + ", ".join(top))
            edited = self._edited_note(live, state)
            if edited:
                notes.append(edited + "; apply needs --force")
            changes.append(Change(TARGET, "dashboard", uid, "change", have, want, "; ".join(notes), panel_changes(uid, have, want)))
        for uid in snap.owned:
            if uid in desired:
                continue
            live = snap.dashboards.get(uid)
            if live is None:
                continue
            have = normalise_dashboard(live.json)
            notes = [f"'{live.json.get('title', '')}' is no longer generated"]
            edited = self._edited_note(live, state)
            if edited:
                notes.append(edited + "; apply needs --force")
            changes.append(Change(TARGET, "dashboard", uid, "remove", have, None, "; ".join(notes), panel_changes(uid, have, None)))
        return changes

    # ---- apply

    def apply(self, generated: Path, changes: Sequence[Change], options: ApplyOptions) -> Sequence[str]:
        desired = self.desired(generated)
        state = _State(self.state_path, self.url)
        snap = self._snapshot(desired)
        fresh = {(c.kind, c.name): c for c in self._plan(desired, snap, state)}
        wanted = [c for c in changes if c.target == TARGET]
        stale = [
            f"{c.kind} {c.name}" for c in wanted
            if (c.kind, c.name) not in fresh or (fresh[(c.kind, c.name)].action, fresh[(c.kind, c.name)].before, fresh[(c.kind, c.name)].after) != (c.action, c.before, c.after)
        ]
        if stale:
            raise ApplyError(
                f"{TARGET} at {self.url}: live state changed since the plan was made ({', '.join(stale)}); "
                "run `mlmon diff` again. Nothing was changed.",
                rolled_back=True,
            )
        # Refusals first: nothing is written unless every step is allowed.
        refusals = []
        for c in wanted:
            if c.kind != "dashboard":
                continue
            live = snap.dashboards.get(c.name)
            if c.action == "change" and live is not None and not live.owned_by(self.folder_uid):
                refusals.append(f"dashboard {c.name}: {c.detail}")
            elif live is not None and not options.force:
                edited = self._edited_note(live, state)
                if edited:
                    refusals.append(f"dashboard {c.name} ('{live.json.get('title', '')}'): {edited}")
        if refusals:
            hint = "" if all("conflict" in r for r in refusals) else " Review `mlmon diff` and re-run with --force to overwrite."
            raise ApplyError(
                f"{TARGET} at {self.url}: refusing to apply: " + "; ".join(refusals) + "." + hint + " Nothing was changed.",
                rolled_back=True,
            )

        lines: list[str] = []
        created_folder = False
        if any(c.kind == "folder" and c.action == "add" for c in wanted) or (not snap.folder_exists and any(c.kind == "dashboard" and c.action != "remove" for c in wanted)):
            self._create_folder()
            created_folder = True
            lines.append(f"{TARGET}: folder {self.folder_uid} ('{self.folder_title}') created: verified")

        order = sorted((c for c in wanted if c.kind == "dashboard"), key=lambda c: (c.action == "remove", c.name))
        done: list[_Step] = []
        try:
            for c in order:
                live = snap.dashboards.get(c.name)
                step = _Step(c.name, c.action, live)
                done.append(step)  # before the write: a failed step may still have taken effect
                if c.action == "remove":
                    self._delete(c.name)
                    lines.append(f"{TARGET}: dashboard {c.name} deleted: verified")
                else:
                    overwrite = bool(options.force and live is not None and self._edited_note(live, state))
                    step.new_version = self._save(desired[c.name], live, overwrite, options.message)
                    lines.append(
                        f"{TARGET}: dashboard {c.name} ('{desired[c.name].get('title', '')}') saved as version {step.new_version}: verified"
                    )
                step.completed = True
        except _StepFailed as exc:
            done[-1].lost = exc.lost
            rolled, notes = self._rollback(done, state, created_folder)
            state.save()
            earlier = len(done) - 1
            summary = f"rolled back the {earlier} earlier change(s) of this apply" if earlier else "nothing else had been changed"
            if created_folder:
                summary += " and removed the folder it created"
            if not rolled:
                summary = "ROLLBACK INCOMPLETE, the server may be half-configured: " + "; ".join(notes)
            elif exc.auth and len(done) == 1 and not created_folder:
                raise RemoteError(f"{TARGET} at {self.url}: {exc}; nothing was changed") from None  # permission problem, exit 2
            raise ApplyError(f"{TARGET} at {self.url}: {exc}; {summary}", rolled_back=rolled) from None

        for step in done:
            state.set(step.uid, step.new_version if step.action != "remove" else None)
        # Adopt dashboards whose live content already equals the generated one.
        for uid, dash in desired.items():
            live = snap.dashboards.get(uid)
            if live is not None and live.owned_by(self.folder_uid) and normalise_dashboard(live.json) == normalise_dashboard(dash):
                if not any(s.uid == uid for s in done):
                    state.set(uid, live.version)
        state.save()
        return lines

    # ---- steps

    def _create_folder(self) -> None:
        what = f"creating folder {self.folder_uid}"
        try:
            resp = self.client.post("/api/folders", what=what, json={"uid": self.folder_uid, "title": self.folder_title}, expect=None)
        except RemoteError:
            resp = None  # the answer was lost: check below whether it exists
        if resp is not None and resp.status_code in (401, 403):
            raise RemoteError(f"{TARGET} at {self.url}: {what} failed: {self.client.describe_status(resp)}. Nothing was changed.")
        if resp is not None and resp.status_code not in (200, 409):
            raise ApplyError(f"{TARGET} at {self.url}: {what} failed: {self.client.describe_status(resp)}. Nothing was changed.", rolled_back=True)
        try:
            found = self._folder()
        except RemoteError as exc:
            raise ApplyError(f"{exc} (while verifying that folder {self.folder_uid} was created)", rolled_back=False) from None
        if found is None:
            raise ApplyError(f"{TARGET} at {self.url}: {what}: folder not found after creating it. Nothing was changed.", rolled_back=True)

    def _post_dashboard(
        self, dashboard: dict[str, Any], folder_uid: str, overwrite: bool, message: str, uid: str
    ) -> tuple[int | None, str, bool]:
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

    def _save(self, dashboard: dict[str, Any], live: _LiveDash | None, overwrite: bool, message: str) -> int:
        uid = str(dashboard["uid"])
        body = dict(dashboard)
        if live is not None:
            body["version"] = live.version
        version, error, lost = self._post_dashboard(body, self.folder_uid, overwrite, message, uid)
        # Verify (and reconcile a lost answer): the server holds the new content, or the step failed.
        try:
            now = self._get_dashboard(uid)
        except RemoteError as exc:
            raise _StepFailed(error or f"verifying dashboard {uid}: {exc}", lost=True) from None
        ok = (
            now is not None
            and now.folder_uid == self.folder_uid
            and normalise_dashboard(now.json) == normalise_dashboard(dashboard)
            and (version is None or now.version == version)
            and (live is None or now.version > live.version)
        )
        if ok:
            assert now is not None
            return now.version
        if error:
            raise _StepFailed(error, lost=lost, auth=self._last_status in (401, 403))
        raise _StepFailed(
            f"verifying dashboard {uid}: the server does not hold the saved content at version {version}"
            + (f" (it has version {now.version})" if now else " (dashboard not found)")
        )

    def _delete(self, uid: str) -> None:
        path = "/api/dashboards/uid/" + urllib.parse.quote(uid, safe="")
        error = ""
        try:
            resp = self.client.request("DELETE", path, what=f"deleting dashboard {uid}", expect=None)
            if resp.status_code not in (200, 404):
                error = f"deleting dashboard {uid} failed: {self.client.describe_status(resp)}"
        except RemoteError as exc:
            error = str(exc)
        try:
            now = self._get_dashboard(uid)
        except RemoteError as exc:
            raise _StepFailed(error or f"verifying deletion of dashboard {uid}: {exc}") from None
        if now is not None:
            raise _StepFailed(error or f"verifying deletion of dashboard {uid}: it still exists")

    # ---- rollback

    def _rollback(self, done: list[_Step], state: _State, created_folder: bool) -> tuple[bool, list[str]]:
        """Put every dashboard this apply touched back to its previous content (or absence)."""
        problems: list[str] = []
        for step in reversed(done):
            prev = step.previous
            try:
                now = self._get_dashboard(step.uid)
                if prev is None:
                    if now is not None:
                        self._delete(step.uid)
                    continue
                unchanged = (
                    now is not None and now.folder_uid == prev.folder_uid
                    and normalise_dashboard(now.json) == normalise_dashboard(prev.json)
                )
                if unchanged and not step.lost:
                    continue  # the write never took effect
                # Restore, or (for a write whose answer was lost and may still be in flight) re-save the
                # same content: that bumps the version, so the late write fails with 412 version-mismatch.
                restore = {k: v for k, v in prev.json.items() if k not in SERVER_FIELDS}
                if now is not None:
                    restore["version"] = now.version
                _, error, _ = self._post_dashboard(
                    restore, prev.folder_uid, False, "mlmon apply rollback: restore previous version", step.uid
                )
                check = self._get_dashboard(step.uid)
                if check is None or normalise_dashboard(check.json) != normalise_dashboard(prev.json):
                    problems.append(error or f"dashboard {step.uid} could not be restored")
                    self._keep_record_of_unrestored(step, state)
                    continue
                # The restored content is what mlmon had applied (if it was): keep tracking it.
                if state.recorded(step.uid) == prev.version:
                    state.set(step.uid, check.version)
            except (RemoteError, _StepFailed) as exc:
                problems.append(f"dashboard {step.uid}: {exc}")
                self._keep_record_of_unrestored(step, state)
        if created_folder and not problems:
            try:
                left = self.client.get_json(
                    "/api/search", what="listing the folder before removing it",
                    params={"type": "dash-db", "folderUIDs": self.folder_uid, "limit": 1},
                )
                if not left:
                    self.client.request(
                        "DELETE", "/api/folders/" + urllib.parse.quote(self.folder_uid, safe=""),
                        what=f"removing folder {self.folder_uid} created by this apply", expect=(200, 404),
                    )
            except RemoteError as exc:
                problems.append(str(exc))
        return not problems, problems

    @staticmethod
    def _keep_record_of_unrestored(step: _Step, state: _State) -> None:
        """A verified write that could not be undone is mlmon's content: record it, so the next
        apply (after the server is back) converges without mistaking it for an edit in the UI."""
        if step.completed:
            state.set(step.uid, None if step.action == "remove" else step.new_version)
