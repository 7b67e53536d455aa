"""The generated pages of the manual are fresh, and the generator copes with any docstring and
schema construct (the monitor packages' docstrings are plain Markdown-ish text)."""

from __future__ import annotations

from mlmon import docgen
from mlmon.docgen import schema_md, text
from tests.conftest import REPO

DOCS = REPO / "docs"


def test_generated_pages_are_fresh():
    stale = docgen.stale(DOCS)
    assert stale == [], f"stale generated pages in docs/: {stale}; run `make docs-ref` and commit the result"


def test_every_generated_page_says_so_and_how_to_refresh_it():
    for rel, page in docgen.pages().items():
        first = page.split("\n", 1)[0]
        assert first.startswith(text.MARKER) and text.REFRESH in first, rel
        assert page.endswith("\n") and not page.endswith("\n\n"), rel


def test_one_page_per_monitor_from_its_docstring_and_schema():
    from mlmon import pipeline

    pages = docgen.pages()
    for key, _title, doc, fragment in pipeline.monitor_pages():
        page = pages[schema_md.monitor_path(key)]
        first_line = next((line for line in doc.strip().splitlines() if line.strip()), "")
        assert first_line.strip() in page
        for name in fragment.get("properties") or (fragment.get("items") or {}).get("properties") or {}:
            assert f"`{key}.{name}`" in page or f"`{key}[].{name}`" in page, (key, name)


def test_stale_finds_changed_missing_and_orphaned_pages(tmp_path):
    want = {"a.md": text.page("x", ["# A"]), "sub/b.md": text.page("y", ["# B"])}
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.md").write_text(want["a.md"])
    (tmp_path / "sub" / "b.md").write_text(want["sub/b.md"] + "edited\n")
    (tmp_path / "old.md").write_text(text.page("z", ["# Gone"]))
    (tmp_path / "hand.md").write_text("# Written by hand\n")
    assert docgen.stale(tmp_path, want) == ["old.md", "sub/b.md"]
    (tmp_path / "a.md").unlink()
    assert docgen.stale(tmp_path, want) == ["a.md", "old.md", "sub/b.md"]


def test_write_refreshes_and_removes_orphans(tmp_path):
    (tmp_path / "orphan.md").write_text(text.page("nothing", ["# Orphan"]))
    (tmp_path / "hand.md").write_text("# Written by hand\n")
    changed = docgen.write(tmp_path)
    assert "orphan.md" in changed and not (tmp_path / "orphan.md").exists()
    assert (tmp_path / "hand.md").exists()
    assert docgen.stale(tmp_path) == []
    assert docgen.write(tmp_path) == []


def test_monitor_page_keeps_a_docstring_that_brings_its_own_title():
    page = schema_md.monitor_page("k", "Title", "# Own title\n\nText with `code` and a | pipe.\n", {"type": "object"})
    assert page.count("\n# ") == 1 and "# Own title" in page and "# Title" not in page
    bare = schema_md.monitor_page("k", "Title", "", {"type": "object"})
    assert "# Title" in bare and "## Spec fields" in bare


def test_field_tables_handle_every_schema_construct():
    fragment = {
        "type": "object",
        "required": ["a"],
        "properties": {
            "a": {"type": ["string", "number"], "description": "two types | one pipe <b>"},
            "b": {"oneOf": [{"type": "string", "pattern": "^x|y$"}, {"type": "object", "properties": {"c": {"type": "boolean", "default": True}}}]},
            "d": {"$ref": "#/$defs/thing"},
            "e": {"type": "array", "items": {"type": "object", "properties": {"f": {"type": "integer", "minimum": 1, "exclusiveMaximum": 9}}}},
            "g": {"type": "object", "additionalProperties": {"type": "object", "properties": {"h": {"enum": ["p", "2"], "default": "2"}}}},
            "i": {},
            "j": True,
        },
    }
    rows = {r[0]: r for r in schema_md.field_rows(fragment, "k")}
    assert rows["`k.a`"][1:3] == ["string or number", "required"]
    assert rows["`k.a`"][3] == "two types \\| one pipe &lt;b>"
    assert rows["`k.b`"][1] == "string matching `^x|y$` or object"
    assert rows["`k.b.c`"][2] == "`true`"
    assert rows["`k.d`"][1] == "`thing`"
    assert rows["`k.e[].f`"][1] == "integer, >= 1 and &lt; 9"
    assert rows["`k.g.<name>.h`"][1:3] == ['one of `p`, `"2"`', '`"2"`']
    assert rows["`k.i`"][1] == "any" and rows["`k.j`"][1] == "any"


def test_cells_escape_pipes_and_html_only_outside_code():
    assert text.cell("a | <b> `c | <d>`\nnext") == "a \\| &lt;b> `c | <d>` next"
    assert text.value({"page": True, "x": [1, 0.5, "30s", "yes", "a b", "2"]}) == '{page: true, x: [1, 0.5, 30s, "yes", a b, "2"]}'
