"""Mimir/Cortex ruler target of `mlmon diff` / `mlmon apply`: rule groups through the ruler API.

Desired state: ``generated/prometheus/rules/<model>.rules.yml``; the groups of each file go to the
namespace ``<namespace_prefix>-<model>`` (default prefix ``mlmon``). mlmon owns exactly the
namespaces that start with ``<namespace_prefix>-``; it never reads into, changes or deletes any other
namespace (unlike ``mimirtool rules sync``, which deletes every namespace it was not given).

HTTP (``<api_prefix>`` defaults to ``/prometheus``; header ``X-Scope-OrgID: <tenant>``):
``GET <api_prefix>/config/v1/rules`` (YAML map namespace -> groups; 404 "no rule groups found" means
none), ``GET <api_prefix>/config/v1/rules/{namespace}/{group}``, ``POST <api_prefix>/config/v1/rules/{namespace}``
(one group, ``application/yaml``, 202) and ``DELETE <api_prefix>/config/v1/rules/{namespace}/{group}``.

Comparison is on normalised groups (see ``normalise``). Every write is verified by reading the group
back; when a step fails, the groups already written by this apply are restored (or deleted when they
were new) and ``ApplyError(rolled_back=True)`` is raised.

Out-of-band edits: after each apply mlmon records a SHA-256 of every group it wrote (normalised) in
``<state_dir>/mimir/<tenant>--<prefix>.json`` (the context's state location; keyed by tenant and
prefix, not by URL, so another address of the same ruler reads the same record). A live group whose
digest differs from the record was edited outside mlmon: ``plan`` says so and apply refuses to
change or delete it without ``--force`` (which then records the new state). Groups mlmon has no
record of are mlmon's by their namespace prefix.

Auth: ``MLMON_MIMIR_TOKEN`` (bearer) or ``MLMON_MIMIR_USER``/``MLMON_MIMIR_PASSWORD`` (basic; Grafana
Cloud style), read by :class:`mlmon.remote.http.HttpClient`; the tenant is not a secret.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from mlmon.plan import Change
from mlmon.remote import signals
from mlmon.remote.base import ApplyOptions, rollback_summary
from mlmon.remote.errors import ApplyError, RemoteError
from mlmon.remote.journal import write_atomic
from mlmon.remote.mimir.normalise import TARGET, normalise_group, rule_changes
from mlmon.remote.mimir.ruler import DEFAULT_API_PREFIX, DEFAULT_PREFIX, RulerServer, Step, StepFailed
from mlmon.render.prometheus import RULES_DIR

__all__ = ["MimirTarget", "normalise_group"]

_RULE_FILE = re.compile(r"(\.rules)?\.ya?ml$")
EDITED = "edited outside mlmon since the last apply; apply needs --force"


def digest(group: Any) -> str:
    """SHA-256 of a group's normalised form (formatting the ruler changes does not count)."""
    return hashlib.sha256(json.dumps(normalise_group(group), sort_keys=True, default=str).encode()).hexdigest()


