"""CPU and memory figures of the commands users wait for, each beside its peer in the same run.

Every figure is measured per child process with ``os.wait4`` (user + system CPU seconds, peak RSS),
so a busy host changes wall times far more than these. Runs of two commands being compared are
interleaved (a, b, a, b, ...), so a slow spell of the host hits both.

1. ``mlmon lint specs/`` against ``promtool check rules`` on the same specs' rule files: CPU median
   of each and the ratio (target <= 1.1x).
2. ``promtool test rules`` on every generated rule test file of ``specs/``: CPU per model (the sum of
   its files), the median model and the worst file (targets <= 3 CPU-s per model, <= 10 s per file).
   ``mlmon validate`` of 100 synthetic models: wall time (target <= 5 minutes on 2 cores).
3. ``mlmon generate`` of 1000 synthetic models: wall time with ``--jobs`` (one per core) and peak RSS
   (targets <= 5 s, <= 150 MB).
4. Peak RSS of ``mlmon generate`` for one model whose SLO period is 30d, 1y and 10y (target: flat).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

import figures  # noqa: E402
import rule_cost  # noqa: E402


def measure(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """(wall s, CPU s, peak RSS MB) of one run of ``cmd`` (its own process)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def lint_vs_promtool(mlmon: list[str], runs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="mlmon-bench-") as tmp:
        subprocess.run([*mlmon, "generate", "specs", "-o", f"{tmp}/out"], cwd=REPO, check=True, capture_output=True)
        rules = sorted(str(p) for p in Path(tmp, "out", "prometheus", "rules").glob("*.rules.yml"))
        lint, prom = [], []
        for _ in range(runs):
            lint.append(measure([*mlmon, "lint", "specs"], REPO)[1])
            prom.append(measure(["promtool", "check", "rules", *rules], REPO)[1])
    ml, pm = statistics.median(lint), statistics.median(prom)
    print(f"lint specs/ CPU median {ml * 1000:.0f} ms; promtool check rules ({len(rules)} files) {pm * 1000:.0f} ms; ratio {ml / pm:.2f}x   [target <= 1.1x]")
    figures.record(
        f"`mlmon lint specs/` CPU beside `promtool check rules` on the same specs' {len(rules)} rule files (median of {runs})",
        f"{ml * 1000:.0f} ms against {pm * 1000:.0f} ms: {ml / pm:.2f}x",
        "<= 1.1x",
    )


def rule_tests() -> None:
    with tempfile.TemporaryDirectory(prefix="mlmon-bench-") as tmp:
        out = Path(tmp, "out")
        subprocess.run([sys.executable, "-m", "mlmon", "generate", "specs", "-o", str(out)], cwd=REPO, check=True, capture_output=True)
        per_model: dict[str, float] = defaultdict(float)
        worst = ("", 0.0)
        # the Go runtime settings `mlmon validate` gives each promtool of its pool (one per core)
        from mlmon.tools import go_runtime_env

        env = {**os.environ, **go_runtime_env(os.cpu_count() or 1)}
        ratios = []  # rule_cost's estimate / the measurement, per file
        for f in sorted((out / "prometheus" / "tests").glob("*.test.yml")):
            _, cpu, _ = measure(["promtool", "test", "rules", str(f.relative_to(out))], out, env)
            per_model[f.name.split(".")[0]] += cpu
            worst = max(worst, (f.name, cpu), key=lambda t: t[1])
            ratios.append(rule_cost.estimate(f).estimate_s / max(cpu, 0.01))
    per = sorted(per_model.values())
    print(
        f"promtool test rules, {len(per_model)} models of specs/: CPU per model median {statistics.median(per):.1f} s "
        f"(min {per[0]:.1f}, max {per[-1]:.1f}, total {sum(per):.0f} s); worst file {worst[0]} {worst[1]:.1f} s   "
        "[targets <= 3 s per model, <= 10 s per file]"
    )
    figures.record(
        f"`promtool test rules` on the generated tests of `specs/` ({len(per_model)} models), CPU per model",
        f"median {statistics.median(per):.1f} s ({per[0]:.1f} to {per[-1]:.1f} s), {sum(per):.0f} s in all",
        "<= 3 s",
    )
    figures.record("the same, worst file", f"{worst[1]:.1f} s ({worst[0]})", "<= 10 s")
    ratios.sort()
    print(f"  rule_cost's estimate / measured CPU per file: median {statistics.median(ratios):.2f} ({ratios[0]:.2f} to {ratios[-1]:.2f})")


