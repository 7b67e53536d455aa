"""``mlmon registry serve``: poll the registry, serve the facts at ``/metrics``.

A poll asks MLflow about every model of the specs' registry blocks. When it fails for a model
(the registry unreachable, an authentication failure, an unknown model), the last good facts of
that model stay exported, ``mlmon_registry_up`` turns 0 and the reason goes to stderr: a registry
outage never looks like a change of version."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TextIO

from mlmon.registry import config, exposition
from mlmon.registry.client import MlflowClient, RegistryError
from mlmon.registry.fileformat import Entry


@dataclass(frozen=True)
class Source:
    uri: str
    current: tuple[str, ...]
    refs: tuple[config.ModelRef, ...]


@dataclass
class Poller:
    sources: Sequence[Source]
    timeout: float
    env: Mapping[str, str]
    log: TextIO = sys.stderr
    clock: Callable[[], float] = time.time
    entries: dict[str, Entry] = field(default_factory=dict)
    status: exposition.Status = exposition.Status(False, None)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def poll(self) -> bool:
        """One round over every model; True when all succeeded."""
        from mlmon.registry.sync import fetch_entry

        ok = True
        fresh: dict[str, Entry] = {}
        for src in self.sources:
            try:
                client = MlflowClient(src.uri, timeout=self.timeout, retries=0, env=self.env)
            except RegistryError as exc:
                self.log.write(f"mlmon registry serve: {exc}\n")
                ok = False
                continue
            try:
                for ref in src.refs:
                    try:
                        fresh[ref.model] = fetch_entry(client, ref, src.current, None)
                    except RegistryError as exc:
                        self.log.write(f"mlmon registry serve: model {ref.model}: {exc}\n")
                        ok = False
            finally:
                client.close()
        with self.lock:
            self.entries.update(fresh)
            self.status = exposition.Status(ok, self.clock() if ok else self.status.last_success)
        self.log.flush()
        return ok

    def text(self) -> str:
        with self.lock:
            return exposition.text(dict(self.entries), self.status)


def serve(poller: Poller, host: str, port: int, interval: float, stop: threading.Event, ready: Callable[[int], None] = lambda port: None) -> None:
    """Serve ``/metrics`` until ``stop`` is set; poll every ``interval`` seconds."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                body, ctype, status = poller.text().encode(), "text/plain; version=0.0.4; charset=utf-8", 200
            elif path in ("/", "/-/healthy"):
                body, ctype, status = b"mlmon registry exporter: see /metrics\n", "text/plain; charset=utf-8", 200
            else:
                body, ctype, status = b"not found\n", "text/plain; charset=utf-8", 404
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    thread.start()
    ready(server.server_address[1])
    try:
        while not stop.is_set():
            poller.poll()
            stop.wait(interval)
    finally:
        server.shutdown()
        server.server_close()
