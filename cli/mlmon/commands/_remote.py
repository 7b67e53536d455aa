"""What `mlmon diff` and `mlmon apply` share: their options checked, targets built from flags and
the environment, plans collected, messages on stderr (redacted).

Targets come from a named context (``--context``, see ``mlmon.remote.contexts``), from flags or the
environment (``MLMON_PROMETHEUS_URL``, ``MLMON_ALERTMANAGER_URL``, ``MLMON_GRAFANA_URL``,
``MLMON_MIMIR_URL``, ``MLMON_THANOS_URL``; file locations ``MLMON_PROMETHEUS_CONFIG_DIR``,
``MLMON_ALERTMANAGER_CONFIG``, ``MLMON_THANOS_RULES_DIR``).
Credentials only from the environment or files a context names (see ``mlmon.remote.http``).
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

TARGET_ORDER = ("prometheus", "alertmanager", "grafana", "mimir", "thanos")
_CLASSES = {
    "prometheus": ("mlmon.remote.prometheus", "PrometheusTarget"),
    "alertmanager": ("mlmon.remote.alertmanager", "AlertmanagerTarget"),
    "grafana": ("mlmon.remote.grafana", "GrafanaTarget"),
    "mimir": ("mlmon.remote.mimir", "MimirTarget"),
    "thanos": ("mlmon.remote.thanos", "ThanosTarget"),
}
# target -> {settings key: (option attribute, environment variable)}
_SETTINGS: dict[str, dict[str, tuple[str | None, str]]] = {
    "prometheus": {"config_dir": ("prometheus_config_dir", "MLMON_PROMETHEUS_CONFIG_DIR")},
    "alertmanager": {"config_file": ("alertmanager_config", "MLMON_ALERTMANAGER_CONFIG")},
    "grafana": {"folder_uid": (None, "MLMON_GRAFANA_FOLDER_UID"), "folder_title": (None, "MLMON_GRAFANA_FOLDER_TITLE")},
    "mimir": {"tenant": (None, "MLMON_MIMIR_TENANT"), "namespace": (None, "MLMON_MIMIR_NAMESPACE"), "api_prefix": (None, "MLMON_MIMIR_API_PREFIX")},
    "thanos": {"rules_dir": ("thanos_rules_dir", "MLMON_THANOS_RULES_DIR"), "eval_interval": (None, "MLMON_THANOS_EVAL_INTERVAL")},
}
_PATHS = ("config_dir", "config_file", "rules_dir")


class UsageError(Exception):
    pass


def checked(opts: Any) -> tuple[str, Path]:
    """(--format, --generated) or UsageError."""
    fmt = getattr(opts, "format", "text") or "text"
    if fmt not in ("text", "json"):
        raise UsageError(f"--format must be text or json, not {fmt!r}")
    generated = Path(getattr(opts, "generated", None) or "generated")
    if not generated.is_dir():
        raise UsageError(f"{generated}: not a folder (run `mlmon generate` first, or pass --generated DIR)")
    return fmt, generated


def target_configs(opts: Any, env: Mapping[str, str] | None = None) -> list[Any]:
    """TargetConfig for every target, in apply order: from ``--context`` (or ``MLMON_CONTEXT``), with
    target flags overriding it; else from target flags and ``MLMON_*`` variables; else from the
    current context (``mlmon context use``)."""
    from mlmon.remote import contexts

    env = os.environ if env is None else env
    name = getattr(opts, "context", None) or env.get(contexts.ENV_CONTEXT)
    given = any(getattr(opts, t, None) or env.get(f"MLMON_{t.upper()}_URL") for t in TARGET_ORDER)
    ctx = None
    try:
        if name:
            ctx = contexts.select(contexts.load(env), name)
        elif not given:
            found = contexts.load(env)
            ctx = contexts.select(found, found.current) if found.current else None
    except contexts.ContextError as exc:
        raise UsageError(str(exc)) from None
    out = [cfg for t in TARGET_ORDER if (cfg := _config(t, opts, env, ctx)) is not None]
    if not out:
        raise UsageError(
            "no target: pass --context NAME (see `mlmon context list`), or --prometheus, --alertmanager, --grafana, --mimir or --thanos URLs "
            "(or set MLMON_PROMETHEUS_URL, MLMON_ALERTMANAGER_URL, MLMON_GRAFANA_URL, MLMON_MIMIR_URL, MLMON_THANOS_URL)"
        )
    return out


def _config(name: str, opts: Any, env: Mapping[str, str], ctx: Any) -> Any:
    """One target's TargetConfig, or None when nothing names it. Under a context, only flags
    override it (``MLMON_*`` variables other than credentials are not read)."""
    from mlmon.remote.base import TargetConfig

    spec = ctx.targets.get(name, {}) if ctx is not None else {}
    url = getattr(opts, name, None) or spec.get("url") or (env.get(f"MLMON_{name.upper()}_URL") if ctx is None else None)
    if not url:
        return None
    settings: dict[str, Any] = dict(spec.get("settings") or {})
    for key, (attr, var) in _SETTINGS[name].items():
        value = (getattr(opts, attr, None) if attr else None) or (env.get(var) if ctx is None else None)
        if value:
            settings[key] = value
    settings = {k: Path(v) if k in _PATHS else v for k, v in settings.items()}
    state_dir = Path(getattr(opts, "state_dir", None) or (ctx.state if ctx is not None and ctx.state else ".mlmon"))
    timeout = float(getattr(opts, "timeout", None) or 10.0)
    auth = dict(spec.get("auth") or {})
    return TargetConfig(name=name, url=str(url), state_dir=state_dir, connect_timeout=min(3.0, timeout), read_timeout=timeout, settings=settings, auth=auth)


def build_target(cfg: Any) -> Any:
    module_name, class_name = _CLASSES[cfg.name]
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as exc:
        raise UsageError(f"{cfg.name}: target not available in this build ({exc})") from None
    return cls.from_config(cfg)


def collect_plans(targets: Sequence[Any], generated: Path) -> list[tuple[Any, list]]:
    return [(t, list(t.plan(generated))) for t in targets]


def err(message: str) -> None:
    from mlmon.remote.http import redact

    sys.stderr.write("mlmon: " + redact(message).rstrip() + "\n")


def confirm(prompt: str) -> bool | None:
    """True/False from a terminal; None when stdin is not a terminal."""
    if not sys.stdin or not sys.stdin.isatty():
        return None
    sys.stderr.write(prompt)
    sys.stderr.flush()
    try:
        answer = sys.stdin.readline()
    except (EOFError, OSError):
        return False
    return answer.strip().lower() in ("y", "yes")
