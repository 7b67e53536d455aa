"""A deterministic budget for the generated rule tests, no clock involved: the estimate of what
each file of ``generated/`` costs promtool (``bench/rule_cost.py``: steps x loaded rules and their
expressions' length) stays under the per-file target of 10 CPU-s, so a change that evaluates a
week-long case every minute, or loads groups a case never reads, fails here and not in CI's wall
time."""

import math
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench"))
import rule_cost  # noqa: E402

TESTS = REPO / "generated" / "prometheus" / "tests"
PER_FILE_TARGET_S = 10.0


def test_every_generated_rule_test_file_is_estimated_under_the_per_file_target():
    costs = [rule_cost.estimate(f) for f in sorted(TESTS.glob("*.test.yml"))]
    assert len(costs) > 50
    over = [(c.file, round(c.estimate_s, 1)) for c in costs if c.estimate_s > PER_FILE_TARGET_S]
    assert over == []


def test_the_estimate_counts_steps_rules_and_characters(tmp_path):
    (tmp_path / "r.yml").write_text("groups:\n- name: g\n  rules:\n  - record: a\n    expr: vector(1)\n  - alert: B\n    expr: a > 0\n")
    case = "- interval: 1m\n  input_series:\n  - series: x\n    values: 0+1x9 5 _x3\n  alert_rule_test:\n  - eval_time: {t}\n    alertname: B\n    exp_alerts: []\n"
    text = "rule_files: [r.yml]\nevaluation_interval: 5m\ntests:\n" + case.format(t="1h") + case.format(t="2h30m")
    (tmp_path / "t.test.yml").write_text(text)
    c = rule_cost.estimate(tmp_path / "t.test.yml")
    assert (c.steps, c.rules, c.chars, c.samples) == (13 + 31, 2, len("vector(1)") + len("a > 0"), 2 * (10 + 1 + 4))
    expected = rule_cost.START_S + 44 * (2 * rule_cost.PER_RULE_STEP_S + 14 * rule_cost.PER_CHAR_STEP_S) + 30 * rule_cost.PER_INPUT_SAMPLE_S
    assert math.isclose(c.estimate_s, expected)
    # ten times the steps: about ten times the evaluation part
    text10 = text.replace("eval_time: 1h", "eval_time: 10h").replace("eval_time: 2h30m", "eval_time: 25h")
    (tmp_path / "t10.test.yml").write_text(text10)
    c10 = rule_cost.estimate(tmp_path / "t10.test.yml")
    assert c10.steps == 121 + 301 and c10.estimate_s > 9 * (c.estimate_s - rule_cost.START_S)
