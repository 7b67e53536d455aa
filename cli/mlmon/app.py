"""The ``mlmon`` command line: thin typer functions that build an options object and call
``mlmon.commands.<name>.run(opts) -> int``. This is the only module that imports typer.

Command modules are imported inside each function so ``mlmon lint`` (a pre-commit hook) never
pays for grafanalib, jsonschema or requests.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from mlmon.runner import run_command


class _Group(TyperGroup):
    """``--debug`` is global, but it may also be written after the command (``mlmon diff --debug``)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        end = args.index("--") if "--" in args else len(args)
        if "--debug" in args[1:end]:
            args = ["--debug", *(a for i, a in enumerate(args) if not (a == "--debug" and i < end))]
        return list(super().parse_args(ctx, args))


app = typer.Typer(
    cls=_Group,
    name="mlmon",
    help="Monitoring-as-code for ML models: one YAML spec -> Prometheus rules, Alertmanager routing, Grafana dashboards.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_DEBUG = False


def _run(command: str, **opts: Any) -> None:
    """Run ``mlmon.commands.<command>`` (mlmon.entry.run_command) and exit with its code."""
    raise typer.Exit(run_command(command, _DEBUG, **opts))


@app.callback()
def _main(debug: bool = typer.Option(False, "--debug", help="show tracebacks of internal errors")) -> None:
    global _DEBUG
    _DEBUG = debug


PathsArg = typer.Argument(None, help="spec files or folders (default: specs/)")
FormatOpt = typer.Option("text", "--format", help="text or json")
AllowOutsideOpt = typer.Option(False, "--allow-outside-refs", help="read files a spec references (drift baselines) outside the spec folders")


@app.command()
def lint(
    paths: list[Path] | None = PathsArg,
    format: str = FormatOpt,
    fail_on: str = typer.Option("error", "--fail-on", help="lowest severity that fails: error, warning or info"),
    root: Path | None = typer.Option(
        None, "--root", help="spec folder the named files belong to: every spec in it is compiled, only the named files are reported (pre-commit)"
    ),
    allow_outside_refs: bool = AllowOutsideOpt,
) -> None:
    """Check spec files: YAML, schema and semantics. Every problem at once, as file:line:col."""
    _run("lint", paths=paths or [], format=format, fail_on=fail_on, root=root, allow_outside_refs=allow_outside_refs)


@app.command()
def generate(
    paths: list[Path] | None = PathsArg,
    output: Path = typer.Option(Path("generated"), "-o", "--output", help="output folder"),
    check: bool = typer.Option(False, "--check", help="write nothing; print a diff and exit 1 when the folder is stale"),
    jobs: int = typer.Option(0, "-j", "--jobs", min=0, help="worker processes for large fleets (0 = one per core; output is identical)"),
    format: str = FormatOpt,
    allow_outside_refs: bool = AllowOutsideOpt,
) -> None:
    """Compile specs into Prometheus, Alertmanager and Grafana files (atomic, deterministic)."""
    _run("generate", paths=paths or [], output=output, check=check, jobs=jobs, format=format, allow_outside_refs=allow_outside_refs)


@app.command()
def validate(
    directory: Path = typer.Argument(Path("generated"), help="a folder written by `mlmon generate`"),
    format: str = FormatOpt,
    jobs: int = typer.Option(0, "-j", "--jobs", min=0, help="rule test files run at once (0 = one per core)"),
    timeout: float | None = typer.Option(
        None, "--timeout", min=0, help="seconds one tool call may take before it counts as failed (default $MLMON_TOOL_TIMEOUT; 0 or unset: no limit)"
    ),
    cache_dir: Path | None = typer.Option(
        None, "--cache-dir", help="where passing rule test files are remembered by content (default $MLMON_CACHE_DIR, else ~/.cache/mlmon/rule-tests)"
    ),
    no_cache: bool = typer.Option(False, "--no-cache", help="run every rule test file, remember nothing"),
    verbose: bool = typer.Option(False, "-v", "--verbose", help="print each rule test file's time (or 'cached pass')"),
    coverage: bool = typer.Option(
        False, "--coverage", help="print, for each alert rule, whether a rule test makes it fire, keeps it quiet, and runs with no data"
    ),
) -> None:
    """Run promtool, amtool (and pint when installed) on generated output; every alert rule must have a firing rule test."""
    _run(
        "validate",
        directory=directory,
        format=format,
        jobs=jobs,
        timeout=timeout,
        cache_dir=cache_dir,
        no_cache=no_cache,
        verbose=verbose,
        coverage=coverage,
    )


@app.command()
def series(
    paths: list[Path] | None = PathsArg,
    versions: int = typer.Option(1, "--versions", min=1, help="model versions serving at once (each has its own series)"),
    format: str = FormatOpt,
    allow_outside_refs: bool = AllowOutsideOpt,
) -> None:
    """Estimate the series the specs' scrape and rules create, per model and in total."""
    _run("series", paths=paths or [], versions=versions, format=format, allow_outside_refs=allow_outside_refs)


@app.command()
def schema(output: Path | None = typer.Option(None, "-o", "--output", help="write here instead of stdout")) -> None:
    """Print the JSON Schema of the spec (for editors and yaml-language-server)."""
    _run("schema", output=output)


@app.command()
def baseline(
    data: Path = typer.Argument(..., help="reference (training) data: .csv, or .parquet when pyarrow is installed"),
    model: str = typer.Option(..., "--model", help="model id the baseline belongs to"),
    output: str = typer.Option("-", "-o", "--output", help="baseline YAML to write ('-' = stdout)"),
    prediction: str | None = typer.Option(None, "--prediction", help="column with the model's score (or predicted label)"),
    features: list[str] | None = typer.Option(None, "--features", help="feature columns (comma-separated; default: all but --prediction/--ignore)"),
    numeric: list[str] | None = typer.Option(None, "--numeric", help="columns that must be numeric (a non-number is an error)"),
    categorical: list[str] | None = typer.Option(None, "--categorical", help="columns binned by category"),
    ignore: list[str] | None = typer.Option(None, "--ignore", help="columns to leave out (ids, timestamps, the label)"),
    bins: int = typer.Option(10, "--bins", help="quantile bins per numeric column (plus 2 overflow bins)"),
    top_k: int = typer.Option(10, "--top-k", help="categories kept per categorical column (plus __other__)"),
    min_rows: int = typer.Option(100, "--min-rows", help="fail when the data has fewer rows"),
    edges: list[str] | None = typer.Option(None, "--edges", help="fixed bin edges COLUMN=e1,e2,... (e.g. an existing histogram's buckets)"),
    ranges: list[str] | None = typer.Option(None, "--range", help="valid values COLUMN=LOW:HIGH for data quality (default: the reference min and max)"),
    format: str = FormatOpt,
) -> None:
    """Compute a drift baseline (reference bin fractions) from reference data."""
    _run(
        "baseline",
        data=data,
        model=model,
        output=output,
        prediction=prediction,
        features=features,
        numeric=numeric,
        categorical=categorical,
        ignore=ignore,
        bins=bins,
        top_k=top_k,
        min_rows=min_rows,
        edges=edges,
        ranges=ranges,
        format=format,
    )


# The options of `diff` and `apply` that name the targets: one list for both commands.
_TARGET_OPTIONS: dict[str, tuple[Any, Any]] = {
    "context": (str | None, typer.Option(None, "--context", help="named environment from mlmon.contexts.yaml (env MLMON_CONTEXT); flags override it")),
    "generated": (Path, typer.Option(Path("generated"), "--generated", help="folder written by `mlmon generate`")),
    "prometheus": (str | None, typer.Option(None, "--prometheus", help="Prometheus URL (env MLMON_PROMETHEUS_URL)")),
    "prometheus_config_dir": (
        Path | None,
        typer.Option(None, "--prometheus-config-dir", help="folder of the prometheus.yml the server loads (env MLMON_PROMETHEUS_CONFIG_DIR)"),
    ),
    "alertmanager": (str | None, typer.Option(None, "--alertmanager", help="Alertmanager URL (env MLMON_ALERTMANAGER_URL)")),
    "alertmanager_config": (
        Path | None,
        typer.Option(None, "--alertmanager-config", help="the config file the server loads (env MLMON_ALERTMANAGER_CONFIG)"),
    ),
    "grafana": (str | None, typer.Option(None, "--grafana", help="Grafana URL (env MLMON_GRAFANA_URL)")),
    "mimir": (str | None, typer.Option(None, "--mimir", help="Mimir/Cortex URL (env MLMON_MIMIR_URL)")),
    "thanos": (str | None, typer.Option(None, "--thanos", help="Thanos Ruler URL (env MLMON_THANOS_URL)")),
    "thanos_rules_dir": (
        Path | None,
        typer.Option(None, "--thanos-rules-dir", help="folder whose mlmon/rules/*.rules.yml the ruler's --rule-file reads (env MLMON_THANOS_RULES_DIR)"),
    ),
    "timeout": (float, typer.Option(10.0, "--timeout", help="seconds per HTTP request")),
    "state_dir": (Path | None, typer.Option(None, "--state-dir", help="where Grafana and Mimir locks live (default: the context's `state`, else .mlmon)")),
    "format": (str, FormatOpt),
}


def _target_command(name: str, doc: str, skip: tuple[str, ...] = (), **extra: tuple[Any, Any]) -> None:
    """Register ``mlmon <name>`` with the target options but ``skip``, then ``extra`` (option name -> (type, typer option))."""
    params = {**{k: v for k, v in _TARGET_OPTIONS.items() if k not in skip}, **extra}

    def command(**opts: Any) -> None:
        _run(name, **opts)

    kind = inspect.Parameter.KEYWORD_ONLY
    command.__signature__ = inspect.Signature([inspect.Parameter(k, kind, default=o, annotation=t) for k, (t, o) in params.items()])  # type: ignore[attr-defined]
    command.__annotations__ = {**{k: t for k, (t, _) in params.items()}, "return": None}
    command.__doc__ = doc
    app.command(name)(command)


_target_command(
    "diff",
    "Show what `apply` would change on live servers. Tokens only from MLMON_<TARGET>_TOKEN etc.",
    exit_code=(bool, typer.Option(False, "--exit-code", help="exit 1 when there are changes")),
)
_target_command(
    "apply",
    "Make live servers equal to generated/: prometheus -> alertmanager -> grafana -> mimir -> thanos, verified, rolled back on failure.",
    dry_run=(bool, typer.Option(False, "--dry-run", help="print the plan, change nothing")),
    yes=(bool, typer.Option(False, "--yes", "-y", help="do not ask for confirmation")),
    force=(bool, typer.Option(False, "--force", help="overwrite objects changed outside mlmon (e.g. dashboards edited in the UI)")),
    message=(str, typer.Option("mlmon apply", "--message", help="commit message recorded where the server supports it")),
    atomic=(bool, typer.Option(True, "--atomic/--no-atomic", help="when a target fails, also restore the targets applied before it")),
)
_target_command(
    "unlock",
    "Remove an apply lock that no running apply holds (e.g. left by an apply on another host), after a confirmation.",
    skip=("generated", "format", "timeout"),
    yes=(bool, typer.Option(False, "--yes", "-y", help="do not ask for confirmation")),
)


@app.command()
def context(
    action: str = typer.Argument(..., help="list, use or show"),
    name: str | None = typer.Argument(None, help="the context (use: required; show: default the current one)"),
) -> None:
    """Named environments (mlmon.contexts.yaml and the user's contexts file): list them, choose the current one, show one."""
    _run("context", action=action, name=name)


@app.command()
def preview(
    directory: Path = typer.Argument(Path("generated"), help="a folder written by `mlmon generate`"),
    output: Path = typer.Option(Path("preview"), "-o", "--output", help="folder for the HTML pages (and PNGs)"),
    prometheus: str | None = typer.Option(None, "--prometheus", help="fill panels from this Prometheus (their own PromQL over --from/--to)"),
    from_tests: bool = typer.Option(False, "--from-tests", help="fill panels from the generated rule tests' series (promtool)"),
    start: str = typer.Option("now-6h", "--from", help="start: now-6h, Unix seconds or RFC 3339 (with --prometheus)"),
    end: str = typer.Option("now", "--to", help="end (with --prometheus)"),
    dashboard: list[str] | None = typer.Option(None, "--dashboard", help="only this dashboard (file name without .json; repeatable)"),
    png: bool = typer.Option(False, "--png", help="also write a PNG of each page (headless chromium)"),
    scrape_interval: str = typer.Option("15s", "--scrape-interval", help="scrape interval for $__rate_interval (with --prometheus)"),
    timeout: float = typer.Option(30.0, "--timeout", help="seconds per query"),
) -> None:
    """Render each generated dashboard as a self-contained HTML page (and PNG), without Grafana."""
    _run(
        "preview",
        directory=directory,
        output=output,
        prometheus=prometheus,
        from_tests=from_tests,
        start=start,
        end=end,
        dashboard=dashboard or [],
        png=png,
        scrape_interval=scrape_interval,
        timeout=timeout,
    )


@app.command()
def report(
    paths: list[Path] | None = PathsArg,
    prometheus: str = typer.Option(..., "--prometheus", help="Prometheus URL that evaluated the generated rules"),
    start: str = typer.Option("now-30d", "--from", help="start of the period: now-30d, Unix seconds or RFC 3339"),
    end: str = typer.Option("now", "--to", help="end of the period"),
    output: Path = typer.Option(Path("report"), "-o", "--output", help="folder for report.md (plus plots/), report.html, report.json"),
    formats: str = typer.Option("md,html,json", "--formats", help="comma-separated: md, html, json"),
    model: list[str] | None = typer.Option(None, "--model", help="only this model (repeatable)"),
    exit_code: bool = typer.Option(False, "--exit-code", help="exit 1 when a model did not stay within policy"),
    timeout: float = typer.Option(60.0, "--timeout", help="seconds per query"),
) -> None:
    """Compliance and reliability report of every model for a period, from a live Prometheus."""
    _run(
        "report",
        paths=paths or [],
        prometheus=prometheus,
        start=start,
        end=end,
        output=output,
        formats=formats,
        model=model or [],
        exit_code=exit_code,
        timeout=timeout,
    )


@app.command()
def gate(
    paths: list[Path] | None = PathsArg,
    model: str = typer.Option(..., "--model", help="id of the model whose canary is judged"),
    prometheus: str | None = typer.Option(None, "--prometheus", help="Prometheus URL (env MLMON_PROMETHEUS_URL)"),
    baseline: str | None = typer.Option(None, "--baseline", help="label value of the serving version (default: the spec's canary.baseline)"),
    candidate: str | None = typer.Option(None, "--candidate", help="label value of the version under test (default: the spec's canary.candidate)"),
    wait: str = typer.Option("0s", "--wait", help="ask again until the answer is not inconclusive, at most this long (e.g. 10m)"),
    interval: str = typer.Option("30s", "--interval", help="time between questions with --wait"),
    timeout: float = typer.Option(10.0, "--timeout", help="seconds per HTTP request"),
    format: str = FormatOpt,
) -> None:
    """Judge a canary step: ask Prometheus how the candidate compares; exit 0 pass, 1 worse, 4 inconclusive."""
    _run(
        "gate",
        paths=paths or [],
        model=model,
        prometheus=prometheus,
        baseline=baseline,
        candidate=candidate,
        wait=wait,
        interval=interval,
        timeout=timeout,
        format=format,
    )


@app.command()
def up(
    paths: list[Path] | None = typer.Argument(None, help="spec files or folders (default: examples/demo/spec.yaml)"),
    prometheus_port: int = typer.Option(9090, "--prometheus-port", help="Prometheus port on 127.0.0.1"),
    alertmanager_port: int = typer.Option(9093, "--alertmanager-port", help="Alertmanager port on 127.0.0.1"),
    sink_port: int = typer.Option(9099, "--sink-port", help="webhook sink port (stands in for Slack, PagerDuty, retraining)"),
    demo_port: int = typer.Option(8000, "--demo-port", help="first demo model port (next models: +1, +2, ...)"),
    rate: float = typer.Option(20.0, "--rate", help="requests/s each demo model sends itself"),
    label_delay: str = typer.Option("5s", "--label-delay", help="delay until a prediction's ground truth arrives"),
    mode: str = typer.Option("healthy", "--mode", help="initial demo mode: healthy, drift, degraded, errors, latency"),
    model_mode: list[str] | None = typer.Option(None, "--model-mode", help="MODEL=MODE for one model (repeatable)"),
    state_dir: Path | None = typer.Option(None, "--state-dir", help="keep configs, data and logs here (default: a temp dir, removed at exit)"),
    duration: float | None = typer.Option(None, "--duration", help="stop after this many seconds (default: until Ctrl-C)"),
    live: bool | None = typer.Option(None, "--live/--no-live", help="live alert table (default: when stdout is a terminal)"),
) -> None:
    """Run a local staging stack on 127.0.0.1: demo model(s), Prometheus, Alertmanager and a webhook sink."""
    _run(
        "up",
        paths=paths or [],
        prometheus_port=prometheus_port,
        alertmanager_port=alertmanager_port,
        sink_port=sink_port,
        demo_port=demo_port,
        rate=rate,
        label_delay=label_delay,
        mode=mode,
        model_mode=model_mode or [],
        state_dir=state_dir,
        duration=duration,
        live=live,
    )


registry_app = typer.Typer(help="The MLflow model registry: sync its facts into a file, or serve them to Prometheus.", no_args_is_help=True)
app.add_typer(registry_app, name="registry")
_MLFLOW_URI = typer.Option(None, "--mlflow-uri", help="MLflow tracking URI (default: the block's mlflow_uri, then env MLFLOW_TRACKING_URI)")
_REGISTRY_TIMEOUT = typer.Option(10.0, "--timeout", help="seconds per HTTP request to MLflow")


@registry_app.command("sync")
def registry_sync(
    paths: list[Path] | None = PathsArg,
    mlflow_uri: str | None = _MLFLOW_URI,
    check: bool = typer.Option(False, "--check", help="write nothing; print a diff and exit 1 when a registry file is out of date"),
    timeout: float = _REGISTRY_TIMEOUT,
    format: str = FormatOpt,
) -> None:
    """Write each spec's registry file from MLflow: current and previous version, training times and metrics (deterministic)."""
    _run("registry_sync", paths=paths or [], mlflow_uri=mlflow_uri, check=check, timeout=timeout, format=format)


@registry_app.command("serve")
def registry_serve(
    paths: list[Path] | None = PathsArg,
    mlflow_uri: str | None = _MLFLOW_URI,
    listen: str = typer.Option("127.0.0.1:9464", "--listen", help="HOST:PORT of the /metrics endpoint"),
    interval: str = typer.Option("30s", "--interval", help="how often MLflow is polled"),
    timeout: float = _REGISTRY_TIMEOUT,
    once: bool = typer.Option(False, "--once", help="poll once, print the metrics and exit"),
) -> None:
    """Serve the registry's current versions and training metrics to Prometheus (mlmon_model_info, mlmon_model_training_metric)."""
    _run("registry_serve", paths=paths or [], mlflow_uri=mlflow_uri, listen=listen, interval=interval, timeout=timeout, once=once)


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
