"""``deploy.kubernetes`` plus every model's ``serving.kubernetes`` -> ``Kubernetes`` (pure).

Runs after the models compiled: it needs the whole spec (the deploy block is defined once, in
any file, and applies to every model and team).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import Any

from mlmon import presets
from mlmon.compiler import model as M
from mlmon.compiler.kubernetes import schema as S
from mlmon.compiler.kubernetes.model import Kubernetes, Scrape, TeamSecret
from mlmon.compiler.kubernetes.names import name_problem
from mlmon.compiler.kubernetes.traps import traps
from mlmon.compiler.source import Document, Path, render_path
from mlmon.diagnostics import Diagnostic, Severity
from mlmon.presets.kubernetes import scrape_of

BASE: Path = ("deploy", "kubernetes")


def _diag(doc: Document, path: Path, sev: Severity, code: str, msg: str, hint: str | None = None, key: bool = False) -> Diagnostic:
    line, col = doc.source.pos(path, key=key)
    return Diagnostic(doc.file, line, col, sev, code, f"{render_path(path)}: {msg}", hint)


def service_namespace(target: str) -> str | None:
    """The namespace of a cluster Service address ``<name>.<namespace>.svc[.<domain>]:<port>``."""
    parts = target.rsplit(":", 1)[0].split(".")
    if "svc" in parts and parts.index("svc") >= 2:
        return parts[parts.index("svc") - 1]
    return None


def _models_raw(docs: Sequence[Document], models: Mapping[str, M.Model]) -> list[tuple[M.Model, Document, Path, dict[str, Any]]]:
    """(model, its document, path of its serving.kubernetes, raw serving.kubernetes) in model order."""
    out = []
    for doc in docs:
        for i, raw in enumerate(doc.data.get("models") or []):
            m = models.get(str(raw.get("id"))) if isinstance(raw, dict) else None
            if m is None or m.origin.file != doc.file or (m.origin.line, m.origin.col) != doc.source.pos(("models", i)):
                continue
            serving = raw.get("serving") or {}
            out.append((m, doc, ("models", i, "serving", "kubernetes"), dict(serving.get("kubernetes") or {})))
    return sorted(out, key=lambda t: t[0].id)


def _scrape(model: M.Model, doc: Document, path: Path, raw: Mapping[str, Any]) -> tuple[Scrape | None, list[Diagnostic]]:
    preset = presets.get(model.serving.preset)
    if preset is not None and preset.exporter and not model.serving.targets and not raw:
        return None, []  # a managed endpoint read through its exporter's job (exporters:): nothing of its own to scrape
    d = scrape_of(model.serving.preset)
    targets = model.serving.targets
    in_cluster = sorted({ns for t in targets if (ns := service_namespace(t))})
    monitor = raw.get("monitor") or ("static" if targets and not in_cluster else d.monitor)
    problems: list[tuple[Path, str, str | None]] = []
    if "port" in raw and "port_number" in raw:
        problems.append((path + ("port_number",), "set port or port_number, not both", None))
    if monitor == "static":
        if not targets:
            problems.append((path + ("monitor",), "monitor static scrapes serving.targets, and the model has none", "add serving.targets"))
        diags = [_diag(doc, p, Severity.ERROR, "MLM244", m, h) for p, m, h in problems]
        unused = [k for k in ("namespace", "selector", "port", "port_number") if k in raw]
        if unused:
            why = "a ScrapeConfig scrapes serving.targets" + ("" if "monitor" in raw else " (no target is a cluster Service address)")
            diags.append(
                _diag(doc, path + (unused[0],), Severity.WARNING, "MLM244", f"{', '.join(unused)}: no effect: {why}", "set monitor: pod or service", key=True)
            )
        return (None if problems else Scrape("static")), diags
    namespace = raw.get("namespace")
    if namespace is None:
        if len(in_cluster) == 1:
            namespace = in_cluster[0]
        else:
            why = f"its targets are in several namespaces ({', '.join(in_cluster)})" if in_cluster else "no target is a Service address <name>.<namespace>.svc"
            problems.append((path, f"cannot tell the namespace of the pods of model {model.id!r}: {why}", "set serving.kubernetes.namespace"))
    selector = dict(raw["selector"]) if "selector" in raw else {k: v.format(model=model.id) for k, v in d.selector.items()}
    if not selector:
        problems.append(
            (path + ("selector",), f"an empty selector would scrape every {monitor} in the namespace", "name the labels of the model's pods or Service")
        )
    if "port" in raw or "port_number" in raw:
        port, number = raw.get("port"), raw.get("port_number")
    else:
        port, number = d.port, d.port_number
    if monitor == "service" and port is None:
        problems.append(
            (path + ("port",), "a ServiceMonitor selects the Service port by name", "set serving.kubernetes.port to the name of the Service's metrics port")
        )
    diags = [_diag(doc, p, Severity.ERROR, "MLM244", m, h) for p, m, h in problems]
    if diags:
        return None, diags
    return Scrape(monitor, namespace, dict(sorted(selector.items())), port, number), []


def _secrets(doc: Document, raw: Mapping[str, Any], routing: M.Routing) -> tuple[dict[str, TeamSecret], list[Diagnostic]]:
    diags: list[Diagnostic] = []
    given = raw.get("teams") or {}
    for name in given:
        if name not in routing.teams:
            close = difflib.get_close_matches(name, list(routing.teams), n=1)
            hint = f"did you mean {close[0]!r}?" if close else "define the team under routing.teams"
            diags.append(_diag(doc, BASE + ("teams", name), Severity.ERROR, "MLM202", f"unknown team {name!r}", hint, key=True))
    out: dict[str, TeamSecret] = {}
    for name, team in sorted(routing.teams.items()):
        t = given.get(name) or {}
        pd_field = "service_key_file" if team.pagerduty is not None and team.pagerduty.service_key_file else "routing_key_file"
        secret = TeamSecret(
            t.get("secret", S.SECRET_NAME.format(team=name)), t.get("slack_key", S.SLACK_KEY), t.get("pagerduty_key", S.PAGERDUTY_KEYS[pd_field])
        )
        problem = name_problem(secret.name)
        if problem:
            diags.append(_diag(doc, BASE + ("teams", name, "secret"), Severity.ERROR, "MLM243", f"Secret name {secret.name!r} {problem}"))
        out[name] = secret
    return out, diags


def compile_kubernetes(docs: Sequence[Document], models: Mapping[str, M.Model], routing: M.Routing) -> tuple[Kubernetes | None, list[Diagnostic]]:
    """The Kubernetes settings (None when no file has ``deploy.kubernetes``) and their diagnostics."""
    defining = [d for d in docs if isinstance(d.data.get("deploy"), dict) and "kubernetes" in d.data["deploy"]]
    per_model = _models_raw(docs, models)
    diags: list[Diagnostic] = []
    if not defining:
        for _m, mdoc, path, mraw in per_model:
            if mraw:
                diags.append(
                    _diag(
                        mdoc,
                        path,
                        Severity.WARNING,
                        "MLM244",
                        "has no effect without deploy.kubernetes",
                        "add `deploy: {kubernetes: {}}` to one spec file",
                        key=True,
                    )
                )
        return None, diags
    doc = defining[0]
    for other in defining[1:]:
        line, col = doc.source.pos(BASE, key=True)
        diags.append(_diag(other, BASE, Severity.ERROR, "MLM245", f"defined again (first in {doc.file}:{line}:{col}); define it in one file", key=True))
    raw: dict[str, Any] = dict(doc.data["deploy"]["kubernetes"] or {})
    secrets, more = _secrets(doc, raw, routing)
    diags += more
    scrape: dict[str, Scrape] = {}
    for m, mdoc, path, mraw in per_model:
        s, more = _scrape(m, mdoc, path, mraw)
        diags += more
        if s is not None:
            scrape[m.id] = s
    selector = dict(raw.get("selector_labels", S.SELECTOR_LABELS))
    dashboards = raw.get("dashboards") or {}
    k = Kubernetes(
        namespace=raw.get("namespace", S.NAMESPACE),
        selector_labels=dict(sorted(selector.items())),
        labels=dict(sorted((raw.get("labels") or {}).items())),
        matcher_strategy=(raw.get("alertmanager") or {}).get("matcher_strategy", S.MATCHER_STRATEGY),
        dashboard_labels=dict(sorted(dashboards.get("labels", S.DASHBOARD_LABELS).items())),
        dashboard_folder=dashboards.get("folder"),
        secrets=secrets,
        scrape=scrape,
    )
    diags += traps(k, doc, raw, docs, routing)
    return k, diags
