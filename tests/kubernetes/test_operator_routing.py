"""The teams' AlertmanagerConfigs, assembled the way prometheus-operator assembles them, route
every alert of the routing tests to the same receivers as the generated alertmanager.yml
(with matcher strategy None), and to none of them with the operator's default OnNamespace: the
trap MLM241 warns about. Real amtool."""

from __future__ import annotations

import shutil

import pytest
import yaml

from mlmon.tools import amtool
from mlmon.tools.routing import load_routing_tests
from tests.kubernetes.k8s_util import TREES, of_kind, operator_alertmanager_config

pytestmark = [pytest.mark.tools, pytest.mark.skipif(shutil.which("amtool") is None, reason="needs amtool")]


def _cases(tree):
    """One routing test per (team, severity, action): the label values the routes match on."""
    cases, diags = load_routing_tests(tree)
    assert cases and not diags
    picked = {}
    for c in cases:
        labels = dict(c.labels)
        picked.setdefault((labels.get("team"), labels.get("severity"), labels.get("action")), c)
    return [picked[k] for k in sorted(picked, key=str)]


@pytest.mark.parametrize("tree", TREES, ids=["generated", "golden"])
def test_alertmanager_configs_route_like_alertmanager_yml(tree, tmp_path):
    amcs = list(of_kind(tree, "AlertmanagerConfig").values())
    namespace = amcs[0]["metadata"]["namespace"]
    for strategy in ("None", "OnNamespace"):
        (tmp_path / f"{strategy}.yml").write_text(yaml.safe_dump(operator_alertmanager_config(amcs, strategy), sort_keys=False))
        assert amtool.check_config(f"{strategy}.yml", cwd=tmp_path) == []
    cases = _cases(tree)
    assert len(cases) >= 3
    for c in cases:
        labels = dict(c.labels)
        want = [f"{namespace}/mlmon-{labels['team']}/{r}" for r in c.receivers]
        assert amtool.routes_test("None.yml", labels, cwd=tmp_path) == want, labels
        # OnNamespace: the injected namespace matcher never matches mlmon's alerts
        assert amtool.routes_test("OnNamespace.yml", labels, cwd=tmp_path) == ["cluster-default"], labels
        assert amtool.routes_test("OnNamespace.yml", {**labels, "namespace": namespace}, cwd=tmp_path) == want