def validate_fleet(mlmon: list[str], spec_text: str, models: int) -> None:
    """``mlmon validate`` (every check, rule tests on a pool of one per core, no cache) of a fleet
    generated from ``spec_text``: the wall time CI waits for."""
    with tempfile.TemporaryDirectory(prefix="mlmon-bench-") as tmp:
        spec = Path(tmp, "fleet.yaml")
        spec.write_text(spec_text)
        subprocess.run([*mlmon, "generate", str(spec), "-o", f"{tmp}/out"], cwd=REPO, check=True, capture_output=True)
        wall, cpu, _ = measure([*mlmon, "validate", f"{tmp}/out", "--no-cache"], REPO)
    print(
        f"validate {models} models (--jobs {os.cpu_count()}, no cache): {wall:.0f} s wall, {cpu:.0f} CPU-s of mlmon and its tools   [target <= 300 s on 2 cores]"
    )
    figures.record(
        f"`mlmon validate` of {models} synthetic models (every check, --jobs {os.cpu_count()}, no cache)",
        f"{wall:.0f} s wall, {cpu:.0f} CPU-s",
        f"<= 300 s on {os.cpu_count()} cores",
    )


def file_create_ms(folder: str, n: int = 2000) -> float:
    """Milliseconds to create and write one 3 kB file in ``folder`` (median of three rounds of
    ``n``): what the host's file system adds to a generate of many files."""
    rounds = []
    for _ in range(3):
        with tempfile.TemporaryDirectory(dir=folder) as d:
            t0 = time.perf_counter()
            for i in range(n):
                with open(f"{d}/f{i}.yml", "w", encoding="utf-8") as fh:
                    fh.write("x" * 3000)
            rounds.append((time.perf_counter() - t0) / n * 1000)
    return statistics.median(rounds)


def generate_fleet(mlmon: list[str], spec_text: str) -> None:
    """generate of the 1000-model fleet into the temp folder's file system and, where the host has
    one, into a RAM-backed one (/dev/shm), beside what creating one file costs on each: the
    difference is the host's disk, not mlmon."""
    places = [("disk", tempfile.gettempdir())] + ([("tmpfs", "/dev/shm")] if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else [])
    for where, base in places:
        with tempfile.TemporaryDirectory(prefix="mlmon-bench-", dir=base) as tmp:
            spec = Path(tmp, "fleet.yaml")
            spec.write_text(spec_text)
            os.sync()  # the files of earlier benches are on disk before the clock starts
            runs = [measure([*mlmon, "generate", str(spec), "-o", f"{tmp}/out-{i}"], REPO) for i in range(3)]
            files = sum(1 for p in Path(tmp, "out-0").rglob("*") if p.is_file())
        per_file = file_create_ms(base)
        walls = sorted(r[0] for r in runs)
        cpu, rss = statistics.median(r[1] for r in runs), max(r[2] for r in runs)
        print(
            f"generate 1000 models (--jobs {os.cpu_count()}) on {where} ({base}), 3 runs: median {walls[1]:.1f} s wall (min {walls[0]:.1f}, max {walls[2]:.1f}), "
            f"{cpu:.1f} CPU-s, peak RSS {rss:.0f} MB; {files} files, creating one there takes {per_file:.2f} ms   [targets <= 5 s, <= 150 MB]"
        )
        figures.record(
            f"`mlmon generate` of 1000 synthetic models with --jobs {os.cpu_count()} (median of 3), output on {where}",
            f"{walls[1]:.1f} s wall ({walls[0]:.1f} to {walls[2]:.1f}), {cpu:.1f} CPU-s, peak RSS {rss:.0f} MB; {files} files at {per_file:.2f} ms each to create there",
            "<= 5 s, <= 150 MB",
        )


PERIOD_SPEC = """\
apiVersion: mlmon/v1
kind: MonitoringSpec
metadata: {{name: period}}
routing:
  teams:
    t: {{slack: {{channel: '#t', api_url_file: /run/secrets/slack}}}}
models:
  - id: m
    team: t
    serving: {{preset: mlmon, targets: ['m.svc:8080']}}
    slos:
      - name: availability
        objective: 99.9
        period: {period}
        sli: {{kind: availability}}
"""


def period_memory(mlmon: list[str]) -> None:
    found = []
    with tempfile.TemporaryDirectory(prefix="mlmon-bench-") as tmp:
        for period in ("30d", "365d", "3650d"):
            spec = Path(tmp, f"p{period}.yaml")
            spec.write_text(PERIOD_SPEC.format(period=period))
            _, _, rss = measure([*mlmon, "generate", str(spec), "-o", f"{tmp}/out-{period}"], REPO)
            found.append(f"{period} {rss:.0f} MB")
    print(f"generate peak RSS by SLO period: {', '.join(found)}   [target: flat]")
    figures.record("peak RSS of `mlmon generate` for one model, by SLO period", ", ".join(found), "flat")


def main(mlmon: list[str], fleet_spec: str, runs: int, validate_spec: str | None = None, validate_models: int = 0) -> None:
    lint_vs_promtool(mlmon, runs)
    rule_tests()
    if validate_spec is not None:
        validate_fleet(mlmon, validate_spec, validate_models)
    generate_fleet(mlmon, fleet_spec)
    period_memory(mlmon)
