"""The rules inside each PrometheusRule are the ones promtool tests: the rule files are rebuilt
from the PrometheusRule objects alone (each file gets the groups of the same names) and the
generated rule tests pass on them with the real promtool; a changed rule inside an object
fails them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mlmon.render.emit import to_yaml
from mlmon.tools import promtool
from mlmon.tools.kubernetes import check_tree
from tests.kubernetes.k8s_util import GENERATED, GOLDEN, load, of_kind

pytestmark = [pytest.mark.tools, pytest.mark.skipif(shutil.which("promtool") is None, reason="needs promtool")]


def rebuild(tree: Path, out: Path, models: set[str] | None = None) -> list[str]:
    """``out/prometheus/{rules,tests}`` with every rule file made of PrometheusRule groups only;
    returns the test files (relative to ``out``) of ``models`` (all when None)."""
    groups = {}
    for obj in of_kind(tree, "PrometheusRule").values():
        for g in obj["spec"]["groups"]:
            groups[g["name"]] = g
    (out / "prometheus" / "rules").mkdir(parents=True)
    for f in sorted((tree / "prometheus" / "rules").glob("*.rules.yml")):
        names = [g["name"] for g in load(f.read_text())["groups"]]  # which groups the file holds, not their rules
        (out / "prometheus" / "rules" / f.name).write_text(to_yaml({"groups": [groups.pop(n) for n in names]}))
    assert groups == {}, "groups in a PrometheusRule but in no rule file"
    shutil.copytree(tree / "prometheus" / "tests", out / "prometheus" / "tests")
    return sorted(p.relative_to(out).as_posix() for p in (out / "prometheus" / "tests").glob("*.test.yml") if models is None or p.name.split(".")[0] in models)


def test_rule_tests_pass_on_the_rules_taken_from_prometheus_rules(tmp_path):
    tests = rebuild(GOLDEN, tmp_path / "golden")
    assert len(tests) == 6  # two models: infra, its cases over an hour (every 5m), versions
    assert promtool.test_rules(tests, cwd=tmp_path / "golden") == []


def test_a_changed_rule_inside_a_prometheus_rule_fails_the_tests_and_validate(tmp_path):
    tree = tmp_path / "tree"
    shutil.copytree(GOLDEN, tree)
    f = tree / "kubernetes" / "prometheusrules" / "ocr.yaml"
    text = f.read_text()
    assert 'up{job="mlmon-ocr"} == 0' in text
    f.write_text(text.replace('up{job="mlmon-ocr"} == 0', 'up{job="mlmon-ocr"} == 2'))
    tests = rebuild(tree, tmp_path / "rebuilt", {"ocr"})
    assert any("MLModelTargetDown" in d.message for d in promtool.test_rules(tests, cwd=tmp_path / "rebuilt"))
    diags, _ = check_tree(tree)
    assert [(d.code, d.file) for d in diags] == [("MLM312", "kubernetes/prometheusrules/ocr.yaml")]
    assert "differs from the one in prometheus/rules/ocr.infra.rules.yml" in diags[0].message


def test_generated_version_rules_taken_from_prometheus_rules_pass(tmp_path):
    tests = [t for t in rebuild(GENERATED, tmp_path) if ".versions." in t]
    assert sorted(tests) == sorted(f"prometheus/tests/{p.name}" for p in (GENERATED / "prometheus" / "tests").glob("*.versions.test.yml")) and len(tests) >= 3
    assert promtool.test_rules(tests, cwd=tmp_path) == []
