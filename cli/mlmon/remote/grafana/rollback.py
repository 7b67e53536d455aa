"""Undoing what an apply wrote, and only that.

A dashboard goes back to its previous content only while it still holds what mlmon saved, at the
version mlmon's save produced; the restore is sent with that version and ``overwrite: false``, so
a save by someone else in between is a 412, never overwritten. A dashboard someone else changed
after mlmon's save is a conflict: reported and left as it is. A step the server refused (a 412, an
error before it took effect) wrote nothing and is not undone. A write whose answer was lost may
still land: if it has not, the previous content is saved again at the version mlmon read, so the
late write fails with 412.
"""

from __future__ import annotations

from mlmon.remote.errors import RemoteError
from mlmon.remote.grafana.normalise import normalise_dashboard, without_server_fields
from mlmon.remote.grafana.server import GrafanaServer
from mlmon.remote.grafana.state import LiveDash, Step, StepFailed

MESSAGE = "mlmon apply rollback: restore previous version"


def rollback(server: GrafanaServer, done: list[Step]) -> list[str]:
    """Undo ``done`` (last first); the problems and conflicts, empty when all is undone."""
    problems: list[str] = []
    for step in reversed(done):
        try:
            problem = _undo(server, step)
        except (RemoteError, StepFailed) as exc:
            problem = f"dashboard {step.uid}: {server.local(exc)}"
        if problem:
            problems.append(problem)
    return problems


def _same(a: LiveDash | None, content: dict | None) -> bool:
    return a is not None and content is not None and normalise_dashboard(a.json) == normalise_dashboard(content)


def _undo(server: GrafanaServer, step: Step) -> str | None:
    if not step.completed and not step.lost:
        return None  # the server refused it: nothing was written
    now = server.get_dashboard(step.uid)
    prev = step.previous
    if step.action == "remove":
        if now is None and prev is not None:
            return _save(server, step.uid, without_server_fields(prev.json), prev.folder_uid, None, prev.json)
        return None if _same(now, prev.json if prev else None) else _conflict(step, now)
    mine = _same(now, step.sent) and (step.new_version is None or (now is not None and now.version == step.new_version))
    if prev is None:  # mlmon created it
        if now is None:
            return None
        if not mine:
            return _conflict(step, now)
        server.delete(step.uid)
        return None
    if mine and now is not None:
        return _save(server, step.uid, without_server_fields(prev.json), prev.folder_uid, now.version, prev.json)
    if now is not None and now.version == prev.version and _same(now, prev.json):
        if step.lost:  # not landed (yet): bump the version past the one the late write carries
            return _save(server, step.uid, without_server_fields(prev.json), prev.folder_uid, prev.version, prev.json)
        return None
    return _conflict(step, now)


def _save(server: GrafanaServer, uid: str, content: dict, folder: str, version: int | None, want: dict) -> str | None:
    body = dict(content)
    if version is not None:
        body["version"] = version
    _, error, _ = server.post_dashboard(body, folder, False, MESSAGE, uid)
    check = server.get_dashboard(uid)
    if check is None or check.folder_uid != folder or normalise_dashboard(check.json) != normalise_dashboard(want):
        return f"dashboard {uid}: {server.local(error) if error else 'the previous version could not be restored'}"
    return None


def _conflict(step: Step, now: LiveDash | None) -> str:
    state = "deleted" if now is None else f"saved as version {now.version}"
    return f"conflict: dashboard {step.uid} was {state} by someone else after mlmon's save; it is left as it is (see `mlmon diff`)"
