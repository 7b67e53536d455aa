"""The spec's JSON Schema: fresh in schemas/, a valid Draft 2020-12 schema, and the built-in
validator (which keeps `mlmon lint` free of the jsonschema import) agrees with jsonschema."""

import json

import jsonschema
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlmon.compiler.source import parse_documents
from mlmon.compiler.validator import unknown_keywords, validate
from mlmon.pipeline import schema
from mlmon.render import emit
from tests.conftest import REPO
from tests.helpers.specs import MINIMAL


def test_committed_schema_is_fresh():
    committed = (REPO / "schemas" / "mlmon-spec.v1.schema.json").read_text()
    assert committed == emit.to_json(schema()), "schemas/ is stale: run `make schema` and commit"


def test_schema_is_valid_draft_2020_12():
    jsonschema.Draft202012Validator.check_schema(schema())


def test_validator_understands_every_keyword_used():
    assert unknown_keywords(schema()) == set()


def test_example_specs_validate_with_jsonschema():
    v = jsonschema.Draft202012Validator(schema())
    files = sorted((REPO / "specs").glob("*.yaml")) + sorted((REPO / "tests" / "golden").glob("*/*.yaml"))
    assert files
    for f in files:
        data = yaml.safe_load(f.read_text())
        if data.get("kind") == "MonitoringPolicy":  # checked in tests/policy
            continue
        assert list(v.iter_errors(data)) == [], f


def _mutations():
    base = yaml.safe_load(MINIMAL)
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-5, 200),
        st.floats(allow_nan=False, allow_infinity=False),
        st.sampled_from(["", "x", "5m", "5x", "99.9", "#chan", "/etc/x", "mlmon/v1", "MonitoringSpec", "availability", "latency"]),
    )
    paths = st.sampled_from(
        [
            ("apiVersion",),
            ("kind",),
            ("metadata", "name"),
            ("metadata", "extra"),
            ("routing", "teams", "risk-ml", "slack", "channel"),
            ("routing", "teams", "risk-ml", "slack", "api_url"),
            ("routing", "severity", "page"),
            ("models", 0, "id"),
            ("models", 0, "team"),
            ("models", 0, "serving", "scrape_interval"),
            ("models", 0, "slos"),
            ("models", 0, "idle_ok"),
            ("models", 0, "labels"),
            ("defaults", "slo_period"),
        ]
    )
    return st.lists(st.tuples(paths, scalars), min_size=1, max_size=4).map(lambda muts: _apply(base, muts))


def _apply(base, muts):
    data = json.loads(json.dumps(base))
    for path, value in muts:
        node = data
        for part in path[:-1]:
            if isinstance(node, dict):
                node = node.setdefault(part, {})
            elif isinstance(node, list) and isinstance(part, int) and part < len(node):
                node = node[part]
            else:
                break
        else:
            if isinstance(node, dict):
                node[path[-1]] = value
    return data


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutations())
def test_validator_agrees_with_jsonschema(data):
    text = yaml.safe_dump(data, sort_keys=False)
    docs, diags = parse_documents(text, "x.yaml")
    assert not diags
    ours = validate(docs[0].data, schema(), docs[0].source)
    ours = [d for d in ours if d.code != "MLM208" or "looks like" not in d.message]
    theirs = list(jsonschema.Draft202012Validator(schema()).iter_errors(docs[0].data))
    assert bool(ours) == bool(theirs), (ours, [e.message for e in theirs])
