"""`mlmon report`: compliance and reliability report of every model for a period, from a live
Prometheus, as Markdown (with SVG plots), HTML and JSON."""

from __future__ import annotations

import sys

from mlmon import ExitCode, __version__
from mlmon.commands._common import load, print_diagnostics
from mlmon.commands._period import iso, period

FORMATS = ("md", "html", "json")


def run(opts) -> int:
    formats = [f.strip() for f in opts.formats.split(",") if f.strip()]
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        sys.stderr.write(f"mlmon report: --formats takes a comma-separated list of {', '.join(FORMATS)}\n")
        return ExitCode.USAGE
    try:
        start, end = period(opts.start, opts.end)
    except ValueError as exc:
        sys.stderr.write(f"mlmon report: {exc}\n")
        return ExitCode.USAGE
    spec, diags, usage = load(opts.paths)
    if usage or spec is None:
        print_diagnostics(diags, "text", sys.stderr)
        return ExitCode.USAGE if usage else ExitCode.FINDINGS
    unknown = sorted(set(opts.model) - {m.id for m in spec.models})
    if unknown:
        sys.stderr.write(f"mlmon report: no model {', '.join(unknown)} in the specs\n")
        return ExitCode.USAGE
    from mlmon import fsio
    from mlmon.preview.live import Prometheus
    from mlmon.remote.errors import RemoteError
    from mlmon.report import build, collect, render
    from mlmon.report.revision import revision

    files, _ = fsio.find_specs(list(opts.paths))
    meta = {
        "from": iso(start),
        "to": iso(end),
        "from_unix": int(start),
        "to_unix": int(end),
        "prometheus": None,
        "spec_revision": revision(files, [fsio.display(f) for f in files]),
        "mlmon_version": __version__,
    }
    step = min(m.evaluation_interval for m in spec.models) if spec.models else 60.0
    try:
        prom = Prometheus(opts.prometheus, opts.timeout)
        meta["prometheus"] = prom.client.url
        report = build.build(spec, collect.source(prom, start, end, step), meta, opts.model or None)
    except (RemoteError, collect.QueryFailed) as exc:
        sys.stderr.write(f"mlmon report: {exc}\n")
        return ExitCode.USAGE
    within = sum(1 for m in report["models"] if m["within_policy"])
    report["report"]["models"] = len(report["models"])
    report["report"]["models_within_policy"] = within
    out = opts.output
    out.mkdir(parents=True, exist_ok=True)
    written = []
    if "json" in formats:
        (out / "report.json").write_text(render.to_json(report), encoding="utf-8")
        written.append("report.json")
    if "md" in formats:
        (out / "report.md").write_text(render.to_markdown(report), encoding="utf-8")
        for name, text in render.plot_files(report).items():
            (out / name).parent.mkdir(parents=True, exist_ok=True)
            (out / name).write_text(text, encoding="utf-8")
        written.append("report.md")
    if "html" in formats:
        (out / "report.html").write_text(render.to_html(report), encoding="utf-8")
        written.append("report.html")
    sys.stderr.write(f"mlmon report: {within} of {len(report['models'])} model(s) within policy; wrote {', '.join(str(out / w) for w in written)}\n")
    return ExitCode.OK if within == len(report["models"]) or not opts.exit_code else ExitCode.FINDINGS
