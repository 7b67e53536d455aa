"""Drift rule evaluation cost in a real Prometheus (issue 3, item 9).

One model with 50 numeric features x 10 quantile bins (12 bin series each with the two overflow
bins) plus the prediction score. The bench:

1. builds a baseline from synthetic reference data and compiles a spec with a drift section;
2. renders the model's drift rule group and checks it with ``promtool check rules``;
3. serves the per-bin counters from a tiny HTTP endpoint on 127.0.0.1 and starts Prometheus on
   127.0.0.1 (own temp storage, evaluation interval 2s) with its remote-write receiver on;
4. sends 70 minutes of counter history at a 15s resolution through remote write (with the job and
   instance labels of the live scrapes, so history and live samples form one series each), then
   starts scraping. The 1h ``increase()`` windows then hold a steady-state amount of data in the
   head block, where a server that has been scraping for an hour keeps its last hour (``--history
   block`` backfills a persisted block with ``promtool tsdb create-blocks-from`` instead, which
   reads slower; ``--history none`` starts empty);
5. samples ``prometheus_rule_group_last_duration_seconds`` of every drift group after each
   evaluation: the groups of the feature sets (``drift.max_bins_per_group``, the spec's default
   unless ``--max-bins-per-group`` says otherwise) and the model-level group. It prints each
   group's median, the medians of the evaluations during which Go collected garbage and of those
   without (``go_memstats_last_gc_time_seconds`` against the evaluation's start and duration),
   Prometheus' CPU time per evaluation of all groups, per-rule evaluation times (median over the
   sampled evaluations of each group) and the number of series the rules produce for the model;
6. with ``--one-group``, reloads the same server with the rules in one group (``max_bins_per_group:
   0``) and samples that group too: the peer of the figure, on the same data in the same run.

    .venv/bin/python bench/drift_bench.py [--features 50] [--bins 10] [--evaluations 30] [--scrape-interval 15] [--history head|block|none]
        [--gogc N] [--other-series N] [--max-bins-per-group N] [--one-group]

Figures only; no assertions on time (target: < 50 ms per evaluation of each drift group).
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
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "cli"))
sys.path.insert(0, str(REPO / "bench"))

import figures  # noqa: E402
from mlmon import baseline as B  # noqa: E402
from mlmon import conventions as C  # noqa: E402
from mlmon import pipeline  # noqa: E402
from mlmon.compiler.units import format_duration  # noqa: E402
from mlmon.monitors import drift  # noqa: E402
from mlmon.monitors.drift.rules import REFERENCE_INTERVAL  # noqa: E402
from mlmon.render import prometheus as prom_render  # noqa: E402

MODEL = "bench-model"
JOB = "model"
SCRAPE = 15  # seconds, live scrapes (the resolution of the history too, so the 1h windows hold uniform data); --scrape-interval
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
    serving: {targets: ["127.0.0.1:1"], scrape_interval: %ds}
    drift: {baseline: baseline.yaml, window: 1h%s}
"""


@dataclasses.dataclass
class Sampled:
    """What one sampling of the live drift groups saw."""

    durations: dict[str, list[float]]  # group -> its evaluation time (s) in each sampled evaluation
    during_gc: dict[str, list[bool]]  # group -> did Go collect garbage while each of those ran
    by_rule: dict[str, list[float]]  # rule name -> its time in each sampled group evaluation (rules of one name in a group summed)
    host: list[float]  # the fixed CPU loop's time after each poll


