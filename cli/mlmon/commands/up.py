"""``mlmon up``: a local staging stack on 127.0.0.1 for a spec (the demo by default).

Starts the demo model service (one per model in the spec), real Prometheus and Alertmanager loaded
with what ``mlmon generate`` produces for the spec, and a webhook sink standing in for Slack,
PagerDuty and the retraining hook. Prints the URLs and writes the context ``local`` (see
``_write_context``), then shows alerts as they go pending, fire
and reach a receiver, until Ctrl-C / SIGTERM (or ``--duration``). Everything it started is
stopped by PID on the way out. Port taken or binary missing: a message and exit code 2.
"""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path
from typing import Any

from mlmon import ExitCode
from mlmon import stack as S

DEFAULT_SPEC = Path("examples/demo/spec.yaml")


class _Stop(Exception):
    pass


def _default_spec() -> Path | None:
    if DEFAULT_SPEC.exists():
        return DEFAULT_SPEC
    # running from outside the checkout: the demo spec next to the package
    here = Path(__file__).resolve().parents[3] / DEFAULT_SPEC
    return here if here.exists() else None


def run(opts: Any) -> int:
    from mlmon.commands._watch import watch

    paths = list(opts.paths or [])
    if not paths:
        spec = _default_spec()
        if spec is None:
            sys.stderr.write(f"mlmon up: no spec given and {DEFAULT_SPEC} not found; pass a spec file or folder\n")
            return ExitCode.USAGE
        paths = [spec]
    modes = {}
    for item in opts.model_mode or []:
        model, _, mode = item.partition("=")
        if not mode:
            sys.stderr.write(f"mlmon up: --model-mode takes MODEL=MODE, got {item!r}\n")
            return ExitCode.USAGE
        modes[model] = mode
    from mlmon.demo.service import MODES

    for mode in [opts.mode, *modes.values()]:
        if mode not in MODES:
            sys.stderr.write(f"mlmon up: mode must be one of {', '.join(MODES)}, got {mode!r}\n")
            return ExitCode.USAGE

    feed: list[S.Notification] = []
    feed_lock = threading.Lock()

    def on_notification(n: S.Notification) -> None:
        with feed_lock:
            feed.append(n)

    st = S.Stack(
        paths,
        state_dir=opts.state_dir,
        ports=S.Ports(opts.prometheus_port, opts.alertmanager_port, opts.sink_port, opts.demo_port),
        demo=S.DemoOptions(rate=opts.rate, label_delay=opts.label_delay, mode=opts.mode, modes=modes),
        on_notification=on_notification,
    )

    def _on_term(signum: int, frame: Any) -> None:
        raise _Stop()

    signal.signal(signal.SIGTERM, _on_term)
    code = ExitCode.OK
    try:
        st.start()
        _print_urls(st)
        _write_context(st)
        watch(st, feed, feed_lock, opts.duration, live=opts.live)
    except S.StackError as exc:
        sys.stderr.write(f"mlmon up: {exc}\n")
        code = ExitCode.USAGE
    except (KeyboardInterrupt, _Stop):
        pass
    finally:
        # a second Ctrl-C (or TERM) while stopping must not cut the stop short and leave
        # processes running: both stay ignored, the command ends here
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        left = _stop(st)
    return ExitCode.INTERNAL if left else code


def _stop(st: S.Stack) -> list[S.Proc]:
    """Stop everything; report what was stopped. Returns what is still running."""
    stopped = list(st.procs.values())
    st.stop()
    if stopped:
        sys.stderr.write("mlmon up: stopped " + ", ".join(f"{p.name} (pid {p.pid})" for p in stopped) + "\n")
    left = [p for p in stopped if p.alive()]
    if left:  # pragma: no cover - stop() kills; this is a last report
        sys.stderr.write("mlmon up: still running: " + ", ".join(f"{p.name} (pid {p.pid})" for p in left) + "\n")
    return left


def _write_context(st: S.Stack) -> None:
    """The context ``local``: this stack's Prometheus, its rules laid out as apply manages them.
    Alertmanager is left out: its local configuration routes to the sink, and generated/'s would
    route to the real receivers."""
    from mlmon.remote import contexts

    body = {"state": str(st.state / "mlmon-state"), "prometheus": {"url": st.urls()["prometheus"], "config_dir": str(st.state / "local" / "prometheus")}}
    try:
        path = contexts.save_context("local", body)
    except contexts.ContextError as exc:
        sys.stderr.write(f"mlmon up: the context `local` was not written: {exc}\n")
        return
    sys.stdout.write(f"context `local` written to {path}: mlmon diff --context local --generated {st.state / 'generated'}\n")
    sys.stdout.flush()


def _print_urls(st: S.Stack) -> None:
    out = sys.stdout
    out.write("mlmon up: local stack on 127.0.0.1\n")
    urls = st.urls()
    out.write(f"  Prometheus     {urls['prometheus']}  (alerts: {urls['prometheus']}/alerts)\n")
    out.write(f"  Alertmanager   {urls['alertmanager']}\n")
    out.write(f"  webhook sink   {urls['sink']}  (stands in for Slack, PagerDuty and the retraining hook)\n")
    for m in st.models:
        out.write(f"  demo model     {urls['demo ' + m.id]}  ({m.id}; metrics at /metrics)\n")
    if st.models:
        m = st.models[0]
        out.write(
            "switch the demo at run time, e.g.:\n"
            f'  curl -X POST -d \'{{"mode": "drift"}}\' http://127.0.0.1:{m.port}/admin/mode   '
            "# healthy | drift | degraded | errors | latency\n"
        )
    out.write(f"generated files: {st.state / 'generated'}   logs: {st.state / 'logs'}\n")
    out.write("Ctrl-C stops everything.\n")
    out.flush()
