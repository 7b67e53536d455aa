"""`mlmon diff`: compare generated/ with live servers and print one plan.

Targets come from flags or the environment (``MLMON_PROMETHEUS_URL``, ``MLMON_ALERTMANAGER_URL``,
``MLMON_GRAFANA_URL``, ``MLMON_MIMIR_URL``; file locations ``MLMON_PROMETHEUS_CONFIG_DIR``,
``MLMON_ALERTMANAGER_CONFIG``). Credentials only from the environment (see ``mlmon.remote.http``).
Exit codes: 0 (no changes, or changes without ``--exit-code``), 1 (changes with ``--exit-code``),
2 (usage, missing file, unreachable server, HTTP or auth failure).
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Any, Sequence

from mlmon import ExitCode

TARGET_ORDER = ("prometheus", "alertmanager", "grafana", "mimir")
_CLASSES = {
    "prometheus": ("mlmon.remote.prometheus", "PrometheusTarget"),
    "alertmanager": ("mlmon.remote.alertmanager", "AlertmanagerTarget"),
    "grafana": ("mlmon.remote.grafana", "GrafanaTarget"),
    "mimir": ("mlmon.remote.mimir", "MimirTarget"),
}
# target -> {settings key: (option attribute, environment variable)}
_SETTINGS = {
    "prometheus": {"config_dir": ("prometheus_config_dir", "MLMON_PROMETHEUS_CONFIG_DIR")},
    "alertmanager": {"config_file": ("alertmanager_config", "MLMON_ALERTMANAGER_CONFIG")},
    "grafana": {"folder_uid": (None, "MLMON_GRAFANA_FOLDER_UID"), "folder_title": (None, "MLMON_GRAFANA_FOLDER_TITLE")},
    "mimir": {"tenant": (None, "MLMON_MIMIR_TENANT"), "namespace": (None, "MLMON_MIMIR_NAMESPACE"), "api_prefix": (None, "MLMON_MIMIR_API_PREFIX")},
}


class UsageError(Exception):
    pass


def target_configs(opts: Any, env: dict | None = None) -> list:
    """TargetConfig for every target named by a flag or an environment variable, in apply order."""
    from mlmon.remote.base import TargetConfig

    env = os.environ if env is None else env
    out = []
    for name in TARGET_ORDER:
        url = getattr(opts, name, None) or env.get(f"MLMON_{name.upper()}_URL")
        if not url:
            continue
        settings: dict[str, Any] = {}
        for key, (attr, var) in _SETTINGS[name].items():
            value = (getattr(opts, attr, None) if attr else None) or env.get(var)
            if value:
                settings[key] = Path(value) if key in ("config_dir", "config_file") else value
        out.append(
            TargetConfig(
                name=name,
                url=str(url),
                state_dir=Path(getattr(opts, "state_dir", None) or ".mlmon"),
                connect_timeout=min(3.0, float(getattr(opts, "timeout", None) or 10.0)),
                read_timeout=float(getattr(opts, "timeout", None) or 10.0),
                settings=settings,
            )
        )
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


# --- rendering -------------------------------------------------------------------------------------
_MARK = {"add": ("+", "green"), "change": ("~", "yellow"), "remove": ("-", "red")}


def _summary(changes: Sequence[Any]) -> str:
    from mlmon.plan import counts

    c = counts(changes)
    if not changes:
        return "no changes"
    return f"{c['add']} to add, {c['change']} to change, {c['remove']} to remove"


def render_text(plans: Sequence[tuple[Any, list]], console: Any) -> None:
    """Readable plan: one header per target, one line per change, unified YAML diff of changed objects."""
    from rich.text import Text

    from mlmon.plan import unified
    from mlmon.remote.http import redact

    def out(text: str, style: str | None = None) -> None:
        console.print(Text(redact(text), style=style or ""), soft_wrap=True)

    for target, changes in plans:
        out(f"{target.name} {getattr(target, 'url', '')}: {_summary(changes)}", "bold")
        for change in changes:
            _render_change(change, out, unified, indent="  ")
    total = [c for _, cs in plans for c in cs]
    out(f"plan: {_summary(total)}", "bold")


def _render_change(change: Any, out: Any, unified: Any, indent: str, body: bool = True) -> None:
    """One line per change. YAML bodies: a unified diff for changed objects, the full object for an
    added leaf; removed objects and the members of an added or removed group are listed by name."""
    mark, colour = _MARK.get(change.action, ("?", "white"))
    line = f"{indent}{mark} {change.kind} {change.name}"
    if change.detail:
        line += f" ({change.detail})"
    out(line, colour)
    if change.children:
        for child in change.children:
            _render_change(child, out, unified, indent + "    ", body=change.action == "change")
        return
    if not body or change.action == "remove":
        return
    for d in unified(change):
        if d.startswith("@@") and change.action == "add":
            continue
        style = "green" if d.startswith("+") else "red" if d.startswith("-") else "cyan" if d.startswith("@@") else "dim"
        out(indent + "    " + d, style)


def render_json(plans: Sequence[tuple[Any, list]]) -> str:
    from mlmon.plan import change_to_dict, counts
    from mlmon.remote.http import redact
    from mlmon.render.emit import to_json

    doc = {
        "targets": [
            {
                "target": t.name,
                "url": getattr(t, "url", ""),
                "summary": counts(cs),
                "changes": [change_to_dict(c) for c in cs],
            }
            for t, cs in plans
        ],
        "summary": counts([c for _, cs in plans for c in cs]),
    }
    return redact(to_json(doc))


def make_console(stream: Any = None) -> Any:
    from rich.console import Console

    stream = stream or sys.stdout
    color = os.environ.get("NO_COLOR") is None and stream.isatty()
    return Console(file=stream, highlight=False, no_color=not color, force_terminal=color if color else None, width=200 if not color else None, emoji=False)


def err(message: str) -> None:
    from mlmon.remote.http import redact

    sys.stderr.write("mlmon: " + redact(message).rstrip() + "\n")


def run(opts: Any) -> int:
    from mlmon.remote.base import RemoteError

    fmt = getattr(opts, "format", "text") or "text"
    if fmt not in ("text", "json"):
        err(f"--format must be text or json, not {fmt!r}")
        return ExitCode.USAGE
    generated = Path(getattr(opts, "generated", None) or "generated")
    if not generated.is_dir():
        err(f"{generated}: not a folder (run `mlmon generate` first, or pass --generated DIR)")
        return ExitCode.USAGE
    try:
        targets = [build_target(cfg) for cfg in target_configs(opts)]
        plans = collect_plans(targets, generated)
    except (UsageError, RemoteError) as exc:
        err(str(exc))
        return ExitCode.USAGE
    if fmt == "json":
        sys.stdout.write(render_json(plans))
    else:
        render_text(plans, make_console())
    has_changes = any(cs for _, cs in plans)
    return ExitCode.FINDINGS if (has_changes and getattr(opts, "exit_code", False)) else ExitCode.OK
