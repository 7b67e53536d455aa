"""Grafana target of `mlmon diff` / `mlmon apply`: dashboards in one folder that mlmon owns.

Desired state: ``generated/grafana/dashboards/*.json`` (each with a stable ``uid``). mlmon owns the
dashboards that are in its folder (``folder_uid``, default ``mlmon``) *and* carry the tag ``mlmon``;
it never changes or deletes anything else. A desired uid that exists outside that ownership is a
conflict: reported by ``plan`` and refused by ``apply``.

HTTP (Grafana's ``/api``): ``GET /api/health``, ``GET/POST /api/folders[/{uid}]``,
``GET /api/search?type=dash-db&folderUIDs=..&tag=mlmon``, ``GET/DELETE /api/dashboards/uid/{uid}``,
``POST /api/dashboards/db`` with ``{dashboard, folderUid, overwrite, message}``.

Safety:
- Optimistic concurrency: every save sends the version mlmon read, with ``overwrite: false``, so a
  save by someone else between mlmon's read and its write is a 412 ``version-mismatch``, never a
  silent overwrite (``--force`` included: it overwrites the edit the plan showed, not a newer one).
- Changes made outside mlmon: mlmon's record travels with each dashboard, as the tag
  ``mlmon-sha256:<hash of the content mlmon saved>`` (see ``normalise``). A live dashboard whose
  content no longer matches its tag, or that has none, was edited (or made) outside mlmon: ``plan``
  says so and ``apply`` refuses to overwrite or delete it without ``force``. A dashboard whose
  content already equals the generated one only gets its tag. No local state: every URL of the
  same Grafana and every machine read the same record.
- Pre-flight (before any target writes): Grafana's version, ownership conflicts, changes made
  outside mlmon, a plan made stale by a later save.
- Every write is verified (``GET`` by uid returns the new version and the desired content). When a
  step fails (a signal included), what this apply wrote is undone (``rollback``): only dashboards
  that still hold mlmon's save, at the version mlmon wrote; a later save by someone else is a
  conflict, reported and kept.

Auth: ``MLMON_GRAFANA_TOKEN`` (bearer) or ``MLMON_GRAFANA_USER``/``MLMON_GRAFANA_PASSWORD``, read by
:class:`mlmon.remote.http.HttpClient`; never printed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

from mlmon.plan import Change
from mlmon.remote import signals
from mlmon.remote.base import ApplyOptions, rollback_summary
from mlmon.remote.errors import ApplyError, RemoteError
from mlmon.remote.grafana.normalise import (
    OWNER_TAG,
    TARGET,
    dashboard_fields_changed,
    normalise_dashboard,
    ownership,
    panel_changes,
    with_record,
    without_record,
    without_server_fields,
)
from mlmon.remote.grafana.rollback import rollback
from mlmon.remote.grafana.server import DEFAULT_FOLDER, GrafanaServer
from mlmon.remote.grafana.state import LiveDash, Snapshot, Step, StepFailed

__all__ = ["GrafanaTarget", "normalise_dashboard"]

MIN_VERSION = (9, 0)  # folder UIDs in the dashboard API; contract-tested against Grafana 12's OpenAPI


class GrafanaTarget(GrafanaServer):
    def __init__(self, url: str, folder_uid: str = DEFAULT_FOLDER, folder_title: str = DEFAULT_FOLDER, **kwargs: Any):
        super().__init__(url, folder_uid, folder_title, **kwargs)
        self._done: list[Step] = []
        self._created_folder = False

    @classmethod
    def options(cls, settings: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "folder_uid": str(settings.get("folder_uid") or DEFAULT_FOLDER),
            "folder_title": str(settings.get("folder_title") or settings.get("folder_uid") or DEFAULT_FOLDER),
        }

    def desired(self, generated: Path) -> dict[str, dict[str, Any]]:
        """uid -> dashboard JSON as mlmon will send it (tags ``mlmon`` and its record, no id/version)."""
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
            out[uid] = with_record(without_server_fields(dash))
        return out

    # ---- plan
    def plan(self, generated: Path) -> Sequence[Change]:
        desired = self.desired(generated)
        return self._plan(desired, self.snapshot(desired))

    @staticmethod
    def edited(live: LiveDash) -> str | None:
        """Why overwriting or deleting ``live`` needs --force; None when mlmon's record matches."""
        owner = ownership(live.json)
        if owner == "edited":
            return f"edited outside mlmon since mlmon saved it (live version {live.version})"
        if owner == "none":
            return f"not saved by mlmon (live version {live.version} has no mlmon record tag); it may have been made or edited in the Grafana UI"
        return None

    def _plan(self, desired: Mapping[str, dict[str, Any]], snap: Snapshot) -> list[Change]:
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
                if without_record(live.json) == without_record(desired[uid]):
                    notes = f"{title}; content equals the generated one, not recorded as mlmon's: apply records it"
                else:
                    top = dashboard_fields_changed(without_record(live.json), without_record(desired[uid]))
                    edited = self.edited(live)
                    more = (["fields: " + ", ".join(top)] if top else []) + ([edited + "; apply needs --force"] if edited else [])
                    notes = "; ".join([title, *more])
                changes.append(Change(TARGET, "dashboard", uid, "change", have, want, notes, panel_changes(uid, have, want)))
        for uid in snap.owned:
            live = snap.dashboards.get(uid)
            if uid not in desired and live is not None:
                have = normalise_dashboard(live.json)
                edited = self.edited(live)
                notes = "; ".join([f"'{live.json.get('title', '')}' is no longer generated", *([edited + "; apply needs --force"] if edited else [])])
                changes.append(Change(TARGET, "dashboard", uid, "remove", have, None, notes, panel_changes(uid, have, None)))
        return changes

    # ---- preflight
    def preflight(self, generated: Path, changes: Sequence[Change], options: ApplyOptions) -> list[str]:
        desired = self.desired(generated)
        snap = self.snapshot(desired)
        refusals = []
        version = tuple(int(x) for x in re.findall(r"\d+", snap.version)[:2])
        if len(version) == 2 and version < MIN_VERSION:
            refusals.append(f"Grafana {snap.version} is too old: mlmon needs Grafana {MIN_VERSION[0]}.{MIN_VERSION[1]} or newer")
        fresh = {(c.kind, c.name): c for c in self._plan(desired, snap)}
        wanted = [c for c in changes if c.target == self.name]
        stale = [f"{c.kind} {c.name}" for c in wanted if (c.kind, c.name) not in fresh or _key(fresh[(c.kind, c.name)]) != _key(c)]
        if stale:
            refusals.append(f"the live state changed since the plan was shown ({', '.join(stale)}); run `mlmon diff` again")
        for c in wanted:
            live = snap.dashboards.get(c.name) if c.kind == "dashboard" else None
            if live is None:
                continue
            if c.action == "change" and not live.owned_by(self.folder_uid):
                refusals.append(f"dashboard {c.name}: {c.detail}")
            elif not options.force and without_record(live.json) != without_record(desired.get(c.name, {})) and (why := self.edited(live)):
                refusals.append(f"dashboard {c.name} ('{live.json.get('title', '')}'): {why}; re-run with --force to overwrite it")
        return [self.at(r) for r in refusals]

    # ---- apply
    def apply(self, generated: Path, changes: Sequence[Change], options: ApplyOptions) -> Sequence[str]:
        desired = self.desired(generated)
        snap = self.snapshot(desired)
        wanted = [c for c in changes if c.target == self.name]
        lines: list[str] = []
        self._done, self._created_folder = [], False
        if any(c.kind == "folder" and c.action == "add" for c in wanted) or (
            not snap.folder_exists and any(c.kind == "dashboard" and c.action != "remove" for c in wanted)
        ):
            self.create_folder()
            self._created_folder = True
            lines.append(f"{TARGET}: folder {self.folder_uid} ('{self.folder_title}') created: verified")
        try:
            for c in sorted((c for c in wanted if c.kind == "dashboard"), key=lambda c: (c.action == "remove", c.name)):
                lines.append(self._step(c, desired, snap.dashboards.get(c.name), options))
        except BaseException as exc:  # a failed step, a signal, anything: undo what this apply wrote
            with signals.held():
                self._stopped(exc)
        return lines

    def _step(self, c: Change, desired: Mapping[str, dict[str, Any]], live: LiveDash | None, options: ApplyOptions) -> str:
        step = Step(c.name, c.action, live, None if c.action == "remove" else desired[c.name])
        self._done.append(step)  # before the write: a failed step may still have taken effect
        if c.action == "remove":
            self.delete(c.name)
            line = f"{TARGET}: dashboard {c.name} deleted: verified"
        else:
            step.new_version = self.save(desired[c.name], live, False, options.message)
            line = f"{TARGET}: dashboard {c.name} ('{desired[c.name].get('title', '')}') saved as version {step.new_version}: verified"
        step.completed = True
        return line

    def _stopped(self, exc: BaseException) -> NoReturn:
        if self._done and not self._done[-1].completed and not isinstance(exc, StepFailed):
            self._done[-1].lost = True  # stopped mid-request: it may have taken effect
        elif self._done and isinstance(exc, StepFailed):
            self._done[-1].lost = exc.lost
        problems = self._undo_all()
        summary = rollback_summary("server", len(self._done) - 1, not problems, problems)
        if self._created_folder and not problems:
            summary += " and removed the folder it created"
        reason = f"interrupted by {exc.signame}" if isinstance(exc, signals.Interrupted) else self.local(exc)
        if not problems and isinstance(exc, StepFailed) and exc.auth and len(self._done) == 1 and not self._created_folder:
            raise RemoteError(self.at(f"{reason}; nothing was changed")) from None  # permission problem, exit 2
        raise ApplyError(self.at(f"{reason}; {summary}"), rolled_back=not problems) from (None if isinstance(exc, StepFailed) else exc)

    def _undo_all(self) -> list[str]:
        problems = rollback(self, self._done)
        if self._created_folder and not problems:
            try:
                self.remove_folder_if_empty()
            except RemoteError as err:
                problems.append(self.local(err))
        return problems

    def undo(self) -> Sequence[str]:
        """Undo the last successful apply (a later target failed under --atomic)."""
        if not self._done:
            return []
        problems = self._undo_all()
        n, self._done = len(self._done), []
        if problems:
            raise ApplyError(self.at("ROLLBACK INCOMPLETE: " + "; ".join(problems)), rolled_back=False)
        return [self.at(f"undid the {n} dashboard change(s) of this apply")]


def _key(c: Change) -> tuple[Any, ...]:
    return (c.action, c.before, c.after)
