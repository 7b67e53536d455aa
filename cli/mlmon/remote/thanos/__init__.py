"""Thanos Ruler in file mode: mlmon owns ``<rules-dir>/mlmon/rules/*.rules.yml``.

Thanos Ruler reads rule files named by its ``--rule-file`` flags (globs) and has no API to upload
rules; it reloads them on ``POST /-/reload`` (or SIGHUP) and serves what it loaded at
``/api/v1/rules``, each group with its ``partialResponseStrategy``. So this target works like the
Prometheus one (``mlmon.remote.prometheus``: a new rule set written beside the old one, one
symlink switched, reload, read back, the previous set put back on failure), with three
differences:

- the desired files are ``generated/thanos/rules/`` (the groups with ``partial_response_strategy``;
  the spec's ``ruler.thanos`` writes them), compared with the strategy included;
- the server's configuration cannot be read, so the evaluation interval of groups without their own
  is the setting ``eval_interval`` (Thanos' ``--eval-interval``, default 1m), and the rule files are
  not checked against its ``--rule-file`` flags: pass ``--rule-file=<rules-dir>/mlmon/rules/*.rules.yml``;
- the reload's success is ``thanos_rule_config_last_reload_successful`` in ``/metrics``, and
  promtool checks the Prometheus twins of the files (it rejects the Thanos field).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from mlmon.plan import Change
from mlmon.remote.durations import seconds
from mlmon.remote.errors import RemoteError
from mlmon.remote.filemode import UNREADABLE, Disk, probe_writable
from mlmon.remote.prometheus import PrometheusTarget, promtool_problems
from mlmon.remote.prometheus.ruledir import RuleDir, is_owned_file, read_files
from mlmon.remote.prometheus.rules import diff_groups, normalise_group
from mlmon.render.prometheus import RULES_DIR as PROMETHEUS_RULES
from mlmon.render.thanos import RULES_DIR

STRATEGY = "abort"  # Thanos' default


def strategy_of(group: Mapping[str, Any]) -> str:
    value = group.get("partialResponseStrategy", group.get("partial_response_strategy")) or STRATEGY
    return str(value).lower()


def with_strategies(groups: dict[str, dict], files: Mapping[str, bytes]) -> dict[str, dict]:
    """``groups`` (normalised) with the ``partial_response_strategy`` their files give them."""
    from mlmon.remote.filemode import load_yaml

    out = {name: dict(g) for name, g in groups.items()}
    for _name, data in sorted(files.items()):
        doc = load_yaml(data) or {}
        for g in (doc.get("groups") if isinstance(doc, dict) else None) or []:
            if isinstance(g, dict) and g.get("name") in out:
                out[g["name"]]["partial_response_strategy"] = strategy_of(g)
    return out


def _retarget(changes: Sequence[Change], name: str) -> list[Change]:
    return [dataclasses.replace(c, target=name, children=tuple(_retarget(c.children, name))) for c in changes]


class ThanosTarget(PrometheusTarget):
    name = "thanos"
    SETTING = "rules_dir"
    MISSING = "thanos: the rules_dir setting (or MLMON_THANOS_RULES_DIR) is needed to apply rule files"
    RELOAD_METRIC = "thanos_rule_config_last_reload_successful"
    RELOAD_FAILED = "reload reported failure (thanos_rule_config_last_reload_successful is not 1, or could not be read)"

    def __init__(self, url: str, location: Path | str | None = None, eval_interval: str | None = None, **kwargs: Any):
        super().__init__(url, location, **kwargs)
        self._default_interval = seconds(eval_interval or "1m")

    @classmethod
    def options(cls, settings: Mapping[str, Any]) -> dict[str, Any]:
        return {"location": settings.get(cls.SETTING), "eval_interval": settings.get("eval_interval")}

    def live_groups(self) -> tuple[dict[str, dict], float]:
        interval = self._default_interval or 60.0
        data = self._api("/api/v1/rules", "reading loaded rules (/api/v1/rules)")
        groups: dict[str, dict] = {}
        for g in (data or {}).get("groups") or []:
            file = str(g.get("file", ""))
            if is_owned_file(file):  # anything else is not mlmon's: never compared, never touched
                groups[g["name"]] = {**normalise_group(g, interval, os.path.basename(file)), "partial_response_strategy": strategy_of(g)}
        return dict(sorted(groups.items())), interval

    def desired_files(self, generated: Path) -> dict[str, bytes]:
        folder = Path(generated) / RULES_DIR
        if not folder.is_dir():
            raise RemoteError(f"thanos: {folder} does not exist; add `ruler: {{thanos: {{}}}}` to the spec and run `mlmon generate`")
        return read_files(folder)

    def desired(self, generated: Path) -> dict[str, dict]:
        return with_strategies(super().desired(generated), self.desired_files(generated))

    def disk(self) -> Disk | None:
        found = super().disk()
        rules = RuleDir(self.owned_dir)
        version = rules.current()
        folder = version if version is not None else rules.link
        if found is None or UNREADABLE in found.state:
            return found
        return Disk(with_strategies(found.state, read_files(folder)), found.owner)

    def state_of(self, token: str | None) -> Any:
        state = super().state_of(token)
        return with_strategies(state, read_files(self.owned_dir / token)) if state and token else state

    def compare(self, before: Any, after: Any) -> list[Change]:
        return _retarget(diff_groups(before, after), self.name)

    def check_writable(self) -> None:
        if not self.required_location.is_dir():
            raise RemoteError(f"thanos: rules dir {self.location} does not exist. Nothing was changed.")
        probe_writable(self.owned_dir, self.name)

    def check_files(self, generated: Path) -> list[str]:
        twins = sorted(self.desired_files(generated))
        return promtool_problems(Path(generated) / PROMETHEUS_RULES, [f for f in twins if (Path(generated) / PROMETHEUS_RULES / f).is_file()])

    def _reload_ok(self) -> bool | None:
        return super(PrometheusTarget, self)._reload_ok()

    def _explain(self, failure: str) -> str:
        return failure + " (Thanos Ruler logs the details)" if "HTTP 500" in failure else failure
