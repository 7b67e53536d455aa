"""`make bench`: speed figures for mlmon. Prints numbers and ratios; asserts nothing.

0. The host's speed: the drift bench's fixed CPU loop, fastest and median of 200 runs.
1. `mlmon lint specs/` wall time (median of N runs, a fresh process each, as a pre-commit hook
   runs it, after byte-compiling the package) beside `promtool check rules` on the rules generated from the same specs.
2. `mlmon generate` (a fresh process each run: read, compile, render every file including rule
   tests and dashboards, write the folder atomically) for 10, 100 and 1000 synthetic models, with
   t(1000)/t(100) (linear would be 10), and the 1000-model run again on one process (--jobs 1).
3. The drift bench (bench/drift_bench.py): drift rule-group evaluation time in a real Prometheus.
4. CPU and memory beside their peers (bench/cpu_bench.py): lint against promtool check rules,
   promtool rule-test CPU per model, generate of 1000 models with --jobs, memory by SLO period.
5. Series cost per model (and bench/series_bench.py: `mlmon series`' estimate against what a real
   Prometheus holds for a bench fleet): the series `mlmon.instrument` exports for one model version of the
   example fraud detector, by metric family group (drift bins, data quality, fairness groups), and
   the rules each monitor generates for the example specs.

Targets (issue #2/#3): lint median < 200 ms; t(1000)/t(100) <= 12; 1000 models < 10 s; drift
group evaluation < 50 ms (each group of a model whose features are split into sets).
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
sys.path.insert(0, str(REPO / "bench"))

import figures  # noqa: E402

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
        lines.append(
            f"    team-{t}: {{slack: {{channel: '#t{t}', api_url_file: /run/secrets/slack-{t}}}, pagerduty: {{routing_key_file: /run/secrets/pd-{t}}}}}"
        )
    lines.append("models:")
    presets = ["mlmon", "kserve", "triton", "vllm", "torchserve"]
    for i in range(n):
        lines.append(f"  - id: model-{i:04d}")
        lines.append(f"    team: team-{i % 5}")
        lines.append(f"    serving: {{preset: {presets[i % len(presets)]}, targets: ['model-{i:04d}.svc:8080'], scrape_interval: 15s}}")
    return "\n".join(lines) + "\n"


def bench_lint() -> None:
    import compileall

    from mlmon import fsio, pipeline

    # a pre-commit hook runs an installed mlmon whose modules pip byte-compiled on install; an
    # editable checkout run with PYTHONDONTWRITEBYTECODE=1 would compile every module on every run
    # (about 90 ms here), so the package's bytecode is written first
    compileall.compile_dir(str(REPO / "cli" / "mlmon"), quiet=1)
    runs = timed(mlmon_exe() + ["lint", "specs"], REPO, RUNS)
    med = statistics.median(runs)
    print(f"lint specs/ ({RUNS} runs): median {med * 1000:.0f} ms, min {min(runs) * 1000:.0f} ms, max {max(runs) * 1000:.0f} ms   [target < 200 ms]")
    figures.record(f"`mlmon lint specs/` wall time (median of {RUNS}, a fresh process each)", f"{med * 1000:.0f} ms", "< 200 ms")
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
    """`mlmon generate` as a user runs it: a fresh process that reads the spec, compiles, renders
    every file (rules, rule tests, Alertmanager, dashboards) and writes the folder atomically."""
    runs = int(os.environ.get("MLMON_BENCH_GENERATE_RUNS", "3"))
    tmp = Path(tempfile.mkdtemp(prefix="mlmon-bench-gen-"))
    results: dict[int, float] = {}
    try:
        for n in (10, 100, 1000):
            spec = tmp / f"bench-{n}.yaml"
            spec.write_text(synthetic_spec(n))
            times = []
            for i in range(runs):
                out = tmp / f"out-{n}-{i}"
                t0 = time.perf_counter()
                r = subprocess.run(mlmon_exe() + ["generate", str(spec), "-o", str(out)], capture_output=True, text=True)
                times.append(time.perf_counter() - t0)
                if r.returncode != 0:
                    raise SystemExit(f"mlmon generate failed: {r.stderr}")
            files = sum(1 for p in out.rglob("*") if p.is_file())
            size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
            results[n] = statistics.median(times)
            print(f"generate {n:5d} models: median {results[n]:6.2f} s of {runs} runs (min {min(times):.2f} s), {files} files, {size / 1e6:.1f} MB")
            for i in range(runs):
                shutil.rmtree(tmp / f"out-{n}-{i}", ignore_errors=True)
        ratio = results[1000] / results[100]
        print(f"scaling t(1000)/t(100) = {ratio:.1f}   [linear = 10, target <= 10]; 1000 models in {results[1000]:.1f} s [target <= 5 s]")
        figures.record(
            f"`mlmon generate` of 10 / 100 / 1000 synthetic models (median of {runs}, --jobs one per core)",
            f"{results[10]:.2f} s / {results[100]:.2f} s / {results[1000]:.2f} s",
            "1000 models <= 5 s",
        )
        figures.record("t(1000) / t(100)", f"{ratio:.1f}", "<= 10")
        out = tmp / "out-serial"
        t0 = time.perf_counter()
        subprocess.run(mlmon_exe() + ["generate", str(tmp / "bench-1000.yaml"), "-o", str(out), "--jobs", "1"], capture_output=True, check=True)
        serial = time.perf_counter() - t0
        print(f"generate 1000 models with --jobs 1 (one process): {serial:.2f} s; parallel speed-up {serial / results[1000]:.2f}x on {os.cpu_count()} cores")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def bench_series() -> None:
    """Series one model version costs (counted, not timed)."""
    from prometheus_client.parser import text_string_to_metric_families

    from mlmon import conventions as C
    from mlmon import fsio, pipeline
    from mlmon.artifacts import RecordingRule
    from mlmon.instrument import ModelMonitor
    from mlmon.monitors.registry import MONITORS

    groups_of = {
        "drift bins": (C.FEATURE_BIN_TOTAL, C.PREDICTION_BIN_TOTAL),
        "data quality": (C.FEATURE_ROWS_TOTAL, *C.DQ_COUNTERS.values()),
        "decisions + outcomes": (C.PREDICTIONS_TOTAL, C.OUTCOMES_TOTAL),
    }

    def count(mon: ModelMonitor) -> dict[str, int]:
        out = {"all": 0, **{k: 0 for k in groups_of}}
        for fam in text_string_to_metric_families(mon.exposition().decode()):
            for s in fam.samples:
                if s.name.endswith("_created"):
                    continue
                out["all"] += 1
                for k, names in groups_of.items():
                    out[k] += s.name in names
        return out

    baseline = str(REPO / "specs" / "baselines" / "fraud-detector.yaml")
    plain = count(ModelMonitor("fraud-detector", baseline=baseline))
    grouped = count(ModelMonitor("fraud-detector", baseline=baseline, groups={"region": ["eu", "uk", "us"]}))
    print("instrument series per model version (fraud-detector baseline): " + ", ".join(f"{k} {v}" for k, v in plain.items()))
    print(f"  with groups={{region: [eu, uk, us]}}: all {grouped['all']} (decisions + outcomes {grouped['decisions + outcomes']})")
    regression = count(ModelMonitor("chargeback-loss", task="regression"))["all"]
    ranking = count(ModelMonitor("recommender", task="ranking", k=(5, 10), catalog_size=1000))["all"]
    print(f"  task regression (no baseline): all {regression}; task ranking with k=[5, 10] (no baseline): all {ranking}")
    files, _ = fsio.find_specs([REPO / "specs"])
    texts, _ = fsio.read_specs(files)
    spec, _ = pipeline.check(texts, fsio.make_reader())
    assert spec is not None
    for m in spec.models:
        per = []
        for mon in MONITORS:
            if m.section(mon.key) is None:
                continue
            rules = [r for g in mon.rule_groups(m, spec) for r in g.rules]
            if rules:
                rec = sum(isinstance(r, RecordingRule) for r in rules)
                per.append(f"{mon.key} {rec}+{len(rules) - rec}")
        print(f"rules of {m.id} (recording+alert) by monitor: " + ", ".join(per))


def main() -> None:
    import argparse

    ap = argparse.ArgumentParser(description="mlmon's speed figures (prints them; asserts nothing)")
    ap.add_argument("--write-docs", type=Path, default=None, help="write this run's figures table into FILE between its markers (docs/benchmarks.md)")
    args = ap.parse_args()
    collected = Path(tempfile.mkdtemp(prefix="mlmon-bench-figures-")) / "figures.jsonl"
    os.environ[figures.ENV] = str(collected)  # the benches started below record into it too
    print(f"mlmon bench on {os.cpu_count()} cores, python {sys.version.split()[0]}")
    from drift_bench import spin

    loop = [spin() for _ in range(200)]
    # the same loop the drift bench times between evaluations: compares hosts and runs
    print(f"host CPU speed: a fixed loop takes {min(loop) * 1000:.2f} ms at best, median {statistics.median(loop) * 1000:.2f} ms")
    host = (
        f"{os.cpu_count()} cores, Python {sys.version.split()[0]}; a fixed Python loop (`spin()` in `bench/drift_bench.py`) "
        f"takes {min(loop) * 1000:.2f} ms at best, median {statistics.median(loop) * 1000:.2f} ms (lower is faster)"
    )
    bench_series()
    sys.stdout.flush()
    subprocess.run([sys.executable, str(REPO / "bench" / "series_bench.py")], cwd=REPO, check=False)  # estimated vs measured series
    bench_lint()
    bench_generate()
    sys.stdout.flush()
    import cpu_bench

    cpu_bench.main(mlmon_exe(), synthetic_spec(1000), RUNS, synthetic_spec(100), 100)
    drift = REPO / "bench" / "drift_bench.py"
    if drift.exists():
        sys.stdout.flush()
        # the figure's peer: the same rules in one group (drift.max_bins_per_group: 0), same server and data
        subprocess.run([sys.executable, str(drift), "--one-group"], cwd=REPO, check=False)
        # the bench scrapes every 15s; at mlmon's default scrape interval the 1h increase() reads
        # half as many samples per bin counter
        print("drift bench again at mlmon's default scrape interval (30s):")
        sys.stdout.flush()
        subprocess.run([sys.executable, str(drift), "--scrape-interval", "30"], cwd=REPO, check=False)
        # the bench server holds only this model, so the evaluation's own garbage is a large part of
        # its heap and Go collects during most evaluations; a server holding more collects less often
        print("drift bench again in a server that also holds 200,000 unrelated series:")
        sys.stdout.flush()
        subprocess.run([sys.executable, str(drift), "--other-series", "200000"], cwd=REPO, check=False)
    found = figures.rows(collected)
    print("\nfigures of this run:\n" + figures.table(found, host))
    if args.write_docs is not None:
        figures.write_docs(args.write_docs, found, host)
        print(f"wrote the figures table into {args.write_docs}")
    shutil.rmtree(collected.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
