"""The live view of ``mlmon up``: alerts from Prometheus with where each was delivered, as a table
on a terminal or one log line per change otherwise."""

from __future__ import annotations

import threading
import time
from typing import Any

from mlmon.stack import Notification, Stack, StackError

SEVERITY_STYLE = {"critical": "bold red", "warning": "yellow"}


def _rows(st: Stack, feed: list[Notification], feed_lock: threading.Lock) -> tuple[list[dict[str, Any]], list[Notification]]:
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
    for alert in sorted(alerts, key=lambda x: (x["labels"].get("model", ""), x["labels"].get("alertname", ""), x["labels"].get("check", ""))):
        lab = alert["labels"]
        check = " ".join(x for x in (lab.get("check", "") or lab.get("slo", ""), lab.get("burn_window", "")) if x)
        row = {"state": alert.get("state", ""), "alertname": lab.get("alertname", ""), "model": lab.get("model", ""), "severity": lab.get("severity", "")}
        row.update(check=check, key=tuple(sorted(lab.items())), since=(alert.get("activeAt") or "")[11:19])
        row["delivered"] = ", ".join(delivered.get((lab.get("model", ""), lab.get("alertname", "")), []))
        rows.append(row)
    return rows, notes


def _table(rows: list[dict[str, Any]], n_notes: int) -> Any:
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


def watch(st: Stack, feed: list[Notification], feed_lock: threading.Lock, duration: float | None, live: bool | None) -> None:
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


def _check_alive(st: Stack) -> None:
    for p in st.procs.values():
        if not p.alive():
            raise StackError(f"{p.name} (pid {p.pid}) exited with code {p.popen.returncode}:\n{p.log_tail()}")
