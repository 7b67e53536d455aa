"""Named contexts: the files, `mlmon context list|use|show`, how a context, flags and MLMON_*
variables combine into targets, and credentials named (never written) by a context."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from remote_fixtures import opts
from typer.testing import CliRunner

from mlmon.app import app
from mlmon.commands._remote import UsageError, build_target, target_configs
from mlmon.remote.contexts import ContextError, load, save_context
from mlmon.remote.errors import RemoteError

TOKEN = "glsa_ctx_7d2f9a41c3b8e605"

PROJECT = """\
apiVersion: mlmon/v1
kind: Contexts
contexts:
  staging:
    state: state/staging
    prometheus: {url: "http://prom.staging:9090", config_dir: prom, token_env: STAGING_PROM_TOKEN}
    grafana: {url: "http://grafana.staging:3000", folder: ml, folder_title: ML models, token_file: grafana-token}
  prod:
    alertmanager: {url: "http://am.prod:9093", config: /etc/alertmanager/alertmanager.yml}
    mimir: {url: "http://mimir.prod", tenant: team-a}
"""


@pytest.fixture
def files(tmp_path, monkeypatch):
    for k in list(os.environ):
        if k.startswith("MLMON_"):
            monkeypatch.delenv(k)
    project = tmp_path / "repo"
    project.mkdir()
    (project / "mlmon.contexts.yaml").write_text(PROJECT)
    (project / "grafana-token").write_text(TOKEN + "\n")  # as secrets are mounted: with a line break
    monkeypatch.chdir(project)
    user = tmp_path / "home" / "contexts.yaml"
    monkeypatch.setenv("MLMON_CONTEXTS", str(user))
    return project, user


def E(**kw):
    """An environment with the test's user contexts file and ``kw``."""
    return {"MLMON_CONTEXTS": os.environ["MLMON_CONTEXTS"], **kw}


def cli(*args):
    r = CliRunner().invoke(app, list(args))
    return r.exit_code, r.stdout, r.stderr


def test_list_use_show(files):
    project, user = files
    code, out, _ = cli("context", "list")
    assert code == 0
    assert out.splitlines() == [
        f"  prod     alertmanager, mimir  ({project / 'mlmon.contexts.yaml'})",
        f"  staging  prometheus, grafana  ({project / 'mlmon.contexts.yaml'})",
    ]
    assert cli("context", "use", "nope")[0] == 2
    code, _, err = cli("context", "use", "staging")
    assert code == 0 and str(user) in err
    assert "current: staging" in user.read_text() and "mlmon.contexts.yaml" not in user.read_text()
    assert cli("context", "list")[1].splitlines()[1].startswith("* staging")
    code, out, _ = cli("context", "show")
    assert code == 0
    assert "(current)" in out and "folder: ml" in out and "token_env: STAGING_PROM_TOKEN (NOT SET)" in out
    assert f"config_dir: {project / 'prom'}" in out  # relative to the file that names it
    assert TOKEN not in out
    assert cli("context", "frobnicate")[0] == 2


def test_a_context_names_the_targets_and_flags_override_it(files, monkeypatch):
    project, _ = files
    monkeypatch.setenv("STAGING_PROM_TOKEN", "tok-from-env\n")
    env = E(MLMON_PROMETHEUS_URL="http://ignored:1")
    cfgs = {c.name: c for c in target_configs(opts(context="staging"), env)}
    assert set(cfgs) == {"prometheus", "grafana"}
    assert cfgs["prometheus"].url == "http://prom.staging:9090"  # MLMON_*_URL does not leak into a context
    assert cfgs["prometheus"].settings == {"config_dir": project / "prom"}
    assert cfgs["prometheus"].state_dir == project / "state" / "staging"
    assert cfgs["grafana"].settings == {"folder_uid": "ml", "folder_title": "ML models"}
    cfgs = {c.name: c for c in target_configs(opts(context="staging", prometheus="http://other:9090", state_dir=Path("s")), env)}
    assert cfgs["prometheus"].url == "http://other:9090" and cfgs["prometheus"].state_dir == Path("s")
    # credentials: a variable the context names, a file it names (the line break dropped)
    prom, grafana = build_target(cfgs["prometheus"]), build_target(cfgs["grafana"])
    assert prom.client.session.headers["Authorization"] == "Bearer tok-from-env"
    assert grafana.client.session.headers["Authorization"] == f"Bearer {TOKEN}"
    monkeypatch.delenv("STAGING_PROM_TOKEN")
    with pytest.raises(RemoteError, match="the context names the token variable STAGING_PROM_TOKEN, which is not set"):
        build_target(target_configs(opts(context="staging"), E())[0])


def test_the_current_context_applies_only_when_nothing_else_names_targets(files):
    with pytest.raises(UsageError, match="no target: pass --context NAME"):
        target_configs(opts(), E())
    assert cli("context", "use", "prod")[0] == 0
    assert [c.name for c in target_configs(opts(), E())] == ["alertmanager", "mimir"]
    assert [c.name for c in target_configs(opts(prometheus="http://p:1"), E())] == ["prometheus"]
    assert [c.name for c in target_configs(opts(), E(MLMON_GRAFANA_URL="http://g:1"))] == ["grafana"]
    assert [c.name for c in target_configs(opts(), E(MLMON_CONTEXT="staging"))] == ["prometheus", "grafana"]


@pytest.mark.parametrize(
    "body, message",
    [
        ("  x:\n    grafana: {url: 'http://g', token: abc}\n", "`token` would put a secret in this file; name an environment variable (`token_env`) or a file"),
        ("  x:\n    grafana: {url: 'http://g', password: abc}\n", "`password` would put a secret in this file"),
        ("  x:\n    grafana: {url: 'http://g', tokn_env: A}\n", "contexts.x.grafana: unknown key 'tokn_env'"),
        ("  x:\n    loki: {url: 'http://l'}\n", "contexts.x: unknown key 'loki'"),
        ("  x:\n    prometheus: {config_dir: /etc}\n", "contexts.x.prometheus: needs a map with `url`"),
    ],
)
def test_bad_contexts_files_are_usage_errors(files, body, message):
    project, _ = files
    (project / "mlmon.contexts.yaml").write_text("contexts:\n" + body)
    with pytest.raises(ContextError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load()
    code, _, err = cli("diff", "--context", "x")
    assert code == 2 and "abc" not in err


def test_a_name_in_both_files_is_an_error(files):
    project, user = files
    save_context("staging", {"prometheus": {"url": "http://mine:9090"}})
    with pytest.raises(ContextError, match=f"context 'staging' is defined in both {project / 'mlmon.contexts.yaml'} and {user}"):
        load()


def test_up_style_context_is_written_to_the_user_file(files):
    project, user = files
    save_context("local", {"state": "/tmp/x/mlmon-state", "prometheus": {"url": "http://127.0.0.1:9090", "config_dir": "/tmp/x/local"}})
    save_context("local", {"prometheus": {"url": "http://127.0.0.1:19090", "config_dir": "/tmp/y/local"}})  # replaced, not added
    found = load()
    assert found.contexts["local"].source == user
    assert found.contexts["local"].targets["prometheus"]["url"] == "http://127.0.0.1:19090"
    assert sorted(found.contexts) == ["local", "prod", "staging"]
