"""`mlmon lint` on the files a pre-commit hook passes, files a spec references, and `mlmon
generate` into a folder that holds files it did not write (the real command, exit codes)."""

import re
from pathlib import Path

import yaml

from tests.cli.test_cli import snapshot, write
from tests.conftest import REPO

BASELINE = (REPO / "examples" / "demo" / "baseline.yaml").read_text().replace("\nmodel: demo\n", "\nmodel: m\n")
ROUTING = """\
apiVersion: mlmon/v1
kind: MonitoringSpec
metadata: {name: routing}
routing:
  teams:
    ml: {slack: {channel: "#ml", api_url_file: /etc/alertmanager/secrets/slack-ml}}
"""
MODELS = """\
apiVersion: mlmon/v1
kind: MonitoringSpec
metadata: {name: models}
models:
  - id: m
    team: ml
    serving: {targets: ["m.svc:8080"]}
    drift: {baseline: BASELINE}
"""


def spec_tree(tmp: Path, baseline_ref: str = "baselines/m.yaml") -> None:
    write(tmp, "specs/routing.yaml", ROUTING)
    write(tmp, "specs/models.yaml", MODELS.replace("BASELINE", baseline_ref))
    write(tmp, "specs/baselines/m.yaml", BASELINE)


def test_the_pre_commit_hook_passes_this_repository_s_spec_files(run_mlmon):
    """Run the lint hook as pre-commit does: entry + args + every file its `files` pattern
    matches (spec files and drift baselines alike)."""
    (hook,) = [h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text()) if h["id"] == "mlmon-lint"]
    files = sorted(p.relative_to(REPO).as_posix() for p in (REPO / "specs").rglob("*") if p.is_file())
    passed = [f for f in files if re.search(hook["files"], f)]
    assert any("/baselines/" in f for f in passed) and hook["pass_filenames"]
    argv = hook["entry"].split()[1:] + hook.get("args", [])
    r = run_mlmon(*argv, *passed, cwd=REPO)
    assert r.returncode == 0 and r.stdout == "", r.stdout + r.stderr


def test_lint_with_root_resolves_the_other_files_and_reports_only_the_named_ones(tmp_path, run_mlmon):
    spec_tree(tmp_path)
    # the model's team is defined in another file, its baseline in a third
    r = run_mlmon("lint", "--root", "specs", "specs/models.yaml", "specs/baselines/m.yaml", cwd=tmp_path)
    assert r.returncode == 0 and r.stdout == "", r.stdout + r.stderr
    # a broken baseline is reported at its own file:line:col when it is one of the named files
    write(tmp_path, "specs/baselines/m.yaml", BASELINE.replace("fractions:", "fractionz:", 1))
    r = run_mlmon("lint", "--root", "specs", "specs/baselines/m.yaml", cwd=tmp_path)
    assert r.returncode == 1
    assert re.match(r"specs/baselines/m\.yaml:\d+:\d+: error: .*\[MLM211\]", r.stdout), r.stdout
    # an error in a file that was not named is not reported, only counted
    r = run_mlmon("lint", "--root", "specs", "specs/routing.yaml", cwd=tmp_path)
    assert r.returncode == 0 and r.stdout == "" and "2 more in other files under specs" in r.stderr  # the baseline and the spec using it


def test_a_named_baseline_alone_is_no_spec(tmp_path, run_mlmon):
    spec_tree(tmp_path)
    r = run_mlmon("lint", "specs/baselines/m.yaml", cwd=tmp_path)
    assert r.returncode == 2 and "[MLM004]" in r.stdout and "MLM101" not in r.stdout


def test_referenced_files_stay_inside_the_spec_folder(tmp_path, run_mlmon):
    spec_tree(tmp_path, "/etc/passwd")
    r = run_mlmon("lint", "specs", cwd=tmp_path)
    assert r.returncode == 1
    (line,) = [x for x in r.stdout.splitlines() if "[MLM211]" in x]
    assert line.startswith("specs/models.yaml:8:") and "outside the spec folder (specs); pass --allow-outside-refs" in line
    assert "root:" not in r.stdout  # nothing of /etc/passwd is shown
    # a relative path that climbs out, and the flag that allows it
    write(tmp_path, "shared/m.yaml", BASELINE)
    write(tmp_path, "specs/models.yaml", MODELS.replace("BASELINE", "../shared/m.yaml"))
    r = run_mlmon("lint", "specs", cwd=tmp_path)
    assert r.returncode == 1 and "outside the spec folder" in r.stdout
    r = run_mlmon("lint", "specs", "--allow-outside-refs", cwd=tmp_path)
    assert r.returncode == 0, r.stdout
    assert run_mlmon("generate", "specs", "-o", "out", cwd=tmp_path).returncode == 1
    assert run_mlmon("generate", "specs", "-o", "out", "--allow-outside-refs", cwd=tmp_path).returncode == 0


def test_a_baseline_that_is_a_folder_is_called_a_folder(tmp_path, run_mlmon):
    spec_tree(tmp_path, "baselines/dir.yaml")
    (tmp_path / "specs" / "baselines" / "dir.yaml").mkdir()
    r = run_mlmon("lint", "specs", cwd=tmp_path)
    assert r.returncode == 1
    assert "baselines/dir.yaml: is a folder, not a file" in r.stdout
    assert "Errno" not in r.stdout and "create it" not in r.stdout


def test_generate_never_deletes_files_it_did_not_write(tmp_path, run_mlmon):
    spec_tree(tmp_path)
    assert run_mlmon("generate", "specs", "-o", "out", cwd=tmp_path).returncode == 0
    write(tmp_path, "out/NOTES.md", "mine\n")
    write(tmp_path, "out/prometheus/rules/custom.rules.yml", "groups: []\n")
    before = snapshot(tmp_path / "out")
    r = run_mlmon("generate", "specs", "-o", "out", cwd=tmp_path)
    assert r.returncode == 2
    assert r.stdout.splitlines()[0] == "out/NOTES.md: error: not written by mlmon (no generated header): generate would delete it [MLM006]"
    assert "out/prometheus/rules/custom.rules.yml: error:" in r.stdout and "nothing written" in r.stderr
    assert snapshot(tmp_path / "out") == before
    # a folder holding only mlmon's own output is replaced; a file is never replaced by a folder
    (tmp_path / "out/NOTES.md").unlink()
    (tmp_path / "out/prometheus/rules/custom.rules.yml").unlink()
    write(tmp_path, "specs/models.yaml", MODELS.replace("BASELINE", "baselines/m.yaml").replace("m.svc", "n.svc"))
    assert run_mlmon("generate", "specs", "-o", "out", cwd=tmp_path).returncode == 0
    assert "n.svc:8080" in (tmp_path / "out/prometheus/prometheus.yml").read_text()
    r = run_mlmon("generate", "specs", "-o", "specs/routing.yaml", cwd=tmp_path)
    assert r.returncode == 2 and "[MLM006]" in r.stdout and (tmp_path / "specs/routing.yaml").read_text() == ROUTING
