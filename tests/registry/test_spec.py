"""The spec's registry block and its file through the real pipeline: positioned errors, the
facts in the rules, the exporter's scrape job, byte-stable output."""

from __future__ import annotations

import yaml

from mlmon import fsio, pipeline
from mlmon.registry.fileformat import Entry, RegistryFile, VersionFacts, dump
from tests.registry.specs import write_spec

MODELS = """
- id: credit-risk
  team: credit
  performance: {watch: [auc, f1], score_buckets: [0.5, 1.0], max_drop_vs_training: 0.04}
  versions: {stale_after: 30d}
- id: churn
  team: credit
"""
ENTRY = Entry(
    "credit-risk",
    "credit-risk",
    "3",
    "champion",
    "2",
    {
        "2": VersionFacts("2", 1700000000, (), None, "r2", {"auc": 0.86, "f1": 0.71}),
        "3": VersionFacts("3", 1700000100, ("champion",), None, "r3", {"auc": 0.88}),
    },
)


def write(tmp_path, registry: str, entries=None):
    spec = write_spec(tmp_path, registry, MODELS)
    if entries is not None:
        (tmp_path / "specs" / "registry").mkdir(exist_ok=True)
        (tmp_path / "specs" / "registry" / "lending.yaml").write_text(dump(RegistryFile("mlflow", entries)))
    return spec


def check(spec):
    return pipeline.check({str(spec): spec.read_bytes()}, fsio.make_reader())


def messages(diags):
    return [f"{d.line}:{d.col} {d.code} {d.message}" for d in sorted(diags, key=lambda d: (d.line, d.col))]


FILE_BLOCK = """
file: registry/lending.yaml
models:
  credit-risk: {name: credit-risk, metrics: {auc: val_auc}}
"""


def test_block_problems_are_positioned(tmp_path):
    spec = write(tmp_path, "file: ../outside.yaml\nexporter: {targets: ['x:1']}\nmodels: {fraud: {}}")
    got, diags = check(spec)
    assert got is None
    assert messages(diags) == [
        "7:1 MLM250 registry: set exactly one of 'file' (a snapshot reviewed in pull requests) and 'exporter' (live series)",
        "8:9 MLM250 registry.file: '../outside.yaml' is outside the spec's folder",
        "10:12 MLM250 registry.models.fraud: no model 'fraud' in this file",
    ]


def test_a_missing_file_says_how_to_make_it(tmp_path):
    spec = write(tmp_path, FILE_BLOCK)
    got, diags = check(spec)
    assert got is None
    (d,) = diags
    assert (d.line, d.col, d.code) == (8, 9, "MLM251")
    assert "registry file registry/lending.yaml: file not found" in d.message
    assert d.hint == f"run `mlmon registry sync {spec}`"


def test_a_malformed_file_is_reported_inside_it(tmp_path):
    spec = write(tmp_path, FILE_BLOCK, {"credit-risk": ENTRY})
    path = tmp_path / "specs" / "registry" / "lending.yaml"
    path.write_text(path.read_text().replace("trained_at: 1700000100", "trained_at: -3"))
    _, diags = check(spec)
    inner = [d for d in diags if d.file.endswith("registry/lending.yaml")]
    assert len(inner) == 1 and inner[0].message == "models.credit-risk.versions.3.trained_at: must be a non-negative integer (Unix seconds)"
    assert inner[0].line == next(i for i, line in enumerate(path.read_text().splitlines(), 1) if "-3" in line)
    assert any(d.file == str(spec) and "is not valid (1 problem(s)" in d.message for d in diags)


def test_a_model_missing_from_the_file_or_synced_under_another_name(tmp_path):
    spec = write(tmp_path, FILE_BLOCK.replace("name: credit-risk", "name: credit-risk-v2"), {"churn": ENTRY})
    _, diags = check(spec)
    assert messages(diags) == ["10:5 MLM251 registry.models.credit-risk: model 'credit-risk' is not in registry file 'registry/lending.yaml'"]
    spec = write(tmp_path, FILE_BLOCK.replace("name: credit-risk", "name: credit-risk-v2"), {"credit-risk": ENTRY})
    _, diags = check(spec)
    assert "holds 'credit-risk' as registered model 'credit-risk', the spec says 'credit-risk-v2'" in diags[0].message


