"""``python -m mlmon.docgen [DOCS] [--check]``: refresh the generated pages of the manual (default
folder ``docs``); with ``--check``, write nothing and exit 1 when a page is stale."""

from __future__ import annotations

import sys
from pathlib import Path

from mlmon.docgen import stale, write


def main(argv: list[str]) -> int:
    check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    if len(args) > 1 or any(a.startswith("-") for a in args):
        sys.stderr.write("usage: python -m mlmon.docgen [DOCS] [--check]\n")
        return 2
    docs = Path(args[0] if args else "docs")
    if check:
        bad = stale(docs)
        for rel in bad:
            sys.stderr.write(f"{docs / rel}: stale\n")
        sys.stderr.write(f"mlmon.docgen: {len(bad)} stale page(s); run `make docs-ref`\n" if bad else "mlmon.docgen: generated pages are fresh\n")
        return 1 if bad else 0
    changed = write(docs)
    sys.stderr.write(f"mlmon.docgen: {len(changed)} page(s) written or removed in {docs}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
