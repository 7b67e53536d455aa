"""Real Prometheus and Alertmanager on 127.0.0.1 for tests, plus a fault-injecting HTTP proxy.

    from helpers.servers import start_prometheus, start_alertmanager, FaultProxy, Fault

    prom = start_prometheus(tmp_path / "prom")            # writes prometheus.yml if missing
    am = start_alertmanager(tmp_path / "am" / "alertmanager.yml", config=AM_YAML)
    ... prom.url, am.url ...
    prom.stop(); am.stop()                                   # TERM, wait, KILL - by PID

Every server binds 127.0.0.1 on a free port, keeps its data in its own temp dir, and is stopped
by the PID this module started (never by name). Alertmanager runs with ``--cluster.listen-address=``
(no gossip port). Use the ``servers`` fixture (``pytest_plugins = ["helpers.servers"]`` or import
it) to have everything stopped at teardown even when a test fails. Tests are skipped when the
binaries are missing.
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

PROMETHEUS_BIN = "prometheus"
ALERTMANAGER_BIN = "prometheus-alertmanager"
READY_TIMEOUT = 15.0

DEFAULT_PROMETHEUS_YML = """\
global:
  scrape_interval: 15s
  evaluation_interval: 15s
rule_files:
  - mlmon/rules/*.rules.yml
"""

DEFAULT_ALERTMANAGER_YML = """\
route:
  receiver: default
receivers:
  - name: default
"""


def require(binary: str) -> str:
    path = shutil.which(binary)
    if path is None:
        pytest.skip(f"{binary} is not installed (Debian: apt-get install prometheus prometheus-alertmanager)")
    return path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_text(body: Callable[[str], str]) -> tuple[ThreadingHTTPServer, int]:
    """A scrape target on 127.0.0.1 (a free port) that answers every GET of a path with
    ``body(path)`` in the Prometheus text format. Call ``shutdown()`` on the server when done."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            data = body(self.path).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


def _http_status(url: str, timeout: float = 0.5) -> int | None:
    parts = urlsplit(url)
    if parts.scheme == "https":  # readiness only: the certificate is the test's own
        import ssl

        ctx = ssl._create_unverified_context()
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(parts.hostname, parts.port, timeout=timeout, context=ctx)
    else:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request("GET", parts.path or "/")
        return conn.getresponse().status
    except OSError:
        return None
    finally:
        conn.close()


@dataclass
class ServerHandle:
    """A running server started by this module. ``stop()`` is idempotent; ``restart()`` reuses the port."""

    name: str
    argv: list[str]
    port: int
    workdir: Path
    log_path: Path
    proc: subprocess.Popen | None = None
    _owned_workdir: bool = False
    scheme: str = "http"

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def start(self, ready_timeout: float = READY_TIMEOUT) -> ServerHandle:
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(self.argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + ready_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode} during start-up:\n{self.log()[-2000:]}")
            if _http_status(self.url + "/-/ready") == 200:
                return self
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"{self.name} not ready after {ready_timeout}s:\n{self.log()[-2000:]}")

    def stop(self, timeout: float = 5.0) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        try:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)
        except ProcessLookupError:
            pass

    def kill(self) -> None:
        """SIGKILL (a crash), by PID."""
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(5)

    def restart(self) -> ServerHandle:
        self.stop()
        return self.start()

    def cleanup(self) -> None:
        self.stop()
        if self._owned_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> ServerHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.cleanup()


def _start(name: str, make_argv: Callable[[int], list[str]], workdir: Path, owned: bool, attempts: int = 3, scheme: str = "http") -> ServerHandle:
    last: Exception | None = None
    for _ in range(attempts):  # a free port can be taken between choosing and binding it
        port = free_port()
        handle = ServerHandle(name, make_argv(port), port, workdir, workdir / f"{name}-{port}.log", _owned_workdir=owned, scheme=scheme)
        try:
            return handle.start()
        except RuntimeError as exc:
            last = exc
            if "address already in use" not in str(exc):
                raise
    raise RuntimeError(str(last))


def start_prometheus(
    config_dir: Path,
    *,
    config: str | None = None,
    rules: dict[str, str] | None = None,
    extra_args: Sequence[str] = (),
    tls: tuple[Path, Path] | None = None,
) -> ServerHandle:
    """Start Prometheus reading ``config_dir/prometheus.yml`` (written from ``config`` or a default
    that loads ``mlmon/rules/*.rules.yml``). ``rules``: file name -> text, written to
    ``config_dir/mlmon/rules/``. Lifecycle API on (POST /-/reload). ``tls``: (certificate, key)
    files: the server speaks HTTPS only (``--web.config.file``)."""
    require(PROMETHEUS_BIN)
    config_dir = Path(config_dir)
    config_dir.mkdir(parents=True, exist_ok=True)
    cfg = config_dir / "prometheus.yml"
    if config is not None or not cfg.exists():
        cfg.write_text(config if config is not None else DEFAULT_PROMETHEUS_YML)
    if rules:
        rdir = config_dir / "mlmon" / "rules"
        rdir.mkdir(parents=True, exist_ok=True)
        for fname, text in rules.items():
            (rdir / fname).write_text(text)
    workdir = Path(tempfile.mkdtemp(prefix="mlmon-prom-"))
    if tls:
        (workdir / "web.yml").write_text(f"tls_server_config:\n  cert_file: {tls[0]}\n  key_file: {tls[1]}\n")
        extra_args = [*extra_args, f"--web.config.file={workdir / 'web.yml'}"]

    def argv(port: int) -> list[str]:
        return [
            PROMETHEUS_BIN,
            f"--config.file={cfg}",
            f"--storage.tsdb.path={workdir / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            f"--web.external-url={'https' if tls else 'http'}://127.0.0.1:{port}",
            "--web.enable-lifecycle",
            "--rules.alert.resend-delay=1s",
            *extra_args,
        ]

    return _start("prometheus", argv, workdir, owned=True, scheme="https" if tls else "http")


def start_alertmanager(config_file: Path, *, config: str | None = None, extra_args: Sequence[str] = ()) -> ServerHandle:
    """Start Alertmanager 0.25 on ``config_file`` (written from ``config`` or a minimal default)."""
    require(ALERTMANAGER_BIN)
    config_file = Path(config_file)
    config_file.parent.mkdir(parents=True, exist_ok=True)
    if config is not None or not config_file.exists():
        config_file.write_text(config if config is not None else DEFAULT_ALERTMANAGER_YML)
    workdir = Path(tempfile.mkdtemp(prefix="mlmon-am-"))

    def argv(port: int) -> list[str]:
        return [
            ALERTMANAGER_BIN,
            f"--config.file={config_file}",
            f"--storage.path={workdir / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            f"--web.external-url=http://127.0.0.1:{port}",
            "--cluster.listen-address=",
            *extra_args,
        ]

    return _start("alertmanager", argv, workdir, owned=True)


# --- fault injection ---------------------------------------------------------------------------------
@dataclass
class Fault:
    """What the proxy does to matching requests.

    action: ``"status"`` (answer ``status`` with ``body``, upstream never sees it), ``"delay"``
    (sleep ``seconds`` then forward), ``"drop"`` (close the connection, upstream never sees it),
    ``"drop_after"`` (forward, then close without answering: a lost answer), ``"rewrite"``
    (forward, then replace the body with ``rewrite(body)``), ``"hook"`` (forward). ``hook``, when
    set, is called first whatever the action (e.g. kill a server, or the mlmon process itself).
    ``times``: how many matching requests it applies to (None: all). ``when``: extra predicate.
    """

    method: str
    path: str  # prefix
    action: str
    status: int = 500
    body: bytes = b"injected failure\n"
    seconds: float = 0.0
    times: int | None = None
    when: Callable[[], bool] | None = None
    rewrite: Callable[[bytes], bytes] | None = None
    hook: Callable[[], None] | None = None
    hits: int = 0
    # set once a matching request has been answered (or dropped): a test whose hook kills the client
    # waits on it before reading the server, which may still be handling the forwarded request
    done: threading.Event = field(default_factory=threading.Event)

    def matches(self, method: str, path: str) -> bool:
        if method != self.method or not path.startswith(self.path):
            return False
        if self.times is not None and self.hits >= self.times:
            return False
        if self.when is not None and not self.when():
            return False
        return True


@dataclass
class FaultProxy:
    """A loopback HTTP proxy in front of one server. ``faults`` can be changed while it runs."""

    upstream: str
    faults: list[Fault] = field(default_factory=list)
    requests: list[tuple[str, str, dict]] = field(default_factory=list)

    def __post_init__(self) -> None:
        proxy = self
        up = urlsplit(self.upstream)
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _handle(self) -> None:
                try:
                    self._forward()
                finally:
                    fault = getattr(self, "_fault", None)
                    if fault is not None:
                        fault.done.set()

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                data = self.rfile.read(length) if length else None
                with lock:
                    proxy.requests.append((self.command, self.path, dict(self.headers)))
                    fault = next((f for f in proxy.faults if f.matches(self.command, self.path)), None)
                    if fault:
                        fault.hits += 1
                self._fault = fault
                if fault and fault.hook:
                    fault.hook()
                if fault and fault.action == "status":
                    self._reply(fault.status, fault.body, "text/plain")
                    return
                if fault and fault.action == "drop":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if fault and fault.action == "delay":
                    time.sleep(fault.seconds)
                try:
                    conn = http.client.HTTPConnection(up.hostname, up.port, timeout=30)
                    headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection", "accept-encoding")}
                    conn.request(self.command, self.path, body=data, headers=headers)
                    resp = conn.getresponse()
                    body, status, ctype = resp.read(), resp.status, resp.getheader("Content-Type", "text/plain")
                    conn.close()
                except OSError as exc:
                    self._reply(502, f"proxy: upstream failed: {exc}\n".encode(), "text/plain")
                    return
                if fault and fault.action == "drop_after":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if fault and fault.action == "rewrite" and fault.rewrite:
                    body = fault.rewrite(body)
                self._reply(status, body, ctype)

            def _reply(self, status: int, body: bytes, ctype: str) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def count(self, method: str, path: str) -> int:
        return sum(1 for m, p, _ in list(self.requests) if m == method and p.startswith(path))

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --- pytest fixture --------------------------------------------------------------------------------
class Servers:
    """Starts servers and proxies; stops every one of them at teardown."""

    def __init__(self) -> None:
        self._handles: list[ServerHandle] = []
        self._proxies: list[FaultProxy] = []

    def prometheus(self, config_dir: Path, **kwargs: object) -> ServerHandle:
        h = start_prometheus(config_dir, **kwargs)  # type: ignore[arg-type]
        self._handles.append(h)
        return h

    def alertmanager(self, config_file: Path, **kwargs: object) -> ServerHandle:
        h = start_alertmanager(config_file, **kwargs)  # type: ignore[arg-type]
        self._handles.append(h)
        return h

    def proxy(self, upstream: str, faults: Sequence[Fault] = ()) -> FaultProxy:
        p = FaultProxy(upstream, list(faults))
        self._proxies.append(p)
        return p

    def close(self) -> None:
        for p in self._proxies:
            p.close()
        for h in self._handles:
            h.cleanup()


@pytest.fixture
def servers() -> Iterator[Servers]:
    s = Servers()
    try:
        yield s
    finally:
        s.close()


__all__ = [
    "Fault",
    "FaultProxy",
    "ServerHandle",
    "Servers",
    "free_port",
    "require",
    "servers",
    "start_alertmanager",
    "start_prometheus",
]

if os.environ.get("MLMON_SERVERS_SELFTEST"):  # pragma: no cover - manual smoke test
    with start_prometheus(Path(tempfile.mkdtemp())) as p, start_alertmanager(Path(tempfile.mkdtemp()) / "am.yml") as a:
        print(p.url, a.url)
