"""The preset reference in the manual (generated from the preset tables) documents every preset
and every upstream metric it reads. Its freshness is tests/docs' job; this checks its content."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlmon import presets as P
from mlmon.docgen import presets_md

REPO = Path(__file__).resolve().parents[2]
PAGE = REPO / "docs" / presets_md.PATH


def _metrics(src) -> list[str]:
    if isinstance(src, tuple):
        return [m for s in src for m in _metrics(s)]
    if isinstance(src, P.Mean):
        return [*_metrics(src.total), *_metrics(src.count)]
    if isinstance(src, P.Expr):
        return list(src.metrics)
    return list(src.names)


@pytest.mark.parametrize("name", P.names())
def test_every_preset_and_metric_is_documented(name):
    doc = PAGE.read_text(encoding="utf-8")
    p = P.get(name)
    section = doc.split(f"### `{name}`:", 1)
    assert len(section) == 2, f"preset {name} has no '### `{name}`:' section in {PAGE.relative_to(REPO)}"
    body = section[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
    for key in p.keys():
        assert f"| {key} |" in body, f"{name}: signal {key} not documented"
        for metric in _metrics(p.signal(key)):
            assert metric in body, f"{name}: {metric} ({key}) not documented"
    for note in p.notes:
        assert note in body, f"{name}: note not documented: {note[:40]}"
