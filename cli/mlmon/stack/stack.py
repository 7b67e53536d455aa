"""The local stack: Prometheus + Alertmanager + the sink + one demo service per model, on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import mlmon
from mlmon.stack.config import write_local
from mlmon.stack.processes import HOST, Proc, StackError, alertmanager_argv, free_port, http_json, missing_binaries, port_free, prometheus_argv, start_process
from mlmon.stack.sink import Notification, Sink
from mlmon.stack.spec import ModelInfo, compile_specs

INSTALL_HINT = "apt-get install -y --no-install-recommends prometheus prometheus-alertmanager"


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


class Stack:
    def __init__(
        self,
        spec_paths: Iterable[Path],
        state_dir: Path | None = None,
        ports: Ports | None = None,
        demo: DemoOptions | None = None,
        scrape_interval: str | None = None,
        evaluation_interval: str | None = None,
        on_notification: Callable[[Notification], None] | None = None,
        python: str | None = None,
        start_demos: bool = True,
    ):
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

    # --- preparation ----------------------------------------------------------------------
    def preflight(self) -> None:
        missing = missing_binaries()
        if missing:
            raise StackError(f"missing binary: {', '.join(missing)} (install: {INSTALL_HINT})")

    def compile(self) -> None:
        """Spec files -> the generated tree (in memory), exactly what ``mlmon generate`` writes."""
        self.spec, self.files, self.models = compile_specs(self.spec_paths)

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
        targets = {m.id: f"{HOST}:{m.port}" for m in self.models}
        write_local(self.state, self.spec, self.files, self.sink, self.ports.alertmanager, targets, self.scrape_interval, self.evaluation_interval)

    # --- lifecycle -------------------------------------------------------------------------
    def start(self) -> Stack:
        self.preflight()
        self.compile()
        self._resolve_ports()
        self._check_ports()
        self.sink.start()
        self.ports.sink = self.sink.port
        self.write()
        try:
            if self.start_demos:
                for m in self.models:
                    self.start_demo(m)
            self._start("alertmanager", alertmanager_argv(self.state, self.ports.alertmanager), self.ports.alertmanager)
            self._start("prometheus", prometheus_argv(self.state, self.ports.prometheus), self.ports.prometheus)
            for p in self.procs.values():
                p.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self, name: str, argv: list[str], port: int) -> None:
        self.procs[name] = start_process(name, argv, self.state / "logs" / f"{name}.log", (port, "/-/ready"))

    def demo_argv(self, m: ModelInfo) -> list[str]:
        mode = self.demo_opts.modes.get(m.id, self.demo_opts.mode)
        o = self.demo_opts
        argv = [
            self.python,
            "-m",
            "mlmon.demo",
            "--model-id",
            m.id,
            "--port",
            str(m.port),
            "--rate",
            f"{o.rate:g}",
            "--label-delay",
            o.label_delay,
            "--mode",
            mode,
        ]
        return argv + (["--baseline", m.baseline] if m.baseline else [])

    def start_demo(self, m: ModelInfo) -> Proc:
        env = dict(os.environ)
        pkg_root = str(Path(mlmon.__file__).resolve().parent.parent)  # so `python -m mlmon.demo` imports this checkout
        env["PYTHONPATH"] = pkg_root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        p = start_process(f"demo {m.id}", self.demo_argv(m), self.state / "logs" / f"demo-{m.id}.log", (m.port, "/healthz"), env)
        self.procs[f"demo:{m.id}"] = p
        return p

    def stop_process(self, key: str) -> int | None:
        p = self.procs.get(key)
        return p.stop() if p is not None else None

    def stop(self) -> None:
        # Prometheus first (no more alerts sent), then Alertmanager, then the models, then the sink
        for key in ("prometheus", "alertmanager"):
            self.stop_process(key)
        demos = [p for k, p in sorted(self.procs.items()) if k.startswith("demo:")]
        for p in demos:  # TERM all, then wait for each (each takes up to a second to drain)
            if p.alive():
                p.popen.terminate()
        for p in demos:
            p.stop()
        self.sink.stop()
        if self._own_state and os.environ.get("MLMON_KEEP_STATE") is None:
            shutil.rmtree(self.state, ignore_errors=True)

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- queries ---------------------------------------------------------------------------
    def urls(self) -> dict[str, str]:
        out = {
            name: f"http://{HOST}:{port}"
            for name, port in (("prometheus", self.ports.prometheus), ("alertmanager", self.ports.alertmanager), ("sink", self.ports.sink))
        }
        out.update({f"demo {m.id}": f"http://{HOST}:{m.port}" for m in self.models})
        return out

    def prometheus_alerts(self) -> list[dict]:
        status, body = http_json("GET", self.ports.prometheus, "/api/v1/alerts")
        return body["data"]["alerts"] if status == 200 and isinstance(body, dict) else []

    def alertmanager_alerts(self) -> list[dict]:
        status, body = http_json("GET", self.ports.alertmanager, "/api/v2/alerts")
        return body if status == 200 and isinstance(body, list) else []

    def query(self, promql: str) -> list[dict]:
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
