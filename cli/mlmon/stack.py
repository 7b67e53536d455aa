"""A local staging stack on 127.0.0.1: real Prometheus and Alertmanager (Debian packages) loaded
with the output of ``mlmon generate`` for a spec, one demo model service per model, and a webhook
sink standing in for Slack, PagerDuty and the retraining hook.

Shell module (subprocesses, files, sockets). Used by ``mlmon up`` and the end-to-end tests.

The generated files are used as they are, with only what a local stack must change written to
*copies* in the state directory (``generated/`` is never touched):

- ``prometheus.yml``: rule files point at the copies, Alertmanager at the local one, and each
  model's scrape job at its demo service;
- ``alertmanager.yml``: Slack ``api_url_file`` and PagerDuty ``routing_key_file``/``service_key_file``
  point at files in ``<state>/secrets`` (the sink's URL and a dummy key), PagerDuty gets a ``url``
  on the sink, the retraining webhook's ``url`` is the sink; grouping waits are shortened
  (``group_wait`` 1s, ``group_interval`` 5s) and business-hours muting is dropped so tickets show
  up at any hour.

Every process is started by this module, recorded by PID and stopped by PID (TERM, wait, KILL).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

HOST = "127.0.0.1"
PROMETHEUS_BIN = "prometheus"
ALERTMANAGER_BIN = "prometheus-alertmanager"
LOCAL_GROUP_WAIT = "1s"
LOCAL_GROUP_INTERVAL = "5s"
LOCAL_REPEAT_INTERVAL = "1h"
DUMMY_KEY = "mlmon-local-stack-dummy-key"


class StackError(Exception):
    """A usage/environment problem (port taken, binary missing, server failed): exit code 2."""


# --- small helpers ------------------------------------------------------------------------------
def port_free(port: int, host: str = HOST) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = HOST) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def missing_binaries(names: Iterable[str] = (PROMETHEUS_BIN, ALERTMANAGER_BIN)) -> list[str]:
    return [n for n in names if shutil.which(n) is None]


def http_json(method: str, port: int, path: str, body: Any = None, timeout: float = 5.0) -> tuple[int, Any]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        payload = None if body is None else json.dumps(body)
        headers = {"Content-Type": "application/json"} if body is not None else {}
        conn.request(method, path, payload, headers)
        resp = conn.getresponse()
        raw = resp.read()
        try:
            return resp.status, json.loads(raw) if raw else None
        except ValueError:
            return resp.status, raw.decode("utf-8", "replace")
    finally:
        conn.close()


# --- processes ----------------------------------------------------------------------------------
@dataclass
class Proc:
    name: str
    popen: subprocess.Popen
    log: Path
    ready_url: tuple[int, str] | None = None  # (port, path) answering 200 when ready

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.rstrip().splitlines()[-lines:])

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise StackError(f"{self.name} exited with code {self.popen.returncode}:\n{self.log_tail()}")
            if self.ready_url is None:
                return
            try:
                status, _ = http_json("GET", self.ready_url[0], self.ready_url[1], timeout=1.0)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise StackError(f"{self.name} not ready after {timeout:.0f}s:\n{self.log_tail()}")

    def stop(self, timeout: float = 10.0) -> int | None:
        """TERM, wait, then KILL; by this process's PID only."""
        if self.popen.poll() is None:
            try:
                self.popen.terminate()
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)
            except ProcessLookupError:  # pragma: no cover
                pass
        return self.popen.returncode


def start_process(name: str, argv: list[str], log: Path, ready_url: tuple[int, str] | None = None,
                  env: Mapping[str, str] | None = None, cwd: str | Path | None = None) -> Proc:  # fmt: skip
    log.parent.mkdir(parents=True, exist_ok=True)
    fh = open(log, "ab")
    try:
        popen = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=fh, stderr=subprocess.STDOUT, env=dict(env) if env else None,
            cwd=cwd, start_new_session=True,  # Ctrl-C in the terminal reaches mlmon only; it stops children in order
        )
    finally:
        fh.close()
    return Proc(name, popen, log, ready_url)


