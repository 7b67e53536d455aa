"""``mlmon up``: a local staging stack on 127.0.0.1 for a spec (the demo by default).

Starts the demo model service (one per model in the spec), real Prometheus and Alertmanager loaded
with what ``mlmon generate`` produces for the spec, and a webhook sink standing in for Slack,
PagerDuty and the retraining hook. Prints the URLs, then shows alerts as they go pending, fire
and reach a receiver, until Ctrl-C / SIGTERM (or ``--duration``). Everything it started is
stopped by PID on the way out. Port taken or binary missing: a message and exit code 2.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from pathlib import Path

from mlmon import ExitCode

DEFAULT_SPEC = Path("examples/demo/spec.yaml")
SEVERITY_STYLE = {"critical": "bold red", "warning": "yellow"}


class _Stop(Exception):
    pass


def _default_spec() -> Path | None:
    if DEFAULT_SPEC.exists():
        return DEFAULT_SPEC
    # running from outside the checkout: the demo spec next to the package
    here = Path(__file__).resolve().parents[3] / DEFAULT_SPEC
    return here if here.exists() else None


def run(opts) -> int:
    from mlmon import stack as S

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

    def _on_term(signum, frame):
        raise _Stop()

    old = signal.signal(signal.SIGTERM, _on_term)
    code = ExitCode.OK
    try:
        st.start()
        _print_urls(st)
        _watch(st, feed, feed_lock, opts.duration, live=opts.live)
    except S.StackError as exc:
        sys.stderr.write(f"mlmon up: {exc}\n")
        code = ExitCode.USAGE
    except (KeyboardInterrupt, _Stop):
        pass
    finally:
        signal.signal(signal.SIGTERM, old)
        stopped = list(st.procs.values())
        st.stop()
        left = [p for p in stopped if p.alive()]
        if stopped:
            sys.stderr.write("mlmon up: stopped " + ", ".join(f"{p.name} (pid {p.pid})" for p in stopped) + "\n")
        if left:  # pragma: no cover - stop() kills; this is a last report
            sys.stderr.write("mlmon up: still running: " + ", ".join(f"{p.name} (pid {p.pid})" for p in left) + "\n")
            return ExitCode.INTERNAL
    return code


def _print_urls(st) -> None:
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
            f"  curl -X POST -d '{{\"mode\": \"drift\"}}' http://127.0.0.1:{m.port}/admin/mode   "
            "# healthy | drift | degraded | errors | latency\n"
        )
    out.write(f"generated files: {st.state / 'generated'}   logs: {st.state / 'logs'}\n")
    out.write("Ctrl-C stops everything.\n")
    out.flush()


def _rows(st, feed, feed_lock):
    """Current alerts from Prometheus plus where each was delivered."""
    try:
        alerts = st.prometheus_alerts()
    except OSError:
        alerts = []
    with feed_lock:
        notes = list(feed)
    delivered: dict[tuple[str, str], list[str]] = {}
    for n in notes:
        for a in n.alerts:
            key = (a.get("model", ""), a.get("alertname", ""))
            where = f"{n.channel}:{n.receiver}"
            if where not in delivered.setdefault(key, []):
                delivered[key].append(where)
    rows = []
    for a in sorted(alerts, key=lambda a: (a["labels"].get("model", ""), a["labels"].get("alertname", ""), a["labels"].get("check", ""))):
        lab = a["labels"]
        rows.append({
            "state": a.get("state", ""),
            "alertname": lab.get("alertname", ""),
            "model": lab.get("model", ""),
            "severity": lab.get("severity", ""),
            "check": " ".join(x for x in (lab.get("check", "") or lab.get("slo", ""), lab.get("burn_window", "")) if x),
            "key": tuple(sorted(lab.items())),
            "since": (a.get("activeAt") or "")[11:19],
            "delivered": ", ".join(delivered.get((lab.get("model", ""), lab.get("alertname", "")), [])),
        })  # fmt: skip
    return rows, notes


def _table(rows, n_notes: int):
    from rich.table import Table

    t = Table(title=f"alerts (Prometheus) - {n_notes} notification(s) received by the sink", expand=False)
    for col in ("state", "alertname", "model", "severity", "check", "active since", "delivered to"):
        t.add_column(col)
    if not rows:
        t.add_row("-", "no alerts", "", "", "", "", "")
    for r in rows:
        style = SEVERITY_STYLE.get(r["severity"], "") if r["state"] == "firing" else "dim"
        t.add_row(r["state"], r["alertname"], r["model"], r["severity"], r["check"], r["since"], r["delivered"], style=style)
    return t


def _watch(st, feed, feed_lock, duration: float | None, live: bool | None) -> None:
    from rich.console import Console

    console = Console()
    use_live = console.is_terminal if live is None else live
    deadline = None if not duration else time.monotonic() + duration
    if use_live:
        from rich.live import Live

        try:
            with Live(_table([], 0), console=console, refresh_per_second=2, transient=False) as lv:
                while deadline is None or time.monotonic() < deadline:
                    _check_alive(st)
                    rows, notes = _rows(st, feed, feed_lock)
                    lv.update(_table(rows, len(notes)))
                    time.sleep(1.0)
        finally:
            console.print()
        return
    # plain log lines (not a terminal): one line per state change and per notification
    seen: dict[tuple, tuple] = {}
    printed = 0
    while deadline is None or time.monotonic() < deadline:
        _check_alive(st)
        rows, notes = _rows(st, feed, feed_lock)
        for r in rows:
            if seen.get(r["key"], ("",))[0] != r["state"]:
                seen[r["key"]] = (r["state"], r)
                print(f"alert {r['state']:8} {r['alertname']} model={r['model']} severity={r['severity']} check={r['check']}", flush=True)
        current = {r["key"] for r in rows}
        for key in [k for k in seen if k not in current]:
            r = seen.pop(key)[1]
            print(f"alert {'resolved':8} {r['alertname']} model={r['model']} severity={r['severity']} check={r['check']}", flush=True)
        for n in notes[printed:]:
            names = ",".join(sorted({a.get("alertname", "?") for a in n.alerts})) or "?"
            print(f"notification {n.channel}:{n.receiver} {n.status} {names}", flush=True)
        printed = len(notes)
        time.sleep(1.0)


def _check_alive(st) -> None:
    from mlmon.stack import StackError

    for key, p in st.procs.items():
        if not p.alive():
            raise StackError(f"{p.name} (pid {p.pid}) exited with code {p.popen.returncode}:\n{p.log_tail()}")
