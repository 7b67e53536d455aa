"""The project's own generated output (``mlmon generate specs/``) applied to real servers must
leave an empty plan: normalisation has to cover everything the generator emits. Skipped when the
generator or the example specs are not available."""

from __future__ import annotations

import os

import pytest
from remote_fixtures import REPO, opts

from mlmon.commands import apply as apply_cmd
from mlmon.commands import diff as diff_cmd

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _no_mlmon_env(monkeypatch):
    for k in list(os.environ):
        if k.startswith("MLMON_"):
            monkeypatch.delenv(k)


def test_generated_example_specs_round_trip(servers, tmp_path, capsys):
    from mlmon.commands import generate

    specs = REPO / "specs"
    assert any(specs.glob("*.yaml")), "the example specs are missing"
    gen = tmp_path / "gen"
    code = generate.run(opts(paths=[specs], output=gen, check=False, format="text"))
    capsys.readouterr()
    assert code == 0, f"mlmon generate specs/ failed (exit {code})"
    assert (gen / "alertmanager" / "alertmanager.yml").exists()

    pcfg, amcfg = tmp_path / "prom", tmp_path / "am" / "alertmanager.yml"
    prom = servers.prometheus(pcfg)
    am = servers.alertmanager(amcfg)
    common = dict(generated=gen, prometheus=prom.url, prometheus_config_dir=pcfg, alertmanager=am.url, alertmanager_config=amcfg, state_dir=tmp_path / "s")
    assert apply_cmd.run(opts(force=True, **common)) == 0, capsys.readouterr().err  # takes over the hand-written alertmanager.yml
    capsys.readouterr()
    code = diff_cmd.run(opts(exit_code=True, **common))
    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert "prometheus" in out and "plan: no changes" in out
