"""Drift rule evaluation cost in a real Prometheus (issue 3, item 9).

One model with 50 numeric features x 10 quantile bins (12 bin series each with the two overflow
bins) plus the prediction score. The bench:

1. builds a baseline from synthetic reference data and compiles a spec with a drift section;
2. renders the model's drift rule group and checks it with ``promtool check rules``;
3. backfills 70 minutes of per-bin counters at a 15s resolution (``promtool tsdb
   create-blocks-from openmetrics``), so the 1h ``increase()`` windows hold a steady-state amount
   of data, then serves the live counters from a tiny HTTP endpoint on 127.0.0.1;
4. starts Prometheus on 127.0.0.1 (own temp storage, evaluation interval 2s) and samples
   ``prometheus_rule_group_last_duration_seconds`` of the drift group after each evaluation;
5. prints the evaluation time and the number of series the rules produce for the model.

    .venv/bin/python bench/drift_bench.py [--features 50] [--bins 10] [--evaluations 15] [--no-backfill]

Figures only; no assertions on time (target: < 50 ms per evaluation of the drift group).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "cli"))

from mlmon import baseline as B  # noqa: E402
from mlmon import conventions as C  # noqa: E402
from mlmon import pipeline  # noqa: E402
from mlmon.monitors import drift  # noqa: E402
from mlmon.render import prometheus as prom_render  # noqa: E402

MODEL = "bench-model"
SCRAPE = 5  # seconds, live scrapes
BACKFILL_STEP = 15  # seconds
BACKFILL_MINUTES = 70
EVAL = 2  # seconds
NICE: list[str] = []  # set by --nice: run Prometheus at a higher priority on a busy machine


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_baseline(n_features: int, bins: int) -> B.Baseline:
    rng = random.Random(42)
    n = 2000
    cols = {f"f{i:02d}": [rng.gauss(i, 1 + i % 5) for _ in range(n)] for i in range(n_features)}
    cols["score"] = [rng.betavariate(1, 6) for _ in range(n)]
    b, diags = B.compute_baseline(cols, B.Options(model=MODEL, created_from="bench.csv", prediction="score", bins=bins), "bench.csv")
    if b is None:
        raise SystemExit(f"baseline failed: {diags}")
    return b


SPEC = """\
apiVersion: mlmon/v1
kind: MonitoringSpec
metadata: {name: bench}
routing:
  teams:
    ml: {slack: {channel: "#ml", api_url_file: /etc/am/slack}}
models:
  - id: %s
    team: ml
    serving: {targets: ["127.0.0.1:1"], scrape_interval: 5s}
    drift: {baseline: baseline.yaml, window: 1h}
