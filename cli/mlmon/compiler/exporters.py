"""The spec's top-level ``exporters:`` (where each exporter mlmon's presets read runs): its JSON
Schema and its compilation into ``ExporterJob`` values (pure).

An exporter may be described in several files only when every description is the same (MLM210),
so each gets exactly one scrape job however many models read it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mlmon.compiler import model as M
from mlmon.compiler.dsl import FILE_PATH_PATTERN, LABEL_NAME_PATTERN, TARGET_PATTERN, array, boolean, duration, enum, obj, string, string_map
from mlmon.compiler.source import Document, render_path
from mlmon.compiler.units import parse_duration
from mlmon.presets import exporters as E

Report = Callable[..., None]  # (doc, path, code, message, hint=None, key=False)
WHERE = ("targets", "file_sd", "kubernetes")


def schema() -> dict[str, Any]:
    k8s = obj(
        {
            "role": enum(list(E.ROLES), "objects to discover (default: the exporter's usual deployment)"),
            "namespaces": array(string(pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"), "namespaces to look in (default: all)", uniqueItems=True),
            "selector": string_map("label selector of the exporter's pods (Services with role service/endpoints)", r"^[A-Za-z0-9./_-]+$"),
            "port": string("container port number or port name to scrape (default: the exporter's usual port)", pattern=r"^[A-Za-z0-9-]+$"),
        },
        (),
        "Kubernetes service discovery (kubernetes_sd_configs); Prometheus must run in the cluster or be given access to its API",
    )
    one = obj(
        {
            "targets": array(string(pattern=TARGET_PATTERN), "host:port of the exporter (static_configs)", uniqueItems=True, minItems=1),
            "file_sd": array(string(pattern=FILE_PATH_PATTERN), "files (globs) Prometheus reads targets from (file_sd_configs)", uniqueItems=True, minItems=1),
            "kubernetes": k8s,
            "scrape_interval": duration("how often Prometheus scrapes it (default: the exporter's usual interval, else the global one)"),
            "metrics_path": string("path of its metrics (default: the exporter's)", pattern=r"^/"),
            "scheme": enum(["http", "https"], "scrape scheme (default: the exporter's)"),
            "honor_labels": boolean("keep the exporter's own job/instance/pod labels (default: the exporter's)"),
            "params": {
                "type": "object",
                "description": "URL parameters of the scrape (azure-metrics-exporter: subscription)",
                "propertyNames": {"pattern": LABEL_NAME_PATTERN},
                "additionalProperties": array(string(minLength=1), "values", minItems=1),
            },
        },
        (),
        "Where this exporter runs: static targets, file_sd files or Kubernetes discovery (one or more)",
    )
    return obj({name: one for name in sorted(E.EXPORTERS)}, (), "Exporters mlmon's presets read, and where they run: one scrape job each")


def _job(error: Report, doc: Document, name: str, raw: dict[str, Any]) -> M.ExporterJob | None:
    path = ("exporters", name)
    exp = E.EXPORTERS[name]
    ok = True
    if not any(k in raw for k in WHERE):
        error(doc, path, "MLM325", f"{render_path(path)}: say where it runs: targets, file_sd or kubernetes", key=True)
        ok = False
    k8s = None
    if "kubernetes" in raw:
        k, usual = raw["kubernetes"], exp.kubernetes or E.Discovery()
        role = k.get("role", usual.role)
        selector = dict(k.get("selector", usual.selector if role == usual.role else {}))
        if not selector and role != "node":
            error(
                doc,
                path + ("kubernetes",),
                "MLM325",
                f"{render_path(path + ('kubernetes',))}: a label selector is needed: {exp.title} has no usual Kubernetes labels",
                "e.g. selector: {app.kubernetes.io/name: <its name>}",
                key=True,
            )
            ok = False
        port = k.get("port", usual.port if role == usual.role else str(exp.port))
        k8s = M.KubernetesSD(
            role, tuple(k.get("namespaces", usual.namespaces)), dict(sorted(selector.items())), "" if role == "node" and not k.get("port") else port
        )
    params = {p: tuple(v) for p, v in sorted((raw.get("params") or {}).items())}
    for p in exp.required_params:
        if p not in params:
            error(doc, path, "MLM325", f"{render_path(path)}: {exp.title} needs params.{p}", f"params: {{{p}: [...]}}", key=True)
            ok = False
    interval = None
    if "scrape_interval" in raw:
        try:
            interval = parse_duration(raw["scrape_interval"])
        except ValueError as exc:
            error(doc, path + ("scrape_interval",), "MLM203", f"{render_path(path + ('scrape_interval',))}: {exc}")
            ok = False
    if not ok:
        return None
    return M.ExporterJob(
        name,
        tuple(raw.get("targets", ())),
        tuple(raw.get("file_sd", ())),
        k8s,
        interval,
        raw.get("metrics_path"),
        raw.get("scheme"),
        raw.get("honor_labels"),
        params,
    )


def compile_exporters(docs: list[Document], error: Report) -> dict[str, M.ExporterJob]:
    out: dict[str, M.ExporterJob] = {}
    first: dict[str, Document] = {}
    for doc in docs:
        for name, raw in sorted((doc.data.get("exporters") or {}).items()):
            job = _job(error, doc, name, raw)
            if job is None:
                continue
            if name in out and out[name] != job:
                error(doc, ("exporters", name), "MLM210", f"exporters.{name} differs from the one in {first[name].file}; define it once", key=True)
                continue
            out.setdefault(name, job)
            first.setdefault(name, doc)
    return dict(sorted(out.items()))
