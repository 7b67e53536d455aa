"""Rule tests run at the spec's evaluation interval (issue 16, item 10): the shipped specs with
``defaults.evaluation_interval`` at 30s, 2m or 5m generate test files that say that interval, and
every monitor's cases pass ``promtool test rules`` at it. A 2m interval sees a change up to 2m
late and reads one value per two minutes; 30s evaluates twice per input sample.

The SLO and LLM-SLO burn-rate cases are proven at both intervals in test_slo.py, cost and
feedback (whose expected values come from simulations of every evaluation) in their own tests;
the delayed-label monitors (performance, regression, ranking, retraining on labels) run at a
coarser unit that divides every window (monitors/quality.Timing), the same at any interval. At
30s, cases longer than an hour evaluate every minute (steps.LONG_CASE); simulated SLO cases
longer than 3h every 5m (steps.sim_case_step)."""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.presets.promtool_util import promtool

ROOT = Path(__file__).resolve().parents[2]
INTERVALS = ("30s", "2m", "5m")
# one model per monitor (the cheapest file of the shipped specs), so each monitor is proven once
MONITORS = {
    "canary": "fraud-detector",
    "data_quality": "fraud-detector",
    "drift": "recommender",
    "drift_scores": "credit-scorer",
    "errors": "churn-predictor",
    "fairness": "fraud-detector",
    "infra": "recommender",
    "llm": "support-chat",
    "retraining": "fraud-detector",
    "versions": "chargeback-loss",
}
OWN_TESTS = ("slos", "cost", "feedback")  # proven at 30s and 2m in their monitors' tests
# and at 5m here: an SLI on per-period gauges (SageMaker's) counts from its first sample, one
# evaluation before a counter does
AT_5M = {"slos": "churn-predictor"}


def with_interval(text: str, every: str) -> str:
    """A spec file with ``defaults.evaluation_interval`` set (added to its defaults, or as them)."""
    if re.search(r"^defaults: \{", text, re.M):
        return re.sub(r"^defaults: \{", f"defaults: {{evaluation_interval: {every}, ", text, count=1, flags=re.M)
    if re.search(r"^defaults:\s*$", text, re.M):
        return re.sub(r"^defaults:\s*$", f"defaults:\n  evaluation_interval: {every}", text, count=1, flags=re.M)
    if re.search(r"^models:", text, re.M):
        return re.sub(r"^models:", f"defaults: {{evaluation_interval: {every}}}\nmodels:", text, count=1, flags=re.M)
    return text


