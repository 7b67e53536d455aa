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
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

from mlmon.plan import Change
from mlmon.remote.base import ApplyOptions, rollback_summary
from mlmon.remote.errors import ApplyError, RemoteError
from mlmon.remote.grafana.normalise import (
    OWNER_TAG,
    TARGET,
    dashboard_fields_changed,
    normalise_dashboard,
    panel_changes,
    without_server_fields,
)
from mlmon.remote.grafana.rollback import rollback
from mlmon.remote.grafana.server import DEFAULT_FOLDER, GrafanaServer
from mlmon.remote.grafana.state import STATE_FILE, LiveDash, Snapshot, State, Step, StepFailed

__all__ = ["GrafanaTarget", "normalise_dashboard"]


class GrafanaTarget(GrafanaServer):
    def __init__(self, url: str, folder_uid: str = DEFAULT_FOLDER, folder_title: str = DEFAULT_FOLDER, **kwargs: Any):
        super().__init__(url, folder_uid, folder_title, **kwargs)
        self.state_path = self.state_dir / "state" / STATE_FILE

    @classmethod
    def options(cls, settings: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "folder_uid": str(settings.get("folder_uid") or DEFAULT_FOLDER),
            "folder_title": str(settings.get("folder_title") or settings.get("folder_uid") or DEFAULT_FOLDER),
        }

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
            dash = without_server_fields(dash)
            tags = list(dash.get("tags") or [])
            dash["tags"] = tags if OWNER_TAG in tags else [*tags, OWNER_TAG]
            out[uid] = dash
        return out

    # ---- plan
    def plan(self, generated: Path) -> Sequence[Change]:
        desired = self.desired(generated)
        return self._plan(desired, self.snapshot(desired), State(self.state_path, self.url))

    def _edited_note(self, live: LiveDash, state: State) -> str | None:
        rec = state.recorded(live.uid)
        if rec is None:
            return f"live version {live.version} was not applied from this state directory ({self.state_path}); it may have been edited in the Grafana UI"
        if rec != live.version:
            return f"edited outside mlmon since the last apply (live version {live.version}, mlmon applied version {rec})"
        return None

    def _notes(self, first: str, live: LiveDash, state: State, *more: str) -> str:
        edited = self._edited_note(live, state)
        return "; ".join([first, *more] + ([edited + "; apply needs --force"] if edited else []))

    def _plan(self, desired: Mapping[str, dict[str, Any]], snap: Snapshot, state: State) -> list[Change]:
        changes: list[Change] = []
        if not snap.folder_exists and desired:
            changes.append(Change(TARGET, "folder", self.folder_uid, "add", None, {"uid": self.folder_uid, "title": self.folder_title}))
        for uid in sorted(desired):
            want, live = normalise_dashboard(desired[uid]), snap.dashboards.get(uid)
            title = f"'{desired[uid].get('title', '')}'"
            if live is None:
                changes.append(Change(TARGET, "dashboard", uid, "add", None, want, title, panel_changes(uid, None, want)))
                continue
            have = normalise_dashboard(live.json)
            if not live.owned_by(self.folder_uid):
                where = f"folder '{live.folder_uid or 'General'}'" + ("" if OWNER_TAG in live.tags else f", without tag '{OWNER_TAG}'")
                note = f"conflict: uid exists in Grafana outside mlmon's ownership ({where}); apply will not touch it"
                changes.append(Change(TARGET, "dashboard", uid, "change", have, want, note))
            elif have != want:
                top = dashboard_fields_changed(have, want)
                notes = self._notes(title, live, state, *(["fields: " + ", ".join(top)] if top else []))
                changes.append(Change(TARGET, "dashboard", uid, "change", have, want, notes, panel_changes(uid, have, want)))
        for uid in snap.owned:
            live = snap.dashboards.get(uid)
            if uid not in desired and live is not None:
                have = normalise_dashboard(live.json)
                notes = self._notes(f"'{live.json.get('title', '')}' is no longer generated", live, state)
                changes.append(Change(TARGET, "dashboard", uid, "remove", have, None, notes, panel_changes(uid, have, None)))
        return changes

    # ---- apply
    def apply(self, generated: Path, changes: Sequence[Change], options: ApplyOptions) -> Sequence[str]:
        desired = self.desired(generated)
        state = State(self.state_path, self.url)
        snap = self.snapshot(desired)
        wanted = self.refuse_stale(changes, self._plan(desired, snap, state), "state", lambda c: (c.action, c.before, c.after))
        self._refuse_edits(wanted, snap, state, options)
        lines: list[str] = []
        created_folder = False
        if any(c.kind == "folder" and c.action == "add" for c in wanted) or (
            not snap.folder_exists and any(c.kind == "dashboard" and c.action != "remove" for c in wanted)
        ):
            self.create_folder()
            created_folder = True
            lines.append(f"{TARGET}: folder {self.folder_uid} ('{self.folder_title}') created: verified")
        done: list[Step] = []
        try:
            for c in sorted((c for c in wanted if c.kind == "dashboard"), key=lambda c: (c.action == "remove", c.name)):
                lines.append(self._step(c, desired, snap.dashboards.get(c.name), state, options, done))
        except StepFailed as exc:
            self._stopped(exc, done, state, created_folder)
        for step in done:
            state.set(step.uid, step.new_version if step.action != "remove" else None)
        for uid, dash in desired.items():  # adopt dashboards whose live content already equals the generated one
            live = snap.dashboards.get(uid)
            if live is not None and live.owned_by(self.folder_uid) and normalise_dashboard(live.json) == normalise_dashboard(dash):
                if not any(s.uid == uid for s in done):
                    state.set(uid, live.version)
        state.save()
        return lines

    def _refuse_edits(self, wanted: list[Change], snap: Snapshot, state: State, options: ApplyOptions) -> None:
        """Refusals first: nothing is written unless every step is allowed."""
        refusals = []
        for c in wanted:
            live = snap.dashboards.get(c.name) if c.kind == "dashboard" else None
            if live is None:
                continue
            if c.action == "change" and not live.owned_by(self.folder_uid):
                refusals.append(f"dashboard {c.name}: {c.detail}")
            elif not options.force and (edited := self._edited_note(live, state)):
                refusals.append(f"dashboard {c.name} ('{live.json.get('title', '')}'): {edited}")
        if refusals:
            hint = "" if all("conflict" in r for r in refusals) else " Review `mlmon diff` and re-run with --force to overwrite."
            raise ApplyError(self.at("refusing to apply: " + "; ".join(refusals) + "." + hint + " Nothing was changed."), rolled_back=True)

    def _step(self, c: Change, desired: Mapping[str, dict[str, Any]], live: LiveDash | None, state: State, options: ApplyOptions, done: list[Step]) -> str:
        step = Step(c.name, c.action, live)
        done.append(step)  # before the write: a failed step may still have taken effect
        if c.action == "remove":
            self.delete(c.name)
            line = f"{TARGET}: dashboard {c.name} deleted: verified"
        else:
            overwrite = bool(options.force and live is not None and self._edited_note(live, state))
            step.new_version = self.save(desired[c.name], live, overwrite, options.message)
            line = f"{TARGET}: dashboard {c.name} ('{desired[c.name].get('title', '')}') saved as version {step.new_version}: verified"
        step.completed = True
        return line

    def _stopped(self, exc: StepFailed, done: list[Step], state: State, created_folder: bool) -> NoReturn:
        done[-1].lost = exc.lost
        problems = rollback(self, done, state)
        if created_folder and not problems:
            try:
                self.remove_folder_if_empty()
            except RemoteError as err:
                problems.append(str(err))
        state.save()
        summary = rollback_summary("server", len(done) - 1, not problems, problems)
        if created_folder and not problems:
            summary += " and removed the folder it created"
        elif not problems and exc.auth and len(done) == 1 and not created_folder:
            raise RemoteError(self.at(f"{exc}; nothing was changed")) from None  # permission problem, exit 2
        raise ApplyError(self.at(f"{exc}; {summary}"), rolled_back=not problems) from None
