"""The pure pipeline: spec texts -> compiled spec -> every generated file as text.

``check`` parses, validates and compiles; ``render`` turns a compiled spec into
``{relative path: file text}`` for the whole ``generated/`` tree. Shell code (``fsio``,
``commands/``) does the reading and writing.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping

from mlmon import conventions as C
from mlmon import policy
from mlmon.artifacts import AlertRule, Panel, Row
from mlmon.compiler import untested
from mlmon.compiler.compile import ReadFile, compile_documents
from mlmon.compiler.model import Spec
from mlmon.compiler.schema import spec_schema
from mlmon.compiler.source import Document, encoding_problem, parse_documents, render_path
from mlmon.diagnostics import Diagnostic, Severity, has_errors
from mlmon.monitors.registry import MONITORS

MAX_BYTES = 4 * 1024 * 1024


def schema() -> dict:
    """The JSON Schema of the spec with every registered monitor's section."""
    return spec_schema(MONITORS)


def monitor_pages() -> list[tuple[str, str, str, dict]]:
    """(key, title, package docstring, schema of its spec field) of every registered monitor, in
    registry order: the sources of the docs' monitor pages."""
    props = schema()["properties"]["models"]["items"]["properties"]
    return [(m.key, m.title, sys.modules[type(m).__module__].__doc__ or "", props.get(m.key, {})) for m in MONITORS]


def check(texts: dict[str, str | bytes], read_file: ReadFile | None = None, *, budget: bool = True) -> tuple[Spec | None, list[Diagnostic]]:
    """Parse, validate and compile spec files given as ``{file name: text}`` (``budget=False``: without
    the series budget, MLM280)."""
    diags: list[Diagnostic] = []
    docs = []
    for name in sorted(texts):
        text = texts[name]
        if isinstance(text, bytes):
            problem = _decode_problem(text)
            if problem:
                diags.append(Diagnostic(name, problem[2], problem[3], Severity.ERROR, problem[0], problem[1]))
                continue
            text = text.decode("utf-8")
        if len(text) > MAX_BYTES:
            diags.append(
                Diagnostic(
                    name,
                    0,
                    0,
                    Severity.ERROR,
                    "MLM001",
                    f"file is {len(text) // 1024} KiB; spec files are limited to {MAX_BYTES // (1024 * 1024)} MiB",
                    "split the spec into several files",
                )
            )
            continue
        if text.startswith("\ufeff"):
            text = text[1:]
        parsed, problems = parse_documents(text, name)
        diags.extend(problems)
        if not parsed and not problems:
            diags.append(
                Diagnostic(name, 1, 1, Severity.ERROR, "MLM102", "file is empty; a spec needs apiVersion: mlmon/v1, kind: MonitoringSpec, metadata and models")
            )
        docs.extend(parsed)
    # compile what parsed even when another file failed, to report every independent problem at once
    policies = [d for d in docs if policy.is_policy(d)]
    docs = [d for d in docs if not policy.is_policy(d)]
    spec, more = compile_documents(docs, MONITORS, read_file)
    rules, problems = policy.load(policies, [m.key for m in MONITORS])
    more += problems
    if spec is not None:
        more += unrouted(spec, {d.file: d for d in docs})
        more += policy.check(spec, rules, docs)
        more += scale_checks(spec, {d.file: d for d in docs}, budget)
    return (None if has_errors(diags + more) else spec), diags + more