# --- the webhook sink ---------------------------------------------------------------------------
_TITLE_RE = re.compile(r"^\[(?P<status>[A-Z]+)(?::\d+)?\] (?P<model>\S+): (?P<alertname>\S+)")


@dataclass
class Notification:
    """One request received by the sink: which channel and receiver it was meant for, and what."""

    channel: str  # slack | pagerduty | webhook
    receiver: str
    body: Any
    received: float

    @property
    def status(self) -> str:
        b = self.body if isinstance(self.body, dict) else {}
        if self.channel == "webhook":
            return str(b.get("status", ""))
        if self.channel == "pagerduty":
            return "resolved" if b.get("event_action") == "resolve" else "firing"
        m = _TITLE_RE.match(self._slack_title())
        return m.group("status").lower() if m else ""

    def _slack_title(self) -> str:
        b = self.body if isinstance(self.body, dict) else {}
        atts = b.get("attachments") or [{}]
        return str(atts[0].get("title", ""))

    @property
    def alerts(self) -> list[dict[str, str]]:
        """Best-effort labels of the alerts in this notification.

        Webhook payloads carry every label. Slack and PagerDuty messages carry what the generated
        templates put in them: ``model`` and ``alertname`` (Slack title), ``model``/``check``
        (PagerDuty details) and the severity.
        """
        b = self.body if isinstance(self.body, dict) else {}
        if self.channel == "webhook":
            return [dict(a.get("labels", {})) for a in b.get("alerts", [])]
        if self.channel == "slack":
            m = _TITLE_RE.match(self._slack_title())
            return [{"model": m.group("model"), "alertname": m.group("alertname")}] if m else []
        payload = b.get("payload") or {}
        details = payload.get("custom_details") or b.get("details") or {}
        out = {k: str(v) for k, v in details.items() if k in ("model", "check")}
        if payload.get("severity"):
            out["severity"] = str(payload["severity"])
        return [out]


class Sink:
    """HTTP server on 127.0.0.1 recording every POST under /slack/<receiver>,
    /pagerduty/<receiver> and /webhook/<receiver>."""

    def __init__(self, port: int = 0, on_notification: Callable[[Notification], None] | None = None):
        self._requested_port = port
        self._records: list[Notification] = []
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._on = on_notification
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        assert self._httpd is not None
        return self._httpd.server_address[1]

    def url(self, channel: str, receiver: str) -> str:
        return f"http://{HOST}:{self.port}/{channel}/{receiver}"

    def start(self) -> "Sink":
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, fmt, *args):
                pass

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(n)
                parts = self.path.strip("/").split("/")
                channel, receiver = (parts + ["", ""])[:2]
                try:
                    body: Any = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                if channel in ("slack", "pagerduty", "webhook"):
                    sink._add(Notification(channel, receiver, body, time.time()))
                    code, out = 200, b"ok" if channel == "slack" else b'{"status":"success"}'
                    if channel == "pagerduty":
                        code = 202
                else:
                    code, out = 404, b"unknown path"
                self.send_response(code)
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

        ThreadingHTTPServer.daemon_threads = True
        self._httpd = ThreadingHTTPServer((HOST, self._requested_port), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="mlmon-sink", daemon=True)
        self._thread.start()
        return self

    def _add(self, n: Notification) -> None:
        with self._cond:
            self._records.append(n)
            self._cond.notify_all()
        if self._on is not None:
            try:
                self._on(n)
            except Exception:  # a display problem must not break delivery
                pass

    def records(self) -> list[Notification]:
        with self._lock:
            return list(self._records)

    def wait_for(self, predicate: Callable[[Notification], bool], timeout: float) -> Notification | None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for n in self._records:
                    if predicate(n):
                        return n
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(min(left, 1.0))

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None


