"""Parsed documents -> typed ``Spec`` plus semantic diagnostics (pure).

Schema problems are reported first; a model whose part of the document has schema errors is not
compiled further (its semantic checks would only echo them), but every other model is, so one
run reports every independent problem.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from mlmon import presets
from mlmon.compiler import model as M
from mlmon.compiler import untested
from mlmon.compiler.context import CompileContext
from mlmon.compiler.dsl import API_VERSION, KIND
from mlmon.compiler.exporters import compile_exporters
from mlmon.compiler.kubernetes.compile import compile_kubernetes
from mlmon.compiler.labels import HINT as RESERVED_HINT
from mlmon.compiler.labels import reserved_in
from mlmon.compiler.routing import compile_routing
from mlmon.compiler.ruler import compile_ruler
from mlmon.compiler.schema import spec_schema
from mlmon.compiler.source import Document, Path, render_path
from mlmon.compiler.storage.compile import compile_storage
from mlmon.compiler.units import format_duration, parse_duration
from mlmon.compiler.validator import validate_paths
from mlmon.diagnostics import Diagnostic, Severity, has_errors
from mlmon.presets.exporters import get as exporter_of

ReadFile = Callable[[str, str], tuple[str | None, str | None]]  # (spec file, path as written) -> (text, error)


class _Compiler:
    def __init__(self, monitors: Sequence[Any], read_file: ReadFile | None):
        self.monitors = tuple(monitors)
        self.read_file = read_file
        self.diags: list[Diagnostic] = []

    def at(self, doc: Document, path: Path, sev: Severity, code: str, msg: str, hint: str | None = None, key: bool = False) -> None:
        line, col = doc.source.pos(path, key=key)
        self.diags.append(Diagnostic(doc.file, line, col, sev, code, msg, hint))

    def error(self, doc: Document, path: Path, code: str, msg: str, hint: str | None = None, key: bool = False) -> None:
        self.at(doc, path, Severity.ERROR, code, msg, hint, key)

    def dur(self, doc: Document, path: Path, text: str) -> float | None:
        try:
            return parse_duration(text)
        except ValueError as exc:
            self.error(doc, path, "MLM203", f"{render_path(path)}: {exc}")
            return None

    # ------------------------------------------------------------------------------------------
    def run(self, docs: list[Document]) -> M.Spec | None:
        valid: list[tuple[Document, set[int]]] = []
        for doc in docs:
            if not isinstance(doc.data, dict):
                self.error(doc, (), "MLM103", f"a spec file must be a mapping (apiVersion: {API_VERSION}, kind: {KIND}, ...), got {type(doc.data).__name__}")
                continue
            errs = validate_paths(doc.data, spec_schema(self.monitors), doc.source)
            # the reader already reported what it rejected: no follow-on errors there
            self.diags.extend(d for p, d in errs if not any(p[: len(r)] == r for r in doc.rejected))
            bad_models = {p[1] if len(p) >= 2 and p[0] == "models" else None for p in [p for p, _ in errs] + list(doc.rejected)}
            if None in bad_models:  # an error outside models[]: the envelope is unusable
                continue
            valid.append((doc, {i for i in bad_models if i is not None}))
            for k, problem in reserved_in(doc.data["metadata"].get("labels", {})):
                self.error(doc, ("metadata", "labels", k), "MLM220", f"metadata.labels.{k}: {problem}", RESERVED_HINT, key=True)

        teams, routing, alerting = compile_routing([d for d, _ in valid], self.error)
        exporters = compile_exporters([d for d, _ in valid], self.error)
        models: dict[str, M.Model] = {}
        origins: dict[str, M.Origin] = {}
        for doc, bad in valid:
            defaults = doc.data.get("defaults", {})
            links = self._registry(doc)
            for i, raw in enumerate(doc.data.get("models", [])):
                if i in bad:
                    continue
                m = self._model(doc, i, raw, defaults, teams)
                if m is None:
                    continue
                if m.id in links:
                    m = dataclasses.replace(m, registry=links[m.id])
                if m.id in models:
                    first = origins[m.id]
                    self.error(
                        doc,
                        ("models", i, "id"),
                        "MLM201",
                        f"models[{i}].id: duplicate model id {m.id!r} (first defined at {first.file}:{first.line}:{first.col})",
                    )
                    continue
                models[m.id] = m
                origins[m.id] = m.origin
        kube, more = compile_kubernetes([d for d, _ in valid], models, routing)
        self.diags.extend(more)
        envelope = [d for d, _ in valid]
        ruler = compile_ruler(envelope, self.error)
        storage = compile_storage(envelope, self.error, lambda *a, **k: self.at(a[0], a[1], Severity.WARNING, *a[2:], **k))
        if has_errors(self.diags):
            return None
        files = tuple(sorted(d.file for d in docs))
        return M.Spec(files, routing, tuple(models[k] for k in sorted(models)), alerting, kube, ruler, storage, exporters)

    def _registry(self, doc: Document) -> dict[str, Any]:
        """Model id -> its registry link (``mlmon.registry.link.ModelLink``) from the file's ``registry`` block."""
        from mlmon.registry import config, link

        ids = [m["id"] for m in doc.data.get("models", []) if isinstance(m, dict) and isinstance(m.get("id"), str)]
        cfg, diags = config.compile_config(doc, ids)
        self.diags.extend(diags)
        if cfg is None:
            return {}
        read = None if self.read_file is None else (lambda p, _f=doc.file: self.read_file(_f, p))  # type: ignore[misc]
        out, diags = link.links(doc, cfg, read)
        self.diags.extend(diags)
        return out

    # ------------------------------------------------------------------------------------------
    def _cross_checks(self, doc: Document, base: Path, i: int, sections: Mapping[str, Any], serving: M.Serving, raw: Mapping[str, Any]) -> bool:
        """Checks that span two monitors' sections (each monitor only sees its own)."""
        ok = True
        self._cloud_delay(doc, base, sections, serving)
        if "drift" in raw and "drift_scores" in raw:
            self.error(
                doc,
                base + ("drift_scores",),
                "MLM328",
                f"models[{i}]: drift and drift_scores both record the model's drift scores; keep one",
                "drift computes PSI/JS from a baseline; drift_scores reads a library's values",
                key=True,
            )
            ok = False
        cost = sections.get("cost")
        if cost is not None and getattr(cost, "source", None) == "cloud_bill" and not any(e in presets.BILLS for e in _exporters(sections)):
            self.error(
                doc,
                base + ("cost", "source"),
                "MLM329",
                f"models[{i}].cost.source: cloud_bill needs a bill preset in infra.exporters",
                f"add one of {', '.join(presets.BILLS)} to infra.exporters (and narrow its bill with infra.overrides.cost_bill)",
            )
            ok = False
        if cost is not None and getattr(cost, "source", None) == "opencost" and "opencost" not in _exporters(sections):
            self.error(
                doc,
                base + ("cost", "source"),
                "MLM212",
                f"models[{i}].cost.source: opencost needs the OpenCost exporter",
                "add opencost to infra.exporters (with infra.namespace/pod selecting the model's pods)",
            )
            ok = False
        return ok

    def _cloud_delay(self, doc: Document, base: Path, sections: Mapping[str, Any], serving: M.Serving) -> None:
        """A no-data window shorter than the delay of the cloud exporter the model is read through
        would raise no-data alerts for data that is only late (MLM327, warning)."""
        names = (serving.preset, *_exporters(sections))
        delays = [(e.delay, e.title) for n in names if (p := presets.get(n)) and p.exporter and (e := exporter_of(p.exporter)) and e.delay]
        if not delays:
            return
        delay, title = max(delays)
        for key, sec in sorted(sections.items()):
            window = getattr(sec, "no_data_for", None)
            if isinstance(window, (int, float)) and window < delay:
                self.at(
                    doc,
                    base + (key, "no_data_for"),
                    Severity.WARNING,
                    "MLM327",
                    f"{render_path(base + (key, 'no_data_for'))}: {format_duration(window)} is shorter than the {format_duration(delay)} "
                    f"{title} data can be late",
                    f"no_data_for: {format_duration(delay)} or longer",
                    key=True,
                )

    def _model(self, doc: Document, i: int, raw: dict[str, Any], defaults: Mapping[str, Any], teams: dict[str, M.Team]) -> M.Model | None:
        base = ("models", i)
        ok = True
        mid = raw["id"]
        team = raw["team"]
        if team not in teams:
            close = difflib.get_close_matches(team, list(teams), n=1)
            hint = (
                f"did you mean {close[0]!r}?"
                if close
                else (
                    "define it under routing.teams"
                    if teams
                    else "add routing.teams with this team and its receivers, or lint the file with the one that defines it (mlmon lint --root <spec folder> FILE)"
                )
            )
            self.error(doc, base + ("team",), "MLM202", f"models[{i}].team: unknown team {team!r}", hint)
            ok = False
        elif teams[team].slack is None and teams[team].pagerduty is None:
            t = teams[team].origin
            self.error(
                doc,
                base + ("team",),
                "MLM209",
                f"models[{i}].team: team {team!r} has no receiver (slack or pagerduty), so its alerts would reach nobody",
                f"add slack or pagerduty to routing.teams.{team} ({t.file}:{t.line})",
            )
            ok = False
        serving_raw = raw.get("serving", {})
        preset_name = serving_raw.get("preset", "mlmon")
        if presets.get(preset_name) is None:
            close = difflib.get_close_matches(preset_name, presets.names(), n=1)
            self.error(
                doc,
                base + ("serving", "preset"),
                "MLM212",
                f"models[{i}].serving.preset: unknown preset {preset_name!r}",
                f"did you mean {close[0]!r}?" if close else f"known presets: {', '.join(presets.names())}",
            )
            return None
        scrape = self.dur(doc, base + ("serving", "scrape_interval"), serving_raw.get("scrape_interval", defaults.get("scrape_interval", "30s")))
        evaluation = self.dur(doc, ("defaults", "evaluation_interval"), defaults.get("evaluation_interval", "1m"))
        if scrape is None or evaluation is None:
            return None
        serving = M.Serving(
            preset_name,
            tuple(serving_raw.get("targets", ())),
            serving_raw.get("metrics_path", "/metrics"),
            serving_raw.get("scheme", "http"),
            scrape,
            dict(sorted(serving_raw.get("match", {}).items())),
            dict(serving_raw.get("overrides", {})),
        )
        labels = dict(doc.data.get("metadata", {}).get("labels", {}))
        labels.update(raw.get("labels", {}))
        for k, problem in reserved_in(raw.get("labels", {})):
            self.error(doc, base + ("labels", k), "MLM220", f"models[{i}].labels.{k}: {problem}", RESERVED_HINT, key=True)
            ok = False
        if reserved_in(labels):  # metadata.labels: reported once per file
            ok = False
        sections: dict[str, Any] = {}
        mon_defaults = dict(defaults)
        mon_defaults["preset"] = preset_name
        mon_defaults["serving_overrides"] = dict(serving_raw.get("overrides", {}))
        read = None
        if self.read_file is not None:
            read = lambda p, _f=doc.file: self.read_file(_f, p)  # noqa: E731
        for mon in self.monitors:
            ctx = CompileContext(doc.file, base + (mon.key,), doc.source, mid, raw.get("task", "binary_classification"), scrape, evaluation, mon_defaults, read)
            sections[mon.key] = mon.compile(raw.get(mon.key), ctx)
            self.diags.extend(ctx.diags)
            if has_errors(ctx.diags):
                ok = False
        ok = self._cross_checks(doc, base, i, sections, serving, raw) and ok
        if not ok:
            return None
        for j, u in enumerate(raw.get(untested.KEY) or ()):
            msg = f"models[{i}].{untested.KEY}[{j}]: alert {untested.describe(untested.compile_untested([u])[0])} needs no firing rule test: {u['reason']}"
            self.at(doc, base + (untested.KEY, j), Severity.WARNING, untested.CODE, msg, "mlmon validate counts it as exempt, not covered")
        line, col = doc.source.pos(base)
        return M.Model(
            mid,
            team,
            raw.get("task", "binary_classification"),
            raw.get("description", ""),
            dict(sorted(labels.items())),
            bool(raw.get("idle_ok", False)),
            serving,
            evaluation,
            M.Origin(doc.file, base, line, col),
            doc.data["metadata"]["name"],
            sections,
            untested_alerts=untested.compile_untested(raw.get(untested.KEY)),
        )


def _exporters(sections: Mapping[str, Any]) -> tuple[str, ...]:
    infra = sections.get("infra")
    placement = getattr(infra, "placement", None)
    return tuple(getattr(placement, "exporters", ()) or ())


def compile_documents(docs: list[Document], monitors: Sequence[Any], read_file: ReadFile | None = None) -> tuple[M.Spec | None, list[Diagnostic]]:
    """Compile parsed documents with these monitors (each compiles its own section)."""
    c = _Compiler(monitors, read_file)
    spec = c.run(docs)
    return spec, c.diags
