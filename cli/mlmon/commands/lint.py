"""`mlmon lint`: parse, schema and semantic checks; every problem at once.

With ``--root`` and named files (a pre-commit hook passes the changed ones), every spec under the
root is compiled with them, so teams, severity and business hours defined in other files resolve,
and only the named files' diagnostics are reported and decide the exit code.
"""

from __future__ import annotations

import sys

from mlmon import ExitCode
from mlmon.commands._common import about, check_format, load, print_diagnostics, summary
from mlmon.diagnostics import Severity, at_or_above


def run(opts) -> int:
    bad = check_format(opts.format)
    if bad is not None:
        return bad
    try:
        level = Severity.parse(opts.fail_on)
    except ValueError as exc:
        sys.stderr.write(f"mlmon: --fail-on: {exc}\n")
        return ExitCode.USAGE
    root = getattr(opts, "root", None)
    if root is not None and not root.is_dir():
        sys.stderr.write(f"mlmon lint: --root {root}: not a folder\n")
        return ExitCode.USAGE
    spec, diags, usage = load(opts.paths, root, getattr(opts, "allow_outside_refs", False))
    hidden = 0
    if root is not None and opts.paths and not usage:
        shown = [d for d in diags if about(d.file, opts.paths)]
        hidden, diags = len(diags) - len(shown), shown
    print_diagnostics(diags, opts.format)
    if usage:
        return ExitCode.USAGE
    if opts.format == "text":
        n = len(spec.models) if spec else 0
        note = f" ({hidden} more in other files under {root}: run `mlmon lint {root}`)" if hidden else ""
        sys.stderr.write(f"mlmon lint: {summary(diags)}{note}" + (f"; {n} model(s) OK\n" if spec else "\n"))
    return ExitCode.FINDINGS if at_or_above(diags, level) else ExitCode.OK