def sample_groups(base: str, live: list[str], evaluations: int) -> Sampled:
    """Poll once per evaluation until every group in ``live`` has ``evaluations`` new ones (or three
    times as long has passed). Polls come half an interval after the last group's evaluation: the
    bench's own API calls then run beside as few evaluations as the groups' offsets allow."""
    out = Sampled({}, {}, {}, [])
    seen: dict[str, str] = {}
    gc_prev = gc_stats(get(base + "/metrics"))
    end = time.monotonic() + evaluations * EVAL * 3
    while min(len(out.durations.get(g, [])) for g in live) < evaluations and time.monotonic() < end:
        api = json.loads(get(base + "/api/v1/rules"))["data"]["groups"]
        metrics = get(base + "/metrics")
        durations = group_durations(metrics, "drift")
        gc_now = gc_stats(metrics)
        for grp in api:
            g = grp["name"]
            if g not in live or g not in durations or seen.get(g) == grp["lastEvaluation"]:
                continue
            seen[g] = grp["lastEvaluation"]
            out.durations.setdefault(g, []).append(durations[g])
            out.during_gc.setdefault(g, []).append(overlaps_gc(grp["lastEvaluation"], gc_now[0] - gc_prev[0], gc_now[2]))
            per_rule: dict[str, float] = {}
            for r in grp["rules"]:
                per_rule[r["name"]] = per_rule.get(r["name"], 0.0) + r.get("evaluationTime", 0.0)
            for name, v in per_rule.items():
                out.by_rule.setdefault(name, []).append(v)
        gc_prev = gc_now
        out.host.append(spin())
        # the latest by time (RFC 3339 strings with a varying number of decimals do not sort as text)
        last = max((grp["lastEvaluation"] for grp in api if grp["name"] in live), key=evaluation_time, default="")
        time.sleep(until_mid_interval(last))
    return out


def reload(base: str) -> None:
    urllib.request.urlopen(urllib.request.Request(base + "/-/reload", method="POST"), timeout=10).read()


def compile_model(b: B.Baseline, max_bins: int | None):
    texts = {"baseline.yaml": B.dump_baseline(b)}
    extra = "" if max_bins is None else f", max_bins_per_group: {max_bins}"
    spec, diags = pipeline.check({"bench.yaml": SPEC % (MODEL, SCRAPE, extra)}, lambda _f, ref: (texts.get(ref), None if ref in texts else "missing"))
    if spec is None:
        raise SystemExit(f"spec failed: {diags}")
    return spec, spec.models[0]


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

    def lines(self, t: float, target: str = "") -> list[str]:
        """Exposition lines at ``t`` seconds since the counters started. ``target`` adds the labels
        Prometheus attaches when it scrapes the endpoint (for backfilled history: the same series)."""
        out = []
        extra = f',instance="{target}",job="{JOB}"' if target else ""
        for name, bins in self.rows:
            for lab, r in bins:
                out.append(f'{C.FEATURE_BIN_TOTAL}{{model="{MODEL}",feature="{name}",bin="{lab}"{extra}}} {r * t:.3f}')
        for lab, r in self.pred:
            out.append(f'{C.PREDICTION_BIN_TOTAL}{{model="{MODEL}",bin="{lab}"{extra}}} {r * t:.3f}')
        return out


def backfill(counters: Counters, start: float, end: float, data_dir: Path, target: str) -> None:
    om = data_dir.parent / "backfill.om"
    with open(om, "w") as fh:
        ts = start
        feat_lines: list[tuple[str, float, str]] = []
        pred_lines: list[tuple[str, float, str]] = []
        while ts < end:
            for line in counters.lines(ts - start, target):
                series = line.split(" ")[0]
                (pred_lines if line.startswith(C.PREDICTION_BIN_TOTAL) else feat_lines).append((series, ts, f"{line} {ts:.3f}"))
            ts += SCRAPE
        # OpenMetrics: a family's samples together, each series in time order (untyped: no TYPE line)
        for lines in (feat_lines, pred_lines):
            lines.sort(key=lambda x: (x[0], x[1]))
            fh.write("\n".join(x[2] for x in lines) + "\n")
        fh.write("# EOF\n")
    res = subprocess.run(["promtool", "tsdb", "create-blocks-from", "openmetrics", str(om), str(data_dir)], capture_output=True, text=True)
    if res.returncode != 0:
        raise SystemExit(f"backfill failed: {res.stderr[-2000:]}")
    om.unlink()


# --- history through the remote-write receiver (samples land in the TSDB head, as in a live server) ---
def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _field(num: int, payload: bytes) -> bytes:
    """A length-delimited protobuf field."""
    return _varint(num << 3 | 2) + _varint(len(payload)) + payload


def _write_request(series: list[tuple[list[tuple[str, str]], list[tuple[int, float]]]]) -> bytes:
    """prometheus.WriteRequest: repeated TimeSeries{repeated Label{name, value}, repeated Sample{value, timestamp}}."""
    out = bytearray()
    for labels, samples in series:
        ts = bytearray()
        for name, value in sorted(labels):
            ts += _field(1, _field(1, name.encode()) + _field(2, value.encode()))
        for t_ms, v in samples:
            ts += _field(2, b"\x09" + struct.pack("<d", v) + b"\x10" + _varint(t_ms))
        out += _field(1, bytes(ts))
    return bytes(out)


