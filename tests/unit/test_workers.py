"""Rendering on several processes gives exactly the bytes of a serial render."""

import os
import subprocess
import sys

from mlmon import pipeline, workers
from tests.conftest import REPO
from tests.helpers.specs import spec as spec_text

PRESETS = ["mlmon", "kserve", "triton", "vllm", "torchserve"]


def fleet(n: int) -> str:
    models = "".join(
        f"  - id: model-{i:03d}\n    team: {'risk-ml' if i % 2 else 'recsys'}\n"
        f"    serving: {{preset: {PRESETS[i % len(PRESETS)]}, targets: ['m{i}.svc:8080']}}\n"
        for i in range(n)
    )
    return spec_text(models)


def compiled(n: int):
    spec, diags = pipeline.check({"fleet.yaml": fleet(n)})
    assert spec is not None, diags
    return spec


def test_plan_jobs_keeps_small_fleets_in_process():
    assert workers.plan_jobs(1, None) == 1
    assert workers.plan_jobs(workers.MODELS_PER_JOB * 2 - 1, 8) == 1
    assert workers.plan_jobs(workers.MODELS_PER_JOB * 3, 8) == 3
    assert workers.plan_jobs(10_000, 1) == 1
    assert 1 <= workers.plan_jobs(10_000, None) <= workers.MAX_JOBS


PARALLEL_VS_SERIAL = """
import sys
import tempfile
from pathlib import Path
from mlmon import fsio, pipeline, workers
from tests.unit.test_workers import compiled
spec = compiled(workers.MODELS_PER_JOB * 2 + 3)  # two workers, uneven slices
assert workers.plan_jobs(len(spec.models), 2) == 2
for dashboards in (True, False):
    serial = pipeline.render(spec, dashboards=dashboards)
    parallel = workers.render(spec, dashboards=dashboards, jobs=2)
    assert list(parallel) == list(serial), "file lists differ"
    assert parallel == serial, [k for k in serial if serial[k] != parallel.get(k)][:5]
    for jobs in (1, 2):  # generate writes these chunks as they come: together they are the same files
        streamed = {}
        for chunk in workers.render_stream(spec, dashboards=dashboards, jobs=jobs):
            assert not set(chunk) & set(streamed), "a file in two chunks"
            streamed.update(chunk)
        assert streamed == serial, (jobs, sorted(set(serial) ^ set(streamed))[:5])
        with tempfile.TemporaryDirectory() as tmp:  # generate: the workers write their slices
            assert workers.write_stream(spec, Path(tmp), dashboards=dashboards, jobs=jobs) == len(serial)
            assert fsio.read_tree(Path(tmp)) == serial, jobs
print("identical", len(serial))
"""

WORKER_FAILS = """
import os
from pathlib import Path
from mlmon import fsio, workers
from tests.unit.test_workers import compiled
spec = compiled(workers.MODELS_PER_JOB * 2 + 3)
out = Path(os.environ["OUT"])
fsio.write_tree(out, {"old.yml": "old\\n"})
real, parent = fsio.write_files, os.getpid()

def fails_in_a_worker(folder, files):
    if os.getpid() != parent and any("model-02" in name for name in files):
        raise OSError(28, "No space left on device")
    return real(folder, files)

fsio.write_files = fails_in_a_worker
try:
    with fsio.staged_tree(out) as folder:
        workers.write_stream(spec, folder, jobs=2)
except OSError as exc:
    print("failed:", exc.strerror)
assert fsio.read_tree(out) == {"old.yml": "old\\n"}, sorted(fsio.read_tree(out))[:3]
assert sorted(p.name for p in out.parent.iterdir()) == [out.name], list(out.parent.iterdir())
"""


def run_script(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``code`` in a fresh interpreter: forking the test runner's own (threaded) process is not safe."""
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": f"{REPO / 'cli'}{os.pathsep}{REPO}", **env},
    )


def test_parallel_render_is_byte_identical_to_serial():
    r = run_script(PARALLEL_VS_SERIAL)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("identical ")


def test_render_from_slices_matches_one_slice():
    spec = compiled(7)
    parts = [pipeline.render_models(spec, a, b) for a, b in [(0, 3), (3, 3), (3, 7)]]
    assert pipeline.render(spec, parts=parts) == pipeline.render(spec)


def test_generate_jobs_option_gives_the_same_tree(tmp_path, run_mlmon):
    (tmp_path / "fleet.yaml").write_text(fleet(workers.MODELS_PER_JOB * 2))
    for jobs in ("1", "2"):
        r = run_mlmon("generate", "fleet.yaml", "-o", f"out-{jobs}", "--jobs", jobs, cwd=tmp_path)
        assert r.returncode == 0, r.stderr
    one = {p.relative_to(tmp_path / "out-1"): p.read_bytes() for p in sorted((tmp_path / "out-1").rglob("*")) if p.is_file()}
    two = {p.relative_to(tmp_path / "out-2"): p.read_bytes() for p in sorted((tmp_path / "out-2").rglob("*")) if p.is_file()}
    dashboards = [p for p in one if p.parts[:2] == ("grafana", "dashboards")]
    assert len(dashboards) == workers.MODELS_PER_JOB * 2 + 1  # one per model and the fleet overview
    assert one == two
    r = run_mlmon("generate", "fleet.yaml", "-o", "out-2", "--check", "--jobs", "2", cwd=tmp_path)
    assert r.returncode == 0, r.stderr


def test_a_worker_that_fails_to_write_leaves_the_old_tree(tmp_path):
    """generate's workers write into the staging folder: one failing (a full disk) stops the
    generate, and the folder keeps its old files with no staging folder left behind."""
    r = run_script(WORKER_FAILS, OUT=str(tmp_path / "parent" / "generated"))
    assert r.returncode == 0, r.stderr
    assert r.stdout == "failed: No space left on device\n"
