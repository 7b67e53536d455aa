"""The real `mlmon` command: exit codes, exact messages, atomic output, --check, determinism."""

import json
import os
from pathlib import Path

from tests.helpers.specs import MINIMAL, spec


def write(tmp: Path, name: str, text) -> Path:
    p = tmp / name
    p.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text)
    return p


def snapshot(root: Path) -> dict:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_lint_ok_exit_0(tmp_path, run_mlmon):
    write(tmp_path, "specs/a.yaml", MINIMAL)
    r = run_mlmon("lint", "specs", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    assert "0 error(s), 0 warning(s); 1 model(s) OK" in r.stderr


def test_lint_reports_every_problem_with_exit_1(tmp_path, run_mlmon):
    write(tmp_path, "specs/a.yaml", spec("  - id: m\n    team: nobody\n  - id: m2\n    team: risk-ml\n    serving: {scrape_interval: 5x}\n"))
    write(tmp_path, "specs/b.yaml", "apiVersion: mlmon/v1\nkind: [\n")
    r = run_mlmon("lint", "specs", cwd=tmp_path)
    assert r.returncode == 1
    lines = [line for line in r.stdout.splitlines() if not line.startswith("  hint:")]
    assert lines[0] == "specs/a.yaml:13:11: error: models[0].team: unknown team 'nobody' [MLM202]"
    assert lines[1] == "specs/a.yaml:16:32: error: models[1].serving.scrape_interval: invalid duration '5x' [MLM203]"
    assert lines[2].startswith("specs/b.yaml:") and lines[2].endswith("[MLM002]")
    assert "Traceback" not in r.stderr


def test_lint_json_format(tmp_path, run_mlmon):
    write(tmp_path, "a.yaml", spec("  - id: m\n    team: nobody\n"))
    r = run_mlmon("lint", "a.yaml", "--format", "json", cwd=tmp_path)
    assert r.returncode == 1
    data = json.loads(r.stdout)
    assert data["summary"] == {"error": 1, "info": 0, "warning": 0}
    d = data["diagnostics"][0]
    assert (d["file"], d["line"], d["col"], d["code"], d["severity"]) == ("a.yaml", 13, 11, "MLM202", "error")


def test_fail_on_warning(tmp_path, run_mlmon):
    text = spec("  - id: m\n    team: risk-ml\n    slos:\n      - {name: l, objective: 99, sli: {kind: latency, threshold: 300ms}}\n")
    write(tmp_path, "a.yaml", text)
    r = run_mlmon("lint", "a.yaml", cwd=tmp_path)
    assert r.returncode == 0 and "warning:" in r.stdout and "[MLM213]" in r.stdout
    r = run_mlmon("lint", "a.yaml", "--fail-on", "warning", cwd=tmp_path)
    assert r.returncode == 1


def test_usage_errors_exit_2(tmp_path, run_mlmon):
    r = run_mlmon("lint", "missing.yaml", cwd=tmp_path)
    assert r.returncode == 2 and "missing.yaml: error: no such file or folder [MLM001]" in r.stdout
    write(tmp_path, "a.yaml", MINIMAL)
    assert run_mlmon("lint", "a.yaml", "--format", "xml", cwd=tmp_path).returncode == 2
    assert run_mlmon("lint", "a.yaml", "--fail-on", "fatal", cwd=tmp_path).returncode == 2
    assert run_mlmon("nonsense", cwd=tmp_path).returncode == 2
    os.mkdir(tmp_path / "empty")
    r = run_mlmon("lint", "empty", cwd=tmp_path)
    assert r.returncode == 2 and "[MLM004]" in r.stdout


def test_bad_inputs_never_traceback_and_write_nothing(tmp_path, run_mlmon):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(f"{c}: &{c} [" + ", ".join([f"*{p}"] * 9) + "]\n" for p, c in zip("abcdefgh", "bcdefghi"))
    cases = {
        "empty.yaml": "",
        "syntax.yaml": "apiVersion: mlmon/v1\n  kind: x\n: :\n",
        "types.yaml": spec("  - id: 7\n    team: [a]\n"),
        "missing.yaml": "apiVersion: mlmon/v1\nkind: MonitoringSpec\n",
        "dup.yaml": MINIMAL + "  - id: fraud-detector\n    team: risk-ml\n",
        "bomb.yaml": bomb,
        "binary.yaml": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "big.yaml": "# filler\n" * (10 * 1024 * 1024 // 9),
    }
    out = tmp_path / "generated"
    write(tmp_path, "generated/keep.txt", "previous output\n")
    before = snapshot(out)
    for name, text in cases.items():
        write(tmp_path, f"bad/{name}", text)
        r = run_mlmon("generate", f"bad/{name}", "-o", "generated", cwd=tmp_path)
        assert r.returncode == 1, (name, r.stdout, r.stderr)
        assert "Traceback" not in r.stderr and "internal error" not in r.stderr, name
        first = r.stdout.splitlines()[0]
        assert first.startswith(f"bad/{name}:") and "error:" in first, (name, first)
        assert "nothing written" in r.stderr
        assert snapshot(out) == before, name


def test_generate_check_and_atomic_replace(tmp_path, run_mlmon):
    write(tmp_path, "specs/a.yaml", MINIMAL)
    r = run_mlmon("generate", "specs", "-o", "generated", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    files = snapshot(tmp_path / "generated")
    assert "prometheus/rules/fraud-detector.slos.rules.yml" in files and "prometheus/tests/fraud-detector.slos.test.yml" in files
    assert "grafana/dashboards/fraud-detector.json" in files
    assert all(v.endswith(b"\n") and not v.endswith(b"\n\n") for v in files.values())
    r = run_mlmon("generate", "specs", "-o", "generated", "--check", cwd=tmp_path)
    assert r.returncode == 0 and r.stdout == ""
    # a stale tree: --check prints a unified diff and exits 1, writing nothing
    write(tmp_path, "specs/a.yaml", MINIMAL.replace("fraud-detector.ml.svc:8080", "fraud-detector.ml.svc:9090"))
    r = run_mlmon("generate", "specs", "-o", "generated", "--check", cwd=tmp_path)
    assert r.returncode == 1
    assert "--- a/prometheus/prometheus.yml" in r.stdout and "+    - fraud-detector.ml.svc:9090" in r.stdout
    assert snapshot(tmp_path / "generated") == files
    # a file mlmon did not write is never deleted: generate refuses the folder (tests/cli/test_lint_files.py)
    write(tmp_path, "generated/stray.txt", "x")
    assert run_mlmon("generate", "specs", "-o", "generated", cwd=tmp_path).returncode == 2
    assert (tmp_path / "generated/stray.txt").read_text() == "x"


def test_generate_is_deterministic_and_order_independent(tmp_path, run_mlmon):
    models_a = "  - id: fraud-detector\n    team: risk-ml\n  - id: recommender\n    team: recsys\n"
    models_b = "  - id: recommender\n    team: recsys\n  - id: fraud-detector\n    team: risk-ml\n"
    write(tmp_path, "one/specs.yaml", spec(models_a))
    write(tmp_path, "two/specs.yaml", spec(models_b))
    for d in ("one", "two"):
        assert run_mlmon("generate", f"{d}/specs.yaml", "-o", f"{d}/out", cwd=tmp_path).returncode == 0
    one, two = snapshot(tmp_path / "one/out"), snapshot(tmp_path / "two/out")
    norm = {k: v.replace(b"one/specs.yaml", b"X") for k, v in one.items()}
    assert norm == {k: v.replace(b"two/specs.yaml", b"X") for k, v in two.items()}
    assert run_mlmon("generate", "one/specs.yaml", "-o", "one/out2", cwd=tmp_path).returncode == 0
    assert snapshot(tmp_path / "one/out2") == one
    for text in one.values():
        assert str(tmp_path).encode() not in text  # no absolute paths


def test_schema_command(run_mlmon, tmp_path):
    r = run_mlmon("schema", cwd=tmp_path)
    assert r.returncode == 0
    data = json.loads(r.stdout)
    assert data["properties"]["apiVersion"]["const"] == "mlmon/v1"


def test_unwritable_output_is_a_usage_error(tmp_path, run_mlmon):
    write(tmp_path, "a.yaml", MINIMAL)
    write(tmp_path, "blocker", "file")
    r = run_mlmon("generate", "a.yaml", "-o", "blocker/out", cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr.startswith("mlmon generate: cannot write blocker/out:") and "Traceback" not in r.stderr
    assert (tmp_path / "blocker").read_text() == "file"
