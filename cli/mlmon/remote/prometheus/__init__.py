"""Prometheus in file mode: mlmon owns ``<config-dir>/mlmon/rules/*.rules.yml``.

The server's ``prometheus.yml`` must contain ``rule_files: [mlmon/rules/*.rules.yml]``, relative to
its own directory; ``apply`` writes a new rule set there (see ``ruledir``) and reloads. Only groups
loaded from files in that directory are compared or touched; every other group on the server is
ignored.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mlmon.plan import Change
from mlmon.remote.durations import seconds
from mlmon.remote.errors import RemoteError
from mlmon.remote.filemode import FileTarget, load_yaml
from mlmon.remote.prometheus.ruledir import OWNED_DIR, RULE_FILE_GLOB, RULES_LINK, RuleDir, is_owned_file, loads_owned_files
from mlmon.remote.prometheus.rules import diff_groups, normalise_group
from mlmon.render.prometheus import RULES_DIR

GENERATED_RULES = Path(RULES_DIR)


class PrometheusTarget(FileTarget):
    name = "prometheus"
    LIVE = "rules"
    FILES = "rule files"
    SETTING = "config_dir"
    MISSING = "prometheus: --prometheus-config-dir (or MLMON_PROMETHEUS_CONFIG_DIR) is needed to apply rule files"
    RELOAD_METRIC = "prometheus_config_last_reload_successful"
    RELOAD_FAILED = "reload reported failure (reloadConfigSuccess=false, or the status could not be read)"

    @property
    def owned_dir(self) -> Path:
        return self.required_location / OWNED_DIR

    @property
    def lock_path(self) -> Path:
        return self.location / OWNED_DIR / ".lock" if self.location is not None else super().lock_path

    # --- reading ----------------------------------------------------------------------------------
    def _api(self, path: str, what: str) -> Any:
        body = self.client.get_json(path, what=what)
        if not isinstance(body, dict) or body.get("status") != "success":
            err = body.get("error") if isinstance(body, dict) else None
            raise RemoteError(self.at(f"{what} failed: {err or 'unexpected answer'}"))
        return body.get("data")

    def _server_config(self) -> dict[str, Any]:
        import yaml

        data = self._api("/api/v1/status/config", "reading the loaded configuration (/api/v1/status/config)")
        try:
            return load_yaml((data or {}).get("yaml") or "") or {}
        except yaml.YAMLError:
            raise RemoteError(self.at("/api/v1/status/config returned YAML that does not parse")) from None

    def _check_rule_files(self, config: dict[str, Any]) -> None:
        if not loads_owned_files(config.get("rule_files") or []):
            raise RemoteError(
                self.at(
                    f'the server does not load mlmon\'s rule files; add `rule_files: ["{OWNED_DIR}/{RULES_LINK}/{RULE_FILE_GLOB}"]` '
                    "to the prometheus.yml it reads (relative to that file), reload it, and run again"
                )
            )

    def live_groups(self) -> tuple[dict[str, dict], float]:
        config = self._server_config()
        self._check_rule_files(config)
        default_interval = seconds((config.get("global") or {}).get("evaluation_interval") or "1m")
        data = self._api("/api/v1/rules", "reading loaded rules (/api/v1/rules)")
        groups: dict[str, dict] = {}
        for g in (data or {}).get("groups") or []:
            file = str(g.get("file", ""))
            if is_owned_file(file):  # anything else is not mlmon's: never compared, never touched
                groups[g["name"]] = normalise_group(g, default_interval, os.path.basename(file))
        return dict(sorted(groups.items())), default_interval

    def desired_files(self, generated: Path) -> dict[str, bytes]:
        folder = Path(generated) / GENERATED_RULES
        if not folder.is_dir():
            return {}
        return {p.name: p.read_bytes() for p in sorted(folder.glob(RULE_FILE_GLOB)) if p.is_file()}

    def desired_groups(self, generated: Path, default_interval: float) -> dict[str, dict]:
        import yaml

        groups: dict[str, dict] = {}
        for name, data in self.desired_files(generated).items():
            path = Path(generated) / GENERATED_RULES / name
            try:
                doc = load_yaml(data) or {}
            except yaml.YAMLError as exc:
                raise RemoteError(f"{path}: not valid YAML ({exc.__class__.__name__})") from None
            for g in doc.get("groups") or []:
                if g.get("name") in groups:
                    raise RemoteError(f"{path}: group {g.get('name')!r} is defined twice")
                groups[g["name"]] = normalise_group(g, default_interval, name)
        return dict(sorted(groups.items()))

    def plan(self, generated: Path) -> Sequence[Change]:
        live, default_interval = self.live_groups()
        return diff_groups(live, self.desired_groups(generated, default_interval))

    # --- writing (FileTarget steps) ---------------------------------------------------------------
    def _reload_ok(self) -> bool | None:
        try:
            info = self._api("/api/v1/status/runtimeinfo", "reading reload status (/api/v1/status/runtimeinfo)")
            if isinstance(info, dict) and "reloadConfigSuccess" in info:
                return bool(info["reloadConfigSuccess"])
        except RemoteError:
            pass
        return super()._reload_ok()

    def _check_writable(self) -> None:
        owned = self.owned_dir
        if not owned.parent.is_dir():
            raise RemoteError(f"prometheus: config dir {self.location} does not exist")
        self._check_config_dir(owned.parent)

    def _check_config_dir(self, config_dir: Path) -> None:
        """When the server's config file is visible here (same host), it must be in config_dir."""
        try:
            flags = self._api("/api/v1/status/flags", "reading server flags (/api/v1/status/flags)") or {}
            info = self._api("/api/v1/status/runtimeinfo", "reading runtime info (/api/v1/status/runtimeinfo)") or {}
        except RemoteError:
            return  # older or restricted servers: verification after the reload still catches a wrong dir
        if not flags.get("config.file"):
            return
        path = Path(flags["config.file"])
        if not path.is_absolute() and info.get("CWD"):
            path = Path(info["CWD"]) / path
        if path.is_absolute() and path.exists() and path.parent.resolve() != config_dir.resolve():
            raise RemoteError(self.at(f"the server loads {path}, but --prometheus-config-dir is {config_dir}; pass --prometheus-config-dir {path.parent}"))

    def _install(self, generated: Path) -> tuple[Path | None, Path]:
        self.owned_dir.mkdir(parents=True, exist_ok=True)
        rules = RuleDir(self.owned_dir)
        rules.migrate_plain_dir()
        old = rules.current()
        new = rules.write_version(self.desired_files(generated))
        rules.point_to(new)
        return old, new

    def _restore(self, previous: tuple[Path | None, Path]) -> None:
        RuleDir(self.owned_dir).point_to(previous[0])

    def _finish(self, previous: tuple[Path | None, Path]) -> None:
        RuleDir(self.owned_dir).cleanup(set(previous))

    def _explain(self, failure: str) -> str:
        if "HTTP 500" in failure:
            failure += " (Prometheus logs the details; `mlmon validate` runs promtool check rules on generated/)"
        return failure

    def _verify(self, generated: Path) -> str | None:
        try:
            remaining = list(self.plan(generated))
        except RemoteError as exc:
            return f"verification failed: {self.local(exc)}"
        if remaining:
            names = ", ".join(f"{c.action} {c.name}" for c in remaining[:5])
            return f"verification failed: after the reload the loaded groups still differ ({names})"
        return None

    def _back_on_disk(self) -> str:
        return "the previous rule files are back on disk but the reload that restores them"

    def _applied(self, generated: Path) -> str:
        n = len(self.desired_files(generated))
        return f"wrote {n} rule file(s) to {self.owned_dir / RULES_LINK}, reload succeeded, all mlmon groups loaded as generated"
