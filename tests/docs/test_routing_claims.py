"""What the manual says about where alerts go holds for the generated routing: info alerts (the
deployment event MLModelVersionChanged) reach the team's Slack (an earlier README said they were
routed to no one)."""

from __future__ import annotations

import re

from mlmon import conventions as C
from mlmon import fsio, pipeline
from mlmon.render import alertmanager
from tests.conftest import REPO

DEMO = REPO / "examples" / "demo" / "spec.yaml"


def test_version_changed_reaches_the_team_slack_as_the_walkthrough_says():
    text = (REPO / "docs" / "getting-started" / "walkthrough.md").read_text()
    assert re.search(r"`MLModelVersionChanged` \(severity `info`\).*?the sink shows\s+`slack:demo-team-slack`", text, re.S)
    spec, diags = pipeline.check({str(DEMO): DEMO.read_text()}, fsio.make_reader())
    assert spec is not None, diags
    labels = {"alertname": C.ALERT_VERSION_CHANGED, C.L_MODEL: "demo", C.L_TEAM: "demo-team", C.L_SEVERITY: C.SEVERITY_INFO}
    assert alertmanager.expected_receivers(spec, labels) == ["demo-team-slack"]


def test_no_page_says_the_deployment_event_is_routed_to_no_one():
    """An earlier README said so while the routing sent it to Slack."""
    for path in [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]:
        assert not re.search(r"routed to no ?one", path.read_text(), re.I), path.relative_to(REPO)
