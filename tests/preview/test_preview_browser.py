"""The preview page in headless Chromium (Debian's package): every panel is laid out and drawn,
and a screenshot matches the stored one within a tolerance that a moved panel exceeds. The
``--from-tests`` run fills the panels of a generated dashboard through promtool."""

import json
import os
import re
import shutil

import pytest

from mlmon.preview import chromium, page
from tests.conftest import REPO
from tests.preview import fixture
from tests.preview.imagediff import similar

pytestmark = [pytest.mark.tools, pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed (make tools)")]

EXPECTED = fixture.HERE / "expected.png"


def _shoot(tmp_path, name, dash):
    html = tmp_path / f"{name}.html"
    html.write_text(page.render(dash, fixture.data(dash), "fixture"))
    png = tmp_path / f"{name}.png"
    chromium.screenshot(html, png, page.PAGE_WIDTH + 2 * page.MARGIN, page.page_height(dash))
    return html, png


def _body(dom: str) -> dict[str, int]:
    tag = re.search(r"<body([^>]*)>", dom).group(1)
    return {k: int(v) for k, v in re.findall(r'data-(panels|rendered|overlaps)="(\d+)"', tag)}


def test_screenshot_matches_stored_and_a_moved_panel_does_not(tmp_path):
    dash = fixture.dashboard()
    html, png = _shoot(tmp_path, "fixture", dash)
    if os.environ.get("MLMON_UPDATE_GOLDEN") == "1":
        shutil.copy(png, EXPECTED)
    ok, share = similar(png, EXPECTED)
    assert ok, f"{share:.2%} of the screenshot's blocks differ from {EXPECTED} (tolerance 1%); look at {png}"
    _, moved = _shoot(tmp_path, "moved", fixture.dashboard(shift=3))
    bad, share = similar(moved, EXPECTED)
    assert not bad, f"a gauge moved by 3 columns changed only {share:.2%} of the blocks"
    dom = chromium.dump_dom(html, page.PAGE_WIDTH + 2 * page.MARGIN, page.page_height(dash))
    assert _body(dom) == {"panels": 9, "rendered": 9, "overlaps": 0}


def test_from_tests_fills_and_renders_every_panel(tmp_path, run_mlmon):
    tree = REPO / "tests" / "golden" / "minimal" / "expected"
    r = run_mlmon("preview", tree, "--from-tests", "--dashboard", "churn", "-o", tmp_path, timeout=600)
    assert r.returncode == 0, r.stderr
    html = tmp_path / "churn.html"
    panels = [p for p in json.loads((tree / "grafana" / "dashboards" / "churn.json").read_text())["panels"] if p["type"] != "row"]
    text = html.read_text()
    sections = re.findall(r'<section class="panel" id="panel-(\d+)".*?</section>', text)
    assert sorted(map(int, sections)) == sorted(p["id"] for p in panels)
    empty = [m for m in re.findall(r'id="panel-(\d+)"(?:(?!</section>).)*?>No data<', text)]
    assert empty == [], f"panels without data: {empty}"
    # the SLO panels are filled from an SLO case (the long ones are in the files evaluated every 5m
    # and every 15m)
    assert re.search(r"rule test churn\.slos(\.every-(5|15)m)?\.test\.yml #\d+", text) and 'class="errors"' not in text
    dom = chromium.dump_dom(html, page.PAGE_WIDTH + 2 * page.MARGIN, 3000)
    assert _body(dom) == {"panels": len(panels), "rendered": len(panels), "overlaps": 0}
