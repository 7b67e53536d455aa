"""`mlmon context list|use|show [NAME]`: the named environments of `mlmon diff`, `apply` and
`unlock` (see ``mlmon.remote.contexts`` for the files and their format).

``list`` prints one line per context (``*`` marks the current one) with its targets and file;
``use NAME`` records NAME as the current context in the user's file; ``show [NAME]`` prints a
context (the current one by default) as YAML, credentials as the names of variables and files,
with whether each is set. Exit codes: 0 done; 2 unknown action or context, unreadable file.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from mlmon import ExitCode
from mlmon.commands._remote import err

ACTIONS = ("list", "use", "show")


def run(opts: Any) -> int:
    from mlmon.remote import contexts

    action, name = opts.action, getattr(opts, "name", None)
    if action not in ACTIONS:
        err(f"context: the action is one of {', '.join(ACTIONS)}, not {action!r}")
        return ExitCode.USAGE
    try:
        found = contexts.load()
        if action == "list":
            _list(found)
        elif action == "use":
            if not name:
                err("context use: name the context (see `mlmon context list`)")
                return ExitCode.USAGE
            contexts.select(found, name)
            path = contexts.set_current(name)
            sys.stderr.write(f"current context: {name} (recorded in {path})\n")
        else:
            if not (name or found.current):
                err("context show: name the context, or choose a current one with `mlmon context use NAME`")
                return ExitCode.USAGE
            _show(contexts.select(found, name or str(found.current)), found.current)
    except contexts.ContextError as exc:
        err(str(exc))
        return ExitCode.USAGE
    return ExitCode.OK


def _list(found: Any) -> None:
    if not found.contexts:
        sys.stderr.write("no contexts (write mlmon.contexts.yaml, or run `mlmon up` for the context `local`)\n")
        return
    width = max(len(n) for n in found.contexts)
    for name in sorted(found.contexts):
        ctx = found.contexts[name]
        mark = "*" if name == found.current else " "
        sys.stdout.write(f"{mark} {name:<{width}}  {', '.join(ctx.targets) or '(no targets)'}  ({ctx.source})\n")


def _show(ctx: Any, current: str | None) -> None:
    from mlmon.remote.contexts import SETTINGS
    from mlmon.render.emit import to_yaml

    body: dict[str, Any] = {}
    if ctx.state is not None:
        body["state"] = str(ctx.state)
    for target, spec in ctx.targets.items():
        key_in_file = {setting: key for key, (setting, _) in SETTINGS[target].items()}
        entry = {"url": spec["url"], **{key_in_file[k]: v for k, v in spec["settings"].items()}, **spec["auth"]}
        for key in ("token_env", "user_env", "password_env"):
            if key in spec["auth"]:
                entry[key] += " (set)" if spec["auth"][key] in os.environ else " (NOT SET)"
        body[target] = entry
    header = f"context {ctx.name} from {ctx.source}" + (" (current)" if ctx.name == current else "")
    sys.stdout.write(to_yaml({ctx.name: body}, header))
