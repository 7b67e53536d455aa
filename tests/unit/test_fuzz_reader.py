"""Any input gives diagnostics or a spec, never an exception (property tests)."""

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlmon import pipeline
from tests.helpers.specs import MINIMAL

LINES = MINIMAL.splitlines(keepends=True)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_arbitrary_text(text):
    spec, diags = pipeline.check({"f.yaml": text})
    assert spec is not None or diags
    for d in diags:
        assert d.file == "f.yaml" and d.line >= 0 and d.col >= 0 and d.code.startswith("MLM")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_arbitrary_bytes(data):
    spec, diags = pipeline.check({"f.yaml": data})
    assert spec is not None or diags


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.integers(0, len(LINES) - 1),
            st.sampled_from(["", " ", "  ", "- ", ": ", "{", "]", "&a ", "*a", "!!binary ", "#", "\t", "'", "x: y\n", "<<: *a\n"]),
        ),
        max_size=6,
    )
)
def test_corrupted_spec(edits):
    lines = list(LINES)
    for i, text in edits:
        lines[i] = text + lines[i]
    spec, diags = pipeline.check({"f.yaml": "".join(lines)})
    assert spec is not None or diags


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=25,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["apiVersion", "kind", "metadata", "routing", "models", "defaults", "x"]), json_values, max_size=6))
def test_arbitrary_structures(data):
    text = yaml.safe_dump(data)
    spec, diags = pipeline.check({"f.yaml": text})
    assert spec is not None or diags