# --- local configuration ------------------------------------------------------------------------
def local_alertmanager_config(data: dict, sink: Sink, secrets_dir: Path) -> dict:
    """Point every receiver at the sink (through files in ``secrets_dir``); short grouping waits."""
    cfg = json.loads(json.dumps(data))  # deep copy of plain data
    secrets_dir.mkdir(parents=True, exist_ok=True)

    def secret(name: str, text: str) -> str:
        p = secrets_dir / name
        p.write_text(text + "\n", encoding="utf-8")
        p.chmod(0o600)
        return str(p)

    for rec in cfg.get("receivers", []) or []:
        name = rec.get("name", "default")
        for sc in rec.get("slack_configs", []) or []:
            sc.pop("api_url", None)
            sc["api_url_file"] = secret(f"slack-{name}", sink.url("slack", name))
        for pd in rec.get("pagerduty_configs", []) or []:
            if "service_key_file" in pd or "service_key" in pd:
                pd.pop("service_key", None)
                pd["service_key_file"] = secret(f"pagerduty-{name}", DUMMY_KEY)
            else:
                pd.pop("routing_key", None)
                pd["routing_key_file"] = secret(f"pagerduty-{name}", DUMMY_KEY)
            pd["url"] = sink.url("pagerduty", name)
        for wh in rec.get("webhook_configs", []) or []:
            wh.pop("url_file", None)
            wh["url"] = sink.url("webhook", name)
        # channels the local sink does not speak: drop them rather than send anywhere real
        for key in [k for k in rec if k.endswith("_configs") and k not in ("slack_configs", "pagerduty_configs", "webhook_configs")]:
            rec.pop(key)
    glob = cfg.setdefault("global", {})
    for key in [k for k in glob if k in ("slack_api_url", "slack_api_url_file", "pagerduty_url", "smtp_smarthost")]:
        glob.pop(key)

    def walk(route: dict, root: bool) -> None:
        if root or "group_wait" in route:
            route["group_wait"] = LOCAL_GROUP_WAIT
        if root or "group_interval" in route:
            route["group_interval"] = LOCAL_GROUP_INTERVAL
        if root:
            route["repeat_interval"] = LOCAL_REPEAT_INTERVAL
        route.pop("active_time_intervals", None)
        route.pop("mute_time_intervals", None)
        for child in route.get("routes", []) or []:
            walk(child, False)

    if isinstance(cfg.get("route"), dict):
        walk(cfg["route"], True)
    cfg.pop("time_intervals", None)
    cfg.pop("mute_time_intervals", None)
    return cfg


def local_prometheus_config(data: dict, rules_dir: Path, alertmanager_port: int, targets: Mapping[str, str],
                            teams: Mapping[str, str] | None = None, scrape_interval: str | None = None,
                            evaluation_interval: str | None = None) -> dict:  # fmt: skip
    """Rules from ``rules_dir``, the local Alertmanager, model jobs scraping ``targets[model]``."""
    cfg = json.loads(json.dumps(data))
    cfg["rule_files"] = [str(rules_dir / "*.rules.yml")]
    cfg["alerting"] = {"alertmanagers": [{"static_configs": [{"targets": [f"{HOST}:{alertmanager_port}"]}]}]}
    glob = cfg.setdefault("global", {})
    if scrape_interval:
        glob["scrape_interval"] = scrape_interval
    if evaluation_interval:
        glob["evaluation_interval"] = evaluation_interval
    jobs = cfg.setdefault("scrape_configs", []) or []
    cfg["scrape_configs"] = jobs
    by_name = {j.get("job_name"): j for j in jobs}
    for model, addr in sorted(targets.items()):
        job = by_name.get(f"mlmon-{model}")
        if job is None:
            job = {"job_name": f"mlmon-{model}", "metrics_path": "/metrics", "scheme": "http",
                   "static_configs": [{"targets": [], "labels": {"mlmon_model": model, **({"team": teams[model]} if teams and model in teams else {})}}]}  # fmt: skip
            jobs.append(job)
        if scrape_interval:
            job["scrape_interval"] = scrape_interval
        labels = {}
        for sc in job.get("static_configs") or []:
            labels.update(sc.get("labels") or {})
        job["static_configs"] = [{"targets": [addr], "labels": labels} if labels else {"targets": [addr]}]
    return cfg


