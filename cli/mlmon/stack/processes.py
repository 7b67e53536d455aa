"""The processes of the local stack: started by argv (never a shell) in their own session, logged
to a file, waited for until they answer, recorded by PID and stopped by PID (TERM, wait, KILL)."""

from __future__ import annotations

import http.client
import json
import shutil
import socket
import subprocess
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
PROMETHEUS_BIN = "prometheus"
ALERTMANAGER_BIN = "prometheus-alertmanager"


class StackError(Exception):
    """A usage/environment problem (port taken, binary missing, server failed): exit code 2."""


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
        return int(s.getsockname()[1])


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


def start_process(
    name: str,
    argv: list[str],
    log: Path,
    ready_url: tuple[int, str] | None = None,
    env: Mapping[str, str] | None = None,
    cwd: str | Path | None = None,
) -> Proc:
    log.parent.mkdir(parents=True, exist_ok=True)
    fh = open(log, "ab")
    try:
        popen = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=fh,
            stderr=subprocess.STDOUT,
            env=dict(env) if env else None,
            cwd=cwd,
            start_new_session=True,  # Ctrl-C in the terminal reaches mlmon only; it stops children in order
        )
    finally:
        fh.close()
    return Proc(name, popen, log, ready_url)


def alertmanager_argv(state: Path, port: int) -> list[str]:
    return [
        ALERTMANAGER_BIN,
        f"--config.file={state / 'local' / 'alertmanager' / 'alertmanager.yml'}",
        f"--storage.path={state / 'data' / 'alertmanager'}",
        f"--web.listen-address={HOST}:{port}",
        "--cluster.listen-address=",
        f"--web.external-url=http://{HOST}:{port}",
        "--log.level=warn",
    ]


def prometheus_argv(state: Path, port: int) -> list[str]:
    return [
        PROMETHEUS_BIN,
        f"--config.file={state / 'local' / 'prometheus' / 'prometheus.yml'}",
        f"--storage.tsdb.path={state / 'data' / 'prometheus'}",
        f"--web.listen-address={HOST}:{port}",
        "--web.enable-lifecycle",
        f"--web.external-url=http://{HOST}:{port}",
        "--rules.alert.resend-delay=1s",
        "--log.level=warn",
    ]
