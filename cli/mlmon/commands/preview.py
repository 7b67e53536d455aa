"""`mlmon preview`: each generated dashboard as a self-contained HTML page (and PNG), without a
Grafana server, filled from a live Prometheus or from the generated rule tests' series."""

from __future__ import annotations

import json
import sys

from mlmon import ExitCode
from mlmon.commands._period import iso, period

FLEET = "mlmon-fleet"


def run(opts) -> int:
    from mlmon.compiler.units import parse_duration
    from mlmon.preview import chromium, model, page

    dashboards = opts.directory / "grafana" / "dashboards"
    if not dashboards.is_dir():
        sys.stderr.write(f"mlmon preview: {dashboards} is not a folder (run `mlmon generate` first)\n")
        return ExitCode.USAGE
    if bool(opts.prometheus) == bool(opts.from_tests):
        sys.stderr.write("mlmon preview: give exactly one of --prometheus URL and --from-tests\n")
        return ExitCode.USAGE
    try:
        start, end = period(opts.start, opts.end)
        scrape = parse_duration(opts.scrape_interval)
    except ValueError as exc:
        sys.stderr.write(f"mlmon preview: {exc}\n")
        return ExitCode.USAGE
    files = sorted(dashboards.glob("*.json"))
    if opts.dashboard:
        files = [f for f in files if f.stem in opts.dashboard]
        missing = sorted(set(opts.dashboard) - {f.stem for f in files})
        if missing:
            sys.stderr.write(f"mlmon preview: no dashboard {', '.join(missing)} in {dashboards}\n")
            return ExitCode.USAGE
    if opts.png and not chromium.available():
        sys.stderr.write("mlmon preview: --png needs chromium (apt-get install chromium, or `make tools`)\n")
        return ExitCode.USAGE
    prom = None
    if opts.prometheus:
        from mlmon.preview.live import Prometheus
        from mlmon.remote.errors import RemoteError

        try:
            prom = Prometheus(opts.prometheus, opts.timeout)
        except RemoteError as exc:
            sys.stderr.write(f"mlmon preview: {exc}\n")
            return ExitCode.USAGE
    opts.output.mkdir(parents=True, exist_ok=True)
    failed = 0
    for f in files:
        dash = model.parse(json.loads(f.read_text(encoding="utf-8")))
        code, data, source = _fill(opts, prom, dash, f.stem, start, end, scrape)
        if code is not None:
            return code
        html = opts.output / f"{f.stem}.html"
        html.write_text(page.render(dash, data, source), encoding="utf-8")
        errors = sum(1 for d in data.values() if d.errors)
        failed += errors
        empty = sum(1 for d in data.values() if not d.series)
        sys.stderr.write(f"mlmon preview: {html} ({len(data)} panels, {empty} without data, {errors} with query errors)\n")
        if opts.png:
            from mlmon.tools import ToolFailed

            png = opts.output / f"{f.stem}.png"
            try:
                chromium.screenshot(html, png, page.PAGE_WIDTH + 2 * page.MARGIN, page.page_height(dash))
            except (RuntimeError, ToolFailed) as exc:
                sys.stderr.write(f"mlmon preview: {exc}\n")
                return ExitCode.USAGE
    return ExitCode.FINDINGS if failed else ExitCode.OK


def _fill(opts, prom, dash, stem: str, start: float, end: float, scrape: float):
    if prom is not None:
        from mlmon.preview.live import fill
        from mlmon.remote.errors import RemoteError

        try:
            data = fill(prom, dash, start, end, scrape_interval=scrape)
        except RemoteError as exc:
            sys.stderr.write(f"mlmon preview: {exc}\n")
            return ExitCode.USAGE, {}, ""
        return None, data, f"Prometheus {prom.client.url}, {iso(start)} to {iso(end)}"
    from mlmon.preview.scenarios import fill as from_tests
    from mlmon.preview.scenarios import test_files
    from mlmon.tools import ToolFailed, ToolMissing

    tests = opts.directory / "prometheus" / "tests"
    try:
        data = from_tests(dash, test_files(tests, None if stem == FLEET else stem))
    except ToolMissing as exc:
        sys.stderr.write(f"mlmon preview: {exc}; {exc.hint}\n")
        return ExitCode.USAGE, {}, ""
    except ToolFailed as exc:
        sys.stderr.write(f"mlmon preview: {exc}\n")
        return ExitCode.USAGE, {}, ""
    return None, data, f"series of the generated rule tests ({tests.as_posix()}), evaluated by promtool; times from each test's start"
