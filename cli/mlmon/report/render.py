"""The report as Markdown (plots as SVG files beside it), as one self-contained HTML page (plots
inline) and as JSON (pure: data in, text out; the JSON holds no plot series)."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from mlmon.compiler.units import format_duration, num
from mlmon.preview import svg
from mlmon.preview.model import Panel, Series, Step
from mlmon.preview.units import civil_date, format_value

PLOT_W, PLOT_H = 720, 220


def to_json(report: dict[str, Any]) -> str:
    data = {"report": report["report"], "models": [{k: v for k, v in m.items() if k != "plots"} for m in report["models"]]}
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def plot_svg(plot: dict[str, Any], start: float, end: float) -> str:
    steps = (Step("transparent", None), *(Step(c, v) for v, c in plot["thresholds"]))
    panel = Panel(0, "timeseries", plot["title"], 0, 0, 12, 8, unit=plot["unit"], steps=steps, threshold_lines=bool(plot["thresholds"]))
    series = tuple(Series(s["name"], (), tuple((t, v) for t, v in s["points"] if v is not None)) for s in plot["series"])
    return svg.timeseries(panel, series, start, end, True, PLOT_W, PLOT_H)


def plot_files(report: dict[str, Any]) -> dict[str, str]:
    """``plots/<model>-<n>.svg`` -> SVG text, for the Markdown report."""
    r = report["report"]
    return {_plot_name(m["id"], i): plot_svg(p, r["from_unix"], r["to_unix"]) + "\n" for m in report["models"] for i, p in enumerate(m["plots"])}


def _plot_name(model: str, i: int) -> str:
    return f"plots/{model}-{i + 1}.svg"


def _v(x: Any, unit: str = "short") -> str:
    return "no data" if x is None else format_value(x, unit)


def _limit(x: Any) -> str:
    return "-" if x is None else num(x)


def _met(x: bool | None) -> str:
    return "no data" if x is None else ("yes" if x else "**no**")


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    if not rows:
        return ["(none)", ""]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows]
    return lines + [""]


def _model_md(m: dict[str, Any], r: dict[str, Any], plot_ref) -> list[str]:
    out = [f"## {m['id']} (team {m['team']})", ""]
    out.append("**Within policy: yes**" if m["within_policy"] else "**Within policy: no**")
    out += [""] + [f"- {f}" for f in m["findings"]] + [""]
    out += ["### SLOs", ""]
    out += _table(
        ["SLO", "objective", "attainment", "error budget spent", "budget left at end", "met"],
        [
            [
                s["name"],
                f"{num(s['objective_percent'])}%",
                _v(s["attainment_percent"], "percent"),
                _v(s["budget_spent"], "percentunit"),
                _v(s["budget_remaining_at_end"], "percentunit"),
                _met(s["met"]),
            ]
            for s in m["slos"]
        ],
    )
    if m["drift"]:
        out += ["### Drift incidents", ""]
        out += _table(
            ["feature", "warn", "critical", "max score", "incidents", "firing", "severities"],
            [
                [
                    f["feature"],
                    num(f["warn"]),
                    num(f["critical"]),
                    _v(f["max_score"]),
                    str(len(f["incidents"])),
                    format_duration(round(f["firing_seconds"])),
                    ", ".join(f["severities"]),
                ]
                for f in m["drift"]
            ],
        )
    if m["fairness"]:
        fa = m["fairness"]
        out += ["### Fairness", ""]
        out += _table(
            ["check", "limit", "worst in period", "met"],
            [[c["check"], f"{c['bound']} {num(c['limit'])}", _v(c["worst"]), _met(c["met"])] for c in fa["checks"]],
        )
        out += _table(
            [f"{fa['group_label']}", "selection rate (min / avg / max)", "true positive rate (min / avg / max)"],
            [[g["group"], _triple(g.get("selection_rate")), _triple(g.get("true_positive_rate"))] for g in fa["groups"]],
        )
    if m["performance"]:
        out += ["### Performance against the spec's limits", ""]
        out += _table(
            ["metric", "min limit", "max limit", "min", "avg", "max", "met"],
            [
                [p["metric"], _limit(p["min_limit"]), _limit(p["max_limit"]), _v(p["min"]), _v(p["avg"]), _v(p["max"]), _met(p["met"])]
                for p in m["performance"]["metrics"]
            ],
        )
        out += _table(
            ["metric", "version", "average", "at training", "average - training"],
            [[v["metric"], v["version"], _v(v["avg"]), _v(v.get("training")), _v(v.get("vs_training"))] for v in m["performance"]["by_version"]],
        )
    out += ["### Versions deployed", ""]
    out += _table(
        ["version", "stage", "first seen", "last seen"], [[v["version"], v["stage"], _iso(v["first_seen"]), _iso(v["last_seen"])] for v in m["versions"]]
    )
    out += ["### Alerts fired and their routing", ""]
    out += _table(
        ["alert", "severity", "check", "fired", "firing", "receivers"],
        [
            [a["alertname"], a["severity"], a["check"], str(a["fired"]), format_duration(round(a["firing_seconds"])), ", ".join(a["receivers"])]
            for a in m["alerts"]
        ],
    )
    if m["cost"]:
        c = m["cost"]
        out += ["### Cost against budget", ""]
        out += _table(
            ["spent", "period's share of the budget", "monthly budget", "share used", "met"],
            [
                [
                    _v(c["spend_usd"], "currencyUSD"),
                    _v(c["period_budget_usd"], "currencyUSD"),
                    _v(c["monthly_budget_usd"], "currencyUSD"),
                    _v(c["share_of_budget"], "percentunit"),
                    _met(c["met"]),
                ]
            ],
        )
    if m["plots"]:
        out += ["### Plots", ""]
        for i, p in enumerate(m["plots"]):
            out += [plot_ref(m["id"], i, p), ""]
    return out


def _triple(x: dict[str, float] | None) -> str:
    if not x:
        return "no data"
    return " / ".join(_v(x.get(k)) for k in ("min", "avg", "max"))


def _iso(t: float) -> str:
    days, rest = divmod(int(t), 86400)
    y, mo, d = civil_date(days)
    return f"{y:04d}-{mo:02d}-{d:02d} {rest // 3600:02d}:{rest // 60 % 60:02d}"


def _header(r: dict[str, Any]) -> list[str]:
    rev = r["spec_revision"]
    what = (
        f"git commit {rev['commit']}" + (" (with uncommitted changes)" if rev.get("dirty") else "")
        if rev["kind"] == "git"
        else f"sha256 {rev['digest']} of the spec files"
    )
    return [
        "# mlmon compliance and reliability report",
        "",
        f"- Period: {r['from']} to {r['to']} (UTC)",
        f"- Data: {r['prometheus']}",
        f"- Spec revision: {what} ({', '.join(rev['files'])})",
        f"- Models: {r['models_within_policy']} of {r['models']} within policy",
        "",
    ]


def to_markdown(report: dict[str, Any]) -> str:
    lines = _header(report["report"])
    for m in report["models"]:
        lines += _model_md(m, report["report"], lambda mid, i, p: f"![{p['title']}]({_plot_name(mid, i)})")
    return "\n".join(lines).rstrip("\n") + "\n"


def to_html(report: dict[str, Any]) -> str:
    """The Markdown's content as HTML (tables, lists, headings) with the plots inline."""
    r = report["report"]
    plots = {(m["id"], i): plot_svg(p, r["from_unix"], r["to_unix"]) for m in report["models"] for i, p in enumerate(m["plots"])}
    lines = _header(r)
    for m in report["models"]:
        lines += _model_md(m, r, lambda mid, i, p: f"@@plot {mid} {i} {p['title']}")
    body = _md_to_html(lines, plots)
    style = (
        "body{font-family:Inter,Helvetica,Arial,sans-serif;max-width:1000px;margin:24px auto;color:#1f1f1f}"
        "table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}"
        "figure{background:#181B1F;padding:8px;margin:8px 0;display:inline-block}figcaption{color:#ccc;font-size:12px}"
    )
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>mlmon report</title><style>{style}</style></head><body>\n{body}</body></html>\n'
    )


