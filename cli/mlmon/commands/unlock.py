"""`mlmon unlock`: remove an apply lock that no running apply holds (typically one left by an apply
on another host), after a confirmation (``--yes`` for scripts).

The targets are named as for `mlmon apply` (flags, environment or ``--context``); each one's lock
is looked at: free (nothing to do), held by a running apply (never removed), or left behind
(removed after confirmation). Exit codes: 0 nothing locked, or every lock left behind removed; 2
usage, a lock held by a running apply, or the confirmation refused.
"""

from __future__ import annotations

import sys
from typing import Any

from mlmon import ExitCode
from mlmon.commands._remote import UsageError, build_target, confirm, err, target_configs


def run(opts: Any) -> int:
    from mlmon.remote.errors import RemoteError
    from mlmon.remote.lock import inspect, remove

    try:
        targets = [build_target(cfg) for cfg in target_configs(opts)]
    except (UsageError, RemoteError) as exc:
        err(str(exc))
        return ExitCode.USAGE
    code = ExitCode.OK
    for t in targets:
        path = t.lock_path
        try:
            state, holder = inspect(path)
            if state == "free":
                sys.stderr.write(f"{t.name}: not locked ({path})\n")
                continue
            who = holder.describe() if holder else "holder unknown"
            if state == "running":
                err(f"{t.name}: {path} is held by a running apply ({who}); not removed")
                code = ExitCode.USAGE
                continue
            if not getattr(opts, "yes", False):
                answer = confirm(f"Remove the lock {path} of {t.name} ({who})? [y/N] ")
                if not answer:
                    why = "stdin is not a terminal (pass --yes)" if answer is None else "not confirmed"
                    err(f"{t.name}: lock {path} kept: {why}")
                    code = ExitCode.USAGE
                    continue
            remove(path)
            sys.stderr.write(f"{t.name}: removed the lock {path} ({who})\n")
        except RemoteError as exc:
            err(f"{t.name}: {exc}")
            code = ExitCode.USAGE
    return code
