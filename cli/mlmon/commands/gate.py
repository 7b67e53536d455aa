"""`mlmon gate`: judge a canary step. Compiles the spec, asks Prometheus the model's canary
comparisons at one instant (``monitors.canary.gate``), prints them and exits 0 (pass), 1 (the
candidate is worse than the spec allows), 4 (inconclusive: too few samples or no data) or 2
(usage, spec or HTTP errors). With ``--wait`` it asks again every ``--interval`` until the answer
is not inconclusive or the time is up.

Prometheus comes from ``--prometheus`` or ``MLMON_PROMETHEUS_URL``; credentials only from the
environment (``MLMON_PROMETHEUS_TOKEN`` ..., see ``mlmon.remote.http``).
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

from mlmon import ExitCode
from mlmon.commands._common import check_format, load, print_diagnostics
from mlmon.compiler.units import parse_duration

CODES = {"pass": ExitCode.OK, "fail": ExitCode.FINDINGS, "inconclusive": ExitCode.INCONCLUSIVE}


def _usage(message: str) -> int:
    sys.stderr.write(f"mlmon gate: {message}\n")
    return ExitCode.USAGE


def query(client: Any, expr: str, at: float) -> float | None:
    """The single value of an instant query (None when the result is empty)."""
    from mlmon.remote.errors import RemoteError

    body = client.get_json("/api/v1/query", what="query", params={"query": expr, "time": f"{at:.3f}"})
    if not isinstance(body, dict) or body.get("status") != "success":
        raise RemoteError(f"prometheus at {client.url}: query failed: {(body or {}).get('error', body) if isinstance(body, dict) else body}")
    result = (body.get("data") or {}).get("result") or []
    if not result:
        return None
    if len(result) > 1:
        raise RemoteError(f"prometheus at {client.url}: query returned {len(result)} series, expected one: {expr}")
    return float(result[0]["value"][1])


def _fmt(v: float | None) -> str:
    return "-" if v is None else f"{round(v, 9) + 0.0:.4g}"  # no -2e-19 from float noise


def show_text(model_id: str, c: Any, verdict: Any, at: float) -> None:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at))
    out = [f"{model_id}: {c.label}={c.candidate} ({c.mode}) against {c.label}={c.baseline}, at {stamp}"]
    header = ("check", "baseline", "candidate", "compared", "limit", "verdict")
    rows = [header] + [
        (r.check, _fmt(r.baseline), _fmt(r.candidate), _fmt(r.value), r.limit, r.verdict.upper() if r.verdict == "fail" else r.verdict) for r in verdict.rows
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    out += ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    out.append(f"result: {verdict.outcome} (exit {int(CODES[verdict.outcome])})")
    sys.stdout.write("\n".join(out) + "\n")


def show_json(model_id: str, c: Any, verdict: Any, at: float, queries: dict[str, str]) -> None:
    data = {
        "model": model_id,
        "mode": c.mode,
        "label": c.label,
        "baseline": c.baseline,
        "candidate": c.candidate,
        "time": round(at, 3),
        "outcome": verdict.outcome,
        "exit_code": int(CODES[verdict.outcome]),
        "checks": [vars(r) for r in verdict.rows],
        "queries": queries,
    }
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=True) + "\n")


def run(opts: Any) -> int:
    bad = check_format(opts.format)
    if bad is not None:
        return bad
    url = opts.prometheus or os.environ.get("MLMON_PROMETHEUS_URL")
    if not url:
        return _usage("no Prometheus: pass --prometheus URL or set MLMON_PROMETHEUS_URL")
    try:
        wait = parse_duration(opts.wait) if opts.wait not in (None, "", "0", "0s") else 0.0
        interval = parse_duration(opts.interval)
    except ValueError as exc:
        return _usage(f"--wait/--interval: {exc}")
    spec, diags, _ = load(opts.paths)
    if spec is None:
        print_diagnostics(diags, "text", sys.stderr)
        return _usage("the spec has errors (see above)")
    model = next((m for m in spec.models if m.id == opts.model), None)
    if model is None:
        return _usage(f"no model {opts.model!r} in the spec (models: {', '.join(m.id for m in spec.models)})")
    section = model.section("canary")
    if section is None:
        return _usage(f"model {opts.model!r} has no canary section")
    return _judge(model, section.with_arms(opts.baseline, opts.candidate), url, float(opts.timeout), wait, interval, opts.format)


def _judge(model: Any, c: Any, url: str, timeout: float, wait: float, interval: float, fmt: str) -> int:
    from mlmon.monitors.canary import gate
    from mlmon.remote.errors import RemoteError
    from mlmon.remote.http import HttpClient, HttpSettings, redact

    queries = gate.queries(model, c)
    deadline = time.monotonic() + wait
    try:
        client = HttpClient("prometheus", url, settings=HttpSettings(connect_timeout=min(3.0, timeout), read_timeout=timeout))
        while True:
            at = time.time()
            verdict = gate.verdict(c, {k: query(client, q, at) for k, q in queries.items()})
            if verdict.outcome != gate.INCONCLUSIVE or time.monotonic() + interval > deadline:
                break
            sys.stderr.write(f"mlmon gate: inconclusive; asking again in {interval:g}s\n")
            time.sleep(interval)
    except RemoteError as exc:
        sys.stderr.write("mlmon gate: " + redact(str(exc)) + "\n")
        return ExitCode.USAGE
    if fmt == "json":
        show_json(model.id, c, verdict, at, queries)
    else:
        show_text(model.id, c, verdict, at)
    return CODES[verdict.outcome]