def unrouted(spec: Spec, docs: dict[str, Document]) -> list[Diagnostic]:
    """A warning (MLM223) at a model's ``team`` for each severity class of its alerts that reaches
    only the default receiver, which has no integration: those alerts would notify no one."""
    from mlmon.render import alertmanager

    out: list[Diagnostic] = []
    for model in spec.models:
        silent = alertmanager.silent_classes(spec, model.team)
        if not silent:
            continue
        lost: dict[str, list[str]] = {}
        for mon in MONITORS:
            for g in mon.rule_groups(model, spec) if model.section(mon.key) is not None else ():
                for r in g.rules:
                    if isinstance(r, AlertRule) and alertmanager.expected_receivers(spec, {"alertname": r.alert, **r.labels}) == [
                        alertmanager.DEFAULT_RECEIVER
                    ]:
                        cls = next((c for c, sev in C.SEVERITY_BY_CLASS.items() if sev == r.labels.get(C.L_SEVERITY)), "?")
                        lost.setdefault(cls, [])
                        if r.alert not in lost[cls]:
                            lost[cls].append(r.alert)
        where = model.origin.path + ("team",)
        doc = docs.get(model.origin.file)
        line, col = doc.source.pos(where) if doc is not None else (model.origin.line, model.origin.col)
        for cls, names in lost.items():
            channels = list(spec.routing.severity.get(cls, ()))
            out.append(
                Diagnostic(
                    model.origin.file,
                    line,
                    col,
                    Severity.WARNING,
                    "MLM223",
                    f"{render_path(where)}: {cls} alerts of model {model.id!r} ({', '.join(sorted(names))}) reach no one: team {model.team!r} "
                    f"has no {' or '.join(channels)} receiver, the channels of routing.severity.{cls}; they would end at "
                    f"{alertmanager.DEFAULT_RECEIVER}, which has no integration",
                    f"add {' or '.join(channels)} to routing.teams.{model.team}, list a channel the team has in routing.severity.{cls}, "
                    f"or set routing.severity.{cls}: [] to silence {cls} alerts on purpose",
                )
            )
    return out


def model_groups(spec: Spec, model) -> list[tuple[str, list]]:
    """(monitor key, rule groups) of a model's monitors in registry order, as written: wide drift
    groups split for the spec's ruler (``render.shard``)."""
    import dataclasses

    from mlmon.compiler.units import format_duration
    from mlmon.render.shard import shard_groups

    # prometheus.yml evaluates at the shortest interval of the spec; a model with a longer one
    # (another spec file's defaults) gets it on each of its groups that sets none
    own = None if model.evaluation_interval == spec.shortest_interval else format_duration(model.evaluation_interval)
    out = []
    for mon in MONITORS:
        if model.section(mon.key) is None:
            continue
        groups = [g if g.interval or own is None else dataclasses.replace(g, interval=own) for g in mon.rule_groups(model, spec)]
        if groups and spec.ruler is not None:
            groups = shard_groups(groups, spec.ruler.max_rules_per_group)
        if groups:
            out.append((mon.key, groups))
    return out


def series_estimates(spec: Spec, versions: int = 1) -> list:
    """The estimated series of every model (``mlmon series``; ``scale.series``)."""
    from mlmon.scale.series import estimate

    return [estimate(m, model_groups(spec, m), versions) for m in spec.models]


def scale_checks(spec: Spec, docs: dict[str, Document], budget: bool = True) -> list[Diagnostic]:
    """The ruler's group limits (MLM275, MLM276) and the series budget (MLM280)."""
    if spec.ruler is None and spec.storage is None:
        return []
    from mlmon.scale import checks

    groups = {m.id: model_groups(spec, m) for m in spec.models}
    out = checks.ruler_limits(spec, groups, docs)
    if spec.storage is not None and budget:
        from mlmon.scale.series import estimate

        out += checks.budget(spec, [estimate(m, groups[m.id]) for m in spec.models], docs)
    return out


def _decode_problem(data: bytes) -> tuple[str, str, int, int] | None:
    if len(data) > MAX_BYTES:
        return "MLM001", f"file is {len(data) // 1024} KiB; spec files are limited to {MAX_BYTES // (1024 * 1024)} MiB", 0, 0
    return encoding_problem(data)


def header(sources: list[str]) -> str:
    return C.GENERATED_HEADER.format(sources=", ".join(sources))


RoutingCase = tuple[dict, list[str], str]  # (alert labels, expected receivers, rules file)


def render(spec: Spec, *, dashboards: bool = True, parts: list[tuple[dict[str, str], list[RoutingCase]]] | None = None) -> dict[str, str]:
    """Every generated file, by path relative to the output folder.

    ``parts`` are the results of ``render_models`` over consecutive slices of ``spec.models`` that
    together cover every model in order (the shell may compute them in parallel); by default one
    slice covers them all. The output is the same either way."""
    if parts is None:
        parts = [render_models(spec, 0, len(spec.models), dashboards=dashboards)]
    out: dict[str, str] = {}
    routing_cases: list[RoutingCase] = []
    for files, cases in parts:
        out.update(files)
        routing_cases.extend(cases)
    out.update(render_spec_files(spec, out, routing_cases, dashboards=dashboards))
    return dict(sorted(out.items()))


