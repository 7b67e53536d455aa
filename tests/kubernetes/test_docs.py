"""The Kubernetes page states the presets' scrape defaults and the lint codes as the code has them."""

from __future__ import annotations

import re

from mlmon.diagnostics import CODES
from mlmon.presets.kubernetes import SCRAPE
from tests.conftest import REPO

PAGE = REPO / "docs" / "deploy" / "kubernetes.md"


def _row(name: str) -> list[str]:
    d = SCRAPE[name]
    selector = ", ".join(f"`{k}: {v.format(model='<model>')}`" for k, v in sorted(d.selector.items()))
    port = f"`{d.port}`" if d.port else f"number {d.port_number}"
    return [name, d.monitor, selector, port]


def test_preset_defaults_table_matches_the_code():
    text = PAGE.read_text()
    table = text.split("| preset | monitor | selector | port |", 1)[1].split("\n\n", 1)[0]
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in table.strip().splitlines()[1:]]
    assert rows == [_row(n) for n in sorted(SCRAPE)]


def test_lint_codes_named_on_the_page_exist():
    for code in sorted(set(re.findall(r"MLM2[4-9]\d|MLM31\d", PAGE.read_text()))):
        assert code in CODES, code
