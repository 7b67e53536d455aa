"""``mlmon registry sync``: read the registry block of each spec, ask MLflow about each model,
and write the registry file deterministically (or, with ``check``, compare it).

All or nothing: any problem (a spec error, the registry unreachable, an authentication failure,
an unknown registered model, a malformed existing file) is reported and no file is written."""

from __future__ import annotations

import difflib
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from mlmon import ExitCode
from mlmon.compiler.source import Document
from mlmon.diagnostics import Diagnostic, Severity, has_errors
from mlmon.registry import config, facts, fileformat
from mlmon.registry.client import UNKNOWN, MlflowClient, RegistryError, with_run
from mlmon.registry.facts import RegisteredModel

ENV_URI = "MLFLOW_TRACKING_URI"


@dataclass(frozen=True)
class Block:
    doc: Document
    cfg: config.RegistryConfig

    def at(self, path: tuple[Any, ...], code: str, msg: str, hint: str | None = None) -> Diagnostic:
        full = (config.KEY, *path)
        line, col = self.doc.source.pos(full, key=True)
        return Diagnostic(self.doc.file, line, col, Severity.ERROR, code, msg, hint)

    def model_at(self, model_id: str, code: str, msg: str, hint: str | None = None) -> Diagnostic:
        path = ("models", model_id) if (config.KEY, "models", model_id) in self.doc.source.keys else ()
        return self.at(path, code, msg, hint)


def load_blocks(paths: list[Path]) -> tuple[list[Block], list[Diagnostic], bool]:
    """The registry blocks of the specs (schema-checked). Returns (blocks, diagnostics, usage error)."""
    from mlmon import fsio, pipeline
    from mlmon.compiler.source import parse_documents
    from mlmon.compiler.validator import validate_paths

    files, diags = fsio.find_specs(list(paths))
    if diags:
        return [], diags, True
    texts, diags = fsio.read_specs(files)
    blocks: list[Block] = []
    schema = pipeline.schema()
    for name in sorted(texts):
        try:
            text = texts[name].decode("utf-8")
        except UnicodeDecodeError:
            diags.append(Diagnostic(name, 0, 0, Severity.ERROR, "MLM001", "not UTF-8 text"))
            continue
        docs, problems = parse_documents(text, name)
        diags.extend(problems)
        for doc in docs:
            if not isinstance(doc.data, dict) or config.KEY not in doc.data:
                continue
            errs = [d for _, d in validate_paths(doc.data, schema, doc.source)]
            diags.extend(errs)
            if has_errors(errs):
                continue
            ids = [m["id"] for m in doc.data.get("models", []) if isinstance(m, dict)]
            cfg, problems = config.compile_config(doc, ids)
            diags.extend(problems)
            if cfg is not None:
                blocks.append(Block(doc, cfg))
    return blocks, diags, False


def fetch_entry(client: MlflowClient, ref: config.ModelRef, current: tuple[str, ...], old: fileformat.Entry | None) -> fileformat.Entry:
    """The file's entry for ``ref``: the model and its versions, then the runs of the chosen ones."""
    model = client.model(ref.name)
    e, why = facts.entry(ref, model, current, old)
    if e is None:
        raise RegistryError(UNKNOWN, why or "no current version")
    wanted = {e.version, e.previous_version}
    filled = tuple(with_run(v, client.run(v.run_id)) if v.version in wanted and v.run_id else v for v in model.versions)
    e, why = facts.entry(ref, RegisteredModel(model.name, filled), current, old)
    if e is None:  # the same choice as above: runs do not change which version is current
        raise RegistryError(UNKNOWN, why or "no current version")
    return e


def mlflow_uri(cfg: config.RegistryConfig, override: str | None, env: Mapping[str, str]) -> str | None:
    return override or cfg.mlflow_uri or env.get(ENV_URI) or None


def registry_path(b: Block) -> Path:
    assert b.cfg.file is not None
    return Path(b.doc.file).parent / b.cfg.file