def render_spec_files(spec: Spec, model_files: Mapping[str, str], routing_cases: list[RoutingCase], *, dashboards: bool = True) -> dict[str, str]:
    """The files of the whole spec (configs, routing tests, fleet dashboard, Kubernetes listing),
    given the models' files (only their names are read) and routing cases in model order."""
    from mlmon.render import alertmanager, prometheus

    out: dict[str, str] = {}
    all_header = header(list(spec.files))
    out[prometheus.CONFIG] = prometheus.config_file(spec, all_header)
    out[alertmanager.CONFIG] = alertmanager.config_file(spec, all_header)
    seen = set()
    unique = []
    for lab, recv, src in routing_cases:
        key = tuple(sorted(lab.items()))
        if key not in seen:
            seen.add(key)
            unique.append((lab, recv, src))
    out[alertmanager.ROUTING_TESTS] = alertmanager.routing_tests_file(unique, all_header)
    exempt = untested.file_data(spec.models)
    if exempt is not None:
        from mlmon.render import emit

        out[untested.FILE] = emit.to_yaml(exempt, all_header)
    if dashboards:
        out.update(fleet_dashboard(spec))
    if spec.storage is not None and spec.storage.thanos_s3 is not None:
        from mlmon.render import thanos

        out[thanos.OBJSTORE] = thanos.objstore_file(spec.storage, all_header)
    if spec.kubernetes is not None:
        from mlmon.render import kubernetes

        out.update(kubernetes.spec_files(spec, {**model_files, **out}, all_header))
    return dict(sorted(out.items()))


def render_models(spec: Spec, start: int, stop: int, *, dashboards: bool = True) -> tuple[dict[str, str], list[RoutingCase]]:
    """The per-model files (rules, rule tests, dashboards) of ``spec.models[start:stop]`` and the
    labels of their alerts for the routing tests."""
    from mlmon.render import alertmanager, prometheus, rule_tests

    out: dict[str, str] = {}
    routing_cases: list[RoutingCase] = []
    for model in spec.models[start:stop]:
        h = header([model.origin.file])
        active = [mon for mon in MONITORS if model.section(mon.key) is not None]
        groups_of: dict[str, list[str]] = {}
        alerts: list[AlertRule] = []
        all_groups = []  # every monitor's groups, in registry order (the model's PrometheusRule)
        for key, groups in model_groups(spec, model):
            all_groups.extend(groups)
            groups_of[key] = [g.name for g in groups]
            path = prometheus.rules_path(model.id, key)
            out[path] = prometheus.rules_file(groups, h)
            if spec.ruler is not None and spec.ruler.thanos_strategy:
                from mlmon.render import thanos

                out[thanos.rules_path(model.id, key)] = thanos.rules_file(groups, h, spec.ruler.thanos_strategy)
            for g in groups:
                for r in g.rules:
                    if isinstance(r, AlertRule):
                        alerts.append(r)
                        for labels in r.routing_labels():
                            routing_cases.append((labels, alertmanager.expected_receivers(spec, labels), path))
        for mon in active:
            tests = list(mon.rule_tests(model, spec, alerts))
            if not tests:
                continue
            # the monitor's own rules plus the rules of the monitors it builds on (or the fewer a
            # case says it uses), in registry order; one file per evaluation interval and rule set
            deps = tuple(getattr(mon, "depends_on", ()))
            by_file: dict[tuple[str, tuple[str, ...]], list] = {}
            for t in tests:
                uses = deps if t.uses is None else tuple(k for k in deps if k in t.uses)
                by_file.setdefault((t.every(model), uses), []).append(t)
            for (interval, uses), cases in sorted(by_file.items(), key=lambda kv: (kv[0][0] != "1m", kv[0][0], kv[0][1] != deps, kv[0][1])):
                wanted = {mon.key, *uses}
                needed = [m.key for m in active if m.key in wanted and m.key in groups_of]
                files = [f"../rules/{prometheus.rules_name(model.id, k)}" for k in needed]
                order = [g for k in needed for g in groups_of[k]]
                without = [k for k in deps if k not in uses and k in groups_of]
                suffix = (f".without-{'-'.join(without)}" if without else "") + ("" if interval == "1m" else f".every-{interval}")
                out[prometheus.tests_path(model.id, mon.key + suffix)] = rule_tests.tests_file(files, cases, h, interval, order)
        if dashboards:
            out[f"grafana/dashboards/{model.id}.json"] = model_dashboard(spec, model)
        if spec.kubernetes is not None:
            from mlmon.render import kubernetes

            out.update(kubernetes.model_files(spec, model, all_groups, out.get(f"grafana/dashboards/{model.id}.json"), h))
    return out, routing_cases


