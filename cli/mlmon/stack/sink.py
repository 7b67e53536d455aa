"""The webhook sink of the local stack: an HTTP server on 127.0.0.1 standing in for Slack,
PagerDuty and the retraining hook, recording every notification Alertmanager sends it."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from mlmon.stack.processes import HOST

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


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a request still being answered does not hold up the stop


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

    def start(self) -> Sink:
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
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

        self._httpd = _Server((HOST, self._requested_port), Handler)
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
