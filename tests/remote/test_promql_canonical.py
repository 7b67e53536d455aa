"""PromQL's comparable spelling (``mlmon.remote.promql.canonical``), printed from the parsed tree:
spellings of one query compare equal, different queries differ. The second list holds pairs the
earlier text-rewriting normaliser (regexes over the parser's own printout) got wrong."""

from __future__ import annotations

import promql_parser
import pytest
import remote_fixtures  # noqa: F401  (sys.path)

from mlmon.remote.promql import canonical, number, quote

SAME = [
    ("sum(rate(x_total[5m]))by(job)", "sum by (job) (rate(x_total[5m]))"),
    ("SUM(x) BY (a)", "sum by (a) (x)"),
    ("job:x:rate5m>1e-3", "job:x:rate5m > 0.001"),
    ("quantile(.9, x)", "quantile(0.9, x)"),
    ("x > 0x10", "x > 16"),
    ("rate(x[90m])", "rate(x[1h30m])"),
    ("rate(x[5m:60s])", "rate(x[5m:1m])"),
    ("x offset -300s", "x offset -5m"),
    ("rate(x[5m])[1h:] offset 1m @ end()", "rate(x[5m])[1h:] @ end() offset 1m"),
    ("x @ 100", "x @ 100.000"),
    ("a / on() group_left b", "a / on () group_left () b"),
    ("a*on(b)group_right(c)b", "a * on (b) group_right (c) b"),
    ("x > BOOL 1", "x > bool 1"),
    ("x OR y", "x or y"),
    ('up{job="a",  instance=~"b.*"}', 'up{instance=~"b.*",job="a"}'),  # the server sorts matchers
    ("count_values('v', x)", 'count_values("v", x)'),
    ('1 - (sum(x{s="f",r="2xx"}) or  vector(0))', '1 - (sum(x{r="2xx",s="f"}) or vector(0))'),
    # the regexes missed these
    ("sum(x) by ()", "sum(x)"),
    ("a + ignoring() b", "a + b"),
    ('x{b="1", a=`v"w`}', 'x{a="v\\"w",b="1"}'),  # a quote inside a raw string: matchers were left unsorted
    ('{__name__="x"}', "x"),
    ('{__name__="x", a="1"}', 'x{a="1"}'),
    ('x{a="1",a="1"}', 'x{a="1"}'),
    ('x{b="2" or a="1"}', 'x{a="1" or b="2"}'),
]

DIFFERENT = [
    ("rate(x[5m])", "rate(x[10m])"),
    ('x{a="1"} != x{a="2"}', 'x{a="2"} != x{a="1"}'),
    ("a and on() b", "a and b"),  # on() matches everything; no modifier matches on all labels
    ("a + on(b) c", "a + ignoring(b) c"),
    ("x > 1", "x > bool 1"),
    ("a * on(b) group_left c", "a * on(b) group_right c"),
    ("x offset 5m", "x offset -5m"),
    ("rate(x[5m:1m])", "rate(x[5m:])"),
    ('x{a=~"b"}', 'x{a="b"}'),
    # the regexes made these equal: whitespace inside strings was collapsed before parsing ...
    ('x{a="p  q"}', 'x{a="p q"}'),
    ('label_replace(x, "dst", "$1  $2", "src", "(.*)")', 'label_replace(x, "dst", "$1 $2", "src", "(.*)")'),
    # ... and the parser's printout does not escape quotes: one matcher printed like two
    ('x{a="v\\",b=\\"w"}', 'x{a="v",b="w"}'),
]


@pytest.mark.parametrize("a, b", SAME)
def test_spellings_of_one_query_compare_equal(a, b):
    assert canonical(a) == canonical(b)


@pytest.mark.parametrize("a, b", DIFFERENT)
def test_different_queries_differ(a, b):
    assert canonical(a) != canonical(b)


@pytest.mark.parametrize("query", [a for pair in SAME + DIFFERENT for a in pair])
def test_the_spelling_is_promql_and_stable(query):
    """The printed form parses back to itself, so both sides of a diff can be printed from it."""
    printed = canonical(query)
    promql_parser.parse(printed)
    assert canonical(printed) == printed


def test_prometheus_spelling_is_kept_where_prometheus_has_one():
    """What the plan shows reads like the server's own printout (parentheses and the order of
    grouping labels as written)."""
    assert canonical("max by (model, feature) (x{model='m'}) > (14.4 * 0.001)") == 'max by (model, feature) (x{model="m"}) > (14.4 * 0.001)'
    assert canonical('label_replace(up{b="1",a="{x,y}"}, "a", "{}", "b", "c")') == 'label_replace(up{a="{x,y}",b="1"}, "a", "{}", "b", "c")'
    assert canonical("-x ^ 2") == "-x ^ 2" and canonical("-(x ^ 2)") == "-(x ^ 2)"


def test_unparseable_text_is_compared_as_text():
    assert canonical("not promql ((") == "not promql (("
    assert canonical("  a  ((  ") == "a (("


def test_literals():
    values = (0.001, 1e21, 14.4, 1.0, float("inf"), float("-inf"), float("nan"))
    assert [number(v) for v in values] == ["0.001", "1000000000000000000000", "14.4", "1", "+Inf", "-Inf", "NaN"]
    assert quote('a"b\\c\n\x01é') == '"a\\"b\\\\c\\n\\x01é"'
