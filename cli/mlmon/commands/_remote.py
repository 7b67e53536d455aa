"""What `mlmon diff` and `mlmon apply` share: their options checked, targets built from flags and
the environment, plans collected, messages on stderr (redacted).

Targets come from flags or the environment (``MLMON_PROMETHEUS_URL``, ``MLMON_ALERTMANAGER_URL``,
``MLMON_GRAFANA_URL``, ``MLMON_MIMIR_URL``; file locations ``MLMON_PROMETHEUS_CONFIG_DIR``,
``MLMON_ALERTMANAGER_CONFIG``). Credentials only from the environment (see ``mlmon.remote.http``).
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

TARGET_ORDER = ("prometheus", "alertmanager", "grafana", "mimir")
_CLASSES = {
    "prometheus": ("mlmon.remote.prometheus", "PrometheusTarget"),
    "alertmanager": ("mlmon.remote.alertmanager", "AlertmanagerTarget"),
    "grafana": ("mlmon.remote.grafana", "GrafanaTarget"),
    "mimir": ("mlmon.remote.mimir", "MimirTarget"),
}
# target -> {settings key: (option attribute, environment variable)}
_SETTINGS: dict[str, dict[str, tuple[str | None, str]]] = {
    "prometheus": {"config_dir": ("prometheus_config_dir", "MLMON_PROMETHEUS_CONFIG_DIR")},
    "alertmanager": {"config_file": ("alertmanager_config", "MLMON_ALERTMANAGER_CONFIG")},
    "grafana": {"folder_uid": (None, "MLMON_GRAFANA_FOLDER_UID"), "folder_title": (None, "MLMON_GRAFANA_FOLDER_TITLE")},
    "mimir": {"tenant": (None, "MLMON_MIMIR_TENANT"), "namespace": (None, "MLMON_MIMIR_NAMESPACE"), "api_prefix": (None, "MLMON_MIMIR_API_PREFIX")},
}
_PATHS = ("config_dir", "config_file")


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
    """TargetConfig for every target named by a flag or an environment variable, in apply order."""
    from mlmon.remote.base import TargetConfig

    env = os.environ if env is None else env
    out = []
    timeout = float(getattr(opts, "timeout", None) or 10.0)
    for name in TARGET_ORDER:
        url = getattr(opts, name, None) or env.get(f"MLMON_{name.upper()}_URL")
        if not url:
            continue
        settings: dict[str, Any] = {}
        for key, (attr, var) in _SETTINGS[name].items():
            value = (getattr(opts, attr, None) if attr else None) or env.get(var)
            if value:
                settings[key] = Path(value) if key in _PATHS else value
        state_dir = Path(getattr(opts, "state_dir", None) or ".mlmon")
        out.append(TargetConfig(name=name, url=str(url), state_dir=state_dir, connect_timeout=min(3.0, timeout), read_timeout=timeout, settings=settings))
    if not out:
        raise UsageError(
            "no target: pass --prometheus, --alertmanager, --grafana or --mimir URLs "
            "(or set MLMON_PROMETHEUS_URL, MLMON_ALERTMANAGER_URL, MLMON_GRAFANA_URL, MLMON_MIMIR_URL)"
        )
    return out


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
