"""Policy checks: the shipped policy holds for the shipped specs; every kind of violation is a
diagnostic at the spec field to change, with its JSON path and code; bad policy files are
reported at their own lines; lint and generate refuse specs that break an error rule."""

import json

import jsonschema
import yaml

from mlmon import pipeline
from mlmon.policy.schema import policy_schema
from tests.conftest import REPO
from tests.helpers.specs import ROUTING, spec

KNOWN = ", ".join(sorted(m.key for m in pipeline.MONITORS))  # every registered monitor, as the message lists them

FRAUD = """\
  - id: fraud-detector
    team: risk-ml
    description: scores payments
    labels: {risk: high}
    drift:
      baseline: baselines/b.yaml
      warn: 0.2
      features:
        amount: {warn: 0.1, critical: 0.5}
    slos:
      - {name: availability, objective: 99, sli: {kind: availability}}
  - id: recommender
    team: recsys
    labels: {risk: low}
"""
BASELINE = (REPO / "specs" / "baselines" / "fraud-detector.yaml").read_text()

POLICY = """\
apiVersion: mlmon/v1
kind: MonitoringPolicy
metadata: {name: org}
rules:
  - name: high-risk
    description: high-risk models are watched and page someone
    match: {labels: {risk: high}}
    require: {monitors: [fairness, performance], pages: true, labels: [owner]}
    limits:
      drift: {max_warn: 0.15, max_critical: 0.3}
      slos: {min_objective: 99.5}
      fairness: {min_ratio: 0.8}
  - name: everyone
    severity: warning
    require: {description: true, pages: true, teams: [risk-ml]}
"""


def _check(policy: str, models: str = FRAUD):
    def read(spec_file, path):
        return (BASELINE, None) if path == "baselines/b.yaml" else (None, "missing")

    texts = {"specs/a.yaml": spec(models, ROUTING), "specs/policy.yaml": policy}
    return pipeline.check(texts, read)


def _lines(diags):
    return sorted(f"{d.file}:{d.line}:{d.col}: {d.severity.label}: {d.message} [{d.code}]" for d in diags)


def test_every_kind_of_violation_at_its_field():
    got, diags = _check(POLICY)
    assert got is None  # an error rule was broken: nothing is generated from it
    assert _lines(diags) == [
        "specs/a.yaml:12:5: error: models[0].fairness: the model configures no 'fairness' section, which the policy requires [MLM285]",
        "specs/a.yaml:12:5: error: models[0].performance: the model configures no 'performance' section, which the policy requires [MLM285]",
        "specs/a.yaml:15:13: error: models[0].labels.owner: label 'owner' is not set, which the policy requires [MLM286]",
        "specs/a.yaml:18:13: error: models[0].drift.warn: drift warn threshold (of feature 'account_age_days', feature 'country', feature 'hour', feature 'merchant_category', prediction) is 0.2; the policy allows at most 0.15 [MLM288]",
        "specs/a.yaml:20:39: error: models[0].drift.features.amount.critical: drift critical threshold of feature 'amount' is 0.5; the policy allows at most 0.3 [MLM288]",
        "specs/a.yaml:22:41: error: models[0].slos[0].objective: objective of SLO 'availability' is 99; the policy allows at least 99.5 [MLM288]",
        "specs/a.yaml:23:5: warning: models[1].description: the model has no description, which the policy requires [MLM286]",
        "specs/a.yaml:24:11: warning: models[1].team: page-class alerts of team 'recsys' reach no PagerDuty receiver, so nobody is paged; the policy requires paging [MLM287]",
        "specs/a.yaml:24:11: warning: models[1].team: team 'recsys' is not one of the teams the policy allows (risk-ml) [MLM286]",
    ]
    hint = next(d.hint for d in diags if d.code == "MLM285")
    assert hint == "policy rule 'high-risk' of org (specs/policy.yaml:5:5): high-risk models are watched and page someone"


def test_warnings_only_keep_the_spec():
    policy = (
        POLICY.split("  - name: everyone")[0]
        .replace("  - name: high-risk", "  - name: everyone-else")
        .replace("{labels: {risk: high}}", "{labels: {risk: none}}")
    )
    got, diags = _check(policy + POLICY[POLICY.index("  - name: everyone") :])
    assert got is not None and [m.id for m in got.models] == ["fraud-detector", "recommender"]
    assert {d.severity.label for d in diags} == {"warning"}


def test_bad_policy_files_are_reported_where_written():
    bad = """\
apiVersion: mlmon/v1
kind: MonitoringPolicy
metadata: {name: org}
rules:
  - name: a
  - name: b
    require: {monitors: [fairnes]}
  - name: d
    require: {description: true}
  - name: d
    require: {description: true}
---
apiVersion: mlmon/v1
kind: MonitoringPolicy
metadata: {name: other}
rules:
  - name: c
    limits: {drift: {max_warn: -1}}
"""
    _, diags = _check(bad)
    assert _lines(diags) == [
        "specs/a.yaml:23:5: error: models[1].description: the model has no description, which the policy requires [MLM286]",
        "specs/policy.yaml:10:11: error: rules[3].name: policy rule 'd' is defined twice (first at specs/policy.yaml:8:5) [MLM289]",
        "specs/policy.yaml:18:32: error: rules[0].limits.drift.max_warn: must be at least 0, got -1 [MLM104]",
        "specs/policy.yaml:5:5: error: rules[0]: policy rule 'a' checks nothing: give it require, limits or both [MLM289]",
        f"specs/policy.yaml:7:26: error: rules[1].require.monitors[0]: unknown monitor 'fairnes' (known: {KNOWN}) [MLM289]",
    ]


def test_shipped_policy_holds_and_matches_its_schema():
    policy = yaml.safe_load((REPO / "specs" / "policy.yaml").read_text())
    jsonschema.Draft202012Validator(policy_schema()).validate(policy)
    texts = {f"specs/{p.name}": p.read_text() for p in sorted((REPO / "specs").glob("*.yaml"))}
    from mlmon import fsio

    got, diags = pipeline.check(texts, fsio.make_reader())
    assert got is not None and diags == []


def test_lint_reports_violations_and_generate_writes_nothing(tmp_path, run_mlmon):
    (tmp_path / "baselines").mkdir()
    (tmp_path / "baselines" / "b.yaml").write_text(BASELINE)
    (tmp_path / "a.yaml").write_text(spec(FRAUD, ROUTING))
    (tmp_path / "policy.yaml").write_text(POLICY)
    r = run_mlmon("lint", "--format", "json", ".", cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    codes = [d["code"] for d in json.loads(r.stdout)["diagnostics"]]
    assert codes.count("MLM288") == 3 and "MLM287" in codes
    r = run_mlmon("generate", ".", "-o", "out", cwd=tmp_path)
    assert r.returncode == 1 and not (tmp_path / "out").exists()
    (tmp_path / "policy.yaml").unlink()
    assert run_mlmon("lint", ".", cwd=tmp_path).returncode == 0
