"""Lint of the ruler and storage sections: group limits (MLM275/MLM276), one file only (MLM277),
receivers (MLM278/MLM279), Thanos' external labels (MLM281), the series budget (MLM280), and no
field that could hold a secret value."""

import json

from mlmon import pipeline

HEAD = """\
apiVersion: mlmon/v1
kind: MonitoringSpec
metadata: {name: s}
routing:
  teams:
    ml: {slack: {channel: "#ml", api_url_file: /run/secrets/slack}}
models:
  - id: churn
    team: ml
    serving: {targets: ["churn.ml.svc:8080"]}
"""


def codes(extra: str, other: str | None = None):
    texts = {"a.yaml": HEAD + extra}
    if other is not None:
        texts["b.yaml"] = "apiVersion: mlmon/v1\nkind: MonitoringSpec\nmetadata: {name: b}\n" + other
    spec, diags = pipeline.check(texts)
    return spec, [(d.file, d.line, d.severity.label, d.code) for d in diags], diags


def test_without_the_sections_nothing_changes():
    spec, found, _ = codes("")
    assert spec.ruler is None and spec.storage is None and found == []


def test_groups_over_the_ruler_limits_are_warned_at_the_model():
    spec, found, diags = codes("ruler: {max_rules_per_group: 10, max_groups_per_tenant: 2}\n")
    assert spec is not None
    assert ("a.yaml", 8, "warning", "MLM275") in found  # the errors group (24 rules), at models[0]
    assert ("a.yaml", 11, "warning", "MLM276") in found  # at `ruler`
    assert any("mlmon-churn-errors" in d.message and "does not split" in d.message for d in diags)
    _, found, _ = codes("ruler: {max_rules_per_group: 0, max_groups_per_tenant: 0}\n")
    assert found == []


def test_sections_are_defined_in_one_file():
    _, found, _ = codes("ruler: {}\nstorage: {}\n", "ruler: {}\nstorage: {}\n")
    assert [c for c in found if c[3] == "MLM277"] == [("b.yaml", 4, "error", "MLM277"), ("b.yaml", 5, "error", "MLM277")]


def test_receivers_are_checked():
    spec, found, _ = codes(
        """storage:
  remote_write:
    - {name: a, url: "https://m.example/api/v1/push", bearer_token_file: /run/t, sigv4: {region: eu-west-1}}
    - {name: a, url: "http://influx.example:8086/write", receiver: influxdb}
    - {name: c, url: "http://x.example/w", recorded: false}
  thanos_sidecar: {bucket: b, endpoint: s3.amazonaws.com}
"""
    )
    assert spec is None
    assert ("a.yaml", 13, "error", "MLM278") in found  # two kinds of auth
    assert ("a.yaml", 14, "error", "MLM278") in found  # the name a twice
    assert ("a.yaml", 14, "warning", "MLM279") in found  # not InfluxDB's endpoint
    assert ("a.yaml", 15, "warning", "MLM279") in found  # sends nothing
    assert ("a.yaml", 16, "warning", "MLM281") in found  # no external labels


def test_secret_values_have_no_field():
    for auth in ("basic_auth: {username: u, password: hunter2}", "authorization: {credentials: abc}", "sigv4: {access_key: AK, secret_key: SK}"):
        spec, found, diags = codes(f"storage:\n  remote_write:\n    - {{name: a, url: 'https://m.example/push', {auth}}}\n")
        assert spec is None and any(c[3] in ("MLM101", "MLM208") for c in found), auth
        assert not any(s in d.message for d in diags for s in ("hunter2", "abc", "SK")), auth


def test_series_budget_is_enforced_by_lint(run_mlmon, tmp_path):
    (tmp_path / "s.yaml").write_text(HEAD + "storage: {series_budget: {total: 10, per_model: 10}}\n")
    r = run_mlmon("lint", "s.yaml", cwd=tmp_path)
    assert r.returncode == 1 and r.stdout.count("[MLM280]") == 2, r.stdout
    r = run_mlmon("series", "s.yaml", "--format", "json", cwd=tmp_path)
    doc = json.loads(r.stdout)
    assert r.returncode == 1 and doc["total"] == doc["models"][0]["total"] > 10 and len(doc["over_budget"]) == 2
    (tmp_path / "s.yaml").write_text(HEAD + "storage: {series_budget: {total: 100000}}\n")
    assert run_mlmon("lint", "s.yaml", cwd=tmp_path).returncode == 0
    r = run_mlmon("series", "s.yaml", "--versions", "2", cwd=tmp_path)
    assert r.returncode == 0 and "budget 100000" in r.stdout and "2 version(s)" in r.stderr
