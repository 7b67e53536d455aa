"""The bench's figures table: rows recorded by any bench process, rendered as one table, written
into docs/benchmarks.md between its markers and nowhere else."""

import importlib.util
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("bench_figures", REPO / "bench" / "figures.py")
figures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(figures)

DOC = f"# Benchmarks\n\nintro\n\n{figures.BEGIN}\n\nold table\n\n{figures.END}\n\n## Earlier runs\n\nprose\n"


def test_rows_recorded_through_the_environment_come_back_in_order(tmp_path, monkeypatch):
    path = tmp_path / "figures.jsonl"
    monkeypatch.delenv(figures.ENV, raising=False)
    figures.record("not collected", "1")
    assert not path.exists()
    monkeypatch.setenv(figures.ENV, str(path))
    figures.record("lint | wall", "166 ms", "< 200 ms")
    figures.record("t(1000) / t(100)", "6.2", "<= 10")
    found = figures.rows(path)
    assert [r["figure"] for r in found] == ["lint | wall", "t(1000) / t(100)"]
    table = figures.table(found, "2 cores")
    assert table.splitlines()[0] == "Host: 2 cores."
    assert "| lint \\| wall | 166 ms | < 200 ms |" in table  # a pipe inside a cell is escaped
    assert table.endswith("| t(1000) / t(100) | 6.2 | <= 10 |\n")


def test_the_table_replaces_only_the_block_between_the_markers(tmp_path):
    block = figures.table([{"figure": "f", "value": "v", "target": "t"}], "h")
    once = figures.replace_block(DOC, block)
    assert once.startswith("# Benchmarks\n\nintro\n\n" + figures.BEGIN + "\n\nHost: h.\n")
    assert once.endswith(figures.END + "\n\n## Earlier runs\n\nprose\n")
    assert "old table" not in once
    assert figures.replace_block(once, block) == once  # a second write of the same run changes nothing
    doc = tmp_path / "benchmarks.md"
    doc.write_text(DOC)
    figures.write_docs(doc, [{"figure": "f", "value": "v", "target": "t"}], "h")
    assert doc.read_text() == once


@pytest.mark.parametrize("text", ["# no markers\n", f"{figures.END}\n{figures.BEGIN}\n"], ids=["missing", "out-of-order"])
def test_a_document_without_the_markers_is_refused_and_left_alone(tmp_path, text):
    doc = tmp_path / "benchmarks.md"
    doc.write_text(text)
    with pytest.raises(ValueError, match="markers"):
        figures.write_docs(doc, [], "h")
    assert doc.read_text() == text


def test_the_benchmarks_page_has_the_markers_once_and_in_order():
    text = (REPO / "docs" / "benchmarks.md").read_text()
    assert text.count(figures.BEGIN) == text.count(figures.END) == 1
    assert text.index(figures.BEGIN) < text.index(figures.END)