def _snappy_literal(data: bytes) -> bytes:
    """Snappy block format made only of literals: valid input for any snappy decoder."""
    out = bytearray(_varint(len(data)))
    for i in range(0, len(data), 65536):
        chunk = data[i : i + 65536]
        out += bytes([61 << 2]) + struct.pack("<H", len(chunk) - 1) + chunk
    return bytes(out)


def remote_write(base: str, series: list[tuple[list[tuple[str, str]], list[tuple[int, float]]]]) -> None:
    """One request to Prometheus' remote-write receiver."""
    body = _snappy_literal(_write_request(series))
    req = urllib.request.Request(
        base + "/api/v1/write",
        data=body,
        method="POST",
        headers={"Content-Encoding": "snappy", "Content-Type": "application/x-protobuf", "X-Prometheus-Remote-Write-Version": "0.1.0"},
    )
    with urllib.request.urlopen(req, timeout=60) as r:
        if r.status // 100 != 2:
            raise SystemExit(f"remote write failed: HTTP {r.status}")


def push_history(counters: Counters, start: float, end: float, base: str, target: str) -> int:
    """Send the counters' history from ``start`` to ``end`` (every SCRAPE seconds) through
    Prometheus' remote-write receiver, oldest first, in 10-minute slices: the samples go to the head
    block, where a Prometheus that has scraped for an hour holds its last hour. Returns samples sent."""
    sent = 0
    t = start
    while t < end:
        stop = min(end, t + 600)
        per_series: dict[str, tuple[list[tuple[str, str]], list[tuple[int, float]]]] = {}
        ts = t
        while ts < stop:
            for line in counters.lines(ts - start, target):
                series, value = line.rsplit(" ", 1)
                if series not in per_series:
                    name, rest = series.split("{", 1)
                    labels = [("__name__", name)] + [tuple(kv.split("=", 1)) for kv in rest.rstrip("}").split(",")]
                    per_series[series] = ([(k, v.strip('"')) for k, v in labels], [])
                per_series[series][1].append((int(ts * 1000), float(value)))
            ts += SCRAPE
        remote_write(base, list(per_series.values()))
        sent += sum(len(v[1]) for v in per_series.values())
        t = stop
    return sent


def push_other_series(n: int, at: float, base: str) -> None:
    """``n`` series unrelated to the model (one sample each, at ``at``), so the server's heap is the
    size of a small production server's rather than a few tens of MB (Go collects garbage once the
    heap has grown by GOGC% since the last collection, so a tiny heap collects every evaluation)."""
    batch = 10000
    for lo in range(0, n, batch):
        series = [
            ([("__name__", "bench_other_series"), ("job", "other"), ("shard", str(i % 100)), ("series", str(i))], [(int(at * 1000), float(i))])
            for i in range(lo, min(n, lo + batch))
        ]
        remote_write(base, series)


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


def gc_stats(metrics: str) -> tuple[float, float, float]:
    """(GC cycles so far, heap in use in bytes, when the last cycle finished, Unix seconds) from
    Prometheus' own metrics."""
    cycles, heap, last = 0.0, 0.0, 0.0
    for line in metrics.splitlines():
        if line.startswith("go_gc_duration_seconds_count "):
            cycles = float(line.split()[1])
        elif line.startswith("go_memstats_heap_inuse_bytes "):
            heap = float(line.split()[1])
        elif line.startswith("go_memstats_last_gc_time_seconds "):
            last = float(line.split()[1])
    return cycles, heap, last


def spin() -> float:
    """Seconds a fixed piece of CPU work takes in this process (a few ms): run between evaluations,
    while Prometheus is idle, it shows how fast the host's CPU is at that moment (on a shared
    virtual machine that varies by tens of percent over minutes)."""
    t = time.perf_counter()
    x = 0
    for i in range(30000):
        x += i * i
    return time.perf_counter() - t


