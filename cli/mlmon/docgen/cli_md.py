"""The command-line reference (from the typer app: every command, its arguments and options) and the
exit codes (from ``mlmon.ExitCode``, with what each command means by them)."""

from __future__ import annotations

from typing import Any

from mlmon import ExitCode
from mlmon.docgen.text import cell, code, page, table, value

CLI_PATH = "reference/cli.md"
EXIT_PATH = "reference/exit-codes.md"
TYPES = {"str": "text", "path": "path", "int": "integer", "int range": "integer", "float": "number", "float range": "number", "boolean": "flag"}

# What each exit code means in general (the design's rules). Every ExitCode member needs a line.
MEANING = {
    "OK": "success: no findings at or above `--fail-on`, output fresh, no changes (or changes without `--exit-code`), applied",
    "FINDINGS": "findings at or above `--fail-on`; stale output under `generate --check`; changes under `diff --exit-code`; "
    "generated output rejected by promtool/amtool; an apply step rolled back",
    "USAGE": "usage error, missing file or tool, HTTP or authentication failure, refused confirmation, held lock",
    "INTERNAL": "internal error (a traceback only with `--debug` or `MLMON_DEBUG=1`)",
    "INCONCLUSIVE": "`mlmon gate` only: the candidate cannot be judged yet (a version under `min_samples`, or a comparison without data); "
    "Argo Rollouts and most CI steps count any non-zero exit as a failure, see [canary gate in CI](../deploy/canary-gate.md)",
}
# command -> (0, 1, 2) as that command uses them; every command of the app needs an entry.
BY_COMMAND = {
    "lint": (
        "no diagnostic at or above `--fail-on` (default `error`)",
        "diagnostics at or above `--fail-on`",
        "bad `--format`/`--fail-on`/`--root`, a named path missing, no spec files found",
    ),
    "generate": (
        "written, or `--check` found the folder fresh",
        "spec errors (nothing written), or `--check` found the folder stale",
        "bad option, a named path missing, no spec files, the output folder cannot be written or holds files mlmon did not write (nothing written)",
    ),
    "validate": (
        "every check passed",
        "any check reported an error (promtool, amtool, routing, dashboards, pint)",
        "the folder, `prometheus/prometheus.yml` or `alertmanager/alertmanager.yml` missing, promtool or amtool not installed",
    ),
    "schema": ("printed or written", "-", "-"),
    "baseline": (
        "baseline written",
        "bad data (missing or all-null column, too few rows, a non-number in a numeric column, ragged CSV); nothing written",
        "bad option, unreadable or missing file, Parquet without pyarrow",
    ),
    "diff": ("no changes, or changes without `--exit-code`", "changes, with `--exit-code`", "usage, missing file, unreachable server, HTTP or auth failure"),
    "apply": (
        "applied, nothing to do, or `--dry-run`",
        "refused before any write (promtool/amtool rejected the files, a change made outside mlmon without `--force`, a stale plan, "
        "a conflict): nothing changed; or a step failed (a server rejected the change, Ctrl-C, SIGTERM) and everything was rolled back",
        "usage, unreachable server, HTTP or auth failure, unwritable path, confirmation refused, lock held, a rollback that could not finish",
    ),
    "context": (
        "listed, chosen or shown",
        "-",
        "unknown action or context, a contexts file that cannot be read or has a secret value in it, the user file not writable",
    ),
    "unlock": (
        "nothing was locked, or every lock left behind was removed",
        "-",
        "usage, a lock held by a running apply (never removed), confirmation refused or stdin not a terminal without `--yes`",
    ),
    "preview": (
        "pages (and PNGs) written; every panel query answered",
        "pages written, but a panel's query was rejected (shown in the panel)",
        "no `grafana/dashboards` folder, not exactly one of `--prometheus`/`--from-tests`, bad time, unknown `--dashboard`, "
        "promtool or (with `--png`) chromium missing, Prometheus unreachable",
    ),
    "series": (
        "estimate printed (every model within `storage.series_budget`)",
        "spec errors, or an estimate over `storage.series_budget`",
        "bad option, a named path missing",
    ),
    "report": (
        "report written (and, with `--exit-code`, every model stayed within policy)",
        "spec errors; or, with `--exit-code`, a model did not stay within policy",
        "bad option or period, a named path missing, unknown `--model`, Prometheus unreachable or a query rejected",
    ),
    "registry sync": (
        "registry files written (or unchanged), or `--check` found them up to date",
        "spec or registry-file errors, an unknown registered model or one without a current version, or `--check` found a file out of date; nothing written",
        "bad option, a named path missing, no registry block with a file, no MLflow URI, MLflow unreachable, HTTP or authentication failure; nothing written",
    ),
    "registry serve": (
        "stopped by Ctrl-C or SIGTERM, or `--once` polled every model",
        "spec errors",
        "bad option, no registry block, the address taken, or `--once` could not poll every model (unreachable, authentication, unknown model)",
    ),
    "gate": (
        "the candidate is within every limit of the spec's canary section",
        "the candidate is worse than a limit (error ratio, latency, output distance, quality); exit 4 when it cannot be judged yet",
        "bad option, no Prometheus URL, spec errors, unknown model or no canary section, unreachable Prometheus, HTTP or auth failure",
    ),
    "up": (
        "stopped by Ctrl-C, SIGTERM or `--duration`",
        "-",
        "bad option, a port taken, `prometheus` or `prometheus-alertmanager` missing, spec errors, a process of the stack died",
    ),
}


