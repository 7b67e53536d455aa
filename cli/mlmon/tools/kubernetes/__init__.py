"""``mlmon validate`` on ``generated/kubernetes/``, offline (no cluster).

Each object file holds one object, checked against its CRD schema (``crds``, ``schema``), the
API server's metadata and size rules and prometheus-operator's own AlertmanagerConfig checks
(``checks``). Then the folder as a whole: ``kustomization.yaml`` lists exactly the object files,
no object is defined twice, every PrometheusRule holds exactly the groups of its model's rule
files (the ones ``promtool test rules`` tests), and promtool accepts the rules taken out of it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from mlmon.compiler.kubernetes.names import L_MODEL
from mlmon.compiler.source import SourceMap, parse_documents, render_path
from mlmon.diagnostics import Diagnostic, Severity
from mlmon.tools.kubernetes import checks
from mlmon.tools.kubernetes.crds import shipped
from mlmon.tools.kubernetes.schema import Path as JsonPath
from mlmon.tools.kubernetes.schema import errors

DIR = "kubernetes"
KUSTOMIZATION = f"{DIR}/kustomization.yaml"
RULES_DIR = "prometheus/rules"
Schemas = Mapping[tuple[str, str], dict[str, Any]]


def _at(smap: SourceMap, rel: str, path: JsonPath, code: str, msg: str, warning: bool = False) -> Diagnostic:
    line, col = smap.pos(path)
    where = render_path(path) if path else ""
    return Diagnostic(rel, line, col, Severity.WARNING if warning else Severity.ERROR, code, f"{where}: {msg}" if where else msg)


def check_object(obj: Any, schemas: Schemas) -> list[tuple[JsonPath, str, str, bool]]:
    """(path, code, message, is a warning) of every problem of one object."""
    if not isinstance(obj, dict):
        return [((), "MLM310", "not a Kubernetes object (a mapping with apiVersion, kind, metadata)", False)]
    api, kind = obj.get("apiVersion"), obj.get("kind")
    out = [(p, "MLM311", m, w) for p, m, w in [*checks.metadata(obj), *checks.size(obj)]]
    if (api, kind) == ("v1", "ConfigMap"):
        return out + [(p, "MLM311", m, w) for p, m, w in checks.configmap(obj)]
    schema = schemas.get((str(api), str(kind)))
    if schema is None:
        known = ", ".join(f"{a} {k}" for a, k in sorted(schemas))
        return out + [((), "MLM310", f"unknown apiVersion/kind {api} {kind} (known: {known}, v1 ConfigMap)", False)]
    out += [(p, "MLM310", m, False) for p, m in errors(obj, schema)]
    if kind == "AlertmanagerConfig":
        out += [(p, "MLM314", m, w) for p, m, w in checks.alertmanager_config(obj, schema)]
    return out


def _load(root: Path, rel: str) -> tuple[Any, SourceMap | None, list[Diagnostic]]:
    try:
        text = (root / rel).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, None, [Diagnostic(rel, 0, 0, Severity.ERROR, "MLM001", f"cannot read: {exc}")]
    docs, diags = parse_documents(text, rel)
    if diags:
        return None, None, diags
    if len(docs) != 1:
        return None, None, [Diagnostic(rel, 1, 1, Severity.ERROR, "MLM311", f"{len(docs)} objects in the file; mlmon writes one per file")]
    return docs[0].data, docs[0].source, []


def _kustomization(root: Path, files: Iterable[str]) -> list[Diagnostic]:
    data, smap, diags = _load(root, KUSTOMIZATION)
    if diags or smap is None:
        return diags or [Diagnostic(KUSTOMIZATION, 0, 0, Severity.ERROR, "MLM313", "missing")]
    listed = [r for r in (data.get("resources") or []) if isinstance(r, str)] if isinstance(data, dict) else []
    want = {f[len(DIR) + 1 :] for f in files}
    out = [_at(smap, KUSTOMIZATION, ("resources", i), "MLM313", f"{r}: no such object file") for i, r in enumerate(listed) if r not in want]
    out += [_at(smap, KUSTOMIZATION, ("resources",), "MLM313", f"{f} is not listed") for f in sorted(want - set(listed))]
    return out


def _rule_groups(root: Path) -> dict[str, dict[str, tuple[str, Any]]]:
    """model id -> group name -> (rule file, group) from ``prometheus/rules/<id>.<monitor>.rules.yml``."""
    out: dict[str, dict[str, tuple[str, Any]]] = {}
    for f in sorted((root / RULES_DIR).glob("*.rules.yml")):
        data = yaml.load(f.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
        for g in data.get("groups") or []:
            out.setdefault(f.name.split(".")[0], {})[g.get("name")] = (f"{RULES_DIR}/{f.name}", g)
    return out


def _prometheus_rules(root: Path, rules: Mapping[str, tuple[str, Any, SourceMap]]) -> list[Diagnostic]:
    """Every PrometheusRule holds exactly its model's rule-file groups (MLM312); promtool accepts them (MLM301)."""
    from mlmon.render.emit import to_yaml
    from mlmon.tools import promtool

    files = _rule_groups(root)
    diags: list[Diagnostic] = []
    with tempfile.TemporaryDirectory(prefix="mlmon-k8s-rules-") as tmp:
        extracted = {}
        for rel, (model, obj, smap) in sorted(rules.items()):
            groups = (obj.get("spec") or {}).get("groups") or []
            want = files.get(model, {})
            for i, g in enumerate(groups):
                name = g.get("name") if isinstance(g, dict) else None
                if name not in want:
                    diags.append(
                        _at(smap, rel, ("spec", "groups", i), "MLM312", f"group {name!r} is in no rule file of model {model!r} (not tested by promtool)")
                    )
                elif g != want[name][1]:
                    diags.append(_at(smap, rel, ("spec", "groups", i), "MLM312", f"group {name!r} differs from the one in {want[name][0]} (the tested one)"))
            missing = sorted(set(want) - {g.get("name") for g in groups if isinstance(g, dict)})
            for name in missing:
                diags.append(_at(smap, rel, ("spec", "groups"), "MLM312", f"group {name!r} of {want[name][0]} is missing"))
            out = Path(tmp) / (rel.replace("/", "__") + ".rules.yml")
            out.write_text(to_yaml({"groups": groups}), encoding="utf-8")
            extracted[out.name] = rel
        found = promtool.check_rules(sorted(extracted), cwd=Path(tmp))
    for d in found:
        rel = extracted.get(d.file, d.file)
        where = f" (line {d.line} of its spec.groups as a rule file)" if d.line else ""
        diags.append(Diagnostic(rel, 0, 0, d.severity, d.code, f"spec.groups{where}: {d.message}", d.hint))
    return diags


