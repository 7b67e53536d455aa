"""A small stand-in for Thanos Ruler's HTTP side, for tests of mlmon's Thanos target (no Thanos
binary can be installed here). It follows Thanos' documented behaviour (docs/components/rule.md):
rule files named by ``--rule-file`` globs are read at start and on ``POST /-/reload``; a group may
carry ``partial_response_strategy`` (``warn``/``abort``, default abort); ``GET /api/v1/rules``
serves the loaded groups in Prometheus' format plus ``partialResponseStrategy``; a reload that
fails keeps the previous rules and sets ``thanos_rule_config_last_reload_successful`` to 0.
"""

from __future__ import annotations

import glob
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import yaml

GROUP_KEYS = {"name", "interval", "rules", "limit", "partial_response_strategy"}


def _seconds(text: str | None) -> float:
    if not text:
        return 0.0
    units = {"s": 1, "m": 60, "h": 3600}
    return float(text[:-1]) * units[text[-1]]


def load(pattern: str) -> list[dict]:
    groups = []
    for path in sorted(glob.glob(pattern)):
        with open(path, encoding="utf-8") as fh:
            doc = yaml.safe_load(fh) or {}
        for g in doc.get("groups") or []:
            unknown = set(g) - GROUP_KEYS
            if unknown or str(g.get("partial_response_strategy", "abort")).lower() not in ("warn", "abort"):
                raise ValueError(f"{path}: group {g.get('name')}: bad fields {sorted(unknown)}")
            groups.append({**g, "file": path})
    return groups


class ThanosRuler:
    def __init__(self, rule_glob: str, eval_interval: float = 60.0):
        self.rule_glob, self.eval_interval = rule_glob, eval_interval
        self.groups: list[dict] = load(rule_glob)
        self.ok = True
        self.reloads = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _send(self, code: int, body: str, ctype: str = "application/json") -> None:
                data = body.encode()
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:  # noqa: N802
                if self.path != "/-/reload":
                    return self._send(404, "not found", "text/plain")
                server.reloads += 1
                try:
                    server.groups, server.ok = load(server.rule_glob), True
                    return self._send(200, "", "text/plain")
                except (ValueError, yaml.YAMLError) as exc:
                    server.ok = False
                    return self._send(500, f"failed to reload: {exc}", "text/plain")

            def do_GET(self) -> None:  # noqa: N802
                if self.path == "/metrics":
                    return self._send(200, f"thanos_rule_config_last_reload_successful {1 if server.ok else 0}\n", "text/plain")
                if self.path.startswith("/api/v1/rules"):
                    return self._send(200, json.dumps({"status": "success", "data": {"groups": [server.api_group(g) for g in server.groups]}}))
                return self._send(404, "not found", "text/plain")

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def api_group(self, g: dict) -> dict:
        rules = []
        for r in g.get("rules") or []:
            kind = "alerting" if "alert" in r else "recording"
            rule = {"type": kind, "name": r.get("alert") or r.get("record"), "query": r["expr"], "labels": r.get("labels") or {}, "health": "ok"}
            if kind == "alerting":
                rule.update({"duration": _seconds(r.get("for")), "annotations": r.get("annotations") or {}, "alerts": [], "state": "inactive"})
            rules.append(rule)
        return {
            "name": g["name"],
            "file": g["file"],
            "interval": _seconds(g.get("interval")) or self.eval_interval,
            "partialResponseStrategy": str(g.get("partial_response_strategy", "abort")).upper(),
            "rules": rules,
        }

    def __enter__(self) -> ThanosRuler:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