@functools.cache
def generated(every: str, base: str) -> Path:
    """The shipped specs at ``every``, generated once per worker into ``base``."""
    root = Path(base) / every
    specs = root / "specs"
    shutil.copytree(ROOT / "specs", specs)
    for f in specs.glob("*.yaml"):
        f.write_text(with_interval(f.read_text(), every))
    out = root / "generated"
    res = subprocess.run([sys.executable, "-m", "mlmon", "generate", str(specs), "-o", str(out)], capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout + res.stderr
    return out


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> str:
    return str(tmp_path_factory.mktemp("intervals"))


@pytest.mark.parametrize("every", INTERVALS)
def test_every_monitor_at_the_models_interval_writes_it_in_its_test_file(every, base):
    """Only the delayed-label cases, at 30s the cases longer than an hour (every minute), the cases
    longer than 3h (every 5m), the SLO cases longer than 6h (every 15m), the errors monitor's
    anomaly cases on a day-long baseline with the cases beside them (every 10m) and the cost
    monitor's day-long healthy case (every 30m) keep an interval of their own; every other file
    of every model is named and set to the spec's."""
    tests = generated(every, base) / "prometheus" / "tests"
    own, other = [], []
    for f in sorted(tests.glob("*.test.yml")):
        line = next(x for x in f.read_text().splitlines() if x.startswith("evaluation_interval:"))
        (own if line == f"evaluation_interval: {every}" else other).append((f.name, line))
    assert all(f".every-{every}." in name for name, _ in own)
    delayed = {"performance", "regression", "ranking", "retraining"}
    coarse = {"evaluation_interval: 5m"} | ({"evaluation_interval: 1m"} if every == "30s" else set())
    day_long = {("cost", "evaluation_interval: 30m"), ("slos", "evaluation_interval: 15m"), ("errors", "evaluation_interval: 10m")}
    assert all(name.split(".")[1] in delayed or line in coarse or (name.split(".")[1], line) in day_long for name, line in other), other
    assert all(
        name.split(".")[1] in delayed | {"slos", "llm", "errors", "drift_scores", "cost", "infra"} for name, line in other if line == "evaluation_interval: 5m"
    ), other
    assert {name.split(".")[1] for name, _ in own} >= set(MONITORS) | set(OWN_TESTS)


CASES = [(every, key, model) for every in INTERVALS for key, model in sorted(MONITORS.items())] + [("5m", k, m) for k, m in sorted(AT_5M.items())]


@pytest.mark.parametrize(("every", "key", "model"), CASES)
def test_each_monitors_cases_pass_promtool_at_the_specs_interval(every, key, model, base):
    tests = generated(every, base) / "prometheus" / "tests"
    files = sorted(tests.glob(f"{model}.{key}.*every-{every}.test.yml"))
    assert files, sorted(p.name for p in tests.iterdir())
    for f in files:
        res = subprocess.run([promtool(), "test", "rules", f.name], capture_output=True, text=True, cwd=tests, timeout=2400)
        assert res.returncode == 0, f.name + "\n" + res.stdout[-6000:] + res.stderr[-2000:]


class _Model:
    def __init__(self, seconds: float):
        self.evaluation_interval = seconds


def test_the_clock_puts_checks_on_evaluations_and_counts_for_from_them():
    from mlmon.monitors.steps import Clock

    two, half = Clock(_Model(120.0)), Clock(_Model(30.0))
    assert (two.next(5), two.at(5), two.late, two.margin) == (6, "6m", 2, 4)
    assert (half.next(5), half.at(5), half.late, half.margin) == (5, "5m", 0, 0)
    assert Clock(_Model(45.0)).at(1) == "1m30s"
    # a condition true from minute 3 on, for: 4m: first evaluation 4 (2m steps), fires at 8, not 6
    assert [t / 60 for t in two.evals(0, 660) if two.fires(lambda s: s >= 180, t, 240)] == [8, 10]
    one = Clock(_Model(60.0))
    assert [t / 60 for t in one.evals(0, 480) if one.fires(lambda s: s >= 180, t, 240)] == [7, 8]


def test_long_cases_of_a_sub_minute_spec_evaluate_every_minute():
    """At 5s a day-long case would cost promtool twelve times the evaluations and samples of 1m for
    the same answer: a case longer than an hour runs at 1m; shorter ones, and any case of a spec
    at a minute or more, at the spec's interval."""
    from mlmon.artifacts import AlertCheck, RuleTest
    from mlmon.monitors.steps import case_interval, case_step, minute_built

    fast, slow = _Model(5.0), _Model(120.0)
    assert (case_step(fast, 7200.0), case_interval(fast, 7200.0)) == (60.0, "1m")
    assert (case_step(fast, 1800.0), case_interval(fast, 1800.0)) == (5.0, None)
    assert (case_step(slow, 86400.0), case_interval(slow, 86400.0)) == (120.0, None)
    short, long_, own = (
        RuleTest(n, "1m", (), (AlertCheck(t, "A"),), evaluation_interval=e) for n, t, e in (("s", "59m", None), ("l", "1h1m", None), ("o", "3h", "2m"))
    )
    assert [t.evaluation_interval for t in minute_built(fast, [short, long_, own])] == [None, "1m", "2m"]
