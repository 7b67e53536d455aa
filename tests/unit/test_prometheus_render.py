"""Alert labels written into the expression (``AlertRule.labels_in_expr``): same labels, checked by
the real promtool."""

from __future__ import annotations

import pytest

from mlmon.artifacts import AlertCheck, AlertRule, ExpAlert, RuleGroup, RuleTest
from mlmon.render import prometheus
from tests.presets.promtool_util import assert_promtool_passes

LABELS = {"check": "{{ $labels.feature }}", "severity": "critical", "team": 'ml "core" $1 \\ team', "monitor": "drift"}


def _rule(moved: tuple[str, ...]) -> AlertRule:
    return AlertRule("Drifted", 'score{model="m"} > 0.2', "2m", LABELS, {"summary": "feature {{ $labels.feature }}"}, labels_in_expr=moved)


def test_moved_labels_leave_the_labels_block_and_the_rest_stay() -> None:
    out = prometheus.rules_data([RuleGroup("g", (_rule(("check", "monitor", "team")),))])["groups"][0]["rules"][0]
    assert out["labels"] == {"severity": "critical"}
    assert out["expr"].count("label_replace(") == 3
    assert '"check", "$1", "feature", "(.*)"' in out["expr"]
    # quotes and backslashes escaped for PromQL, "$" doubled so the replacement keeps it literally
    assert '"team", "ml \\"core\\" $$1 \\\\ team", "", ""' in out["expr"]


def test_no_moved_labels_renders_the_rule_unchanged() -> None:
    out = prometheus.rules_data([RuleGroup("g", (_rule(()),))])["groups"][0]["rules"][0]
    assert out["expr"] == 'score{model="m"} > 0.2'
    assert out["labels"] == dict(sorted(LABELS.items()))


def test_only_literal_or_label_copy_values_can_move() -> None:
    with pytest.raises(ValueError, match="only literal text"):
        prometheus.expr_with_labels("up", {"check": "{{ $value }}"})


@pytest.mark.parametrize("moved", [(), ("check", "monitor", "team"), ("check", "monitor", "severity", "team")])
def test_promtool_sees_the_same_alert_labels_either_way(tmp_path, moved) -> None:
    """Whether a label is a template under ``labels:`` or set by the expression, the firing alert
    carries exactly the same labels (promtool compares them exactly)."""
    want = {"feature": "f1", "model": "m", "check": "f1", "severity": "critical", "team": 'ml "core" $1 \\ team', "monitor": "drift"}
    test = RuleTest(
        "score above 0.2 for 2m fires with every label; the quiet feature stays quiet",
        "1m",
        (('score{model="m",feature="f1"}', "0.5x5"), ('score{model="m",feature="f2"}', "0.1x5")),
        alert_checks=(AlertCheck("1m", "Drifted", ()), AlertCheck("3m", "Drifted", (ExpAlert(want, {"summary": "feature f1"}),))),
    )
    assert_promtool_passes(tmp_path, [RuleGroup("g", (_rule(moved),))], [test])
