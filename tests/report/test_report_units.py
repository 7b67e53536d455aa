"""The pure parts of the report (alert runs, findings, rendering) and the spec revision (git
commit, dirty flag, content hash)."""

import shutil
import subprocess

import pytest

from mlmon.report import build, render
from mlmon.report.incidents import runs
from mlmon.report.revision import revision


def test_alert_runs_split_on_gaps_and_end_one_step_after_the_last_sample():
    firing = [(t, 1.0) for t in (60, 120, 180, 300, 360, 840)]
    got = runs([({"alertname": "A", "alertstate": "firing", "check": "x"}, firing)], 60)
    assert [(i.start, i.end, i.seconds) for i in got] == [(60, 420, 360), (840, 900, 60)]  # the 2-step gap at 240 does not split
    assert got[0].labels == (("alertname", "A"), ("check", "x"))


def _model(**over):
    base = {
        "slos": [{"name": "availability", "objective_percent": 99.9, "attainment_percent": 99.5, "met": False}],
        "drift": [{"feature": "amount", "incidents": [{}], "firing_seconds": 600}],
        "fairness": {"checks": [{"check": "demographic_parity_ratio", "worst": 0.7, "bound": "at least", "limit": 0.8, "met": False}]},
        "performance": {"metrics": [{"metric": "fpr", "min_limit": None, "max_limit": 0.05, "min": 0.01, "max": 0.09, "met": False}]},
        "cost": {"met": False, "spend_usd": 12.0, "period_budget_usd": 8.21},
        "alerts": [{"severity": "critical", "fired": 2}, {"severity": "warning", "fired": 5}],
    }
    return base | over


def test_findings_name_what_broke_policy():
    assert build.findings(_model()) == [
        "SLO availability: 99.500% good, below the objective of 99.9%",
        "drift of amount: 1 alert(s) firing for 10m in total",
        "fairness demographic_parity_ratio: reached 0.7, the limit is at least 0.8",
        "performance fpr: reached 0.09 (max 0.05)",
        "cost: $12.00 spent, the period's share of the budget is $8.21",
        "2 page alert(s) fired",
    ]
    quiet = _model(slos=[], drift=[], fairness=None, performance=None, cost=None, alerts=[])
    assert build.findings(quiet) == []


def test_round_keeps_times_exact():
    assert build._round({"t": 1767571200, "x": 0.123456789, "n": float("nan")}) == {"t": 1767571200, "x": 0.123457, "n": None}


def test_markdown_tables_escape_pipes_and_html_renders_them():
    lines = render._table(["a", "b"], [["x|y", "z"]])
    assert lines[2] == "| x\\|y | z |"
    html = render._md_to_html(["# T", "", *lines, "- **no** item"], {})
    assert "<td>x|y</td>" in html and "<li><strong>no</strong> item</li>" in html


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_revision_is_the_git_commit_else_a_content_hash(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text("a: 1\n")
    first = revision([spec], ["spec.yaml"])
    assert first["kind"] == "sha256" and len(first["digest"]) == 64  # not in a git work tree

    def git(*args):
        return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=tmp_path, check=True, capture_output=True, text=True)

    git("init", "-q")
    assert revision([spec], ["spec.yaml"])["kind"] == "sha256"  # untracked
    git("add", "spec.yaml")
    git("commit", "-qm", "spec")
    head = git("rev-parse", "HEAD").stdout.strip()
    assert revision([spec], ["spec.yaml"]) == {"kind": "git", "commit": head, "dirty": False, "files": ["spec.yaml"]}
    spec.write_text("a: 2\n")
    assert revision([spec], ["spec.yaml"])["dirty"] is True
    assert revision([spec], ["spec.yaml"])["commit"] == head
