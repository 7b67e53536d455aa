"""The generated pages of the manual in ``docs/``: made from the code, never edited by hand.

``pages()`` returns ``{path relative to docs/: Markdown}`` for the spec reference (the schema's
descriptions), one page per monitor (its package docstring and schema fragment), the preset tables,
the diagnostic codes, the command line and the exit codes. ``stale(docs)`` compares them with the
files; ``write(docs)`` refreshes them and removes generated pages that no longer have a source.
Run ``python -m mlmon.docgen docs`` (``make docs-ref``), or ``--check`` to only compare.
"""

from __future__ import annotations

from pathlib import Path

from mlmon.docgen.text import MARKER


def pages() -> dict[str, str]:
    from mlmon import pipeline
    from mlmon.app import app
    from mlmon.docgen import cli_md, codes_md, presets_md, schema_md

    monitors = pipeline.monitor_pages()
    out = {
        "reference/spec.md": schema_md.spec_reference(pipeline.schema(), [(key, title) for key, title, _, _ in monitors]),
        f"{schema_md.MONITOR_DIR}/index.md": schema_md.monitors_index(monitors),
        presets_md.PATH: presets_md.preset_reference(),
        codes_md.PATH: codes_md.diagnostics(),
        cli_md.CLI_PATH: cli_md.cli_reference(app),
        cli_md.EXIT_PATH: cli_md.exit_codes(app),
    }
    for key, title, doc, fragment in monitors:
        out[schema_md.monitor_path(key)] = schema_md.monitor_page(key, title, doc, fragment)
    return dict(sorted(out.items()))


def generated_files(docs: Path) -> set[str]:
    """Pages under ``docs`` that carry the generated-page header."""
    found = set()
    for path in sorted(docs.rglob("*.md")):
        with path.open(encoding="utf-8") as f:
            if f.readline().startswith(MARKER):
                found.add(path.relative_to(docs).as_posix())
    return found


def stale(docs: Path, want: dict[str, str] | None = None) -> list[str]:
    """Relative paths that differ from a fresh generation: changed, missing, or generated pages
    without a source any more."""
    want = pages() if want is None else want
    bad = [rel for rel, text in want.items() if not (docs / rel).is_file() or (docs / rel).read_text(encoding="utf-8") != text]
    return sorted(set(bad) | (generated_files(docs) - set(want)))


def write(docs: Path) -> list[str]:
    """Write every generated page that changed and remove orphaned ones; returns what changed."""
    want = pages()
    changed = stale(docs, want)
    for rel in changed:
        path = docs / rel
        if rel in want:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(want[rel], encoding="utf-8")
        else:
            path.unlink()
    return changed