def _entries(b: Block, client: MlflowClient, old: fileformat.RegistryFile | None) -> tuple[dict[str, fileformat.Entry], list[Diagnostic], bool]:
    """(entries, diagnostics, the registry cannot be used)."""
    out: dict[str, fileformat.Entry] = {}
    diags: list[Diagnostic] = []
    for ref in b.cfg.models:
        try:
            out[ref.model] = fetch_entry(client, ref, b.cfg.current, old.entries.get(ref.model) if old else None)
        except RegistryError as exc:
            if exc.kind == UNKNOWN:
                diags.append(b.model_at(ref.model, "MLM253", f"{config.KEY}.models.{ref.model}: {exc}"))
                continue
            diags.append(b.at((), "MLM252", f"{config.KEY}: {exc}"))
            return out, diags, True
    return out, diags, False


def _read_old(b: Block, path: Path) -> tuple[str | None, fileformat.RegistryFile | None, list[Diagnostic]]:
    if not path.exists():
        return None, None, []
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, None, [b.at(("file",), fileformat.CODE, f"{config.KEY}.file: cannot read {path}: {exc}")]
    reg, diags = fileformat.load(text, str(path))
    if reg is None:
        diags.append(b.at(("file",), fileformat.CODE, f"{config.KEY}.file: {path} is not valid; fix or delete it, then sync again"))
    return text, reg, diags


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def sync(
    paths: list[Path],
    *,
    uri: str | None,
    check: bool,
    timeout: float,
    env: Mapping[str, str],
    out: TextIO,
    err: TextIO,
    report: Callable[[list[Diagnostic]], None],
) -> int:
    blocks, diags, usage = load_blocks(paths)
    if usage or has_errors(diags):
        report(diags)
        err.write("mlmon registry sync: nothing written\n")
        return ExitCode.USAGE if usage else ExitCode.FINDINGS
    with_file = [b for b in blocks if b.cfg.file is not None]
    if not with_file:
        err.write(f"mlmon registry sync: no spec in {', '.join(map(str, paths)) or 'specs'} has a registry block with a file; nothing to sync\n")
        return ExitCode.USAGE
    by_path: dict[Path, Block] = {}
    for b in with_file:
        p = registry_path(b)
        first = by_path.get(p.resolve())
        if first is not None:
            diags.append(b.at(("file",), "MLM250", f"{config.KEY}.file: {b.cfg.file!r} is also written for {first.doc.file}; give each spec file its own"))
        by_path[p.resolve()] = b
    texts: dict[Path, tuple[str | None, str]] = {}
    unusable = False
    for b in with_file:
        path = registry_path(b)
        address = mlflow_uri(b.cfg, uri, env)
        if address is None:
            diags.append(b.at((), "MLM252", f"{config.KEY}: no MLflow URI", f"set registry.mlflow_uri, pass --mlflow-uri or set {ENV_URI}"))
            unusable = True
            continue
        old_text, old, problems = _read_old(b, path)
        diags.extend(problems)
        if problems:
            continue
        try:
            client = MlflowClient(address, timeout=timeout, env=env)
        except RegistryError as exc:
            diags.append(b.at((), "MLM252", f"{config.KEY}: {exc}"))
            unusable = True
            continue
        try:
            entries, problems, bad = _entries(b, client, old)
        finally:
            client.close()
        diags.extend(problems)
        unusable = unusable or bad
        if not problems:
            texts[path] = (old_text, fileformat.dump(fileformat.RegistryFile(config.SOURCE_MLFLOW, entries)))
    if has_errors(diags):
        report(diags)
        err.write("mlmon registry sync: nothing written\n")
        return ExitCode.USAGE if unusable else ExitCode.FINDINGS
    stale = {p: t for p, t in texts.items() if t[0] != t[1]}
    if check:
        for p, (old_text, new) in sorted(stale.items()):
            out.writelines(difflib.unified_diff((old_text or "").splitlines(True), new.splitlines(True), f"a/{p}" if old_text else "/dev/null", f"b/{p}"))
        if stale:
            report(
                [
                    by_path[p.resolve()].at(("file",), "MLM254", f"{config.KEY}.file: {p} is out of date", "run `mlmon registry sync` and commit the file")
                    for p in sorted(stale)
                ]
            )
            return ExitCode.FINDINGS
        err.write(f"mlmon registry sync --check: {len(texts)} registry file(s) up to date\n")
        return ExitCode.OK
    for p, (_, new) in sorted(stale.items()):
        _write(p, new)
    for p in sorted(texts):
        err.write(f"mlmon registry sync: {p}: {'written' if p in stale else 'unchanged'}\n")
    return ExitCode.OK
