"""The ``mlmon`` command line: thin typer functions that build an options object and call
``mlmon.commands.<name>.run(opts) -> int``. This is the only module that imports typer.

Command modules are imported inside each function so ``mlmon lint`` (a pre-commit hook) never
pays for grafanalib, jsonschema or requests.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import List, Optional

import typer

from mlmon import ExitCode

app = typer.Typer(
    name="mlmon",
    help="Monitoring-as-code for ML models: one YAML spec -> Prometheus rules, Alertmanager routing, Grafana dashboards.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_DEBUG = False


def _run(command: str, **opts) -> None:
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
        if _DEBUG or os.environ.get("MLMON_DEBUG"):
            raise
        sys.stderr.write(f"mlmon: internal error: {type(exc).__name__}: {exc}\n(run with --debug for a traceback)\n")
        code = ExitCode.INTERNAL
    raise typer.Exit(int(code))


@app.callback()
def _main(debug: bool = typer.Option(False, "--debug", help="show tracebacks of internal errors")) -> None:
    global _DEBUG
    _DEBUG = debug


PathsArg = typer.Argument(None, help="spec files or folders (default: specs/)")
FormatOpt = typer.Option("text", "--format", help="text or json")


@app.command()
def lint(
    paths: Optional[List[Path]] = PathsArg,
    format: str = FormatOpt,
    fail_on: str = typer.Option("error", "--fail-on", help="lowest severity that fails: error, warning or info"),
) -> None:
    """Check spec files: YAML, schema and semantics. Every problem at once, as file:line:col."""
    _run("lint", paths=paths or [], format=format, fail_on=fail_on)


@app.command()
def generate(
    paths: Optional[List[Path]] = PathsArg,
    output: Path = typer.Option(Path("generated"), "-o", "--output", help="output folder"),
    check: bool = typer.Option(False, "--check", help="write nothing; print a diff and exit 1 when the folder is stale"),
    format: str = FormatOpt,
) -> None:
    """Compile specs into Prometheus, Alertmanager and Grafana files (atomic, deterministic)."""
    _run("generate", paths=paths or [], output=output, check=check, format=format)


@app.command()
def validate(
    directory: Path = typer.Argument(Path("generated"), help="a folder written by `mlmon generate`"),
    format: str = FormatOpt,
) -> None:
    """Run promtool, amtool (and pint when installed) on generated output."""
    _run("validate", directory=directory, format=format)


@app.command()
def schema(output: Optional[Path] = typer.Option(None, "-o", "--output", help="write here instead of stdout")) -> None:
    """Print the JSON Schema of the spec (for editors and yaml-language-server)."""
    _run("schema", output=output)


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
