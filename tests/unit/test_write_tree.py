"""fsio.write_tree: the folder ends as exactly the files given (one mapping or chunks that stream
in), or untouched when anything fails on the way, with no temporary folder left behind."""

from __future__ import annotations

import pytest

from mlmon import fsio


def test_chunks_make_the_same_tree_as_one_mapping(tmp_path):
    files = {"a.yml": "a\n", "sub/b.yml": "b\n", "sub/deeper/c.json": "{}\n"}
    assert fsio.write_tree(tmp_path / "one", files) == 3
    assert fsio.write_tree(tmp_path / "chunks", iter([{"a.yml": "a\n"}, {"sub/b.yml": "b\n", "sub/deeper/c.json": "{}\n"}])) == 3
    assert fsio.read_tree(tmp_path / "one") == fsio.read_tree(tmp_path / "chunks") == files


def test_a_failure_between_chunks_leaves_the_old_tree(tmp_path):
    out = tmp_path / "generated"
    fsio.write_tree(out, {"old.yml": "old\n"})

    def chunks():
        yield {"new.yml": "new\n"}
        raise RuntimeError("a worker died")

    with pytest.raises(RuntimeError, match="a worker died"):
        fsio.write_tree(out, chunks())
    assert fsio.read_tree(out) == {"old.yml": "old\n"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["generated"]
