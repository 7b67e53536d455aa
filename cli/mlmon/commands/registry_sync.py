"""`mlmon registry sync`: write (or `--check`) the registry files the specs' registry blocks name."""

from __future__ import annotations

import os
import sys

from mlmon.commands._common import check_format, print_diagnostics


def run(opts) -> int:
    from mlmon.registry.sync import sync

    bad = check_format(opts.format)
    if bad is not None:
        return bad
    return sync(
        list(opts.paths),
        uri=opts.mlflow_uri,
        check=opts.check,
        timeout=opts.timeout,
        env=os.environ,
        out=sys.stdout,
        err=sys.stderr,
        report=lambda diags: print_diagnostics(diags, opts.format),
    )
