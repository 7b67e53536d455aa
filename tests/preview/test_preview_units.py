"""The pure parts of the preview: dashboard parsing, Grafana's interval variables and legends,
units, and reading what promtool prints (checked against a real promtool run)."""

import math
import shutil
import subprocess

import pytest

from mlmon.preview import model, page, promtext
from mlmon.preview.units import format_time, format_value, nice_ticks
from tests.preview import fixture


def test_dashboard_parse_and_grid():
    d = fixture.dashboard()
    gauge = next(p for p in d.panels if p.id == 7)
    assert (gauge.type, gauge.x, gauge.y, gauge.w, gauge.h, gauge.unit) == ("gauge", 6, 10, 6, 6, "percent")
    assert [s.color for s in gauge.steps] == ["red", "orange", "green"] and gauge.steps[0].value is None
    burn = next(p for p in d.panels if p.id == 8)
    assert burn.threshold_lines and [t.ref for t in burn.targets] == ["A", "B", "C", "D", "E", "F", "G"]
    assert page.size(gauge) == (6 * page.column_width() + 5 * page.GAP, 6 * page.CELL + 5 * page.GAP)
    assert model.threshold_color(gauge.steps, 10) == "red" and model.threshold_color(gauge.steps, 80) == "green"


def test_grafana_variables_and_legends():
    expr = "sum(rate(x_total[$__rate_interval])) / $__interval + $other"
    assert model.substitute(expr, step=60, scrape_interval=15, range_seconds=3600) == "sum(rate(x_total[1m15s])) / 1m + $other"
    assert model.rate_interval(10, 15) == 60  # 4 x scrape interval
    assert model.legend("{{model}} / {{slo}}", {"model": "m", "slo": "a"}) == "m / a"
    assert model.legend("", {"__name__": "up", "job": "x"}) == 'up{job="x"}'


@pytest.mark.parametrize(
    "value,unit,text",
    [
        (0.991, "percentunit", "99.1%"),
        (99.9, "percent", "99.9%"),
        (0.25, "s", "250 ms"),
        (5400, "s", "1.5 hours"),
        (1234.0, "reqps", "1.23 K req/s"),
        (3000, "currencyUSD", "$3K"),
        (None, "short", "No data"),
        (math.nan, "short", "NaN"),
    ],
)
def test_units(value, unit, text):
    assert format_value(value, unit) == text


def test_ticks_and_times():
    assert nice_ticks(0, 0.97) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert format_time(fixture.START + 5400, 6 * 3600, True) == "01:30"
    assert format_time(fixture.START + 86400 * 3, 7 * 86400, True) == "01-04"
    assert format_time(5400, 7200, False) == "1h30m"


def test_expanding_notation_lengths():
    assert promtext.samples("0+1000x129") == 130
    assert promtext.samples("_x3 1x2 stale") == 7
    assert promtext.samples("1 2 3") == 3


@pytest.mark.tools
def test_reads_what_promtool_prints(tmp_path):
    if shutil.which("promtool") is None:
        pytest.skip("promtool is not installed")
    (tmp_path / "r.yml").write_text("groups:\n- name: g\n  rules:\n  - record: job:x:rate5m\n    expr: sum by (job) (rate(x_total[5m]))\n")
    (tmp_path / "t.yml").write_text(
        """\
rule_files: [r.yml]
evaluation_interval: 1m
tests:
- interval: 1m
  input_series:
  - {series: 'x_total{job="a", q="a\\"b,c"}', values: '0+60x30'}
  promql_expr_test:
  - {expr: "job:x:rate5m\\n# q0", eval_time: 20m, exp_samples: []}
  - {expr: "x_total\\n# q1", eval_time: 10m, exp_samples: []}
  - {expr: "nothing\\n# q2", eval_time: 10m, exp_samples: []}
  - {expr: "rate(x_total[5m])[5m:]\\n# q3", eval_time: 10m, exp_samples: []}
  - {expr: "scalar(vector(0.1))\\n# q4", eval_time: 10m, exp_samples: []}
"""
    )
    res = subprocess.run(["promtool", "test", "rules", "t.yml"], cwd=tmp_path, capture_output=True, text=True)
    got = promtext.parse_test_output(res.stdout + res.stderr)
    assert got[0] == [({"__name__": "job:x:rate5m", "job": "a"}, 1.0)]
    assert got[1] == [({"__name__": "x_total", "job": "a", "q": 'a"b,c'}, 600.0)]
    assert 2 not in got
    assert "not a vector or scalar" in got[3]
    assert got[4] == [({}, 0.1)]
