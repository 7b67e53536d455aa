"""The rule-test cases render {{ $value }} as Prometheus does (Go's %v of a float64); the expected
texts below are what promtool 2.42 rendered for these values."""

from __future__ import annotations

import math

import pytest

from mlmon.monitors.testkit import go_value


@pytest.mark.parametrize(
    "value, text",
    [
        (150000.0, "150000"),
        (1000000.0, "1e+06"),
        (3100000.0, "3.1e+06"),
        (1234567.5, "1.2345675e+06"),
        (123456789012.0, "1.23456789012e+11"),
        (0.00001, "1e-05"),
        (0.0001, "0.0001"),
        (0.30000000000000004, "0.30000000000000004"),
        (-2.5, "-2.5"),
        (3.0, "3"),
        (0.0, "0"),
        (math.inf, "+Inf"),
    ],
)
def test_go_value_matches_prometheus(value, text):
    assert go_value(value) == text
