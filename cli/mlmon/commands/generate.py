"""`mlmon generate`: compile specs and write the output folder atomically (or --check it)."""

from __future__ import annotations

import sys

from mlmon import ExitCode
from mlmon.commands._common import check_format, load, print_diagnostics, summary
from mlmon.diagnostics import has_errors


def run(opts) -> int:
    from mlmon import fsio, workers

    bad = check_format(opts.format)
    if bad is not None:
        return bad
    spec, diags, usage = load(opts.paths)
    if usage:
        print_diagnostics(diags, opts.format)
        return ExitCode.USAGE
    if spec is None or has_errors(diags):
        print_diagnostics(diags, opts.format)
        sys.stderr.write(f"mlmon generate: {summary(diags)}; nothing written\n")
        return ExitCode.FINDINGS
    if diags:
        print_diagnostics(diags, opts.format, sys.stderr)
    files = workers.render(spec, jobs=getattr(opts, "jobs", 0) or None)
    out = opts.output
    if opts.check:
        diff = fsio.diff_tree(out, files)
        if diff:
            sys.stdout.write(diff)
            sys.stderr.write(f"mlmon generate --check: {out} is stale; run `mlmon generate -o {out}` and commit the result\n")
            return ExitCode.FINDINGS
        sys.stderr.write(f"mlmon generate --check: {out} is up to date ({len(files)} files)\n")
        return ExitCode.OK
    try:
        fsio.write_tree(out, files)
    except OSError as exc:
        sys.stderr.write(f"mlmon generate: cannot write {out}: {exc.strerror or exc}; nothing written\n")
        return ExitCode.USAGE
    sys.stderr.write(f"mlmon generate: wrote {len(files)} files for {len(spec.models)} model(s) to {out}\n")
    return ExitCode.OK
