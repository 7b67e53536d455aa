"""``--from-tests``: fill panels from the synthetic series of the generated promtool rule tests.

Each test of ``prometheus/tests/*.test.yml`` is a scenario: input series from time 0 and the rule
files it loads. For every test file whose series and rules provide the metric names a panel
reads, the panel's queries are added to a copy of the file's tests as ``promql_expr_test`` entries
at evenly spaced times (multiples of the evaluation interval), each expecting nothing; promtool
evaluates the rules as in the real test and prints what every query returned. So the numbers are
Prometheus's own (same PromQL engine, rules, ``for`` and ``ALERTS``), not an imitation.

A panel shows the first scenario (files and tests in order) in which every query of the panel
returned data, else the one with the most samples. Limits: values exist only at the sampled
times (up to ``points`` per scenario), times are offsets from the scenario's start, and different
panels may show different scenarios (the panel's note names it).
"""

from __future__ import annotations

import math
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from mlmon.compiler.units import format_duration, parse_duration
from mlmon.preview.model import Dashboard, Panel, PanelData, Series, legend, substitute
from mlmon.preview.promtext import metric_names, parse_test_output, samples
from mlmon.tools import run

POINTS = 48  # sampled times per scenario


@dataclass(frozen=True)
class Query:
    test: int  # index in its file
    panel: int
    ref: str
    time: float


def test_files(tests_dir: Path, model: str | None) -> list[Path]:
    """The model's test files (all of them for the fleet dashboard), sorted."""
    files = sorted(tests_dir.glob("*.test.yml"))
    return [f for f in files if model is None or f.name.startswith(model + ".")]


def _provided(test_file: Path, doc: dict[str, Any]) -> set[str]:
    names = {"ALERTS", "ALERTS_FOR_STATE"}  # only when some rule file has alerts; an empty result is harmless
    for t in doc.get("tests", []):
        for s in t.get("input_series", []):
            names.add(str(s["series"]).split("{", 1)[0].strip())
    for rf in doc.get("rule_files", []):
        try:
            rules = yaml.safe_load((test_file.parent / rf).read_text()) or {}
        except (OSError, yaml.YAMLError):
            continue
        for g in rules.get("groups", []):
            names.update(r["record"] for r in g.get("rules", []) if "record" in r)
    return names