# --- the stack ----------------------------------------------------------------------------------
@dataclass
class Ports:
    prometheus: int = 9090
    alertmanager: int = 9093
    sink: int = 9099
    demo: int = 8000  # first demo service; the next models get demo+1, demo+2, ... (0: free ports)
    models: dict[str, int] = field(default_factory=dict)  # explicit demo port per model id


@dataclass
class DemoOptions:
    rate: float = 20.0
    label_delay: str = "5s"
    mode: str = "healthy"
    modes: Mapping[str, str] = field(default_factory=dict)  # per model id


@dataclass
class ModelInfo:
    id: str
    team: str
    baseline: str | None  # absolute path of the drift baseline, when the spec names one
    port: int = 0


def _spec_models(texts: Mapping[str, str]) -> list[ModelInfo]:
    """Model ids, teams and drift baselines straight from the spec YAML (baseline paths are
    relative to the spec file)."""
    import yaml

    out = []
    for file, text in texts.items():
        for doc in yaml.safe_load_all(text):
            if not isinstance(doc, dict):
                continue
            for m in doc.get("models") or []:
                if not isinstance(m, dict) or "id" not in m:
                    continue
                drift = m.get("drift") if isinstance(m.get("drift"), dict) else {}
                bl = drift.get("baseline")
                path = str((Path(file).parent / bl).resolve()) if isinstance(bl, str) else None
                out.append(ModelInfo(str(m["id"]), str(m.get("team", "")), path))
    return sorted(out, key=lambda x: x.id)


def read_specs(paths: Iterable[Path]) -> dict[str, str]:
    """Spec files named or found under folders (baselines and other kinds skipped), as text."""
    from mlmon import fsio
    from mlmon.diagnostics import format_text

    files, diags = fsio.find_specs([Path(p) for p in paths])
    texts, more = fsio.read_specs(files)
    diags += more
    if diags:
        raise StackError(format_text(diags).rstrip())
    return {name: data.decode("utf-8", "replace") for name, data in texts.items()}


