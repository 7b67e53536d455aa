"""Golden trees: tests/golden/<case>/*.yaml -> expected/, byte for byte.

Refresh after an intended change with `make golden` (MLMON_UPDATE_GOLDEN=1) and review the diff.
Every expected tree, and the committed generated/ of the example specs, is also checked with the
real promtool and amtool (`mlmon validate`) and against the upstream JSON Schemas.
"""

import json
import os
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.conftest import REPO, need_tool
from tests.helpers.grafana_schema import validate_dashboard

GOLDEN = Path(__file__).resolve().parent
CASES = sorted(p.name for p in GOLDEN.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")) and list(p.glob("*.yaml")))
SCHEMAS = REPO / "tests" / "fixtures" / "upstream" / "schemastore"
UPDATE = os.environ.get("MLMON_UPDATE_GOLDEN") == "1"


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case", CASES)
def test_golden_tree(case, run_mlmon, tmp_path):
    out = tmp_path / "out"
    specs = sorted(p.relative_to(REPO).as_posix() for p in (GOLDEN / case).glob("*.yaml"))
    r = run_mlmon("generate", *specs, "-o", out, cwd=REPO)
    assert r.returncode == 0, r.stdout + r.stderr
    expected = GOLDEN / case / "expected"
    if UPDATE:
        shutil.rmtree(expected, ignore_errors=True)
        shutil.copytree(out, expected)
    got, want = tree(out), tree(expected)
    assert sorted(got) == sorted(want), "files differ; run `make golden` and review"
    for name in want:
        assert got[name] == want[name], f"{case}/{name} differs; run `make golden` and review the diff"


def generated_trees():
    return [GOLDEN / c / "expected" for c in CASES] + [REPO / "generated"]


@pytest.mark.tools
@pytest.mark.parametrize("root", generated_trees(), ids=lambda p: p.relative_to(REPO).as_posix())
def test_real_tools_accept_output(root, run_mlmon):
    need_tool("promtool")
    need_tool("amtool")
    r = run_mlmon("validate", root, cwd=REPO, timeout=2400)  # a bound on a hung tool, not a speed target
    assert r.returncode == 0, r.stdout + r.stderr
    checks = 9 if (root / "kubernetes").is_dir() else 8  # the Kubernetes objects' check runs when there are some
    assert f"all {checks} checks passed" in r.stdout + r.stderr


@pytest.mark.parametrize("root", generated_trees(), ids=lambda p: p.relative_to(REPO).as_posix())
def test_output_matches_upstream_schemas(root):
    rules_schema = json.loads((SCHEMAS / "prometheus.rules.json").read_text())
    tests_schema = json.loads((SCHEMAS / "prometheus.rules.test.json").read_text())
    prom_schema = json.loads((SCHEMAS / "prometheus.json").read_text())
    am_schema = json.loads((SCHEMAS / "prometheus-alertmanager.json").read_text())
    checked = 0
    for f in sorted((root / "prometheus" / "rules").glob("*.yml")):
        jsonschema.validate(yaml.safe_load(f.read_text()), rules_schema)
        checked += 1
    for f in sorted((root / "prometheus" / "tests").glob("*.yml")):
        jsonschema.validate(yaml.safe_load(f.read_text()), tests_schema)
    jsonschema.validate(yaml.safe_load((root / "prometheus" / "prometheus.yml").read_text()), prom_schema)
    jsonschema.validate(yaml.safe_load((root / "alertmanager" / "alertmanager.yml").read_text()), am_schema)
    dashboards = sorted((root / "grafana" / "dashboards").glob("*.json"))
    assert dashboards and checked
    for f in dashboards:
        assert validate_dashboard(json.loads(f.read_text())) == [], f.name


def test_generated_is_fresh(run_mlmon):
    r = run_mlmon("generate", "specs", "-o", "generated", "--check", cwd=REPO)
    assert r.returncode == 0, "generated/ is stale; run `make generate` and commit:\n" + r.stdout[:4000]


def test_no_secrets_or_absolute_paths_in_output():
    for root in generated_trees():
        for name, text in tree(root).items():
            assert "hooks.slack.com" not in text and "events.pagerduty.com/" not in text, name
            assert str(REPO) not in text, name
            assert text.endswith("\n") and not text.endswith("\n\n"), name