def _command(app: Any) -> Any:
    import typer.main

    return typer.main.get_command(app)


def _commands(group: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """(name, command) of every command, those of sub-groups as ``group sub`` (``registry sync``)."""
    out: list[tuple[str, Any]] = []
    for name, cmd in group.commands.items():
        sub = getattr(cmd, "commands", None)
        out.extend(_commands(cmd, f"{prefix}{name} ") if sub else [(prefix + name, cmd)])
    return out


def _param_name(p: Any) -> str:
    if getattr(p, "param_type_name", "") == "argument":
        name = p.name.upper()
        return name + ("..." if p.nargs == -1 else "")
    return ", ".join([*p.opts, *p.secondary_opts])


def _param_type(p: Any) -> str:
    if getattr(p, "is_flag", False) and not p.secondary_opts:
        return "flag"
    kind = TYPES.get(p.type.name, p.type.name)
    if getattr(p.type, "min", None) is not None:
        kind += f", >= {p.type.min}"
    if getattr(p, "multiple", False):
        kind += ", repeatable"
    return kind


def _param_default(p: Any) -> str:
    if p.required:
        return "required"
    d = p.default
    if d is None or d == () or (d is False and getattr(p, "is_flag", False) and not p.secondary_opts):
        return ""
    return code(value(d if isinstance(d, (bool, int, float, str)) else str(d)))


def _slug(name: str) -> str:
    return name.replace(" ", "-")


def _usage(name: str, cmd: Any) -> str:
    parts = ["mlmon", name]
    if any(getattr(p, "param_type_name", "") == "option" for p in cmd.params):
        parts.append("[OPTIONS]")
    for p in cmd.params:
        if getattr(p, "param_type_name", "") == "argument":
            arg = p.name.upper() + ("..." if p.nargs == -1 else "")
            parts.append(arg if p.required else f"[{arg}]")
    return " ".join(parts)


def cli_reference(app: Any) -> str:
    group = _command(app)
    body = [
        "# Command line",
        "",
        cell(group.help or ""),
        "",
        "Global options go before the command: "
        + ", ".join(f"{code(_param_name(p))} ({cell(p.help or '')})" for p in group.params)
        + ". Every command takes `--help`. Exit codes: [Exit codes](exit-codes.md).",
        "",
    ]
    commands = _commands(group)
    body += table(("command", "what it does"), [[f"[{code('mlmon ' + n)}](#mlmon-{_slug(n)})", cell(c.help or "")] for n, c in commands])
    for name, cmd in commands:
        body += ["", f"## mlmon {name}", "", cell(cmd.help or ""), "", "```", _usage(name, cmd), "```", ""]
        rows = [[code(_param_name(p)), cell(_param_type(p)), cell(_param_default(p)), cell(getattr(p, "help", "") or "")] for p in cmd.params]
        if rows:
            body += table(("argument or option", "type", "default", "meaning"), rows)
    return page("the command-line app (mlmon.app)", body)


def exit_codes(app: Any) -> str:
    group = _command(app)
    names = [n for n, _ in _commands(group)]
    missing = [m.name for m in ExitCode if m.name not in MEANING] + [n for n in names if n not in BY_COMMAND]
    if missing:
        raise KeyError(f"mlmon.docgen.cli_md: no exit-code text for {', '.join(missing)}")
    body = [
        "# Exit codes",
        "",
        "Every command exits with one of these codes (`mlmon.ExitCode`). Results go to stdout; logs, progress and summaries to stderr.",
        "",
    ]
    body += table(("code", "name", "meaning"), [[str(int(m)), code(m.name), cell(MEANING[m.name])] for m in ExitCode])
    body += ["", "## By command", "", f"Any command exits {int(ExitCode.INTERNAL)} on an internal error.", ""]
    rows = [[f"[{code('mlmon ' + n)}](cli.md#mlmon-{_slug(n)})", *(cell(t) for t in BY_COMMAND[n])] for n in names]
    body += table(("command", *(f"{int(c)} ({c.name.lower()})" for c in (ExitCode.OK, ExitCode.FINDINGS, ExitCode.USAGE))), rows)
    return page("mlmon.ExitCode and the command-line app (mlmon.app)", body)