""" % MODEL


class Counters:
    """Per-bin counters: each feature's bins grow in proportion to the baseline, except every fifth
    feature, whose distribution is shifted (so some scores and alerts are non-trivial)."""

    def __init__(self, b: B.Baseline, rate: float = 20.0):
        self.rows: list[tuple[str, list[tuple[str, float]]]] = []
        for i, f in enumerate(b.features):
            fr = list(f.fractions)
            if i % 5 == 0:
                fr = fr[-1:] + fr[:-1]
            self.rows.append((f.name, [(lab, rate * x) for lab, x in zip(f.bins, fr)]))
        self.pred = [(lab, rate * x) for lab, x in zip(b.prediction.bins, b.prediction.fractions)]

    def lines(self, t: float) -> list[str]:
        """Exposition lines at ``t`` seconds since the counters started."""
        out = []
        for name, bins in self.rows:
            for lab, r in bins:
                out.append(f'{C.FEATURE_BIN_TOTAL}{{model="{MODEL}",feature="{name}",bin="{lab}"}} {r * t:.3f}')
        for lab, r in self.pred:
            out.append(f'{C.PREDICTION_BIN_TOTAL}{{model="{MODEL}",bin="{lab}"}} {r * t:.3f}')
        return out


def backfill(counters: Counters, start: float, end: float, data_dir: Path) -> None:
    om = data_dir.parent / "backfill.om"
    with open(om, "w") as fh:
        ts = start
        feat_lines: list[tuple[str, float, str]] = []
        pred_lines: list[tuple[str, float, str]] = []
        while ts < end:
            for line in counters.lines(ts - start):
                series = line.split(" ")[0]
                (pred_lines if line.startswith(C.PREDICTION_BIN_TOTAL) else feat_lines).append((series, ts, f"{line} {ts:.3f}"))
            ts += BACKFILL_STEP
        # OpenMetrics: a family's samples together, each series in time order (untyped: no TYPE line)
        for lines in (feat_lines, pred_lines):
            lines.sort(key=lambda x: (x[0], x[1]))
            fh.write("\n".join(x[2] for x in lines) + "\n")
        fh.write("# EOF\n")
    res = subprocess.run(["promtool", "tsdb", "create-blocks-from", "openmetrics", str(om), str(data_dir)], capture_output=True, text=True)
    if res.returncode != 0:
        raise SystemExit(f"backfill failed: {res.stderr[-2000:]}")
    om.unlink()


def serve(counters: Counters, t0: float) -> tuple[ThreadingHTTPServer, int]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            body = ("\n".join(counters.lines(time.time() - t0)) + "\n").encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    port = free_port()
    httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, port


def get(url: str, timeout: float = 5.0) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode()


def query(base: str, q: str) -> list:
    data = json.loads(get(f"{base}/api/v1/query?query={urllib.parse.quote(q)}"))
    return data["data"]["result"]


def group_durations(metrics: str, group_sub: str) -> dict[str, float]:
    out = {}
    for line in metrics.splitlines():
        if line.startswith("prometheus_rule_group_last_duration_seconds{") and group_sub in line:
            labels, value = line.rsplit(" ", 1)
            out[labels.split('rule_group="')[1].split('"')[0].rsplit(";", 1)[-1]] = float(value)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--features", type=int, default=50)
    ap.add_argument("--bins", type=int, default=10)
    ap.add_argument("--evaluations", type=int, default=15)
    ap.add_argument("--no-backfill", action="store_true")
    ap.add_argument("--reference-every-evaluation", action="store_true", help="keep the constants group at the bench interval while measuring")
    ap.add_argument("--nice", type=int, default=None, help="run Prometheus under nice -n N (e.g. -10 on a busy machine; needs root)")
    args = ap.parse_args()
    if args.nice is not None:
        NICE[:] = ["nice", "-n", str(args.nice)]
    for tool in ("prometheus", "promtool"):
        if shutil.which(tool) is None:
            print(f"drift bench: skipped ({tool} not installed)")
            return 0

    b = make_baseline(args.features, args.bins)
    texts = {"baseline.yaml": B.dump_baseline(b)}
    spec, diags = pipeline.check({"bench.yaml": SPEC}, lambda _f, ref: (texts.get(ref), None if ref in texts else "missing"))
    if spec is None:
        raise SystemExit(f"spec failed: {diags}")
    model = spec.models[0]
    # the reference group (constants) runs every 2m in production; here at the bench's interval, so
    # scores exist from the first evaluations and its cost is measured too
    groups = [dataclasses.replace(g, interval=None) for g in drift.MONITOR.rule_groups(model, spec)]
    n_rules = sum(len(g.rules) for g in groups)
    n_bins = sum(len(f.bins) for f in b.features)

    tmp = Path(tempfile.mkdtemp(prefix="mlmon-drift-bench-"))
    proc = None
    httpd = None
    try:
        rules_file = tmp / "drift.rules.yml"
        rules_file.write_text(prom_render.rules_file(groups, "drift bench"))
        t = time.perf_counter()
        chk = subprocess.run(["promtool", "check", "rules", str(rules_file)], capture_output=True, text=True)
        t_check = time.perf_counter() - t
        if chk.returncode != 0:
            raise SystemExit(chk.stdout + chk.stderr)

        counters = Counters(b)
        now = time.time()
        t0 = now - BACKFILL_MINUTES * 60  # counters "started" 70 minutes ago
        data = tmp / "data"
        data.mkdir()
        t_backfill = 0.0
        if not args.no_backfill:
            t = time.perf_counter()
            backfill(counters, t0, now - 60, data)
            t_backfill = time.perf_counter() - t
        else:
            t0 = now
        httpd, target_port = serve(counters, t0)
        port = free_port()
        (tmp / "prometheus.yml").write_text(
            f"global: {{scrape_interval: {SCRAPE}s, evaluation_interval: {EVAL}s}}\n"
            f"rule_files: [{rules_file}]\n"
            f"scrape_configs:\n  - job_name: model\n    static_configs: [{{targets: ['127.0.0.1:{target_port}']}}]\n"
        )
        log = open(tmp / "prometheus.log", "wb")
        proc = subprocess.Popen(
            [*NICE, "prometheus", f"--config.file={tmp / 'prometheus.yml'}", f"--storage.tsdb.path={data}",
             f"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=1d", "--web.enable-lifecycle"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if "Ready" in get(base + "/-/ready", 1):
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("prometheus did not start:\n" + (tmp / "prometheus.log").read_text()[-3000:])
            time.sleep(0.1)
        # wait for two scrapes so increase() has live samples, then sample each evaluation
        time.sleep(2 * SCRAPE + 1)
        deadline = time.monotonic() + 60
        while not query(base, f'{C.DRIFT_FEATURES_SCORED}{{model="{MODEL}"}}') and time.monotonic() < deadline:
            time.sleep(EVAL / 2)
        ref_group = next(g for g in groups if g.name.endswith("-reference"))
        ref_times = [v for g, v in group_durations(get(base + "/metrics"), "drift").items() if g.endswith("-reference")]
        if not args.reference_every_evaluation:
            # production setting: the constants group every 2m (its values stay fresh for 5m), so the
            # measurement below is the drift group's own evaluation cost
            prod = [dataclasses.replace(g, interval=drift.format_duration(drift.REFERENCE_INTERVAL)) if g is ref_group else g for g in groups]
            rules_file.write_text(prom_render.rules_file(prod, "drift bench"))
            urllib.request.urlopen(urllib.request.Request(base + "/-/reload", method="POST"), timeout=10).read()
            time.sleep(EVAL)
        samples: dict[str, list[float]] = {}
        seen: dict[str, float] = {}
        end = time.monotonic() + args.evaluations * EVAL * 3
        while len(next((v for g, v in samples.items() if not g.endswith("-reference")), [])) < args.evaluations and time.monotonic() < end:
            for g, v in group_durations(get(base + "/metrics"), "drift").items():
                if seen.get(g) != v:
                    samples.setdefault(g, []).append(v)
                    seen[g] = v
            time.sleep(EVAL / 4)
        # CPU time Prometheus spends per evaluation (robust to other load on the machine): CPU over a
        # period with the drift rules minus CPU over the same period with no rules (scrapes only)
        def cpu() -> float:
            fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

        period = args.evaluations * EVAL
        c0 = cpu()
        time.sleep(period)
        cpu_rules = cpu() - c0
        per_record = query(base, f'count by (__name__) ({{__name__=~"mlmon_drift:.+", model="{MODEL}"}})')
        total_series = sum(int(r["value"][1]) for r in per_record)
        scored = query(base, f'{C.DRIFT_FEATURES_SCORED}{{model="{MODEL}"}}')
        share = query(base, f'{C.DRIFT_DRIFTED_SHARE}{{model="{MODEL}"}}')
        firing = query(base, f'count by (alertname, severity) (ALERTS{{model="{MODEL}"}})')
        rules_api = json.loads(get(base + "/api/v1/rules"))["data"]["groups"]
        rules_file.write_text("groups: []\n")
        urllib.request.urlopen(urllib.request.Request(base + "/-/reload", method="POST"), timeout=10).read()
        time.sleep(EVAL)
        c0 = cpu()
        time.sleep(period)
        cpu_idle = cpu() - c0
        by_kind: dict[str, list[float]] = {}
        for g in rules_api:
            for r in g["rules"]:
                by_kind.setdefault(r["name"], []).append(r.get("evaluationTime", 0.0))
    finally:
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        if httpd is not None:
            httpd.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"drift bench: 1 model, {len(b.features)} features x {args.bins} quantile bins ({n_bins} feature bin series incl. overflow) + prediction")
    print(f"  rules: {n_rules} in {len(groups)} groups ({', '.join(f'{g.name}: {len(g.rules)}' for g in groups)}); promtool check rules: {t_check:.2f}s; backfill: {'off' if args.no_backfill else f'{BACKFILL_MINUTES} min at {BACKFILL_STEP}s in {t_backfill:.1f}s'}")
    if ref_times:
        print(f"  reference (constants) group, one evaluation: {ref_times[0] * 1000:.1f} ms ({len(ref_group.rules)} rules; every 2m in production)")
    for g in sorted(samples):
        ms = [x * 1000 for x in samples[g]]
        what = "constants" if g.endswith("-reference") else "target < 50 ms"
        print(f"  group {g}: prometheus_rule_group_last_duration_seconds over {len(ms)} evaluations: "
              f"median {statistics.median(ms):.1f} ms, min {min(ms):.1f} ms, max {max(ms):.1f} ms ({what})")  # fmt: skip
    if not samples:
        print("  drift groups: no evaluations seen")
    evals = period / EVAL
    print(f"  Prometheus CPU time per drift evaluation{' (both groups)' if args.reference_every_evaluation else ''}: {(cpu_rules - cpu_idle) / evals * 1000:.1f} ms "
          f"(prometheus CPU {cpu_rules:.2f}s with the rules vs {cpu_idle:.2f}s without, over {period}s = {evals:.0f} evaluations)")
    print(f"  load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs{' (prometheus at nice ' + str(args.nice) + ')' if args.nice is not None else ''}")
    print(f"  series produced by the drift rules for the model: {total_series}")
    for r in sorted(per_record, key=lambda r: r["metric"]["__name__"]):
        print(f"    {r['metric']['__name__']:<52} {r['value'][1]}")
    if scored:
        print(f"  features scored: {scored[0]['value'][1]}; drifted share: {float(share[0]['value'][1]) if share else float('nan'):.2f}")
    print("  evaluation time by rule name (last evaluation; sum over rules, count):")
    for name, times in sorted(by_kind.items(), key=lambda kv: -sum(kv[1]))[:8]:
        print(f"    {name:<52} {sum(times) * 1000:7.2f} ms  x{len(times)}")
    for r in firing:
        print(f"  alerts: {r['metric'].get('alertname')} {r['metric'].get('severity')}: {r['value'][1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
