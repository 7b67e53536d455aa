"""`mlmon lint`: parse, schema and semantic checks; every problem at once."""

from __future__ import annotations

import sys

from mlmon import ExitCode
from mlmon.commands._common import check_format, load, print_diagnostics, summary
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
    spec, diags, usage = load(opts.paths)
    print_diagnostics(diags, opts.format)
    if usage:
        return ExitCode.USAGE
    if opts.format == "text":
        n = len(spec.models) if spec else 0
        sys.stderr.write(f"mlmon lint: {summary(diags)}" + (f"; {n} model(s) OK\n" if spec else "\n"))
    return ExitCode.FINDINGS if at_or_above(diags, level) else ExitCode.OK
