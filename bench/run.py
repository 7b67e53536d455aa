"""`make bench`: speed figures for mlmon. Prints numbers and ratios; asserts nothing.

1. `mlmon lint specs/` wall time (median of N runs, a fresh process each, as a pre-commit hook
   runs it) beside `promtool check rules` on the rules generated from the same specs.
2. `mlmon generate` (in-process: compile + render every file, including rule tests and
   dashboards) for 10, 100 and 1000 synthetic models, with t(1000)/t(100) (linear would be 10).
3. The drift bench (bench/drift_bench.py): drift rule-group evaluation time in a real Prometheus.

Targets (issue #2/#3): lint median < 200 ms; t(1000)/t(100) <= 12; 1000 models < 10 s; drift
group evaluation < 50 ms.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "cli"))

RUNS = int(os.environ.get("MLMON_BENCH_RUNS", "15"))


def mlmon_exe() -> list[str]:
    exe = Path(sys.executable).parent / "mlmon"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "mlmon"]


def timed(cmd: list[str], cwd: Path, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
        out.append(time.perf_counter() - t0)
        if r.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(cmd)} failed: {r.stderr}")
    return out


def synthetic_spec(n: int) -> str:
    lines = [
        "apiVersion: mlmon/v1",
        "kind: MonitoringSpec",
        f"metadata: {{name: bench-{n}}}",
        "routing:",
        "  teams:",
    ]
    for t in range(5):
        lines.append(f"    team-{t}: {{slack: {{channel: '#t{t}', api_url_file: /run/secrets/slack-{t}}}, pagerduty: {{routing_key_file: /run/secrets/pd-{t}}}}}")
    lines.append("models:")
    presets = ["mlmon", "kserve", "triton", "vllm", "torchserve"]
    for i in range(n):
        lines.append(f"  - id: model-{i:04d}")
        lines.append(f"    team: team-{i % 5}")
        lines.append(f"    serving: {{preset: {presets[i % len(presets)]}, targets: ['model-{i:04d}.svc:8080'], scrape_interval: 15s}}")
    return "\n".join(lines) + "\n"


def bench_lint() -> None:
    from mlmon import fsio, pipeline

    runs = timed(mlmon_exe() + ["lint", "specs"], REPO, RUNS)
    med = statistics.median(runs)
    print(f"lint specs/ ({RUNS} runs): median {med * 1000:.0f} ms, min {min(runs) * 1000:.0f} ms, max {max(runs) * 1000:.0f} ms   [target < 200 ms]")
    tmp = Path(tempfile.mkdtemp(prefix="mlmon-bench-"))
    try:
        files, _ = fsio.find_specs([REPO / "specs"])
        texts, _ = fsio.read_specs(files)
        spec, diags = pipeline.check(texts, fsio.make_reader())
        assert spec is not None, diags
        fsio.write_tree(tmp / "out", pipeline.render(spec, dashboards=False))
        rules = sorted(str(p) for p in (tmp / "out" / "prometheus" / "rules").glob("*.yml"))
        if shutil.which("promtool"):
            pr = timed(["promtool", "check", "rules", *rules], REPO, RUNS)
            pmed = statistics.median(pr)
            print(f"promtool check rules on the same specs' {len(rules)} rule files: median {pmed * 1000:.0f} ms   (lint/promtool = {med / pmed:.1f}x)")
        else:
            print("promtool: not installed, skipped")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def bench_generate() -> None:
    from mlmon import pipeline

    results = {}
    for n in (10, 100, 1000):
        text = synthetic_spec(n)
        t0 = time.perf_counter()
        spec, diags = pipeline.check({f"bench-{n}.yaml": text})
        assert spec is not None, diags[:3]
        t1 = time.perf_counter()
        files = pipeline.render(spec)
        t2 = time.perf_counter()
        size = sum(len(v) for v in files.values())
        results[n] = t2 - t0
        print(f"generate {n:5d} models: {t2 - t0:7.2f} s (compile {t1 - t0:.2f} s, render {t2 - t1:.2f} s), {len(files)} files, {size / 1e6:.1f} MB")
    ratio = results[1000] / results[100]
    print(f"scaling t(1000)/t(100) = {ratio:.1f}   [linear = 10, target <= 12]; 1000 models in {results[1000]:.1f} s [target < 10 s]")


def main() -> None:
    print(f"mlmon bench on {os.cpu_count()} cores, python {sys.version.split()[0]}")
    bench_lint()
    bench_generate()
    drift = REPO / "bench" / "drift_bench.py"
    if drift.exists():
        sys.stdout.flush()
        subprocess.run([sys.executable, str(drift)], cwd=REPO, check=False)


if __name__ == "__main__":
    main()
