"""Undoing an apply that stopped: every dashboard it touched back to its previous content (or
absence), verified by reading it back."""

from __future__ import annotations

from mlmon.remote.errors import RemoteError
from mlmon.remote.grafana.normalise import normalise_dashboard, without_server_fields
from mlmon.remote.grafana.server import GrafanaServer
from mlmon.remote.grafana.state import State, Step, StepFailed


def rollback(server: GrafanaServer, done: list[Step], state: State) -> list[str]:
    """Put every dashboard this apply touched back to its previous content (or absence)."""
    problems: list[str] = []
    for step in reversed(done):
        prev = step.previous
        try:
            now = server.get_dashboard(step.uid)
            if prev is None:
                if now is not None:
                    server.delete(step.uid)
                continue
            if not step.lost and now is not None and now.folder_uid == prev.folder_uid and normalise_dashboard(now.json) == normalise_dashboard(prev.json):
                continue  # the write never took effect
            # Restore, or (for a write whose answer was lost and may still be in flight) re-save the
            # same content: that bumps the version, so the late write fails with 412 version-mismatch.
            restore = without_server_fields(prev.json)
            if now is not None:
                restore["version"] = now.version
            _, error, _ = server.post_dashboard(restore, prev.folder_uid, False, "mlmon apply rollback: restore previous version", step.uid)
            check = server.get_dashboard(step.uid)
            if check is None or normalise_dashboard(check.json) != normalise_dashboard(prev.json):
                problems.append(error or f"dashboard {step.uid} could not be restored")
                _keep_record_of_unrestored(step, state)
            elif state.recorded(step.uid) == prev.version:  # the restored content is what mlmon had applied
                state.set(step.uid, check.version)
        except (RemoteError, StepFailed) as exc:
            problems.append(f"dashboard {step.uid}: {exc}")
            _keep_record_of_unrestored(step, state)
    return problems


def _keep_record_of_unrestored(step: Step, state: State) -> None:
    """A verified write that could not be undone is mlmon's content: record it, so the next
    apply (after the server is back) converges without mistaking it for an edit in the UI."""
    if step.completed:
        state.set(step.uid, None if step.action == "remove" else step.new_version)