def _grid(test: dict[str, Any], evaluation: float, points: int) -> tuple[list[float], float, float]:
    interval = parse_duration(test.get("interval", "1m"))
    n = max((samples(s["values"]) for s in test.get("input_series", [])), default=1)
    end = (n - 1) * interval
    steps = int(end // evaluation)
    stride = max(1, math.ceil(steps / points))
    return [k * stride * evaluation for k in range(steps // stride + 1)], stride * evaluation, interval


def fill(dashboard: Dashboard, files: list[Path], *, points: int = POINTS, timeout: float = 300.0) -> dict[int, PanelData]:
    panels = [p for p in dashboard.panels if p.type != "row" and p.targets]
    needs: dict[int, set[str] | None] = {}
    for p in panels:
        names: set[str] | None = set()
        for t in p.targets:
            got = metric_names(substitute(t.expr, step=60, scrape_interval=60, range_seconds=3600))
            names = None if got is None or names is None else names | got
        needs[p.id] = names
    candidates: dict[int, list[tuple[int, PanelData]]] = {p.id: [] for p in panels}
    docs = [(f, yaml.safe_load(f.read_text()) or {}) for f in files]
    provided = [_provided(f, doc) for f, doc in docs]
    # rounds: test 1 of every file, then test 2 for the panels still without full data, ...
    for j in range(max((len(doc.get("tests", [])) for _, doc in docs), default=0)):
        done = {p.id for p in panels if any({s.ref for s in d.series} >= {t.ref for t in p.targets} for _, d in candidates[p.id])}
        jobs: list[tuple[Path, dict[str, Any], int, list[Panel]]] = []
        for (f, doc), prov in zip(docs, provided):
            eligible = [p for p in panels if p.id not in done and needs[p.id] and needs[p.id] <= prov]  # type: ignore[operator]
            if eligible and j < len(doc.get("tests", [])):
                jobs.append((f, doc, j, eligible))
        with ThreadPoolExecutor(max_workers=max(1, min(len(jobs), os.cpu_count() or 1))) as pool:  # promtool runs in its own process
            for result in pool.map(lambda job: _run_test(job[0], job[1], job[2], job[3], points, timeout), jobs):
                for pid, data in result.items():
                    candidates[pid].append(data)
    out: dict[int, PanelData] = {}
    for p in panels:
        if needs[p.id] is None:
            out[p.id] = PanelData(errors=("a query of this panel does not parse",))
        elif not candidates[p.id]:
            out[p.id] = PanelData(note="no rule test provides " + ", ".join(sorted(needs[p.id] or ())), absolute=False)
        else:
            out[p.id] = _choose(p, candidates[p.id])
    return out


def _choose(panel: Panel, cands: list[tuple[int, PanelData]]) -> PanelData:
    refs = {t.ref for t in panel.targets}
    for _, d in cands:
        if {s.ref for s in d.series} >= refs:
            return d
    return max(cands, key=lambda c: (c[0], -cands.index(c)))[1]


def _run_test(f: Path, doc: dict[str, Any], j: int, panels: list[Panel], points: int, timeout: float) -> dict[int, tuple[int, PanelData]]:
    """Run test ``j`` of file ``f`` with the panels' queries; per panel (samples, data)."""
    evaluation = parse_duration(doc.get("evaluation_interval", "1m"))
    test = doc["tests"][j]
    times, step, interval = _grid(test, evaluation, points)
    queries: list[Query] = []
    exprs = []
    for p in panels:
        for t in p.targets:
            expr = substitute(t.expr, step=step, scrape_interval=interval, range_seconds=times[-1] or step)
            for at in times:
                exprs.append({"expr": f"{expr}\n# q{len(queries)}", "eval_time": format_duration(at), "exp_samples": []})
                queries.append(Query(j, p.id, t.ref, at))
    copy = {k: v for k, v in doc.items() if k in ("evaluation_interval", "group_eval_order")}
    copy["rule_files"] = [str((f.parent / rf).resolve()) for rf in doc.get("rule_files", [])]
    copy["tests"] = [{k: v for k, v in test.items() if k in ("interval", "input_series", "external_labels")} | {"promql_expr_test": exprs}]
    with tempfile.TemporaryDirectory(prefix="mlmon-preview-") as tmp:
        path = Path(tmp) / f.name
        path.write_text(yaml.safe_dump(copy, sort_keys=False, width=1 << 20))
        res = run("promtool", ["test", "rules", path.name], cwd=tmp, timeout=timeout, merge=True)
    results = parse_test_output(res.stdout)
    buckets: dict[int, dict[tuple[str, tuple[tuple[str, str], ...]], list[tuple[float, float]]]] = {}
    errors: dict[int, set[str]] = {}
    for n, q in enumerate(queries):
        got = results.get(n, [])
        bucket = buckets.setdefault(q.panel, {})
        if isinstance(got, str):
            errors.setdefault(q.panel, set()).add(got)
            continue
        for labels, value in got:
            bucket.setdefault((q.ref, tuple(sorted(labels.items()))), []).append((q.time, value))
    note = f"rule test {f.name} #{j + 1}: {test.get('name', '')}".rstrip(": ")
    out: dict[int, tuple[int, PanelData]] = {}
    for p in panels:
        fmt = {t.ref: t.legend for t in p.targets}
        bucket = buckets.get(p.id, {})
        series = tuple(
            Series(legend(fmt[ref], dict(labels)), labels, tuple(pts), ref)
            for (ref, labels), pts in sorted(bucket.items(), key=lambda kv: (kv[0][0], legend(fmt[kv[0][0]], dict(kv[0][1])), kv[0][1]))
        )
        data = PanelData(series, tuple(sorted(errors.get(p.id, ()))), note, times[0], times[-1], absolute=False)
        out[p.id] = (sum(len(s.points) for s in series), data)
    return out
