"""`mlmon apply`: make live servers equal to generated/, target by target, verified.

Order: prometheus -> alertmanager -> grafana -> mimir.

1. Every target is locked (one apply at a time per server) and an apply that was killed half-way
   (its journal left behind) is finished or rolled back.
2. Every target is planned, the plan shown and confirmed (``--yes``, or an answer on a terminal;
   refused when stdin is not a terminal). ``--dry-run`` stops here.
3. Pre-flight, before anything is written anywhere: every target checks what it will write
   (promtool, amtool), that its server still matches the plan, and refuses to overwrite what
   changed outside mlmon (without ``--force``). Any refusal: nothing is written.
4. Each target applies and verifies its changes; a failure (Ctrl-C and SIGTERM included) restores
   that target's previous state and stops the apply. Under ``--atomic`` (the default) the targets
   applied before it are restored too; ``--no-atomic`` leaves them applied.

Exit codes: 0 applied (or nothing to do, or dry run); 1 refused before any write, or a failure
whose changes were all rolled back; 2 usage, refused confirmation, lock held, unreachable server,
HTTP/auth failure, or a rollback that could not complete.
"""

from __future__ import annotations

import sys
from typing import Any

from mlmon import ExitCode
from mlmon.commands._remote import UsageError, build_target, checked, collect_plans, confirm, err, target_configs
from mlmon.commands.diff import show


def run(opts: Any) -> int:
    from mlmon.remote import signals
    from mlmon.remote.errors import RemoteError

    locks: list[Any] = []
    try:
        with signals.raising():
            return _run(opts, locks)
    except (signals.Interrupted, KeyboardInterrupt) as exc:  # before any write
        err(f"{exc or 'interrupted'}: nothing was changed")
        return ExitCode.USAGE
    except RemoteError as exc:
        err(f"{exc}")
        return ExitCode.USAGE
    finally:
        for lock in reversed(locks):
            lock.release()


def _run(opts: Any, locks: list[Any]) -> int:
    from mlmon.remote.base import ApplyOptions
    from mlmon.remote.lock import TargetLock

    dry_run = bool(getattr(opts, "dry_run", False))
    try:
        fmt, generated = checked(opts)
        targets = [build_target(cfg) for cfg in target_configs(opts)]
    except UsageError as exc:
        err(str(exc))
        return ExitCode.USAGE
    if not dry_run:
        for t in targets:
            lock = TargetLock(t.lock_path, t.name)
            lock.acquire()
            locks.append(lock)
        for t in targets:
            for line in t.recover():
                _note(line)
    plans = collect_plans(targets, generated)

    show(plans, fmt)
    if not any(cs for _, cs in plans):
        _note("nothing to apply")
        return ExitCode.OK
    if dry_run:
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
    refusals = [r for t, cs in plans if cs for r in t.preflight(generated, cs, options)]
    if refusals:
        for r in refusals:
            err(r)
        err("apply refused before any write: nothing was changed")
        return ExitCode.FINDINGS
    return _apply(plans, generated, options, fmt, atomic=getattr(opts, "atomic", True) is not False)


def _apply(plans: list[tuple[Any, list]], generated: Any, options: Any, fmt: str, atomic: bool) -> int:
    from mlmon.remote import signals
    from mlmon.remote.errors import ApplyError, RemoteError
    from mlmon.remote.http import redact

    applied: list[Any] = []
    for i, (target, changes) in enumerate(plans):
        if not changes:
            continue
        try:
            lines = target.apply(generated, changes, options)
            applied.append(target)
            for line in lines:  # results go to stdout, except under --format json (stdout is one JSON document)
                (sys.stderr if fmt == "json" else sys.stdout).write(redact(line) + "\n")
        except (ApplyError, RemoteError, OSError, signals.Interrupted, KeyboardInterrupt) as exc:
            failed = None if target in applied else target
            rest = [t.name for t, cs in plans[i + 1 :] if cs]
            with signals.held():
                return _stopped(exc, failed, applied, rest, atomic)
    _note("applied: " + (", ".join(t.name for t in applied) or "none") + _unchanged(plans))
    return ExitCode.OK


def _stopped(exc: BaseException, failed: Any, applied: list[Any], rest: list[str], atomic: bool) -> int:
    """Report a failed apply; under ``atomic``, restore the targets applied before it first."""
    from mlmon.remote.errors import ApplyError, RemoteError

    rolled = isinstance(exc, ApplyError) and exc.rolled_back
    untouched = not isinstance(exc, ApplyError)  # raised before this target wrote anything
    if isinstance(exc, OSError):
        err(f"{getattr(failed, 'name', 'apply')}: {exc}")
    else:
        err(str(exc) or "interrupted")
    undone, not_undone = [], []
    if atomic:
        for t in reversed(applied):
            try:
                for line in t.undo():
                    _note(line)
                undone.append(t.name)
            except (ApplyError, RemoteError, OSError) as problem:
                err(f"{problem}")
                not_undone.append(t.name)
    parts = ["apply stopped."]
    kept = [t.name for t in applied if t.name not in undone]
    parts.append("applied: " + (", ".join(kept) or "none") + ";")
    if undone:
        parts.append("rolled back (--atomic): " + ", ".join(reversed(undone)) + ";")
    if failed is not None:
        state = "rolled back (previous state restored)" if rolled else "not changed" if untouched else "NOT rolled back: check it with `mlmon diff`"
        parts.append(f"{failed.name}: {state};")
    parts.append("not attempted: " + (", ".join(rest) or "none"))
    if not_undone:
        parts.append(f"; ROLLBACK INCOMPLETE for {', '.join(not_undone)}: check with `mlmon diff`")
    err(" ".join(parts))
    complete = not not_undone and (failed is None or rolled or untouched)
    if not complete:
        return ExitCode.USAGE
    return ExitCode.USAGE if untouched and isinstance(exc, RemoteError) else ExitCode.FINDINGS


def _unchanged(plans: list[tuple[Any, list]]) -> str:
    names = [t.name for t, cs in plans if not cs]
    return ("; unchanged: " + ", ".join(names)) if names else ""


def _note(message: str) -> None:
    from mlmon.remote.http import redact

    sys.stderr.write(redact(message) + "\n")
