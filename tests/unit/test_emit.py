"""The YAML writer: whatever it writes, yaml.safe_load reads back as the same data."""

import math

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from mlmon.render import emit

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.floats(allow_nan=False, width=64)
    | st.text(max_size=30)
    | st.sampled_from(
        [
            "yes",
            "no",
            "on",
            "off",
            "~",
            "null",
            "True",
            "1e3",
            "0x1f",
            "09:00",
            "18:00",
            "1:30",
            "- a",
            "a: b",
            "a #b",
            "#x",
            "'q'",
            '"d"',
            "&a",
            "*a",
            "!x",
            "|",
            ">",
            "%x",
            "@x",
            "`x",
            "{a}",
            "[a]",
            "a,b",
            "?",
            "-",
            ":",
            "a\nb",
            "a\n",
            "\n",
            " lead",
            "trail ",
            "x\tz",
            "line1\n  indented\n",
            "sum(rate(x[5m]))",
            'up{job="a"} == 0',
            "mlmon_slo:sli_error:ratio_rate5m",
            "\u2028",
            "caf\u00e9",
        ]
    )
)
keys = st.text(min_size=1, max_size=12) | st.sampled_from(["le", "expr", "for", "on", "yes", "null", "a:b", "- x", "1"])
data = st.recursive(scalars, lambda c: st.lists(c, max_size=4) | st.dictionaries(keys, c, max_size=4), max_leaves=30)


@settings(max_examples=500, deadline=None)
@given(st.dictionaries(keys, data, max_size=5))
def test_round_trip(d):
    text = emit.to_yaml(d, header="generated\nline two")
    assert text.endswith("\n") and text.startswith("# generated\n# line two\n")
    back = yaml.safe_load(text)
    assert _norm(back if back is not None else {}) == _norm(d)


def _norm(x):
    if isinstance(x, float) and math.isnan(x):
        return "nan"
    if isinstance(x, dict):
        return {k: _norm(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_norm(v) for v in x]
    return x


def test_block_style_and_order():
    text = emit.to_yaml({"groups": [{"name": "g", "rules": [{"record": "a:b:c", "expr": "sum(x)\n/\nsum(y)", "labels": {"z": "1", "a": "yes"}}]}]})
    assert text == (
        "groups:\n- name: g\n  rules:\n  - record: a:b:c\n    expr: |-\n      sum(x)\n      /\n      sum(y)\n    labels:\n      z: '1'\n      a: 'yes'\n"
    )


json_data = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c, max_size=4),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(json_data)
def test_json_writer_matches_the_standard_encoder(d):
    import json

    assert emit.to_json(d) == json.dumps(d, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert emit.to_json(d, sort_keys=False) == json.dumps(d, indent=2, ensure_ascii=False) + "\n"