def overlaps_gc(started: str, cycles_since_last_poll: float, last_gc: float) -> bool:
    """Whether Go may have collected garbage while an evaluation ran (the bench polls once per
    evaluation, after it): a cycle finished since the evaluation started, or more than one cycle
    ran since the previous poll (only the last cycle's end is known). A cycle that ended between
    the evaluation and the poll counts too, so the evaluations left over surely ran without one."""
    if cycles_since_last_poll >= 2:
        return True
    if cycles_since_last_poll < 1:
        return False
    try:
        return last_gc >= datetime.fromisoformat(started).timestamp()
    except ValueError:
        return True


def evaluation_time(started: str) -> float:
    """Unix seconds of an evaluation's start as the rules API gives it (0 when unreadable)."""
    try:
        return datetime.fromisoformat(started).timestamp()
    except ValueError:
        return 0.0


def until_mid_interval(last_evaluation: str) -> float:
    """Seconds from now to half an interval after the evaluation that follows ``last_evaluation``
    (RFC 3339 with up to nanoseconds, as the rules API gives it)."""
    try:
        started = datetime.fromisoformat(last_evaluation).timestamp()
    except ValueError:
        return EVAL / 4
    wait = started + 1.5 * EVAL - time.time()
    while wait <= 0:
        wait += EVAL
    return min(wait, 2 * EVAL)


def group_durations(metrics: str, group_sub: str) -> dict[str, float]:
    out = {}
    for line in metrics.splitlines():
        if line.startswith("prometheus_rule_group_last_duration_seconds{") and group_sub in line:
            labels, value = line.rsplit(" ", 1)
            out[labels.split('rule_group="')[1].split('"')[0].rsplit(";", 1)[-1]] = float(value)
    return out


