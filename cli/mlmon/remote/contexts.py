"""Named environments ("contexts") for `mlmon diff`, `apply` and `unlock`, like kubectl's.

Two files are read, both optional: the project's ``mlmon.contexts.yaml`` (in the current folder,
shared through version control) and the user's file (``$MLMON_CONTEXTS``, else
``$XDG_CONFIG_HOME/mlmon/contexts.yaml``, else ``~/.config/mlmon/contexts.yaml``), where
``mlmon context use`` records the current context and ``mlmon up`` writes the context ``local``.
A name defined in both is an error. The format (``docs/deploy/contexts.md``)::

    apiVersion: mlmon/v1
    kind: Contexts
    current: staging                       # user file only
    contexts:
      staging:
        state: .mlmon/staging              # locks; relative paths are relative to the file
        prometheus: {url: https://prom.staging:9090, config_dir: /etc/prometheus, token_env: STAGING_PROM_TOKEN}
        alertmanager: {url: ..., config: /etc/alertmanager/alertmanager.yml}
        grafana: {url: ..., folder: mlmon, token_file: /run/secrets/grafana-token, ca_file: /etc/ssl/ca.pem}
        mimir: {url: ..., tenant: team-a}
        thanos: {url: http://thanos-ruler:10902, rules_dir: /etc/thanos/rules, eval_interval: 1m}

Secrets are never values in these files: only the names of environment variables (``token_env``,
``user_env``, ``password_env``) or files (``token_file``, ``password_file``); ``token`` and
``password`` are refused.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_FILE = "mlmon.contexts.yaml"
ENV_FILE = "MLMON_CONTEXTS"
ENV_CONTEXT = "MLMON_CONTEXT"
# per target: key in the file -> (key in TargetConfig.settings, whether it is a path)
SETTINGS: dict[str, dict[str, tuple[str, bool]]] = {
    "prometheus": {"config_dir": ("config_dir", True)},
    "alertmanager": {"config": ("config_file", True)},
    "grafana": {"folder": ("folder_uid", False), "folder_title": ("folder_title", False)},
    "mimir": {"tenant": ("tenant", False), "namespace": ("namespace", False), "api_prefix": ("api_prefix", False)},
    "thanos": {"rules_dir": ("rules_dir", True), "eval_interval": ("eval_interval", False)},
}
AUTH: dict[str, bool] = {
    "token_env": False,
    "token_file": True,
    "user": False,
    "user_env": False,
    "password_env": False,
    "password_file": True,
    "ca_file": True,
}
SECRET_VALUES = ("token", "password")
TOP = ("apiVersion", "kind", "current", "contexts")


class ContextError(Exception):
    """A contexts file that cannot be used, or a context that does not exist (exit code 2)."""


@dataclass(frozen=True)
class Context:
    name: str
    source: Path
    state: Path | None = None
    targets: dict[str, dict[str, Any]] = field(default_factory=dict)  # target -> {"url", "settings", "auth"}


@dataclass(frozen=True)
class Contexts:
    contexts: dict[str, Context]
    current: str | None
    files: list[Path]


def user_file(env: Mapping[str, str]) -> Path:
    if env.get(ENV_FILE):
        return Path(env[ENV_FILE])
    base = Path(env["XDG_CONFIG_HOME"]) if env.get("XDG_CONFIG_HOME") else Path.home() / ".config"
    return base / "mlmon" / "contexts.yaml"


def _read(path: Path) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        return {}
    except (OSError, yaml.YAMLError) as exc:
        raise ContextError(f"{path}: cannot read the contexts file ({exc.__class__.__name__})") from None
    if not isinstance(data, dict):
        raise ContextError(f"{path}: a contexts file is a map with `contexts:`")
    unknown = sorted(set(data) - set(TOP))
    if unknown:
        raise ContextError(f"{path}: unknown key {unknown[0]!r} (known: {', '.join(TOP)})")
    if data.get("kind", "Contexts") != "Contexts" or data.get("apiVersion", "mlmon/v1") != "mlmon/v1":
        raise ContextError(f"{path}: expected apiVersion mlmon/v1, kind Contexts")
    return data


def _path(value: Any, source: Path) -> str:
    p = Path(os.path.expanduser(str(value)))
    return str(p if p.is_absolute() else source.parent / p)


def _target(raw: Any, where: str, target: str, source: Path) -> dict[str, Any]:
    if not isinstance(raw, dict) or not raw.get("url"):
        raise ContextError(f"{where}: needs a map with `url`")
    for key in SECRET_VALUES:
        if key in raw:
            raise ContextError(f"{where}: `{key}` would put a secret in this file; name an environment variable (`{key}_env`) or a file (`{key}_file`) instead")
    known = {"url", *SETTINGS[target], *AUTH}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ContextError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(known))})")
    settings = {key: _path(raw[k], source) if is_path else str(raw[k]) for k, (key, is_path) in SETTINGS[target].items() if raw.get(k) not in (None, "")}
    auth = {k: _path(raw[k], source) if is_path else str(raw[k]) for k, is_path in AUTH.items() if raw.get(k) not in (None, "")}
    return {"url": str(raw["url"]), "settings": settings, "auth": auth}


def parse(data: Mapping[str, Any], source: Path) -> dict[str, Context]:
    raw = data.get("contexts") or {}
    if not isinstance(raw, dict):
        raise ContextError(f"{source}: `contexts` is a map of names to contexts")
    out = {}
    for name, body in raw.items():
        where = f"{source}: contexts.{name}"
        if not isinstance(body, dict):
            raise ContextError(f"{where}: a context is a map of targets")
        unknown = sorted(set(body) - {"state", *SETTINGS})
        if unknown:
            raise ContextError(f"{where}: unknown key {unknown[0]!r} (known: state, {', '.join(SETTINGS)})")
        targets = {t: _target(body[t], f"{where}.{t}", t, source) for t in SETTINGS if t in body}
        state = Path(_path(body["state"], source)) if body.get("state") else None
        out[str(name)] = Context(str(name), source, state, targets)
    return out


def load(env: Mapping[str, str] | None = None, cwd: Path | None = None) -> Contexts:
    env = os.environ if env is None else env
    project, user = Path(cwd or Path.cwd()) / PROJECT_FILE, user_file(env)
    contexts: dict[str, Context] = {}
    files = []
    current = None
    for path in (project, user):
        data = _read(path)
        if not data and not path.is_file():
            continue
        files.append(path)
        for name, ctx in parse(data, path).items():
            if name in contexts:
                raise ContextError(f"context {name!r} is defined in both {contexts[name].source} and {path}; rename one")
            contexts[name] = ctx
        if path == user and data.get("current"):
            current = str(data["current"])
    return Contexts(contexts, current, files)


def select(all_: Contexts, name: str) -> Context:
    if name not in all_.contexts:
        where = ", ".join(map(str, all_.files)) or f"no contexts file ({PROJECT_FILE}, or the user file)"
        known = ", ".join(sorted(all_.contexts)) or "none"
        raise ContextError(f"no context {name!r} (known: {known}; read from {where})")
    return all_.contexts[name]


def _write_user(env: Mapping[str, str], change: Any) -> Path:
    from mlmon.remote.journal import write_atomic
    from mlmon.render.emit import to_yaml

    path = user_file(env)
    data = _read(path)
    data = {"apiVersion": "mlmon/v1", "kind": "Contexts", **data}
    change(data)
    header = "# mlmon contexts (`mlmon context use` and `mlmon up` rewrite this file; comments are not kept)"
    try:
        write_atomic(path, to_yaml(data, header).encode())
    except OSError as exc:
        raise ContextError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path


def save_context(name: str, body: Mapping[str, Any], env: Mapping[str, str] | None = None) -> Path:
    """Add or replace the context ``name`` in the user file (after checking it parses)."""
    env = os.environ if env is None else env
    parse({"contexts": {name: dict(body)}}, user_file(env))
    return _write_user(env, lambda data: data.__setitem__("contexts", {**(data.get("contexts") or {}), name: dict(body)}))


def set_current(name: str, env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    return _write_user(env, lambda data: data.__setitem__("current", name))
