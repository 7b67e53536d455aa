"""The Thanos Ruler target: rule files from generated/thanos/rules written into the ruler's rules
folder, reloaded and read back with their partial_response_strategy; a reload that fails puts the
previous files back. Against a stand-in for Thanos Ruler's HTTP side (tests/helpers/thanos_server.py):
no Thanos binary can be installed here."""

import shutil

import pytest

from mlmon.commands._remote import target_configs
from mlmon.remote.base import ApplyError, ApplyOptions
from mlmon.remote.thanos import ThanosTarget
from tests.conftest import REPO
from tests.helpers.thanos_server import ThanosRuler

EXPECTED = REPO / "tests" / "golden" / "scale" / "expected"


@pytest.fixture
def ruler(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    with ThanosRuler(str(rules / "mlmon" / "rules" / "*.rules.yml")) as r:
        yield r, rules


def test_apply_then_diff_is_empty_and_strategy_is_compared(ruler, tmp_path):
    server, rules = ruler
    t = ThanosTarget(server.url, rules, state_dir=tmp_path / "state")
    changes = list(t.plan(EXPECTED))
    assert changes and all(c.target == "thanos" for c in changes)
    lines = t.apply(EXPECTED, changes, ApplyOptions())
    assert any("reload succeeded" in line for line in lines)
    assert server.groups and {server.api_group(g)["partialResponseStrategy"] for g in server.groups} == {"WARN"}
    assert [c for c in t.plan(EXPECTED) if c.kind == "rule_group"] == []
    # the same groups with another strategy are a change
    other = tmp_path / "other"
    shutil.copytree(EXPECTED, other)
    for f in (other / "thanos" / "rules").glob("*.yml"):
        f.write_text(f.read_text().replace("partial_response_strategy: warn", "partial_response_strategy: abort"))
    assert {c.name for c in t.plan(other) if c.kind == "rule_group"} == {g["name"] for g in server.groups}


def test_a_failed_reload_puts_the_previous_rules_back(ruler, tmp_path):
    server, rules = ruler
    t = ThanosTarget(server.url, rules, state_dir=tmp_path / "state")
    t.apply(EXPECTED, list(t.plan(EXPECTED)), ApplyOptions())
    before = [g["name"] for g in server.groups]
    bad = tmp_path / "bad"
    shutil.copytree(EXPECTED, bad)
    f = next((bad / "thanos" / "rules").glob("*.yml"))
    f.write_text(f.read_text().replace("partial_response_strategy: warn", "partial_response_strategy: sometimes", 1))
    with pytest.raises(ApplyError) as exc:
        t2 = ThanosTarget(server.url, rules, state_dir=tmp_path / "state")
        t2.apply(bad, list(t2.plan(bad)), ApplyOptions())
    assert exc.value.rolled_back
    assert [g["name"] for g in server.groups] == before and server.ok


def test_contexts_name_the_thanos_target(tmp_path, monkeypatch):
    (tmp_path / "mlmon.contexts.yaml").write_text("contexts:\n  prod:\n    thanos: {url: 'http://ruler:10902', rules_dir: rules, eval_interval: 30s}\n")

    class Opts:
        context = "prod"

    monkeypatch.chdir(tmp_path)
    (cfg,) = target_configs(Opts(), {"MLMON_CONTEXTS": str(tmp_path / "user.yaml")})
    assert cfg.name == "thanos" and str(cfg.settings["rules_dir"]) == str(tmp_path / "rules") and cfg.settings["eval_interval"] == "30s"
    t = ThanosTarget.from_config(cfg)
    assert t.location == tmp_path / "rules" and t._default_interval == 30.0
