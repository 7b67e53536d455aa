"""Run one command module: ``mlmon.commands.<name>.run(opts) -> int``, with failures mapped to exit
codes. The one place commands run, for the typer app and the plain ``lint`` path of mlmon.entry."""

from __future__ import annotations

import importlib
import os
import sys
from types import SimpleNamespace
from typing import Any

from mlmon import ExitCode


def run_command(command: str, debug: bool, **opts: Any) -> int:
    """Import ``mlmon.commands.<command>`` and call ``run``; map failures to exit codes."""
    try:
        module = importlib.import_module(f"mlmon.commands.{command}")
        code = module.run(SimpleNamespace(**opts))
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        code = ExitCode.USAGE
    except BrokenPipeError:  # e.g. `mlmon lint | head`
        code = ExitCode.OK
    except Exception as exc:  # one handler for everything unexpected
        from mlmon.remote.http import redact  # secrets never reach the terminal, tracebacks included

        if debug or os.environ.get("MLMON_DEBUG"):
            import traceback

            sys.stderr.write(redact(traceback.format_exc()))
        else:
            sys.stderr.write(redact(f"mlmon: internal error: {type(exc).__name__}: {exc}") + "\n(run with --debug for a traceback)\n")
        code = ExitCode.INTERNAL
    return int(code)