def _inline(text: str) -> str:
    out = escape(text)
    parts = out.split("**")
    return "".join(f"<strong>{p}</strong>" if i % 2 else p for i, p in enumerate(parts))


def _md_to_html(lines: list[str], plots: dict[tuple[str, int], str]) -> str:
    out: list[str] = []
    table: list[list[str]] = []
    items: list[str] = []

    def flush() -> None:
        if table:
            head, rows = table[0], table[2:]
            out.append("<table><thead><tr>" + "".join(f"<th>{_inline(c)}</th>" for c in head) + "</tr></thead><tbody>")
            out.extend("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in r) + "</tr>" for r in rows)
            out.append("</tbody></table>")
            table.clear()
        if items:
            out.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + "</ul>")
            items.clear()

    for line in lines:
        if line.startswith("| "):
            table.append([c.strip().replace("\\|", "|") for c in line.strip("|").split(" | ")])
            continue
        if line.startswith("|---"):
            table.append([])
            continue
        if line.startswith("- "):
            items.append(line[2:])
            continue
        flush()
        if line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            out.append(f"<h{level}>{_inline(line[level + 1 :])}</h{level}>")
        elif line.startswith("@@plot "):
            _, mid, i, title = line.split(" ", 3)
            out.append(f"<figure>{plots[(mid, int(i))]}<figcaption>{escape(title)}</figcaption></figure>")
        elif line:
            out.append(f"<p>{_inline(line)}</p>")
    flush()
    return "\n".join(out) + "\n"
