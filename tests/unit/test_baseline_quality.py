"""The data-quality facts of a baseline: the valid range of numeric features and the reference
categories of categorical ones, written by `mlmon baseline`, read back, checked, and optional so
that files written before them stay valid."""

from __future__ import annotations

import math

import pytest

from mlmon import baseline as B
from tests.unit.test_baseline import DATA, build, columns


def test_range_and_seen_are_recorded_and_round_trip():
    cols = columns()
    b = build(cols)
    x, c = b.feature("x"), b.feature("c")
    values = [float(v) for v in cols["x"]]
    assert x.range == (min(values), max(values)) and x.valid_range == x.range
    assert c.seen == ("a", "b", "c", "d", "e") and c.categories == ("a", "b", "c")  # top-3 for drift, all five known
    assert c.known_categories == frozenset("abcde")
    back, diags = B.load_baseline(B.dump_baseline(b), "b.yaml")
    assert back == b, diags


def test_declared_range_one_side_open_and_the_seen_cap():
    b = build(ranges={"x": (0.0, None)}, max_seen=3)
    assert b.feature("x").range == (0.0, None) and b.feature("x").valid_range == (0.0, math.inf)
    assert b.feature("c").seen is None and b.feature("c").known_categories is None  # 5 categories > cap 3
    back, _ = B.load_baseline(B.dump_baseline(b), "b.yaml")
    assert back == b


@pytest.mark.parametrize(
    "ranges, fragment",
    [({"c": (0.0, 1.0)}, "declared categorical"), ({"x": (5.0, 1.0)}, "lower bound below"), ({"x": (None, None)}, "lower bound below")],
)
def test_bad_declared_ranges(ranges, fragment):
    b, diags = B.compute_baseline(columns(), B.Options(model="m", created_from="r.csv", categorical=frozenset({"c"}), ranges=ranges), "r.csv")
    assert b is None and any(fragment in d.message for d in diags), [d.message for d in diags]


def _strip(text: str, key: str) -> str:
    """The file as written before ``key`` existed: drop every ``key:`` block."""
    out, skipping = [], False
    for line in text.splitlines():
        if line.strip() == f"{key}:" or line.strip().startswith(f"{key}: "):
            skipping = line.strip() == f"{key}:"
            indent = len(line) - len(line.lstrip())
            continue
        if skipping and line.startswith(" " * indent + "- "):
            continue
        skipping = False
        out.append(line)
    return "\n".join(out) + "\n"


def test_files_without_range_and_seen_stay_valid():
    b = build()
    text = _strip(_strip(B.dump_baseline(b), "range"), "seen")
    assert "range" not in text and "seen" not in text
    old, diags = B.load_baseline(text, "old.yaml")
    assert old is not None, diags
    x, c = old.feature("x"), old.feature("c")
    assert x.range is None and x.valid_range == (x.edges[0], x.edges[-1])
    assert c.seen is None and c.counts[-1] > 0 and c.known_categories is None
    complete = build(top_k=10)  # the top-k held every category: known without `seen`
    old, _ = B.load_baseline(_strip(B.dump_baseline(complete), "seen"), "old.yaml")
    assert old.feature("c").known_categories == frozenset("abcde")


@pytest.mark.parametrize(
    "field, value, fragment",
    [
        ("x", "range: [3, 1]", "range: must be [low, high]"),
        ("x", "range: [null, null]", "range: must be [low, high]"),
        ("x", "seen: [a]", "seen: must be a list of distinct strings (categorical"),
        ("c", "seen: [a, a]", "seen: must be a list of distinct strings"),
        ("c", "range: [0, 1]", "range: must be [low, high] of a numeric feature"),
    ],
)
def test_bad_quality_fields_are_reported_at_their_position(field, value, fragment):
    text = _strip(_strip(B.dump_baseline(build()), "range"), "seen")
    lines = text.splitlines()
    at = lines.index(f"  {field}:") + 1
    lines.insert(at, f"    {value}")
    b, diags = B.load_baseline("\n".join(lines) + "\n", "bad.yaml")
    assert b is None
    (d,) = [d for d in diags if fragment in d.message]
    assert d.line == at + 1 and d.code == "MLM211"


def test_command_range_option(run_mlmon, tmp_path):
    out = tmp_path / "b.yaml"
    args = ("baseline", DATA, "--model", "fd", "--prediction", "score", "--ignore", "transaction_id", "-o", out)
    res = run_mlmon(*args, "--range", "amount=0:", "--range", "hour=0:23")
    assert res.returncode == 0, res.stderr
    b, _ = B.load_baseline(out.read_text(), str(out))
    assert b.feature("amount").range == (0.0, None) and b.feature("hour").range == (0.0, 23.0)
    out.unlink()
    res = run_mlmon(*args, "--range", "amount=cheap")
    assert res.returncode == 2 and "expected COLUMN=LOW:HIGH" in res.stderr and not out.exists()
