"""`mlmon schema`: the JSON Schema of the spec, for editors."""

from __future__ import annotations

import sys

from mlmon import ExitCode


def run(opts) -> int:
    from mlmon.pipeline import schema
    from mlmon.render import emit

    text = emit.to_json(schema())
    if opts.output:
        opts.output.parent.mkdir(parents=True, exist_ok=True)
        opts.output.write_text(text, "utf-8")
        sys.stderr.write(f"mlmon schema: wrote {opts.output}\n")
    else:
        sys.stdout.write(text)
    return ExitCode.OK
