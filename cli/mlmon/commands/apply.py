"""`mlmon apply`: make live servers equal to generated/, target by target, verified.

Order: prometheus -> alertmanager -> grafana -> mimir. Each target is locked (one apply at a
time), planned, shown, confirmed (``--yes``, or an answer on a terminal; refused when stdin is not
a terminal), applied and verified. A target that fails restores its previous state and the apply
stops there; the report says which targets were applied, which were rolled back and which were
not attempted. ``--dry-run`` prints the plan and changes nothing.

Exit codes: 0 applied (or nothing to do, or dry run); 1 a server rejected the change and it was
rolled back; 2 usage, refused confirmation, lock held, unreachable server, HTTP/auth failure, or a
rollback that could not complete.
"""

from __future__ import annotations

import sys
from typing import Any

from mlmon import ExitCode
from mlmon.commands._remote import UsageError, build_target, checked, collect_plans, confirm, err, target_configs
from mlmon.commands.diff import show


def run(opts: Any) -> int:
    from mlmon.remote.base import ApplyError, ApplyOptions, RemoteError
    from mlmon.remote.http import redact
    from mlmon.remote.lock import TargetLock

    locks: list[Any] = []
    try:
        try:
            fmt, generated = checked(opts)
            targets = [build_target(cfg) for cfg in target_configs(opts)]
            if not getattr(opts, "dry_run", False):
                for t in targets:
                    lock = TargetLock(t.lock_path, t.name)
                    lock.acquire()
                    locks.append(lock)
            plans = collect_plans(targets, generated)
        except (UsageError, RemoteError) as exc:
            err(str(exc))
            return ExitCode.USAGE

        show(plans, fmt)
        if not any(cs for _, cs in plans):
            _note("nothing to apply")
            return ExitCode.OK
        if getattr(opts, "dry_run", False):
            _note("dry run: nothing was changed")
            return ExitCode.OK
        if not getattr(opts, "yes", False):
            answer = confirm("Apply these changes? [y/N] ")
            if answer is None:
                err("refusing to apply without confirmation: stdin is not a terminal (pass --yes)")
                return ExitCode.USAGE
            if not answer:
                err("aborted: nothing was changed")
                return ExitCode.USAGE

        options = ApplyOptions(force=bool(getattr(opts, "force", False)), message=getattr(opts, "message", None) or "mlmon apply")
        applied: list[str] = []
        unchanged: list[str] = []
        for i, (target, changes) in enumerate(plans):
            if not changes:
                unchanged.append(target.name)
                continue
            try:
                for line in target.apply(generated, changes, options):
                    # results go to stdout, except under --format json (stdout is one JSON document)
                    (sys.stderr if fmt == "json" else sys.stdout).write(redact(line) + "\n")
                applied.append(target.name)
            except (ApplyError, RemoteError, OSError) as exc:
                rest = [t.name for t, cs in plans[i + 1 :] if cs]
                rolled = isinstance(exc, ApplyError) and exc.rolled_back
                untouched = isinstance(exc, RemoteError)  # raised before anything was written
                err(str(exc) if not isinstance(exc, OSError) else f"{target.name}: {exc}")
                state = "rolled back (previous state restored)" if rolled else "not changed" if untouched else "NOT rolled back: check it with `mlmon diff`"
                err(
                    "apply stopped. applied: "
                    + (", ".join(applied) or "none")
                    + f"; {target.name}: {state}"
                    + "; not attempted: "
                    + (", ".join(rest) or "none")
                )
                if rolled or untouched:
                    return ExitCode.FINDINGS if rolled else ExitCode.USAGE
                return ExitCode.USAGE
        _note("applied: " + (", ".join(applied) or "none") + (("; unchanged: " + ", ".join(unchanged)) if unchanged else ""))
        return ExitCode.OK
    finally:
        for lock in reversed(locks):
            lock.release()


def _note(message: str) -> None:
    sys.stderr.write(message + "\n")
