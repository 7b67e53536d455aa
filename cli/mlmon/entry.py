"""The ``mlmon`` executable. ``mlmon lint`` (a pre-commit hook, run on every commit) is parsed here
without typer, rich or click: the plain command line ``lint [PATHS] [--format F] [--fail-on S]
[--root DIR] [--allow-outside-refs] [--debug]`` goes straight to ``mlmon.commands.lint``. Anything
else (help, an unknown option, a missing value, another command) goes to the typer app, which
gives the same result and its own messages.

Both paths run the command through ``mlmon.runner.run_command``, so exit codes, the internal-error
message and secret redaction are the same.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from mlmon.runner import run_command

_LINT_VALUES = {"--format": "format", "--fail-on": "fail_on", "--root": "root"}


def plain_lint(argv: list[str]) -> dict[str, Any] | None:
    """The options of a plain ``lint`` command line, or None when typer must parse it."""
    debug = False
    while argv and argv[0] == "--debug":
        debug, argv = True, argv[1:]
    if not argv or argv[0] != "lint":
        return None
    opts: dict[str, Any] = {"paths": [], "format": "text", "fail_on": "error", "root": None, "allow_outside_refs": False}
    args, only_paths = argv[1:], False
    i = 0
    while i < len(args):
        a = args[i]
        i += 1
        if only_paths or not a.startswith("-") or a == "-":
            opts["paths"].append(Path(a))
        elif a == "--":
            only_paths = True
        elif a == "--debug":
            debug = True
        elif a == "--allow-outside-refs":
            opts["allow_outside_refs"] = True
        elif a.split("=", 1)[0] in _LINT_VALUES:
            name, eq, value = a.partition("=")
            if not eq:
                if i >= len(args) or (args[i].startswith("-") and args[i] != "-"):
                    return None  # a missing value: typer says so
                value, i = args[i], i + 1
            opts[_LINT_VALUES[name]] = Path(value) if name == "--root" else value
        else:
            return None  # --help, a typo, an option of another version: typer's answer
    opts["debug"] = debug
    return opts


def main() -> None:
    opts = plain_lint(sys.argv[1:])
    if opts is not None:
        debug = opts.pop("debug")
        sys.exit(run_command("lint", debug, **opts))
    from mlmon.app import main as typer_main

    typer_main()


if __name__ == "__main__":  # pragma: no cover
    main()