class MimirTarget(RulerServer):
    _done: list[Step] = []  # the steps of the last apply (undo)
    _record_before: dict[str, str] | None = None  # the record as it was before the last apply (undo)

    # --- the record of what mlmon applied ------------------------------------------------------
    @property
    def record_path(self) -> Path:
        tenant = re.sub(r"[^A-Za-z0-9_.-]", "_", self.tenant or "_")
        return self.state_dir / "mimir" / f"{tenant}--{self.namespace_prefix}.json"

    def record(self) -> dict[str, str]:
        """ "namespace/group" -> digest of what mlmon last applied there."""
        try:
            data = json.loads(self.record_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise RemoteError(self.at(f"cannot read mlmon's record {self.record_path}: {exc}")) from None
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def _save_record(self, record: Mapping[str, str]) -> None:
        try:
            write_atomic(self.record_path, (json.dumps(dict(sorted(record.items())), indent=1) + "\n").encode())
        except OSError as exc:
            raise RemoteError(self.at(f"cannot write mlmon's record {self.record_path}: {exc.strerror or exc}")) from None

    def edited(self, live: Mapping[str, Mapping[str, Any]]) -> set[str]:
        """Live groups that differ from what mlmon last applied to them."""
        record = self.record()
        return {f"{ns}/{name}" for ns, groups in live.items() for name, g in groups.items() if f"{ns}/{name}" in record and digest(g) != record[f"{ns}/{name}"]}

    @classmethod
    def options(cls, settings: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "tenant": settings.get("tenant") or None,
            "namespace_prefix": str(settings.get("namespace_prefix") or settings.get("namespace") or DEFAULT_PREFIX),
            "api_prefix": str(settings.get("api_prefix") if settings.get("api_prefix") is not None else DEFAULT_API_PREFIX),
        }

    def desired(self, generated: Path) -> dict[str, dict[str, dict[str, Any]]]:
        """namespace -> group name -> raw group, from ``generated/prometheus/rules/*.rules.yml``."""
        import yaml

        folder = Path(generated) / RULES_DIR
        if not folder.is_dir():
            raise RemoteError(f"{TARGET}: {folder} does not exist; run `mlmon generate` first")
        out: dict[str, dict[str, dict[str, Any]]] = {}
        for path in sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")]):
            ns = f"{self.namespace_prefix}-{_RULE_FILE.sub('', path.name)}"
            try:
                doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            except (OSError, yaml.YAMLError) as exc:
                raise RemoteError(f"{TARGET}: cannot read {path}: {exc}") from None
            groups = doc.get("groups") if isinstance(doc, dict) else None
            if not isinstance(groups, list):
                raise RemoteError(f"{TARGET}: {path} has no 'groups' list")
            for g in groups:
                name = g.get("name") if isinstance(g, dict) else None
                if not name:
                    raise RemoteError(f"{TARGET}: {path}: a rule group has no name")
                if name in out.setdefault(ns, {}):
                    raise RemoteError(f"{TARGET}: {path}: rule group {name!r} appears twice")
                out[ns][name] = g
        return out

    def plan(self, generated: Path) -> Sequence[Change]:
        return self._plan(self.desired(generated), self.live())

    def _plan(self, desired: Mapping[str, Mapping[str, Any]], live: Mapping[str, Mapping[str, Any]]) -> list[Change]:
        changes = []
        edited = self.edited(live)
        for ns in sorted(set(desired) | set(live)):
            if not self.owns(ns):  # desired names are always owned; belt and braces for live ones
                continue
            want, have = desired.get(ns, {}), live.get(ns, {})
            groups = []
            for name in sorted(set(want) | set(have)):
                a = normalise_group(have[name]) if name in have else None
                b = normalise_group(want[name]) if name in want else None
                if a != b:
                    action = "add" if a is None else "remove" if b is None else "change"
                    note = EDITED if f"{ns}/{name}" in edited else ""
                    groups.append(Change(TARGET, "rule_group", f"{ns}/{name}", action, a, b, note, rule_changes(ns, name, a, b)))
            if groups:
                action = "add" if not have else "remove" if not want else "change"
                changes.append(Change(TARGET, "namespace", ns, action, None, None, f"tenant {self.tenant}" if self.tenant else "", tuple(groups)))
        return changes

    def preflight(self, generated: Path, changes: Sequence[Change], options: ApplyOptions) -> list[str]:
        desired, live = self.desired(generated), self.live()
        foreign = [c.name for c in changes if c.target == TARGET and c.kind == "namespace" and not self.owns(c.name)]
        refusals = [self.at(f"refusing to touch namespaces mlmon does not own: {', '.join(foreign)}")] if foreign else []
        touched = {g.name for c in changes if c.target == TARGET for g in c.children}
        edited = sorted(touched & self.edited(live))
        if edited and not options.force:
            refusals.append(self.at(f"rule groups {', '.join(edited)}: {EDITED}. Review `mlmon diff`."))
        return refusals + self.stale(changes, self._plan(desired, live), lambda c: [(g.name, g.action, g.before, g.after) for g in c.children])

    def apply(self, generated: Path, changes: Sequence[Change], options: ApplyOptions) -> Sequence[str]:
        desired = self.desired(generated)
        live = self.live()
        wanted = [c for c in changes if c.target == TARGET and self.owns(c.name)]
        lines: list[str] = []
        self._done = []
        self._record_before = record = self.record()
        try:
            for c in wanted:
                for g in c.children:
                    ns, _, name = g.name.partition("/")
                    step = Step(ns, name, live.get(ns, {}).get(name))
                    self._done.append(step)
                    if g.action == "remove":
                        self.delete_group(step)
                        lines.append(f"{TARGET}: rule group {ns}/{name} deleted: verified")
                    else:
                        self.post_group(step, desired[ns][name])
                        verb = "created" if g.action == "add" else "updated"
                        lines.append(f"{TARGET}: rule group {ns}/{name} {verb} ({len(desired[ns][name].get('rules') or [])} rules): verified")
        except BaseException as exc:  # a failed step, a signal, anything: undo what this apply wrote
            with signals.held():
                if self._done and not isinstance(exc, StepFailed):
                    self._done[-1].lost = True
                problems = self._rollback(self._done)
            reason = f"interrupted by {exc.signame}" if isinstance(exc, signals.Interrupted) else self.local(exc)
            summary = rollback_summary("ruler", len(self._done) - 1, not problems, problems)
            raise ApplyError(self.at(f"{reason}; {summary}"), rolled_back=not problems) from (None if isinstance(exc, StepFailed) else exc)
        record = dict(record)
        for step in self._done:
            key = f"{step.namespace}/{step.group}"
            if step.namespace in desired and step.group in desired[step.namespace]:
                record[key] = digest(desired[step.namespace][step.group])
            else:
                record.pop(key, None)
        if self._done:
            self._save_record(record)
        if lines:
            groups = sum(len(c.children) for c in wanted)
            lines.append(f"{TARGET}: tenant {self.tenant or '(none)'}: {groups} rule group change(s) applied and read back")
        return lines

    def undo(self) -> Sequence[str]:
        """Undo the last successful apply (a later target failed under --atomic)."""
        if not self._done:
            return []
        problems, n, self._done = self._rollback(self._done), len(self._done), []
        if self._record_before is not None:
            self._save_record(self._record_before)
        if problems:
            raise ApplyError(self.at("ROLLBACK INCOMPLETE: " + "; ".join(problems)), rolled_back=False)
        return [self.at(f"restored the {n} rule group(s) changed by this apply")]

    def _rollback(self, done: list[Step]) -> list[str]:
        problems = []
        for step in reversed(done):
            try:
                now = self.get_group(step.namespace, step.group)
                if step.previous is None:
                    if now is not None:
                        self.delete_group(Step(step.namespace, step.group, None))
                elif now is None or normalise_group(now) != normalise_group(step.previous):
                    self.post_group(Step(step.namespace, step.group, None), step.previous, rollback=True)
            except (RemoteError, StepFailed) as exc:
                problems.append(f"{step.namespace}/{step.group}: {exc}")
        return problems
