"""`mlmon validate`: rule test files remembered by content (passes only), run in a bounded pool,
timed per file with --verbose, and a tool limit that is set on purpose, never a fixed one."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from mlmon.commands import validate
from mlmon.tools import TIMEOUT_ENV, ToolFailed, testcache, timeout_limit
from tests.tools.test_validate import RULES, RULES_YML, TEST_YML, TESTS, make_dir

pytestmark = [
    pytest.mark.tools,
    pytest.mark.skipif(not (shutil.which("promtool") and shutil.which("amtool")), reason="needs promtool and amtool"),
]


def _validate(d: Path, capsys, cache: Path | None, **opts) -> tuple[int, str, str]:
    code = validate.run(SimpleNamespace(directory=d, format="text", cache_dir=cache, no_cache=cache is None, verbose=True, **opts))
    out, err = capsys.readouterr()
    return int(code), out, err


def test_a_passing_file_is_remembered_and_run_again_when_a_rule_file_changes(tmp_path, capsys):
    d, cache = make_dir(tmp_path), tmp_path / "cache"
    code, _, err = _validate(d, capsys, cache)
    assert code == 0 and "cached pass" not in err and re.search(rf"^  {TESTS}: [0-9.]+s$", err, re.M)
    assert len(list(cache.iterdir())) == 1
    code, _, err = _validate(d, capsys, cache)
    assert code == 0 and f"  {TESTS}: cached pass" in err
    # the rule file the test loads is part of the key: a change that breaks the test is found
    (d / RULES).write_text(RULES_YML.replace("> 0.5", "> 5"), encoding="utf-8")
    code, out, err = _validate(d, capsys, cache)
    assert code == 1 and "cached pass" not in err and "FraudDetectorErrors" in out
    code, out, err = _validate(d, capsys, cache)  # a failure is never remembered
    assert code == 1 and "cached pass" not in err
    assert len(list(cache.iterdir())) == 1


def test_the_key_follows_test_file_rule_files_and_promtool(tmp_path):
    d = make_dir(tmp_path)
    first = testcache.key(d, TESTS)
    assert first is not None and first == testcache.key(d, TESTS)
    (d / TESTS).write_text(TEST_YML.replace("exp_alerts: []", "exp_alerts: []\n"), encoding="utf-8")
    second = testcache.key(d, TESTS)
    assert second not in (None, first)
    (d / RULES).write_text(RULES_YML + "\n", encoding="utf-8")
    assert testcache.key(d, TESTS) not in (None, first, second)
    (d / RULES).unlink()  # unreadable input: no key, so the file runs
    assert testcache.key(d, TESTS) is None


def test_no_cache_runs_every_file_and_writes_nothing(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MLMON_CACHE_DIR", str(tmp_path / "env-cache"))
    d = make_dir(tmp_path)
    for _ in range(2):
        code, _, err = _validate(d, capsys, None)
        assert code == 0 and "cached pass" not in err
    assert not (tmp_path / "env-cache").exists()


def test_the_cache_folder_defaults_to_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("MLMON_CACHE_DIR", str(tmp_path / "c"))
    assert testcache.default_dir() == tmp_path / "c"
    monkeypatch.delenv("MLMON_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert testcache.default_dir() == tmp_path / "xdg" / "mlmon" / "rule-tests"


def _slow_promtool(tmp_path: Path) -> Path:
    """promtool that takes 30 s over `test rules` (a very busy machine) and is the real one otherwise."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    real = shutil.which("promtool")
    (bin_dir / "promtool").write_text(f'#!/bin/sh\nif [ "$1" = test ]; then exec sleep 30; fi\nexec {real} "$@"\n')
    (bin_dir / "promtool").chmod(0o755)
    os.symlink(shutil.which("amtool"), bin_dir / "amtool")
    return bin_dir


