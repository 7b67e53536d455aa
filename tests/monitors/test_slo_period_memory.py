"""generate's memory does not grow with an SLO's period: the burn-rate simulation behind the SLO
rule tests keeps one entry per counter segment, not one per simulated minute (a 10-year period
scales the ticket window to a year of minutes)."""

from __future__ import annotations

import tracemalloc

from mlmon import pipeline
from mlmon.compiler import units
from mlmon.diagnostics import format_text
from mlmon.monitors import burnrate, slo
from tests.helpers.specs import spec


def peak_bytes(period: str) -> int:
    s, diags = pipeline.check(
        {
            "s.yaml": spec(
                f"  - id: m\n    team: risk-ml\n    serving: {{targets: ['m:8080']}}\n    slos:\n      - {{name: a, objective: 99.9, period: {period}, sli: {{kind: availability}}}}\n"
            )
        }
    )
    assert s is not None, format_text(diags)
    burnrate.simulate.cache_clear()
    for cached in (units.format_duration, units._seconds, units.fmt_float):  # bounded caches: empty at
        cached.cache_clear()  # the start of each measurement, whatever ran before in this process
    tracemalloc.start()
    try:
        tests = slo.MONITOR.rule_tests(s.models[0], s)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert any("ticket" in t.name for t in tests)
    return peak


def test_rule_tests_of_a_ten_year_slo_take_no_more_memory_than_thirty_days():
    short, long_ = peak_bytes("30d"), peak_bytes("3650d")
    assert long_ < 2 * short, (short, long_)


def test_cumulative_counter_reads_like_the_list_it_replaces():
    incs = ((100.0, 3), (0.0, 2), (2.5, 4))
    c = burnrate.cumulative(incs)
    want = [0.0]
    for inc, n in incs:
        for _ in range(n):
            want.append(want[-1] + inc)
    assert len(c) == len(want) and [c.at(t) for t in range(len(c))] == want
    assert c.at(2.5) == 250.0 and c.at(-1) == 0.0
