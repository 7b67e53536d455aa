"""Paths mlmon cannot write: a clear error naming the path, exit 2, nothing changed. Meaningful as
root too (CI runs as root, where chmod denies nothing): the unwritable folders are on sysfs, which
refuses new files to everyone, or a path whose parent is a file."""

from __future__ import annotations

from pathlib import Path

import pytest
from remote_fixtures import AM_V1, FRAUD_V1, live_am_config, live_prometheus_groups, make_generated
from typer.testing import CliRunner

from mlmon.app import app

pytestmark = pytest.mark.e2e

READ_ONLY = Path("/sys/kernel")  # exists, and no one may create a file in it


def apply(*args):
    r = CliRunner().invoke(app, ["apply", "--yes", *map(str, args)], env={})
    return r.exit_code, r.stdout + r.stderr


def assert_clear(code, text, path):
    assert code == 2, text
    assert str(path) in text and "Nothing was changed" in text, text
    assert "internal error" not in text and "Traceback" not in text


@pytest.mark.parametrize("how", ["read-only rules dir", "rules dir path is a file"])
def test_prometheus_rules_dir_that_cannot_be_written(servers, tmp_path, how):
    if not READ_ONLY.is_dir():
        pytest.fail(f"{READ_ONLY} is needed for this test (Linux sysfs)")
    cfg = tmp_path / "prom"
    prom = servers.prometheus(cfg)
    if how == "read-only rules dir":
        (cfg / "mlmon").symlink_to(READ_ONLY)
    else:
        (cfg / "mlmon").write_text("not a folder\n")
    gen = make_generated(tmp_path / "gen", {"fraud.rules.yml": FRAUD_V1})
    code, text = apply("--generated", gen, "--prometheus", prom.url, "--prometheus-config-dir", cfg, "--state-dir", tmp_path / "s")
    assert_clear(code, text, cfg / "mlmon" / ".lock")
    assert live_prometheus_groups(prom.url) == {}


def test_alertmanager_config_in_a_read_only_folder(servers, tmp_path):
    conf = tmp_path / "am" / "alertmanager.yml"
    am = servers.alertmanager(conf)
    gen = make_generated(tmp_path / "gen", am=AM_V1)
    target = Path("/sys/alertmanager.yml")
    code, text = apply("--generated", gen, "--alertmanager", am.url, "--alertmanager-config", target, "--state-dir", tmp_path / "s")
    assert_clear(code, text, target.parent / ".alertmanager.yml.mlmon")
    assert [r["name"] for r in live_am_config(am.url)["receivers"]] == ["default"]


def test_state_dir_that_cannot_be_written(tmp_path):
    gen = make_generated(tmp_path / "gen", {"fraud.rules.yml": FRAUD_V1})
    (tmp_path / "state").write_text("a file, not a folder\n")
    code, text = apply("--generated", gen, "--mimir", "http://127.0.0.1:1", "--state-dir", tmp_path / "state" / "inside")
    assert_clear(code, text, tmp_path / "state" / "inside" / "locks")
