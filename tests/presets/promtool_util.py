"""Render rule groups + rule tests and run the real promtool on them (shared by preset/monitor tests)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from mlmon.artifacts import RuleGroup, RuleTest
from mlmon.render import prometheus, rule_tests


def promtool() -> str:
    exe = shutil.which("promtool")
    if exe is None:
        pytest.skip("promtool not installed")
    return exe


def run_promtool(tmp: Path, groups: Sequence[RuleGroup], tests: Sequence[RuleTest], evaluation_interval: str = "1m") -> subprocess.CompletedProcess:
    rules = tmp / "rules.yml"
    rules.write_text(prometheus.rules_file(groups, "# test"))
    check = subprocess.run([promtool(), "check", "rules", str(rules)], capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr
    tfile = tmp / "rules.test.yml"
    # the groups in the order given (the dependency order), as the generated files have them: a
    # group reading another's recording at a step over 5m needs it from the same evaluation
    tfile.write_text(rule_tests.tests_file(["rules.yml"], tests, "# test", evaluation_interval, [g.name for g in groups]))
    return subprocess.run([promtool(), "test", "rules", str(tfile)], capture_output=True, text=True, timeout=300, cwd=tmp)


def assert_promtool_passes(tmp: Path, groups: Sequence[RuleGroup], tests: Sequence[RuleTest], evaluation_interval: str = "1m") -> None:
    """``promtool test rules`` accepts ``tests`` against ``groups`` (the tail of its output on failure)."""
    res = run_promtool(tmp, groups, tests, evaluation_interval)
    assert res.returncode == 0, res.stdout[-6000:] + res.stderr[-3000:]


def assert_promtool_passes_at_their_intervals(tmp: Path, groups: Sequence[RuleGroup], tests: Sequence[RuleTest], model) -> None:
    """``assert_promtool_passes`` once per evaluation interval the cases run at (``RuleTest.every``),
    as the generated files group them."""
    for interval in sorted({t.every(model) for t in tests}):
        (tmp / interval).mkdir(exist_ok=True)
        assert_promtool_passes(tmp / interval, groups, [t for t in tests if t.every(model) == interval], interval)


def assert_tests_name_only_defined_alerts(monitor, spec, model) -> None:
    """Every alert a generated test checks is one the monitor's rules define (a typo in a test's
    alert name would otherwise pass vacuously: promtool expects no alerts of an unknown name)."""
    from mlmon.artifacts import AlertRule

    defined = {r.alert for g in monitor.rule_groups(model, spec) for r in g.rules if isinstance(r, AlertRule)}
    named = {c.alertname for t in monitor.rule_tests(model, spec) for c in t.alert_checks}
    assert named <= defined, sorted(named - defined)