def test_the_file_facts_become_rule_constants(tmp_path):
    spec = write(tmp_path, FILE_BLOCK, {"credit-risk": ENTRY})
    got, diags = check(spec)
    assert diags == [] and got is not None
    files = pipeline.render(got, dashboards=False)
    versions = yaml.safe_load(files["prometheus/rules/credit-risk.versions.rules.yml"])["groups"][0]["rules"]
    consts = [(r["labels"]["version"], r["expr"]) for r in versions if r.get("record") == "mlmon_registry:trained:timestamp_seconds"]
    assert consts == [("2", "vector(1700000000)"), ("3", "vector(1700000100)")]
    trained = next(r["expr"] for r in versions if r.get("record") == "mlmon_version:trained:timestamp_seconds")
    assert "unless on ()" in trained and "mlmon_registry:trained:timestamp_seconds" in trained
    assert not any(r.get("alert") == "MLModelVersionInfoMissing" for r in versions)
    perf = yaml.safe_load(files["prometheus/rules/credit-risk.performance.rules.yml"])["groups"][0]["rules"]
    figures = sorted((r["labels"]["version"], r["labels"]["metric"], r["expr"]) for r in perf if r.get("record") == "mlmon_training:metric:value")
    assert figures == [("2", "auc", "vector(0.86)"), ("2", "f1", "vector(0.71)"), ("3", "auc", "vector(0.88)")]
    below = [r for r in perf if r.get("alert") == "MLModelPerformanceBelowTraining"]
    assert [r["labels"]["check"] for r in below] == ["f1", "auc"]
    assert "- 0.04" in below[0]["expr"]
    # churn has no performance section and the block names only credit-risk: nothing of the registry
    assert "mlmon_registry" not in files["prometheus/rules/churn.versions.rules.yml"]
    # the same inputs give the same bytes
    assert pipeline.render(check(spec)[0], dashboards=False) == files


def test_without_a_registry_the_rules_do_not_change(tmp_path):
    spec = write(tmp_path, "exporter: {targets: ['registry:9464']}")
    got, _ = check(spec)
    plain = tmp_path / "plain.yaml"
    plain.write_text(spec.read_text().replace("registry:\n  exporter: {targets: ['registry:9464']}\n", ""))
    base, diags = check(plain)
    assert diags == []
    a, b = pipeline.render(got, dashboards=False), pipeline.render(base, dashboards=False)
    assert a["prometheus/rules/churn.versions.rules.yml"].split("\n", 1)[1] == b["prometheus/rules/churn.versions.rules.yml"].split("\n", 1)[1]


def test_the_exporter_gets_a_scrape_job_and_the_rules_read_its_series(tmp_path):
    spec = write(tmp_path, "exporter: {targets: ['registry-b:9464', 'registry-a:9464'], scrape_interval: 15s}")
    got, diags = check(spec)
    assert diags == []
    files = pipeline.render(got, dashboards=False)
    jobs = yaml.safe_load(files["prometheus/prometheus.yml"])["scrape_configs"]
    assert jobs[-1] == {
        "job_name": "mlmon-registry",
        "scrape_interval": "15s",
        "metrics_path": "/metrics",
        "static_configs": [{"targets": ["registry-a:9464", "registry-b:9464"]}],
    }
    perf = yaml.safe_load(files["prometheus/rules/credit-risk.performance.rules.yml"])["groups"][0]["rules"]
    (fig,) = [r for r in perf if r.get("record") == "mlmon_training:metric:value"]
    assert fig["expr"] == 'max by (version, metric) (mlmon_model_training_metric{model="credit-risk",metric=~"f1|auc"})'
    assert "unless on ()" not in files["prometheus/rules/credit-risk.versions.rules.yml"]


REGRESSION = """
- id: loss
  team: credit
  task: regression
  regression: {max: {mae: 40}, watch: [mae, rmse], max_increase_vs_training: 0.2}
"""


def test_a_regression_model_compares_with_the_file_figures(tmp_path):
    """The registry file's figures reach every monitor that compares with training, through the
    one record mlmon_training:metric:value (here the regression monitor's MAE and RMSE)."""
    spec = write_spec(tmp_path, "file: registry/lending.yaml\nmodels: {loss: {}}", REGRESSION)
    (tmp_path / "specs" / "registry").mkdir()
    facts = {"4": VersionFacts("4", 1700000000, ("champion",), None, "r4", {"mae": 31.5, "rmse": 44.0, "f1": 0.7})}
    (tmp_path / "specs" / "registry" / "lending.yaml").write_text(dump(RegistryFile("mlflow", {"loss": Entry("loss", "loss", "4", "champion", None, facts)})))
    got, diags = check(spec)
    assert diags == [] and got is not None
    rules = yaml.safe_load(pipeline.render(got, dashboards=False)["prometheus/rules/loss.regression.rules.yml"])["groups"][0]["rules"]
    figures = sorted((r["labels"]["version"], r["labels"]["metric"], r["expr"]) for r in rules if r.get("record") == "mlmon_training:metric:value")
    assert figures == [("4", "mae", "vector(31.5)"), ("4", "rmse", "vector(44)")]
