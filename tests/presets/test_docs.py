"""The README section documents every preset and every upstream metric it reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlmon import presets as P

REPO = Path(__file__).resolve().parents[2]


def _doc() -> str:
    for path in (REPO / "docs" / "readme" / "presets-infra-errors.md", REPO / "README.md"):
        if path.exists() and "### Preset reference" in path.read_text():
            return path.read_text()
    pytest.fail("no README section '### Preset reference' (docs/readme/presets-infra-errors.md or README.md)")


def _metrics(src) -> list[str]:
    if isinstance(src, tuple):
        return [m for s in src for m in _metrics(s)]
    if isinstance(src, P.Mean):
        return [src.total.name, src.count.name]
    if isinstance(src, P.Expr):
        return list(src.metrics)
    return list(src.names)


@pytest.mark.parametrize("name", P.names())
def test_every_preset_and_metric_is_documented(name):
    doc = _doc()
    p = P.get(name)
    section = doc.split(f"#### `{name}`:", 1)
    assert len(section) == 2, f"preset {name} has no '#### `{name}`:' section"
    body = section[1].split("\n#### ", 1)[0]
    for key in p.keys():
        for metric in _metrics(p.signal(key)):
            assert metric in body, f"{name}: {metric} ({key}) not documented"
