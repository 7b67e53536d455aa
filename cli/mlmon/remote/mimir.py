"""Mimir/Cortex ruler target of `mlmon diff` / `mlmon apply`: rule groups through the ruler API.

Desired state: ``generated/prometheus/rules/<model>.rules.yml``; the groups of each file go to the
namespace ``<namespace_prefix>-<model>`` (default prefix ``mlmon``). mlmon owns exactly the
namespaces that start with ``<namespace_prefix>-``; it never reads into, changes or deletes any other
namespace (unlike ``mimirtool rules sync``, which deletes every namespace it was not given).

HTTP (``<api_prefix>`` defaults to ``/prometheus``; header ``X-Scope-OrgID: <tenant>``):
``GET <api_prefix>/config/v1/rules`` (YAML map namespace -> groups; 404 "no rule groups found" means
none), ``GET <api_prefix>/config/v1/rules/{namespace}/{group}``, ``POST <api_prefix>/config/v1/rules/{namespace}``
(one group, ``application/yaml``, 202) and ``DELETE <api_prefix>/config/v1/rules/{namespace}/{group}``.
Namespace and group names are percent-encoded in paths.

Comparison is on normalised groups (the ruler re-serialises durations, drops a zero ``for`` and
empty maps; expressions are compared in PromQL's canonical form). Every write is verified by reading
the group back; when a step fails, the groups already written by this apply are restored (or deleted
when they were new) and ``ApplyError(rolled_back=True)`` is raised. The ruler API has no versions,
so a write whose answer was lost is reconciled by reading it back.

Auth: ``MLMON_MIMIR_TOKEN`` (bearer) or ``MLMON_MIMIR_USER``/``MLMON_MIMIR_PASSWORD`` (basic; Grafana
Cloud style), read by :class:`mlmon.remote.http.HttpClient`; the tenant is not a secret.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

from mlmon.plan import Change
from mlmon.remote.base import ApplyError, ApplyOptions, RemoteError, TargetConfig
from mlmon.remote.http import HttpClient, HttpSettings, safe_url

TARGET = "mimir"
_DUR_RE = re.compile(r"^((\d+)y)?((\d+)w)?((\d+)d)?((\d+)h)?((\d+)m)?((\d+)s)?((\d+)ms)?$")
_UNITS = (("y", 365 * 86400000), ("w", 7 * 86400000), ("d", 86400000), ("h", 3600000), ("m", 60000), ("s", 1000), ("ms", 1))
_RULE_ORDER = ("record", "alert", "expr", "for", "keep_firing_for", "labels", "annotations")


# --------------------------------------------------------------------------------------------
# pure: normalisation and comparison


def canonical_duration(value: Any) -> Any:
    """``90m`` -> ``1h30m``, ``60s`` -> ``1m`` (Prometheus' own formatting); other values unchanged."""
    text = str(value).strip()
    if text == "0":
        return "0s"
    m = _DUR_RE.match(text)
    if not text or not m:
        return value
    ms = sum(int(v) * size for (_, size), v in zip(_UNITS, m.groups()[1::2]) if v)
    if ms == 0:
        return "0s"
    out = ""
    for unit, size in _UNITS:
        if ms >= size:
            out += f"{ms // size}{unit}"
            ms %= size
    return out


def canonical_expr(expr: Any) -> str:
    text = str(expr).strip()
    try:
        import promql_parser

        return str(promql_parser.parse(text))
    except Exception:  # not parseable here: compare whitespace-normalised text
        return " ".join(text.split())


def normalise_rule(rule: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in _RULE_ORDER:
        value = rule.get(key)
        if value in (None, "", {}):
            continue
        if key == "expr":
            value = canonical_expr(value)
        elif key in ("for", "keep_firing_for"):
            value = canonical_duration(value)
            if value == "0s":
                continue
        elif key in ("labels", "annotations"):
            value = {str(k): str(v) for k, v in sorted(value.items())}
        out[key] = value
    for key in sorted(set(rule) - set(_RULE_ORDER)):
        out[key] = rule[key]
    return out


def normalise_group(group: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"name": str(group.get("name", ""))}
    for key in sorted(k for k in group if k not in ("name", "rules")):
        value = group[key]
        if value in (None, "", 0, [], {}):
            continue
        if key in ("interval", "query_offset"):
            value = canonical_duration(value)
        elif key == "labels" and isinstance(value, Mapping):
            value = {str(k): str(v) for k, v in sorted(value.items())}
        out[key] = value
    out["rules"] = [normalise_rule(r) for r in group.get("rules") or [] if isinstance(r, Mapping)]
    return out


def _rule_keys(rules: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    seen: dict[str, int] = {}
    out: dict[str, dict[str, Any]] = {}
    for r in rules:
        base = f"alert {r['alert']}" if r.get("alert") else f"record {r.get('record', '')}"
        seen[base] = seen.get(base, 0) + 1
        out[base if seen[base] == 1 else f"{base} #{seen[base]}"] = dict(r)
    return out


def rule_changes(ns: str, group: str, before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> tuple[Change, ...]:
    old = _rule_keys((before or {}).get("rules") or [])
    new = _rule_keys((after or {}).get("rules") or [])
    out = []
    for key in list(new) + [k for k in old if k not in new]:
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        name = f"{ns}/{group}/{key}"
        if a is None:
            out.append(Change(TARGET, "rule", name, "add", None, b))
        elif b is None:
            out.append(Change(TARGET, "rule", name, "remove", a, None))
        else:
            fields = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
            out.append(Change(TARGET, "rule", name, "change", a, b, "changed: " + ", ".join(fields)))
    if not out and before and after and before != after:
        fields = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
        return (Change(TARGET, "rule", f"{ns}/{group}", "change", None, None, "group fields changed: " + ", ".join(fields)),)
    return tuple(out)


# --------------------------------------------------------------------------------------------


@dataclass
class _Step:
    namespace: str
    group: str
    previous: dict[str, Any] | None  # raw live group (None: did not exist)
    lost: bool = False


class _StepFailed(Exception):
    pass


class MimirTarget:
    name = TARGET

    def __init__(
        self,
        url: str,
        tenant: str | None,
        namespace_prefix: str = "mlmon",
        *,
        api_prefix: str = "/prometheus",
        settings: HttpSettings | None = None,
        env: Mapping[str, str] | None = None,
    ):
        if not namespace_prefix or not re.match(r"^[A-Za-z0-9_.-]+$", namespace_prefix):
            raise RemoteError(f"{TARGET}: namespace prefix {namespace_prefix!r} must be non-empty letters, digits, '_', '.', '-'")
        headers = {"X-Scope-OrgID": tenant} if tenant else {}
        self.client = HttpClient(TARGET, url, settings=settings, env=env, headers=headers)
        self.url = safe_url(url)
        self.tenant = tenant
        self.namespace_prefix = namespace_prefix
        self.api_prefix = "/" + api_prefix.strip("/") if api_prefix.strip("/") else ""

    @classmethod
    def from_config(cls, cfg: TargetConfig) -> "MimirTarget":
        s = dict(cfg.settings or {})
        return cls(
            cfg.url,
            tenant=s.get("tenant") or None,
            namespace_prefix=str(s.get("namespace_prefix") or s.get("namespace") or "mlmon"),
            api_prefix=str(s.get("api_prefix") if s.get("api_prefix") is not None else "/prometheus"),
            settings=HttpSettings(connect_timeout=cfg.connect_timeout, read_timeout=cfg.read_timeout, retries=cfg.retries),
        )

    def owns(self, namespace: str) -> bool:
        return namespace.startswith(self.namespace_prefix + "-")

    # ---- desired

    def desired(self, generated: Path) -> dict[str, dict[str, dict[str, Any]]]:
        """namespace -> group name -> raw group, from ``generated/prometheus/rules/*.rules.yml``."""
        import yaml

        folder = Path(generated) / "prometheus" / "rules"
        if not folder.is_dir():
            raise RemoteError(f"{TARGET}: {folder} does not exist; run `mlmon generate` first")
        out: dict[str, dict[str, dict[str, Any]]] = {}
        for path in sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")]):
            stem = re.sub(r"(\.rules)?\.ya?ml$", "", path.name)
            ns = f"{self.namespace_prefix}-{stem}"
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

    # ---- reading the server

    def _path(self, namespace: str | None = None, group: str | None = None) -> str:
        path = self.api_prefix + "/config/v1/rules"
        for part in (namespace, group):
            if part is not None:
                path += "/" + urllib.parse.quote(part, safe="")
        return path

    def _load_yaml(self, resp: Any, what: str) -> Any:
        import yaml

        try:
            return yaml.safe_load(resp.text)
        except yaml.YAMLError:
            raise RemoteError(f"{TARGET} at {self.url}: {what}: the answer is not YAML (is this the ruler API?)") from None

    def live(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Owned namespaces only: namespace -> group name -> raw group."""
        what = f"listing rule groups of tenant {self.tenant or '(none)'}"
        resp = self.client.get(self._path(), what=what, expect=(200, 404))
        if resp.status_code == 404:
            if "no rule groups found" in resp.text:
                return {}
            raise RemoteError(f"{TARGET} at {self.url}: {what} failed: {self.client.describe_status(resp)}")
        data = self._load_yaml(resp, what) or {}
        if not isinstance(data, dict):
            raise RemoteError(f"{TARGET} at {self.url}: {what}: expected a map of namespaces")
        out: dict[str, dict[str, dict[str, Any]]] = {}
        for ns, groups in data.items():
            if not self.owns(str(ns)):
                continue
            out[str(ns)] = {str(g["name"]): g for g in groups or [] if isinstance(g, dict) and g.get("name")}
        return out

    def _get_group(self, namespace: str, group: str) -> dict[str, Any] | None:
        what = f"reading rule group {namespace}/{group}"
        resp = self.client.get(self._path(namespace, group), what=what, expect=(200, 404))
        if resp.status_code == 404:
            return None
        data = self._load_yaml(resp, what)
        if not isinstance(data, dict):
            raise RemoteError(f"{TARGET} at {self.url}: {what}: unexpected answer")
        return data

    # ---- plan

    def plan(self, generated: Path) -> Sequence[Change]:
        return self._plan(self.desired(generated), self.live())

    def _plan(self, desired: Mapping[str, Mapping[str, Any]], live: Mapping[str, Mapping[str, Any]]) -> list[Change]:
        changes = []
        for ns in sorted(set(desired) | set(live)):
            if not self.owns(ns):  # desired names are always owned; belt and braces for live ones
                continue
            want, have = desired.get(ns, {}), live.get(ns, {})
            groups = []
            for name in sorted(set(want) | set(have)):
                a = normalise_group(have[name]) if name in have else None
                b = normalise_group(want[name]) if name in want else None
                if a == b:
                    continue
                action = "add" if a is None else "remove" if b is None else "change"
                groups.append(Change(TARGET, "rule_group", f"{ns}/{name}", action, a, b, "", rule_changes(ns, name, a, b)))
            if not groups:
                continue
            action = "add" if not have else "remove" if not want else "change"
            detail = f"tenant {self.tenant}" if self.tenant else ""
            changes.append(Change(TARGET, "namespace", ns, action, None, None, detail, tuple(groups)))
        return changes

    # ---- apply

    def apply(self, generated: Path, changes: Sequence[Change], options: ApplyOptions) -> Sequence[str]:
        desired = self.desired(generated)
        live = self.live()
        fresh = {(c.kind, c.name): c for c in self._plan(desired, live)}
        wanted = [c for c in changes if c.target == TARGET]
        stale = [
            f"{c.kind} {c.name}" for c in wanted
            if (c.kind, c.name) not in fresh
            or [(g.name, g.action, g.before, g.after) for g in fresh[(c.kind, c.name)].children]
            != [(g.name, g.action, g.before, g.after) for g in c.children]
        ]
        foreign = [c.name for c in wanted if c.kind == "namespace" and not self.owns(c.name)]
        if foreign:
            raise ApplyError(f"{TARGET} at {self.url}: refusing to touch namespaces mlmon does not own: {', '.join(foreign)}. Nothing was changed.", True)
        if stale:
            raise ApplyError(
                f"{TARGET} at {self.url}: live rules changed since the plan was made ({', '.join(stale)}); "
                "run `mlmon diff` again. Nothing was changed.",
                rolled_back=True,
            )
        lines: list[str] = []
        done: list[_Step] = []
        try:
            for c in wanted:
                for g in c.children:
                    ns, _, name = g.name.partition("/")
                    step = _Step(ns, name, live.get(ns, {}).get(name))
                    done.append(step)
                    if g.action == "remove":
                        self._delete_group(step)
                        lines.append(f"{TARGET}: rule group {ns}/{name} deleted: verified")
                    else:
                        self._post_group(step, desired[ns][name])
                        verb = "created" if g.action == "add" else "updated"
                        lines.append(f"{TARGET}: rule group {ns}/{name} {verb} ({len(desired[ns][name].get('rules') or [])} rules): verified")
        except _StepFailed as exc:
            rolled, notes = self._rollback(done)
            earlier = len(done) - 1
            summary = f"rolled back the {earlier} earlier change(s) of this apply" if earlier else "nothing else had been changed"
            if not rolled:
                summary = "ROLLBACK INCOMPLETE, the ruler may be half-configured: " + "; ".join(notes)
            raise ApplyError(f"{TARGET} at {self.url}: {exc}; {summary}", rolled_back=rolled) from None
        if lines:
            groups = sum(len(c.children) for c in wanted)
            lines.append(f"{TARGET}: tenant {self.tenant or '(none)'}: {groups} rule group change(s) applied and read back")
        return lines

    def _post_group(self, step: _Step, group: Mapping[str, Any], *, rollback: bool = False) -> None:
        from mlmon.render.emit import to_yaml

        ns, name = step.namespace, step.group
        error = ""
        try:
            resp = self.client.post(
                self._path(ns), what=f"{'restoring' if rollback else 'writing'} rule group {ns}/{name}",
                data=to_yaml(dict(group)).encode(), headers={"Content-Type": "application/yaml"}, expect=None,
            )
            if resp.status_code not in (200, 202):
                error = f"writing rule group {ns}/{name} failed: {self.client.describe_status(resp)}"
                step.lost = step.lost or resp.status_code >= 500
        except RemoteError as exc:
            error, step.lost = str(exc), True
        try:
            now = self._get_group(ns, name)
        except RemoteError as exc:
            raise _StepFailed(error or f"verifying rule group {ns}/{name}: {exc}") from None
        if now is not None and normalise_group(now) == normalise_group(group):
            return
        raise _StepFailed(error or f"verifying rule group {ns}/{name}: the ruler does not return what was written")

    def _delete_group(self, step: _Step) -> None:
        ns, name = step.namespace, step.group
        error = ""
        try:
            resp = self.client.request("DELETE", self._path(ns, name), what=f"deleting rule group {ns}/{name}", expect=None)
            if resp.status_code not in (200, 202, 404):
                error = f"deleting rule group {ns}/{name} failed: {self.client.describe_status(resp)}"
        except RemoteError as exc:
            error, step.lost = str(exc), True
        try:
            now = self._get_group(ns, name)
        except RemoteError as exc:
            raise _StepFailed(error or f"verifying deletion of {ns}/{name}: {exc}") from None
        if now is not None:
            raise _StepFailed(error or f"verifying deletion of {ns}/{name}: it still exists")

    def _rollback(self, done: list[_Step]) -> tuple[bool, list[str]]:
        problems = []
        for step in reversed(done):
            try:
                now = self._get_group(step.namespace, step.group)
                if step.previous is None:
                    if now is not None:
                        self._delete_group(_Step(step.namespace, step.group, None))
                elif now is None or normalise_group(now) != normalise_group(step.previous):
                    self._post_group(_Step(step.namespace, step.group, None), step.previous, rollback=True)
            except (RemoteError, _StepFailed) as exc:
                problems.append(f"{step.namespace}/{step.group}: {exc}")
        return not problems, problems
