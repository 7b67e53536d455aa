"""Prometheus in file mode: mlmon owns ``<config-dir>/mlmon/rules/*.rules.yml``.

The server's ``prometheus.yml`` must contain ``rule_files: [mlmon/rules/*.rules.yml]``, relative to
its own directory; ``apply`` writes a new rule set there (see ``ruledir``) and reloads. Only groups
loaded from files in that directory are compared or touched; every other group on the server is
ignored.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from mlmon.plan import Change
from mlmon.remote.durations import seconds
from mlmon.remote.errors import RemoteError
from mlmon.remote.filemode import UNREADABLE, Disk, FileTarget, load_yaml, probe_writable
from mlmon.remote.prometheus.ruledir import JOURNAL, OWNED_DIR, RULE_FILE_GLOB, RULES_LINK, RuleDir, is_owned_file, loads_owned_files, read_files
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

    def __init__(self, url: str, location: Path | str | None = None, **kwargs: Any):
        super().__init__(url, location, **kwargs)
        self._default_interval: float | None = None
        self._versions: tuple[str | None, str] = (None, "")

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
        return read_files(Path(generated) / GENERATED_RULES)

    def _interval(self) -> float:
        if self._default_interval is None:
            self.live()
        return self._default_interval or 60.0

    def live(self) -> dict[str, dict]:
        groups, self._default_interval = self.live_groups()
        return groups

    def desired(self, generated: Path) -> dict[str, dict]:
        groups, error = groups_of(self.desired_files(generated), self._interval(), Path(generated) / GENERATED_RULES)
        if error:
            raise RemoteError(error)
        return groups

    def desired_groups(self, generated: Path, default_interval: float) -> dict[str, dict]:
        self._default_interval = default_interval
        return self.desired(generated)

    def compare(self, before: Any, after: Any) -> list[Change]:
        return diff_groups(before, after)

    # --- the rule sets on disk (see ruledir) -------------------------------------------------------
    @property
    def journal_path(self) -> Path:
        return self.owned_dir / JOURNAL

    @property
    def where(self) -> str:
        return str(self.owned_dir / RULES_LINK)

    def disk(self) -> Disk | None:
        rules = RuleDir(self.owned_dir)
        version = rules.current()
        if version is not None:
            files, owner = read_files(version), "mlmon" if rules.intact(version) else "edited"
        elif rules.link.is_dir():
            files, owner = read_files(rules.link), "unknown"
        else:
            return None
        groups, error = groups_of(files, self._interval(), rules.link)
        return Disk({UNREADABLE: error} if error else groups, owner)

    def state_of(self, token: str | None) -> Any:
        if token is None:
            return {}
        groups, error = groups_of(read_files(self.owned_dir / token), self._interval(), self.owned_dir / token)
        return None if error else groups

    def stage(self, generated: Path) -> tuple[str | None, str]:
        self.owned_dir.mkdir(parents=True, exist_ok=True)
        rules = RuleDir(self.owned_dir)
        rules.migrate_plain_dir()
        old = rules.current()
        new = rules.write_version(self.desired_files(generated))
        self._versions = (old.name if old else None, new.name)
        return self._versions

    def restage(self) -> tuple[str | None, str]:
        previous, new = self._versions
        return new, previous or ""

    def switch(self, token: str | None) -> None:
        RuleDir(self.owned_dir).point_to(self.owned_dir / token if token else None)

    def keep(self, previous: str | None, new: str, undo: bool = False) -> None:
        RuleDir(self.owned_dir).cleanup({self.owned_dir / t for t in (previous, new) if t})

    def check_files(self, generated: Path) -> list[str]:
        return promtool_problems(Path(generated) / GENERATED_RULES, sorted(self.desired_files(generated)))

    # --- writing (FileTarget steps) ---------------------------------------------------------------
    def _reload_ok(self) -> bool | None:
        try:
            info = self._api("/api/v1/status/runtimeinfo", "reading reload status (/api/v1/status/runtimeinfo)")
            if isinstance(info, dict) and "reloadConfigSuccess" in info:
                return bool(info["reloadConfigSuccess"])
        except RemoteError:
            pass
        return super()._reload_ok()

    def check_writable(self) -> None:
        owned = self.owned_dir
        if not owned.parent.is_dir():
            raise RemoteError(f"prometheus: config dir {self.location} does not exist. Nothing was changed.")
        self._check_config_dir(owned.parent)
        probe_writable(owned, self.name)

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

    def _explain(self, failure: str) -> str:
        if "HTTP 500" in failure:
            failure += " (Prometheus logs the details; `mlmon validate` runs promtool check rules on generated/)"
        return failure

    def back_on_disk(self) -> str:
        return "the previous rule files are back on disk but the reload that restores them"

    def applied(self, generated: Path) -> str:
        n = len(self.desired_files(generated))
        return f"wrote {n} rule file(s) to {self.owned_dir / RULES_LINK}, reload succeeded, all mlmon groups loaded as generated"


def groups_of(files: dict[str, bytes], default_interval: float, folder: Path) -> tuple[dict[str, dict], str | None]:
    """Rule files -> normalised groups by name, or the reason they cannot be read."""
    import yaml

    groups: dict[str, dict] = {}
    for name, data in sorted(files.items()):
        try:
            doc = load_yaml(data) or {}
        except yaml.YAMLError as exc:
            return {}, f"{folder / name}: not valid YAML ({exc.__class__.__name__})"
        for g in (doc.get("groups") if isinstance(doc, dict) else None) or []:
            if not isinstance(g, dict) or "name" not in g:
                return {}, f"{folder / name}: a group without a name"
            if g["name"] in groups:
                return {}, f"{folder / name}: group {g['name']!r} is defined twice"
            groups[g["name"]] = normalise_group(g, default_interval, name)
    return dict(sorted(groups.items())), None


def promtool_problems(folder: Path, files: list[str]) -> list[str]:
    """``promtool check rules`` on the files apply will write (no lint: only what a server rejects)."""
    from mlmon.tools import ToolFailed, ToolMissing, promtool

    if not files:
        return []
    try:
        diags = promtool.check_rules(files, cwd=folder, lint=False)
    except ToolMissing:
        return []  # the reload and its verification still catch a rule the server rejects
    except ToolFailed as exc:
        return [f"promtool could not check the rule files: {exc}"]
    return [f"{folder / d.file}:{d.line}:{d.col}: {d.message}" for d in diags if d.severity.name == "ERROR"]
