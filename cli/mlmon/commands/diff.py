"""`mlmon diff`: compare generated/ with live servers and print one plan.

Targets and credentials as in ``commands._remote`` (flags or ``MLMON_*`` environment variables).
Exit codes: 0 (no changes, or changes without ``--exit-code``), 1 (changes with ``--exit-code``),
2 (usage, missing file, unreachable server, HTTP or auth failure).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

from mlmon import ExitCode
from mlmon.commands._remote import UsageError, build_target, checked, collect_plans, err, target_configs

# --- rendering -------------------------------------------------------------------------------------
_MARK = {"add": ("+", "green"), "change": ("~", "yellow"), "remove": ("-", "red")}


def _summary(changes: Sequence[Any]) -> str:
    from mlmon.plan import counts

    c = counts(changes)
    if not changes:
        return "no changes"
    return f"{c['add']} to add, {c['change']} to change, {c['remove']} to remove"


def render_text(plans: Sequence[tuple[Any, list]], console: Any) -> None:
    """Readable plan: one header per target, one line per change, unified YAML diff of changed objects."""
    from rich.text import Text

    from mlmon.plan import unified
    from mlmon.remote.http import redact

    def out(text: str, style: str | None = None) -> None:
        console.print(Text(redact(text), style=style or ""), soft_wrap=True)

    for target, changes in plans:
        out(f"{target.name} {getattr(target, 'url', '')}: {_summary(changes)}", "bold")
        for change in changes:
            _render_change(change, out, unified, indent="  ")
    total = [c for _, cs in plans for c in cs]
    out(f"plan: {_summary(total)}", "bold")


def _render_change(change: Any, out: Any, unified: Any, indent: str, body: bool = True) -> None:
    """One line per change. YAML bodies: a unified diff for changed objects, the full object for an
    added leaf; removed objects and the members of an added or removed group are listed by name."""
    mark, colour = _MARK.get(change.action, ("?", "white"))
    line = f"{indent}{mark} {change.kind} {change.name}"
    if change.detail:
        line += f" ({change.detail})"
    out(line, colour)
    if change.children:
        for child in change.children:
            _render_change(child, out, unified, indent + "    ", body=change.action == "change")
        return
    if not body or change.action == "remove":
        return
    for d in unified(change):
        if d.startswith("@@") and change.action == "add":
            continue
        style = "green" if d.startswith("+") else "red" if d.startswith("-") else "cyan" if d.startswith("@@") else "dim"
        out(indent + "    " + d, style)


def render_json(plans: Sequence[tuple[Any, list]]) -> str:
    from mlmon.plan import change_to_dict, counts
    from mlmon.remote.http import redact
    from mlmon.render.emit import to_json

    doc = {
        "targets": [
            {
                "target": t.name,
                "url": getattr(t, "url", ""),
                "summary": counts(cs),
                "changes": [change_to_dict(c) for c in cs],
            }
            for t, cs in plans
        ],
        "summary": counts([c for _, cs in plans for c in cs]),
    }
    return redact(to_json(doc))


def make_console(stream: Any = None) -> Any:
    from rich.console import Console

    stream = stream or sys.stdout
    color = os.environ.get("NO_COLOR") is None and stream.isatty()
    return Console(file=stream, highlight=False, no_color=not color, force_terminal=color if color else None, width=200 if not color else None, emoji=False)


def show(plans: Sequence[tuple[Any, list]], fmt: str) -> None:
    if fmt == "json":
        sys.stdout.write(render_json(plans))
    else:
        render_text(plans, make_console())


def run(opts: Any) -> int:
    from mlmon.remote.base import RemoteError

    try:
        fmt, generated = checked(opts)
        plans = collect_plans([build_target(cfg) for cfg in target_configs(opts)], generated)
    except (UsageError, RemoteError) as exc:
        err(str(exc))
        return ExitCode.USAGE
    show(plans, fmt)
    has_changes = any(cs for _, cs in plans)
    return ExitCode.FINDINGS if (has_changes and getattr(opts, "exit_code", False)) else ExitCode.OK