def main() -> int:
    global SCRAPE
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--features", type=int, default=50)
    ap.add_argument("--bins", type=int, default=10)
    ap.add_argument("--evaluations", type=int, default=30)
    ap.add_argument(
        "--scrape-interval",
        type=int,
        default=SCRAPE,
        help="seconds between scrapes and between history samples (default 15; mlmon's default is 30): the 1h increase() reads 3600/N samples per bin counter",
    )
    ap.add_argument(
        "--history",
        choices=("head", "block", "none"),
        default="head",
        help="70 minutes of counter history: through remote write into the head block (as in a server that has been "
        "scraping; default), backfilled into a persisted block, or none",
    )
    ap.add_argument("--reference-every-evaluation", action="store_true", help="keep the reference group at the bench interval while measuring")
    ap.add_argument(
        "--gogc",
        type=int,
        default=None,
        help="run Prometheus with GOGC=N (default: Go's 100). This server's heap is tens of MB, so Go collects garbage about once per evaluation",
    )
    ap.add_argument(
        "--other-series",
        type=int,
        default=0,
        help="also load N unrelated series (one sample each), so the heap and Go's GC pacing are those of a "
        "server that holds more than this one model (e.g. 200000)",
    )
    ap.add_argument("--nice", type=int, default=None, help="run Prometheus under nice -n N (e.g. -10 on a busy machine; needs root)")
    ap.add_argument("--max-bins-per-group", type=int, default=None, help="the drift section's max_bins_per_group (default: the spec's default)")
    ap.add_argument("--one-group", action="store_true", help="then measure the same rules in one group (max_bins_per_group: 0) in the same server")
    args = ap.parse_args()
    SCRAPE = args.scrape_interval
    if args.nice is not None:
        NICE[:] = ["nice", "-n", str(args.nice)]
    for tool in ("prometheus", "promtool"):
        if shutil.which(tool) is None:
            print(f"drift bench: skipped ({tool} not installed)")
            return 0

    b = make_baseline(args.features, args.bins)
    spec, model = compile_model(b, args.max_bins_per_group)
    # the reference group (constants, absent-bin floors) runs every 2m in production; here at the bench's interval, so
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
        t_history = 0.0
        if args.history == "none":
            t0 = now
        httpd, target_port = serve(counters, t0)
        target = f"127.0.0.1:{target_port}"
        # the history carries the job and instance labels of the live scrapes, so history and live
        # samples are one series each, as in a Prometheus that has scraped for 70 minutes
        if args.history == "block":
            t = time.perf_counter()
            backfill(counters, t0, now - 60, data, target)
            t_history = time.perf_counter() - t
        port = free_port()
        config = f"global: {{scrape_interval: {SCRAPE}s, evaluation_interval: {EVAL}s}}\n"
        rest = f"rule_files: [{rules_file}]\nscrape_configs:\n  - job_name: {JOB}\n    static_configs: [{{targets: ['{target}']}}]\n"
        # with history through remote write, scrapes and rules start once the history is in: nothing
        # newer may reach the head first (older samples would then be out of bounds)
        (tmp / "prometheus.yml").write_text(config + ("" if args.history == "head" else rest))
        log = open(tmp / "prometheus.log", "wb")
        env = dict(os.environ)
        if args.gogc is not None:
            env["GOGC"] = str(args.gogc)
        else:
            env.pop("GOGC", None)
        proc = subprocess.Popen(
            [
                *NICE,
                "prometheus",
                f"--config.file={tmp / 'prometheus.yml'}",
                f"--storage.tsdb.path={data}",
                f"--web.listen-address=127.0.0.1:{port}",
                "--storage.tsdb.retention.time=1d",
                "--web.enable-lifecycle",
                "--web.enable-remote-write-receiver",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env=env,
        )
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
        if args.history == "head":
            t = time.perf_counter()
            push_history(counters, t0, now - 60, base, target)
            t_history = time.perf_counter() - t
        if args.other_series:  # after the history (older samples may not follow newer ones into the head)
            push_other_series(args.other_series, now - 60, base)
        if args.history == "head":
            (tmp / "prometheus.yml").write_text(config + rest)
            reload(base)
        raw = query(base, f'count({C.FEATURE_BIN_TOTAL}{{model="{MODEL}"}})')
        expected = sum(len(f.bins) for f in b.features)
        if args.history != "none" and (not raw or int(raw[0]["value"][1]) != expected):
            raise SystemExit(f"expected {expected} feature bin series after loading the history, found {raw}")
        # wait for two scrapes so increase() has live samples, then sample each evaluation
        time.sleep(2 * SCRAPE + 1)
        deadline = time.monotonic() + 60
        while not query(base, f'{C.DRIFT_FEATURES_SCORED}{{model="{MODEL}"}}') and time.monotonic() < deadline:
            time.sleep(EVAL / 2)
        ref_group = next(g for g in groups if g.name.endswith("-reference"))
        ref_times = [v for g, v in group_durations(get(base + "/metrics"), "drift").items() if g.endswith("-reference")]
        if not args.reference_every_evaluation:
            # production setting: the reference group every 2m (its values stay fresh for 5m), so the
            # measurement below is the drift group's own evaluation cost
            prod = [dataclasses.replace(g, interval=format_duration(REFERENCE_INTERVAL)) if g is ref_group else g for g in groups]
            rules_file.write_text(prom_render.rules_file(prod, "drift bench"))
            reload(base)
            time.sleep(EVAL)
        live = [g.name for g in groups if g is not ref_group]
        gc0 = gc_stats(get(base + "/metrics"))
        seen = sample_groups(base, live, args.evaluations)
        gc1 = gc_stats(get(base + "/metrics"))

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
        one: Sampled | None = None
        if args.one_group:
            # the peer: the same rules in one group, on the same data in the same server
            spec1, model1 = compile_model(b, 0)
            whole = [
                dataclasses.replace(g, interval=format_duration(REFERENCE_INTERVAL) if g.name.endswith("-reference") else None)
                for g in drift.MONITOR.rule_groups(model1, spec1)
            ]
            rules_file.write_text(prom_render.rules_file(whole, "drift bench, one group"))
            reload(base)
            time.sleep(2 * EVAL)
            one = sample_groups(base, [whole[-1].name], args.evaluations)
        rules_file.write_text("groups: []\n")
        reload(base)
        time.sleep(EVAL)
        c0 = cpu()
        time.sleep(period)
        cpu_idle = cpu() - c0
        n_of = {}
        for g in rules_api:
            if not g["name"].endswith("-reference"):
                for r in g["rules"]:
                    n_of[r["name"]] = n_of.get(r["name"], 0) + 1
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
    print(
        f"  rules: {n_rules} in {len(groups)} groups ({', '.join(f'{g.name}: {len(g.rules)}' for g in groups)}); promtool check rules: {t_check:.2f}s; history: {'none' if args.history == 'none' else f'{BACKFILL_MINUTES} min at {SCRAPE}s into the {args.history} block in {t_history:.1f}s'}"
    )
    if ref_times:
        print(
            f"  reference group (constants, absent-bin floors), one evaluation: {ref_times[0] * 1000:.1f} ms ({len(ref_group.rules)} rules; every 2m in production)"
        )
    if not all(seen.durations.get(g) for g in live):
        print("  drift groups: no evaluations seen")
        return 1

    def med(xs: list[float]) -> str:
        ms = [x * 1000 for x in xs]
        return f"median {statistics.median(ms):.1f} ms, min {min(ms):.1f} ms, max {max(ms):.1f} ms" if ms else "none"

    for g in live:
        xs = seen.durations[g]
        gc = seen.during_gc[g]
        print(f"  group {g}: prometheus_rule_group_last_duration_seconds over {len(xs)} evaluations: {med(xs)} (target < 50 ms)")
        print(
            f"    during which Go collected garbage: {sum(gc)} ({med([x for x, c in zip(xs, gc) if c])}); "
            f"without: {len(gc) - sum(gc)} ({med([x for x, c in zip(xs, gc) if not c])})"
        )
    medians = {g: statistics.median(seen.durations[g]) * 1000 for g in live}
    slowest = max(live, key=lambda g: medians[g])
    xs = [x * 1000 for x in seen.durations[slowest]]
    peer = ""
    if one is not None and one.durations:
        ((g1, ys),) = one.durations.items()
        m1 = statistics.median(ys) * 1000
        print(
            f"  the same rules in one group ({g1}), same server, {len(ys)} evaluations: {med(ys)}; the slowest split group takes {medians[slowest] / m1:.2f}x of it"
        )
        peer = f"; the same rules in one group: {m1:.1f} ms (ratio {medians[slowest] / m1:.2f})"
    extra = f", {args.other_series:,} unrelated series in the server" if args.other_series else ""
    busy = f"; the host's loop at {statistics.median(seen.host) / min(seen.host):.2f}x its fastest meanwhile" if seen.host else ""
    figures.record(
        f"drift groups' evaluation, {args.features} features x {args.bins} bins, {SCRAPE}s scrapes{extra}",
        f"slowest of {len(live)} groups median {medians[slowest]:.1f} ms of {len(xs)} evaluations (min {min(xs):.1f}, max {max(xs):.1f}); "
        f"all groups' medians {sum(medians.values()):.1f} ms{peer}{busy}",
        "< 50 ms per group",
    )
    print(
        f"  Go GC in Prometheus while sampling: {gc1[0] - gc0[0]:.0f} cycles over {max(len(v) for v in seen.durations.values())} evaluations, heap in use {gc1[1] / 1e6:.0f} MB"
        f" (GOGC={args.gogc if args.gogc is not None else 'default 100'})"
    )
    evals = period / EVAL
    if seen.host:
        host = seen.host
        print(
            f"  host CPU speed while sampling: a fixed loop took median {statistics.median(host) * 1000:.2f} ms, fastest "
            f"{min(host) * 1000:.2f} ms (ratio {statistics.median(host) / min(host):.2f}; near 1.00 on an undisturbed host)"
        )
    print(
        f"  Prometheus CPU time per evaluation of the drift groups{' (and the reference group)' if args.reference_every_evaluation else ''}: {(cpu_rules - cpu_idle) / evals * 1000:.1f} ms "
        f"(prometheus CPU {cpu_rules:.2f}s with the rules vs {cpu_idle:.2f}s without, over {period}s = {evals:.0f} evaluations)"
    )
    print(
        f"  load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs{' (prometheus at nice ' + str(args.nice) + ')' if args.nice is not None else ''}"
    )
    print(f"  series produced by the drift rules for the model: {total_series}")
    for r in sorted(per_record, key=lambda r: r["metric"]["__name__"]):
        print(f"    {r['metric']['__name__']:<52} {r['value'][1]}")
    if scored:
        print(f"  features scored: {scored[0]['value'][1]}; drifted share: {float(share[0]['value'][1]) if share else float('nan'):.2f}")
    print("  evaluation time by rule name (median over the sampled evaluations of the groups that hold it; rules of one name in a group summed):")
    for name, times in sorted(seen.by_rule.items(), key=lambda kv: -statistics.median(kv[1]))[:8]:
        print(f"    {name:<52} {statistics.median(times) * 1000:7.2f} ms  ({n_of.get(name, 0)} in all)")
    for r in firing:
        print(f"  alerts: {r['metric'].get('alertname')} {r['metric'].get('severity')}: {r['value'][1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
