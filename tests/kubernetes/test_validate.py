"""`mlmon validate` on generated/kubernetes/: the folder-level checks (kustomization, duplicates,
one object per file) and the command's wiring (positions under DIR, exit code)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from mlmon.tools.kubernetes import check_tree
from tests.conftest import REPO
from tests.kubernetes.k8s_util import GOLDEN

pytestmark = [pytest.mark.tools, pytest.mark.skipif(shutil.which("promtool") is None, reason="needs promtool")]


@pytest.fixture
def tree(tmp_path):
    shutil.copytree(GOLDEN, tmp_path / "tree")
    return tmp_path / "tree"


def codes(tree):
    diags, _ = check_tree(tree)
    return sorted((d.code, d.file, d.message) for d in diags)


def test_the_golden_tree_passes(tree):
    diags, count = check_tree(tree)
    assert diags == [] and count == 9


def test_kustomization_must_list_exactly_the_object_files(tree):
    k = tree / "kubernetes" / "kustomization.yaml"
    k.write_text(k.read_text().replace("- podmonitors/ocr.yaml\n", "- podmonitors/orc.yaml\n"))
    assert codes(tree) == [
        ("MLM313", "kubernetes/kustomization.yaml", "resources: podmonitors/ocr.yaml is not listed"),
        ("MLM313", "kubernetes/kustomization.yaml", "resources[5]: podmonitors/orc.yaml: no such object file"),
    ]


def test_an_object_defined_twice_and_a_file_with_two_objects(tree):
    src = tree / "kubernetes" / "podmonitors" / "ocr.yaml"
    (tree / "kubernetes" / "podmonitors" / "ocr-copy.yaml").write_text(src.read_text())
    (tree / "kubernetes" / "scrapeconfigs" / "ranker.yaml").write_text(src.read_text() + "---\n" + src.read_text())
    found = codes(tree)
    assert (
        "MLM311",
        "kubernetes/podmonitors/ocr.yaml",
        "metadata.name: PodMonitor observability/mlmon-ocr is also defined in kubernetes/podmonitors/ocr-copy.yaml",
    ) in found
    assert ("MLM311", "kubernetes/scrapeconfigs/ranker.yaml", "2 objects in the file; mlmon writes one per file") in found


def test_problems_are_located_in_the_object_file(tree, run_mlmon):
    f = tree / "kubernetes" / "alertmanagerconfigs" / "search.yaml"
    lines = f.read_text().splitlines()
    n = next(i for i, line in enumerate(lines) if line.strip() == "sendResolved: false")
    lines[n] = lines[n].replace("sendResolved", "sendResolve")
    f.write_text("\n".join(lines) + "\n")
    r = run_mlmon("validate", tree, timeout=2400)  # a bound on a hung tool, not a speed target
    assert r.returncode == 1
    assert f"{tree}/kubernetes/alertmanagerconfigs/search.yaml:{n}:7: error: spec.receivers[2].webhookConfigs[0]: unknown field 'sendResolve'" in r.stdout
    assert "kubernetes objects: FAILED (1 error), 9 objects" in r.stderr
    assert r.stdout.rstrip().endswith("1 of 9 checks failed: kubernetes objects")


def test_the_shipped_schemas_need_no_test_fixture(tree, tmp_path):
    """A copy of the package far from the repository (no tests/fixtures) validates the tree."""
    shutil.copytree(REPO / "cli" / "mlmon", tmp_path / "pkg" / "mlmon", ignore=shutil.ignore_patterns("__pycache__"))
    code = (
        "import sys; from pathlib import Path; from mlmon.tools.kubernetes import check_tree, crds\n"
        "assert crds.__file__.startswith(sys.argv[1]), crds.__file__\n"
        "diags, n = check_tree(Path(sys.argv[2])); print(n, len(diags))\n"
    )
    env = {"PYTHONPATH": str(tmp_path / "pkg"), "PATH": os.environ["PATH"]}
    r = subprocess.run([sys.executable, "-c", code, str(tmp_path / "pkg"), str(tree)], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["9", "0"]
