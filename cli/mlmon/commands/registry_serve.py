"""`mlmon registry serve`: the registry exporter (the facts of the specs' models as Prometheus series)."""

from __future__ import annotations

import os
import signal
import sys
import threading

from mlmon import ExitCode
from mlmon.commands._common import print_diagnostics
from mlmon.diagnostics import has_errors


def _listen(text: str) -> tuple[str, int] | None:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 0 <= int(port) < 65536:
        return None
    return host.strip("[]"), int(port)


def run(opts) -> int:
    from mlmon.compiler.units import parse_duration
    from mlmon.registry.exporter import Poller, Source, serve
    from mlmon.registry.sync import ENV_URI, load_blocks, mlflow_uri

    listen = _listen(opts.listen)
    try:
        interval = parse_duration(opts.interval)
    except ValueError as exc:
        sys.stderr.write(f"mlmon registry serve: --interval: {exc}\n")
        return ExitCode.USAGE
    if listen is None or interval <= 0:
        sys.stderr.write("mlmon registry serve: --listen must be HOST:PORT and --interval positive\n")
        return ExitCode.USAGE
    blocks, diags, usage = load_blocks(list(opts.paths))
    if usage or has_errors(diags):
        print_diagnostics(diags, "text")
        return ExitCode.USAGE if usage else ExitCode.FINDINGS
    sources = []
    for b in blocks:
        uri = mlflow_uri(b.cfg, opts.mlflow_uri, os.environ)
        if uri is None:
            sys.stderr.write(f"mlmon registry serve: {b.doc.file}: no MLflow URI (set registry.mlflow_uri, pass --mlflow-uri or set {ENV_URI})\n")
            return ExitCode.USAGE
        sources.append(Source(uri, b.cfg.current, b.cfg.models))
    ids = [r.model for s in sources for r in s.refs]
    if not ids:
        sys.stderr.write("mlmon registry serve: no spec has a registry block; nothing to serve\n")
        return ExitCode.USAGE
    if len(set(ids)) != len(ids):
        sys.stderr.write("mlmon registry serve: a model id appears in two registry blocks\n")
        return ExitCode.USAGE
    poller = Poller(sources, opts.timeout, os.environ)
    if opts.once:
        ok = poller.poll()
        sys.stdout.write(poller.text())
        return ExitCode.OK if ok else ExitCode.USAGE
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())

    def ready(port: int) -> None:
        sys.stderr.write(f"mlmon registry serve: {len(ids)} model(s) at http://{listen[0]}:{port}/metrics, polling every {opts.interval}\n")
        sys.stderr.flush()

    try:
        serve(poller, listen[0], listen[1], interval, stop, ready)
    except OSError as exc:
        sys.stderr.write(f"mlmon registry serve: cannot listen on {opts.listen}: {exc.strerror or exc}\n")
        return ExitCode.USAGE
    return ExitCode.OK
