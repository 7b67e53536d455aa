"""Estimated against measured series: a bench fleet of models instrumented with `mlmon.instrument`
(drift bins from the example fraud-detector baseline, live traffic), scraped and evaluated by a
real Prometheus on 127.0.0.1 with the rules mlmon generates; `mlmon series`' estimate beside what
Prometheus holds: recorded series (`count({__name__=~"mlmon...:..."})`), scraped series and
`prometheus_tsdb_head_series`. Prints figures; asserts nothing. Run by `make bench`."""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
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

from mlmon.instrument import ModelMonitor  # noqa: E402

BASELINE = REPO / "specs" / "baselines" / "fraud-detector.yaml"


def spec(models: list[str], port: int) -> str:
    lines = [
        "apiVersion: mlmon/v1",
        "kind: MonitoringSpec",
        "metadata: {name: series-bench}",
        "defaults: {evaluation_interval: 5s, scrape_interval: 5s}",
        "routing: {teams: {ml: {slack: {channel: '#ml', api_url_file: /run/secrets/slack}}}}",
        "models:",
    ]
    for m in models:
        lines.append(
            f"  - {{id: {m}, team: ml, serving: {{targets: ['127.0.0.1:{port}'], metrics_path: /m/{m}}}, drift: {{baseline: baseline.yaml, window: 1m}}}}"
        )
    return "\n".join(lines) + "\n"


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.read().decode()


def query(base: str, q: str) -> float:
    data = json.loads(get(f"{base}/api/v1/query?query={urllib.parse.quote(q)}"))["data"]["result"]
    return float(data[0]["value"][1]) if data else 0.0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=75.0, help="how long Prometheus scrapes and evaluates before the count")
    a = ap.parse_args()
    prometheus = shutil.which("prometheus")
    if prometheus is None:
        print("series bench: skipped (no prometheus on PATH)")
        return 0
    ids = [f"bench-{i}" for i in range(a.models)]
    monitors = {m: ModelMonitor(m, version="v1", baseline=str(BASELINE)) for m in ids}
    stop = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            mon = monitors.get(self.path.rsplit("/", 1)[-1])
            body = mon.exposition() if mon is not None else b""
            self.send_response(200 if mon is not None else 404)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    def traffic() -> None:
        rnd = random.Random(1)
        features = monitors[ids[0]].features
        while not stop.is_set():
            for mon in monitors.values():
                x = {f: rnd.gauss(0, 50) for f in features}
                mon.record(x, score=rnd.random(), latency=rnd.random() / 10)
            time.sleep(0.02)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = httpd.server_address[1]
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    threading.Thread(target=traffic, daemon=True).start()
    tmp = Path(tempfile.mkdtemp(prefix="mlmon-series-bench-"))
    proc = None
    try:
        shutil.copy(BASELINE, tmp / "baseline.yaml")
        (tmp / "spec.yaml").write_text(spec(ids, port))
        mlmon = [sys.executable, "-m", "mlmon"]
        r = subprocess.run(mlmon + ["generate", "spec.yaml", "-o", "out"], cwd=tmp, capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit(r.stdout + r.stderr)
        est = json.loads(subprocess.run(mlmon + ["series", "spec.yaml", "--format", "json"], cwd=tmp, capture_output=True, text=True).stdout)
        with socket_port() as prom_port:
            pass
        proc = subprocess.Popen(
            [prometheus, "--config.file=out/prometheus/prometheus.yml", f"--storage.tsdb.path={tmp / 'data'}", f"--web.listen-address=127.0.0.1:{prom_port}"],
            cwd=tmp,
            stdout=subprocess.DEVNULL,
            stderr=open(tmp / "prometheus.log", "w"),  # noqa: SIM115
        )
        base = f"http://127.0.0.1:{prom_port}"
        for _ in range(100):
            try:
                get(base + "/-/ready")
                break
            except OSError:
                time.sleep(0.1)
        time.sleep(a.seconds)
        recorded = query(base, 'count({__name__=~"mlmon[a-z0-9_]*:.+"})')
        scraped = query(base, 'count({job=~"mlmon-.+"})')
        head = float(re.search(r"^prometheus_tsdb_head_series (\S+)$", get(base + "/metrics"), re.M).group(1))
        e_rec = sum(sum(m["recorded"].values()) for m in est["models"])
        e_scr = sum(m["scraped"] for m in est["models"])
        print(f"series bench: {a.models} models (fraud-detector baseline, live traffic), after {a.seconds:.0f}s of 5s scrapes and evaluations")
        print(f"  recorded series: estimated {e_rec}, measured {recorded:.0f} (ratio {recorded / e_rec if e_rec else 0:.2f})")
        print(f"  scraped series:  estimated {e_scr} (drift bins + 5 per target only), measured {scraped:.0f}: the rest is the contract's other families")
        print(f"  head series: estimated {est['total']}, prometheus_tsdb_head_series {head:.0f} (includes ALERTS and the series of the other families)")
    finally:
        stop.set()
        httpd.shutdown()
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


class socket_port:
    """A free port on 127.0.0.1 (closed again before use)."""

    def __enter__(self) -> int:
        import socket

        self.s = socket.socket()
        self.s.bind(("127.0.0.1", 0))
        return self.s.getsockname()[1]

    def __exit__(self, *exc: object) -> None:
        self.s.close()


if __name__ == "__main__":
    sys.exit(main())
