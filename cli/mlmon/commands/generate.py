"""`mlmon generate`: compile specs and write the output folder atomically (or --check it)."""

from __future__ import annotations

import sys
from pathlib import Path

from mlmon import ExitCode
from mlmon.commands._common import check_format, load, print_diagnostics, summary
from mlmon.diagnostics import Diagnostic, Severity, has_errors


def run(opts) -> int:
    from mlmon import fsio, workers

    bad = check_format(opts.format)
    if bad is not None:
        return bad
    spec, diags, usage = load(opts.paths, allow_outside=getattr(opts, "allow_outside_refs", False))
    if usage:
        print_diagnostics(diags, opts.format)
        return ExitCode.USAGE
    if spec is None or has_errors(diags):
        print_diagnostics(diags, opts.format)
        sys.stderr.write(f"mlmon generate: {summary(diags)}; nothing written\n")
        return ExitCode.FINDINGS
    if diags:
        print_diagnostics(diags, opts.format, sys.stderr)
    out = opts.output
    if not opts.check:
        foreign = fsio.foreign_files(out)
        if foreign:
            print_diagnostics([_foreign(out, rel) for rel in foreign], opts.format)
            why = "is not a folder" if foreign == ["."] else f"holds {len(foreign)} file(s) mlmon did not write"
            sys.stderr.write(
                f"mlmon generate: {out} {why}; generate replaces the whole folder, so it writes only into a new or empty folder "
                "or one holding its own output; nothing written\n"
            )
            return ExitCode.USAGE
    jobs = getattr(opts, "jobs", 0) or None
    if opts.check:
        files = workers.render(spec, jobs=jobs)
        diff = fsio.diff_tree(out, files)
        if diff:
            sys.stdout.write(diff)
            sys.stderr.write(f"mlmon generate --check: {out} is stale; run `mlmon generate -o {out}` and commit the result\n")
            return ExitCode.FINDINGS
        sys.stderr.write(f"mlmon generate --check: {out} is up to date ({len(files)} files)\n")
        return ExitCode.OK
    try:
        # written slice by slice as the models are rendered: memory holds a few slices, not the tree
        with fsio.staged_tree(out) as folder:
            count = workers.write_stream(spec, folder, jobs=jobs)
    except OSError as exc:
        sys.stderr.write(f"mlmon generate: cannot write {out}: {exc.strerror or exc}; nothing written\n")
        return ExitCode.USAGE
    sys.stderr.write(f"mlmon generate: wrote {count} files for {len(spec.models)} model(s) to {out}\n")
    return ExitCode.OK


def _foreign(out: Path, rel: str) -> Diagnostic:
    from mlmon import fsio

    if rel == ".":
        return Diagnostic(fsio.display(out), 0, 0, Severity.ERROR, "MLM006", "the output path exists and is not a folder", "choose another -o folder")
    return Diagnostic(
        fsio.display(out / rel),
        0,
        0,
        Severity.ERROR,
        "MLM006",
        "not written by mlmon (no generated header): generate would delete it",
        "move it out of the output folder, or choose another -o folder",
    )