class Stack:
    """Prometheus + Alertmanager + sink + one demo service per model, on 127.0.0.1."""

    def __init__(self, spec_paths: Iterable[Path], state_dir: Path | None = None, ports: Ports | None = None,
                 demo: DemoOptions | None = None, scrape_interval: str | None = None,
                 evaluation_interval: str | None = None, on_notification: Callable[[Notification], None] | None = None,
                 python: str | None = None, start_demos: bool = True):  # fmt: skip
        self.spec_paths = [Path(p) for p in spec_paths]
        self._own_state = state_dir is None
        self.state = Path(state_dir) if state_dir else Path(tempfile.mkdtemp(prefix="mlmon-up-"))
        self.ports = ports or Ports()
        self.demo_opts = demo or DemoOptions()
        self.scrape_interval = scrape_interval
        self.evaluation_interval = evaluation_interval
        self.python = python or sys.executable
        self.start_demos = start_demos
        self.sink = Sink(self.ports.sink, on_notification)
        self.procs: dict[str, Proc] = {}
        self.models: list[ModelInfo] = []
        self.files: dict[str, str] = {}
        self.spec: Any = None
        self._started = False

    # --- preparation ----------------------------------------------------------------------
    def preflight(self) -> None:
        missing = missing_binaries()
        if missing:
            raise StackError(
                f"missing binary: {', '.join(missing)} (install: apt-get install -y --no-install-recommends prometheus prometheus-alertmanager)"
            )

    def compile(self) -> None:
        """Spec files -> the generated tree (in memory), exactly what ``mlmon generate`` writes."""
        from mlmon import fsio, pipeline
        from mlmon.diagnostics import Severity, format_text

        texts = read_specs(self.spec_paths)
        spec, diags = pipeline.check(texts, fsio.make_reader())
        errors = [d for d in diags if d.severity >= Severity.ERROR]
        if spec is None or errors:
            raise StackError("the spec has errors:\n" + format_text(errors or diags).rstrip())
        self.spec = spec
        self.files = pipeline.render(spec)
        self.models = _spec_models(texts)
        known = {m.id for m in spec.models}
        self.models = [m for m in self.models if m.id in known]

    def _check_ports(self) -> None:
        wanted = [("Prometheus", self.ports.prometheus), ("Alertmanager", self.ports.alertmanager), ("webhook sink", self.ports.sink)]
        if self.start_demos:
            wanted += [(f"demo model {m.id}", m.port) for m in self.models]
        seen: dict[int, str] = {}
        for name, port in wanted:
            if port in seen:
                raise StackError(f"port {port} is used for both {seen[port]} and {name}")
            seen[port] = name
            if port and not port_free(port):
                raise StackError(f"port {HOST}:{port} for {name} is already in use (choose another with the port options)")

    def write(self) -> None:
        import yaml

        from mlmon.render import emit

        gen = self.state / "generated"
        if gen.exists():
            shutil.rmtree(gen)
        for rel, text in sorted(self.files.items()):
            p = gen / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text, encoding="utf-8")
        local = self.state / "local"
        local.mkdir(parents=True, exist_ok=True)
        am = yaml.safe_load(self.files.get("alertmanager/alertmanager.yml", "") or "{}") or {}
        am_local = local_alertmanager_config(am, self.sink, local / "secrets")
        (local / "alertmanager.yml").write_text(emit.to_yaml(am_local, "# mlmon up: local Alertmanager configuration (receivers point at the sink)"), encoding="utf-8")
        prom = yaml.safe_load(self.files.get("prometheus/prometheus.yml", "") or "{}") or {}
        prom_local = local_prometheus_config(
            prom, gen / "prometheus" / "rules", self.ports.alertmanager,
            {m.id: f"{HOST}:{m.port}" for m in self.models}, {m.id: m.team for m in self.models},
            self.scrape_interval, self.evaluation_interval,
        )  # fmt: skip
        (local / "prometheus.yml").write_text(emit.to_yaml(prom_local, "# mlmon up: local Prometheus configuration"), encoding="utf-8")

    # --- lifecycle -------------------------------------------------------------------------
    def _resolve_ports(self) -> None:
        """Port 0 means "any free port" (tests); the demo base 0 gives each model its own."""
        if self.ports.prometheus == 0:
            self.ports.prometheus = free_port()
        if self.ports.alertmanager == 0:
            self.ports.alertmanager = free_port()
        for i, m in enumerate(self.models):
            if m.id in self.ports.models:
                m.port = self.ports.models[m.id]
            else:
                m.port = free_port() if self.ports.demo == 0 else self.ports.demo + i

    def start(self) -> "Stack":
        self.preflight()
        self.compile()
        self._resolve_ports()
        self._check_ports()
        self.sink.start()
        self.ports.sink = self.sink.port
        self.write()
        self._started = True
        try:
            if self.start_demos:
                for m in self.models:
                    self.start_demo(m)
            self._start_alertmanager()
            self._start_prometheus()
            for p in self.procs.values():
                p.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def demo_argv(self, m: ModelInfo) -> list[str]:
        mode = self.demo_opts.modes.get(m.id, self.demo_opts.mode)
        argv = [self.python, "-m", "mlmon.demo", "--model-id", m.id, "--port", str(m.port), "--rate", f"{self.demo_opts.rate:g}",
                "--label-delay", self.demo_opts.label_delay, "--mode", mode]  # fmt: skip
        if m.baseline:
            argv += ["--baseline", m.baseline]
        return argv

    def start_demo(self, m: ModelInfo) -> Proc:
        env = dict(os.environ)
        pkg_root = str(Path(__file__).resolve().parent.parent)  # so `python -m mlmon.demo` imports this checkout
        env["PYTHONPATH"] = pkg_root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        p = start_process(f"demo {m.id}", self.demo_argv(m), self.state / "logs" / f"demo-{m.id}.log", (m.port, "/healthz"), env)
        self.procs[f"demo:{m.id}"] = p
        return p

    def _start_alertmanager(self) -> None:
        port = self.ports.alertmanager
        argv = [
            ALERTMANAGER_BIN, f"--config.file={self.state / 'local' / 'alertmanager.yml'}", f"--storage.path={self.state / 'data' / 'alertmanager'}",
            f"--web.listen-address={HOST}:{port}", "--cluster.listen-address=", f"--web.external-url=http://{HOST}:{port}", "--log.level=warn",
        ]  # fmt: skip
        self.procs["alertmanager"] = start_process("alertmanager", argv, self.state / "logs" / "alertmanager.log", (port, "/-/ready"))

    def _start_prometheus(self) -> None:
        port = self.ports.prometheus
        argv = [
            PROMETHEUS_BIN, f"--config.file={self.state / 'local' / 'prometheus.yml'}", f"--storage.tsdb.path={self.state / 'data' / 'prometheus'}",
            f"--web.listen-address={HOST}:{port}", "--web.enable-lifecycle", f"--web.external-url=http://{HOST}:{port}",
            "--rules.alert.resend-delay=1s", "--log.level=warn",
        ]  # fmt: skip
        self.procs["prometheus"] = start_process("prometheus", argv, self.state / "logs" / "prometheus.log", (port, "/-/ready"))

    def stop_process(self, key: str) -> int | None:
        p = self.procs.get(key)
        return p.stop() if p is not None else None

    def stop(self) -> None:
        # Prometheus first (no more alerts sent), then Alertmanager, then the models, then the sink
        for key in ("prometheus", "alertmanager"):
            p = self.procs.get(key)
            if p is not None:
                p.stop()
        demos = [p for k, p in sorted(self.procs.items()) if k.startswith("demo:")]
        for p in demos:  # TERM all, then wait for each (each takes up to a second to drain)
            if p.alive():
                p.popen.terminate()
        for p in demos:
            p.stop()
        self.sink.stop()
        if self._own_state and os.environ.get("MLMON_KEEP_STATE") is None:
            shutil.rmtree(self.state, ignore_errors=True)

    def __enter__(self) -> "Stack":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- queries ---------------------------------------------------------------------------
    def urls(self) -> dict[str, str]:
        out = {
            "prometheus": f"http://{HOST}:{self.ports.prometheus}",
            "alertmanager": f"http://{HOST}:{self.ports.alertmanager}",
            "sink": f"http://{HOST}:{self.ports.sink}",
        }
        for m in self.models:
            out[f"demo {m.id}"] = f"http://{HOST}:{m.port}"
        return out

    def prometheus_alerts(self) -> list[dict]:
        status, body = http_json("GET", self.ports.prometheus, "/api/v1/alerts")
        return body["data"]["alerts"] if status == 200 and isinstance(body, dict) else []

    def alertmanager_alerts(self) -> list[dict]:
        status, body = http_json("GET", self.ports.alertmanager, "/api/v2/alerts")
        return body if status == 200 and isinstance(body, list) else []

    def query(self, promql: str) -> list[dict]:
        from urllib.parse import quote

        status, body = http_json("GET", self.ports.prometheus, f"/api/v1/query?query={quote(promql)}")
        if status != 200 or not isinstance(body, dict):
            raise StackError(f"query failed ({status}): {body}")
        return body["data"]["result"]

    def set_mode(self, model: str, mode: str) -> None:
        m = next((x for x in self.models if x.id == model), None)
        if m is None:
            raise StackError(f"unknown model {model!r}")
        status, body = http_json("POST", m.port, "/admin/mode", {"mode": mode})
        if status != 200:
            raise StackError(f"demo {model}: cannot switch to {mode}: {body}")