def test_a_limit_is_set_on_purpose_and_named_when_reached(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", f"{_slow_promtool(tmp_path)}:{os.environ['PATH']}")
    d = make_dir(tmp_path)
    code, out, err = _validate(d, capsys, None, timeout=0.5)
    assert code == 1
    assert "promtool test rules: FAILED" in err
    assert "stopped after 0.5s, the limit set by --timeout or MLMON_TOOL_TIMEOUT; raise it, or set 0 for no limit" in out
    monkeypatch.setenv(TIMEOUT_ENV, "0.5")
    code, out, _ = _validate(d, capsys, None)
    assert code == 1 and "stopped after 0.5s" in out


def test_no_limit_unless_one_is_set(monkeypatch):
    monkeypatch.delenv(TIMEOUT_ENV, raising=False)
    assert timeout_limit() is None and timeout_limit(0) is None and timeout_limit(3) == 3
    monkeypatch.setenv(TIMEOUT_ENV, "0")
    assert timeout_limit() is None
    monkeypatch.setenv(TIMEOUT_ENV, "90")
    assert timeout_limit() == 90 and timeout_limit(0) is None
    monkeypatch.setenv(TIMEOUT_ENV, "soon")
    with pytest.raises(ToolFailed, match="MLMON_TOOL_TIMEOUT='soon' is not a number of seconds"):
        timeout_limit()


def test_jobs_bound_the_pool_and_keep_the_result(tmp_path, capsys):
    d = make_dir(tmp_path)
    for n in range(3):
        (d / f"prometheus/tests/copy{n}.test.yml").write_text(TEST_YML, encoding="utf-8")
    code, out, err = _validate(d, capsys, None, jobs=1)
    assert code == 0 and "promtool test rules: ok, 4 files" in err
    assert [line.split(":")[0].strip() for line in err.splitlines() if line.startswith("  prometheus/tests/")] == sorted(
        f"prometheus/tests/{n}" for n in ("copy0.test.yml", "copy1.test.yml", "copy2.test.yml", "fraud-detector.test.yml")
    )


def _env_recording_promtool(tmp_path: Path) -> Path:
    """The real promtool, after writing the Go runtime settings it was given to go-env.txt."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    real = shutil.which("promtool")
    record = tmp_path / "go-env.txt"
    (bin_dir / "promtool").write_text(
        f'#!/bin/sh\nif [ "$1" = test ]; then echo "GOGC=$GOGC GOMEMLIMIT=$GOMEMLIMIT GOMAXPROCS=$GOMAXPROCS" >> {record}; fi\nexec {real} "$@"\n'
    )
    (bin_dir / "promtool").chmod(0o755)
    os.symlink(shutil.which("amtool"), bin_dir / "amtool")
    return bin_dir


def test_rule_tests_run_with_fewer_garbage_collections_and_their_share_of_the_cores(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", f"{_env_recording_promtool(tmp_path)}:{os.environ['PATH']}")
    for k in ("GOGC", "GOMEMLIMIT", "GOMAXPROCS"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    d = make_dir(tmp_path)
    shutil.copy(d / TESTS, d / TESTS.replace(".test.yml", "-again.test.yml"))  # two files: two at once
    record = tmp_path / "go-env.txt"
    assert _validate(d, capsys, None, jobs=2)[0] == 0
    assert record.read_text() == "GOGC=400 GOMEMLIMIT=512MiB GOMAXPROCS=2\n" * 2  # 4 cores, 2 at once
    record.unlink()
    assert _validate(d, capsys, None, jobs=1)[0] == 0  # one at a time: Go's own thread count
    assert record.read_text() == "GOGC=400 GOMEMLIMIT=512MiB GOMAXPROCS=\n" * 2
    record.unlink()
    monkeypatch.setenv("GOGC", "100")  # what the user sets wins
    monkeypatch.setenv("GOMAXPROCS", "3")
    assert _validate(d, capsys, None, jobs=2)[0] == 0
    assert record.read_text() == "GOGC=100 GOMEMLIMIT=512MiB GOMAXPROCS=3\n" * 2