def render_dashboards(spec: Spec) -> dict[str, str]:
    """Only the Grafana dashboards: one per model and the fleet overview."""
    out = {f"grafana/dashboards/{m.id}.json": model_dashboard(spec, m) for m in spec.models}
    out.update(fleet_dashboard(spec))
    return out


# Models of one shape (the same monitors and settings, another id: a fleet written from a
# template) get the same dashboard but for the id. Each process renders a shape once, for a
# stand-in id, and writes it out for every model of that shape with the id put in: laying out and
# encoding a dashboard costs about 20 times what building its rows does. A model whose own text
# holds the stand-in is rendered directly.
SHAPE_ID = "zq-mlmon-shape-id"
SHAPES: dict[str, str] = {}  # repr of a stand-in's dashboard inputs -> its JSON
MAX_SHAPES = 64


def model_dashboard(spec: Spec, model) -> str:
    import dataclasses

    if SHAPE_ID in repr(model):
        return _model_dashboard(spec, model)
    stand_in = dataclasses.replace(model, id=SHAPE_ID)
    inputs = _dashboard_inputs(spec, stand_in)
    key = repr(inputs)
    text = SHAPES.get(key)
    if text is None:
        if len(SHAPES) >= MAX_SHAPES:
            SHAPES.clear()
        text = SHAPES[key] = _model_dashboard(spec, stand_in, inputs)
    return text.replace(C.grafana_uid("model", SHAPE_ID), C.grafana_uid("model", model.id)).replace(SHAPE_ID, model.id)


def _dashboard_inputs(spec: Spec, model) -> tuple[list[Row], list[tuple[str, str]], str]:
    """A model's dashboard rows, annotation queries and description."""
    rows: list[Row] = []
    annotations: list[tuple[str, str]] = []
    for mon in MONITORS:
        if model.section(mon.key) is None:
            continue
        rows.extend(mon.dashboard_rows(model, spec))
        ann = getattr(mon, "annotations", None)
        if ann is not None:
            annotations.extend(ann(model, spec))
    description = (model.description or f"Monitoring of model {model.id}") + f" (team {model.team}; generated by mlmon from {model.origin.file})"
    return rows, annotations, description


def _model_dashboard(spec: Spec, model, inputs: tuple[list[Row], list[tuple[str, str]], str] | None = None) -> str:
    from mlmon.render import emit, grafana

    rows, annotations, description = inputs or _dashboard_inputs(spec, model)
    d = grafana.model_dashboard(
        uid=C.grafana_uid("model", model.id),
        title=f"mlmon / {model.id}",
        description=description,
        tags=["mlmon", f"team:{model.team}", f"model:{model.id}"],
        rows=rows,
        annotations=annotations,
        links=[("Fleet overview", f"/d/{C.grafana_uid('fleet')}")],
    )
    return emit.to_json(d)


def fleet_dashboard(spec: Spec) -> dict[str, str]:
    from mlmon.render import emit, grafana

    panels: list[Panel] = []
    for mon in MONITORS:
        panels.extend(mon.fleet_panels(spec))
    d = grafana.fleet_dashboard(
        uid=C.grafana_uid("fleet"),
        title="mlmon / fleet overview",
        description=f"All models monitored by mlmon ({len(spec.models)}); generated from {', '.join(spec.files)}",
        tags=["mlmon", "fleet"],
        rows=[Row("Fleet", tuple(panels))],
    )
    return {"grafana/dashboards/mlmon-fleet.json": emit.to_json(d)}