def check_tree(root: Path, schemas: Schemas | None = None) -> tuple[list[Diagnostic], int]:
    """Diagnostics for ``root/kubernetes/`` (paths relative to ``root``) and the number of objects."""
    schemas = shipped() if schemas is None else schemas
    files = sorted(p.relative_to(root).as_posix() for p in (root / DIR).rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml"))
    objects = [f for f in files if f != KUSTOMIZATION]
    diags: list[Diagnostic] = []
    seen: dict[tuple[str, str, str], str] = {}
    rules: dict[str, tuple[str, Any, SourceMap]] = {}
    for rel in objects:
        obj, smap, problems = _load(root, rel)
        diags += problems
        if smap is None:
            continue
        diags += [_at(smap, rel, p, code, m, w) for p, code, m, w in check_object(obj, schemas)]
        if not isinstance(obj, dict):
            continue
        meta: dict[str, Any] = obj["metadata"] if isinstance(obj.get("metadata"), dict) else {}
        key = (str(obj.get("kind")), str(meta.get("namespace")), str(meta.get("name")))
        if key in seen:
            diags.append(_at(smap, rel, ("metadata", "name"), "MLM311", f"{key[0]} {key[1]}/{key[2]} is also defined in {seen[key]}"))
        seen.setdefault(key, rel)
        if obj.get("kind") == "PrometheusRule":
            rules[rel] = (str((meta.get("labels") or {}).get(L_MODEL, Path(rel).stem)), obj, smap)
    diags += _kustomization(root, objects)
    if rules:
        diags += _prometheus_rules(root, rules)
    return diags, len(objects)
