"""Prometheus in file mode: mlmon owns ``<config-dir>/mlmon/rules/*.rules.yml``.

Layout written by ``apply`` (the server's ``prometheus.yml`` must contain
``rule_files: [mlmon/rules/*.rules.yml]``, relative to its own directory)::

    <config-dir>/mlmon/rules          -> .rules-<hash>   (symlink, replaced atomically)
    <config-dir>/mlmon/.rules-<hash>/  one directory per applied rule set (current + previous)
    <config-dir>/mlmon/.lock           apply lock

Swapping one symlink switches the whole rule set at once, so a reload (by mlmon or anyone
else, at any moment) loads either the old or the new set, never a mix. Only groups loaded from
files in that directory are compared or touched; every other group on the server is ignored.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import re
import shutil
from pathlib import Path
from typing import Any, Sequence

from mlmon.plan import Change, diff_keyed
from mlmon.remote.base import ApplyError, ApplyOptions, RemoteError, TargetConfig
from mlmon.remote.http import HttpClient, HttpSettings
from mlmon.remote.lock import default_lock_path

OWNED_DIR = "mlmon"
RULES_LINK = "rules"
RULE_FILE_GLOB = "*.rules.yml"
GROUP_PREFIX = "mlmon"  # generated group names start with it (documentation; ownership is by file)
GENERATED_RULES = Path("prometheus") / "rules"

_VERSION_PREFIX = ".rules-"
_DUR_RE = re.compile(r"(\d+)(ms|y|w|d|h|m|s)")
_UNIT_S = {"y": 365 * 86400, "w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1, "ms": 0.001}
_QUOTED = re.compile(r"(\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'|`[^`]*`)")


# --- normalisation (pure) -------------------------------------------------------------------------
def duration_seconds(value: Any) -> float:
    if value in (None, "", 0):
        return 0.0
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    pos, total = 0, 0.0
    for m in _DUR_RE.finditer(text):
        if m.start() != pos:
            raise ValueError(f"not a duration: {text!r}")
        total += int(m.group(1)) * _UNIT_S[m.group(2)]
        pos = m.end()
    if pos != len(text) or not text:
        raise ValueError(f"not a duration: {text!r}")
    return total


def format_duration(seconds: float) -> str:
    """Prometheus' own spelling (model.Duration): 90 -> 1m30s, 0 -> 0s."""
    ms = int(round(seconds * 1000))
    if ms == 0:
        return "0s"
    out = ""
    for unit, size in (("y", 365 * 86400000), ("w", 7 * 86400000), ("d", 86400000), ("h", 3600000), ("m", 60000), ("s", 1000), ("ms", 1)):
        n, ms = divmod(ms, size)
        if n:
            out += f"{n}{unit}"
    return out


def normalise_promql(query: str) -> str:
    """One spelling per expression: parse and print (both sides go through the same printer), then
    sort label matchers (Prometheus prints them sorted) and use Prometheus' spacing."""
    text = " ".join(str(query).split())
    try:
        import promql_parser

        printed = str(promql_parser.parse(text))
    except Exception:  # unparseable here: compare whitespace-normalised text
        return text
    printed = _sort_matchers(printed)
    parts = _QUOTED.split(printed)
    for i in range(0, len(parts), 2):  # outside string literals only
        parts[i] = re.sub(r"([A-Za-z0-9_:])\{\}", r"\1", parts[i])
        parts[i] = re.sub(r"\b(by|without) \(([^()]*)\)\(", r"\1 (\2) (", parts[i])  # Prometheus' spacing
        parts[i] = re.sub(r"  +", " ", parts[i])
    return "".join(parts)


_MATCHER_RE = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'|`[^`]*`)\s*,?")


def _sort_matchers(text: str) -> str:
    """Sort the matchers inside every ``{...}`` selector (string literals are skipped)."""
    out, i, n = [], 0, len(text)
    while i < n:
        ch = text[i]
        if ch in "\"'`":
            j = i + 1
            while j < n and text[j] != ch:
                j += 2 if (text[j] == "\\" and ch != "`") else 1
            out.append(text[i : j + 1])
            i = j + 1
        elif ch == "{":
            j, matchers = i + 1, []
            while True:
                m = _MATCHER_RE.match(text, j)
                if not m:
                    break
                matchers.append((m.group(1), m.group(2), m.group(3)))
                j = m.end()
            rest = text[j:].lstrip()
            if rest.startswith("}"):
                j = n - len(rest) + 1
                out.append("{" + ",".join(f"{a}{op}{v}" for a, op, v in sorted(matchers)) + "}")
                i = j
            else:  # not a plain selector: leave as is
                out.append(ch)
                i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _sorted_map(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in sorted((value or {}).items())}


def normalise_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """A rule from a rule file or from /api/v1/rules -> one comparable shape."""
    if "type" in rule:  # live (/api/v1/rules)
        kind = "alert" if rule.get("type") == "alerting" else "record"
        name, query = rule.get("name", ""), rule.get("query", "")
        for_s, keep_s = float(rule.get("duration") or 0), float(rule.get("keepFiringFor") or 0)
    else:
        kind = "alert" if "alert" in rule else "record"
        name, query = rule.get(kind, ""), rule.get("expr", "")
        for_s, keep_s = duration_seconds(rule.get("for")), duration_seconds(rule.get("keep_firing_for"))
    out: dict[str, Any] = {kind: str(name), "expr": normalise_promql(query)}
    if kind == "alert":
        if for_s:
            out["for"] = format_duration(for_s)
        if keep_s:
            out["keep_firing_for"] = format_duration(keep_s)
    labels = _sorted_map(rule.get("labels"))
    if labels:
        out["labels"] = labels
    if kind == "alert":
        annotations = _sorted_map(rule.get("annotations"))
        if annotations:
            out["annotations"] = annotations
    return out


def normalise_group(group: dict[str, Any], default_interval: float, file: str) -> dict[str, Any]:
    interval = group.get("interval")
    seconds = float(interval) if isinstance(interval, (int, float)) else duration_seconds(interval)
    out: dict[str, Any] = {"file": file, "interval": format_duration(seconds or default_interval)}
    if group.get("limit"):
        out["limit"] = int(group["limit"])
    out["rules"] = [normalise_rule(r) for r in group.get("rules") or []]
    return out


def rule_key(rule: dict[str, Any], seen: dict[str, int]) -> str:
    kind = "alert" if "alert" in rule else "record"
    base = f"{kind}:{rule[kind]}"
    seen[base] = seen.get(base, 0) + 1
    return base if seen[base] == 1 else f"{base}#{seen[base]}"


def diff_groups(live: dict[str, dict], desired: dict[str, dict]) -> list[Change]:
    """Group-by-group, then rule-by-rule changes (pure)."""
    children: dict[str, tuple[Change, ...]] = {}
    details: dict[str, str] = {}
    for name in set(live) | set(desired):
        before, after = live.get(name), desired.get(name)
        if before == after:
            continue
        rb = _rules_by_key(before, name)
        ra = _rules_by_key(after, name)
        kids = diff_keyed("prometheus", "rule", rb, ra)
        children[name] = tuple(kids)
        notes = []
        if before and after:
            if before["file"] != after["file"]:
                notes.append(f"moves from {before['file']} to {after['file']}")
            if before["interval"] != after["interval"]:
                notes.append(f"interval {before['interval']} -> {after['interval']}")
            if not kids and [r for r in before["rules"]] != [r for r in after["rules"]]:
                notes.append("rule order changes")
        details[name] = "; ".join(notes)
    return diff_keyed("prometheus", "rule_group", live, desired, children=children, details=details)


def _rules_by_key(group: dict | None, group_name: str) -> dict[str, dict]:
    if not group:
        return {}
    seen: dict[str, int] = {}
    return {f"{group_name}/{rule_key(r, seen)}": r for r in group["rules"]}


# --- the target (I/O) -------------------------------------------------------------------------------
class PrometheusTarget:
    name = "prometheus"

    def __init__(
        self,
        url: str,
        config_dir: Path | str | None = None,
        *,
        state_dir: Path = Path(".mlmon"),
        settings: HttpSettings | None = None,
        env: dict | None = None,
    ):
        self.client = HttpClient("prometheus", url, settings=settings, env=env)
        self.url = self.client.url
        self.config_dir = Path(config_dir) if config_dir else None
        self.state_dir = Path(state_dir)

    @classmethod
    def from_config(cls, cfg: TargetConfig) -> "PrometheusTarget":
        return cls(
            cfg.url,
            cfg.settings.get("config_dir"),
            state_dir=cfg.state_dir,
            settings=HttpSettings(cfg.connect_timeout, cfg.read_timeout, cfg.retries),
        )

    @property
    def owned_dir(self) -> Path:
        if self.config_dir is None:
            raise RemoteError("prometheus: --prometheus-config-dir (or MLMON_PROMETHEUS_CONFIG_DIR) is needed to apply rule files")
        return self.config_dir / OWNED_DIR

    @property
    def lock_path(self) -> Path:
        if self.config_dir is not None:
            return self.config_dir / OWNED_DIR / ".lock"
        return default_lock_path(self.state_dir, self.name, self.url)

    # --- reading ----------------------------------------------------------------------------------
    def _api(self, path: str, what: str) -> Any:
        body = self.client.get_json(path, what=what)
        if not isinstance(body, dict) or body.get("status") != "success":
            err = body.get("error") if isinstance(body, dict) else None
            raise RemoteError(f"prometheus at {self.url}: {what} failed: {err or 'unexpected answer'}")
        return body.get("data")

    def _server_config(self) -> dict[str, Any]:
        import yaml

        data = self._api("/api/v1/status/config", "reading the loaded configuration (/api/v1/status/config)")
        try:
            return yaml.load((data or {}).get("yaml") or "", Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
        except yaml.YAMLError:
            raise RemoteError(f"prometheus at {self.url}: /api/v1/status/config returned YAML that does not parse") from None

    def _check_rule_files(self, config: dict[str, Any]) -> None:
        probe = f"{OWNED_DIR}/{RULES_LINK}/probe.rules.yml"
        for pattern in config.get("rule_files") or []:
            p = str(pattern).replace("\\", "/")
            tail = p.split("/")
            for i in range(len(tail)):
                if fnmatch.fnmatch(probe, "/".join(tail[i:])) and len(tail[i:]) == 3:
                    return
        raise RemoteError(
            f"prometheus at {self.url}: the server does not load mlmon's rule files; add "
            f"`rule_files: [\"{OWNED_DIR}/{RULES_LINK}/{RULE_FILE_GLOB}\"]` to the prometheus.yml it reads "
            f"(relative to that file), reload it, and run again"
        )

    @staticmethod
    def _owned_file(path: str) -> bool:
        parts = path.replace("\\", "/").split("/")
        return len(parts) >= 3 and parts[-2] == RULES_LINK and parts[-3] == OWNED_DIR and fnmatch.fnmatch(parts[-1], RULE_FILE_GLOB)

    def live_groups(self) -> tuple[dict[str, dict], float]:
        config = self._server_config()
        self._check_rule_files(config)
        default_interval = duration_seconds((config.get("global") or {}).get("evaluation_interval") or "1m")
        data = self._api("/api/v1/rules", "reading loaded rules (/api/v1/rules)")
        groups: dict[str, dict] = {}
        for g in (data or {}).get("groups") or []:
            file = str(g.get("file", ""))
            if not self._owned_file(file):
                continue  # not mlmon's: never compared, never touched
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
            try:
                doc = yaml.load(data, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
            except yaml.YAMLError as exc:
                raise RemoteError(f"{Path(generated) / GENERATED_RULES / name}: not valid YAML ({exc.__class__.__name__})") from None
            for g in doc.get("groups") or []:
                if g.get("name") in groups:
                    raise RemoteError(f"{Path(generated) / GENERATED_RULES / name}: group {g.get('name')!r} is defined twice")
                groups[g["name"]] = normalise_group(g, default_interval, name)
        return dict(sorted(groups.items()))

    def plan(self, generated: Path) -> Sequence[Change]:
        live, default_interval = self.live_groups()
        desired = self.desired_groups(generated, default_interval)
        return diff_groups(live, desired)

    # --- writing ----------------------------------------------------------------------------------
    def _reload_ok(self) -> bool | None:
        try:
            info = self._api("/api/v1/status/runtimeinfo", "reading reload status (/api/v1/status/runtimeinfo)")
            if isinstance(info, dict) and "reloadConfigSuccess" in info:
                return bool(info["reloadConfigSuccess"])
        except RemoteError:
            pass
        text = self.client.get("/metrics", what="reading /metrics").text
        m = re.search(r"^prometheus_config_last_reload_successful(?:\{[^}]*\})? (\S+)$", text, re.M)
        return None if m is None else float(m.group(1)) == 1.0

    def _reload(self, why: str) -> str | None:
        """POST /-/reload. Returns None on success, a reason when it failed. A lost answer is
        not a failure by itself: the reload status read afterwards decides."""
        try:
            self.client.post("/-/reload", what=f"reload ({why})")
            return None
        except RemoteError as exc:
            if "HTTP " in str(exc):
                return self._local(exc)
            return None if self._reload_ok_after_lost_answer() else self._local(exc)

    def _local(self, exc: BaseException) -> str:
        """The message without the leading "<target> at <url>: " (the caller adds it once)."""
        return str(exc).removeprefix(f"{self.name} at {self.url}: ")

    def _reload_ok_after_lost_answer(self) -> bool:
        try:
            return bool(self._reload_ok())
        except RemoteError:
            return False

    def _current_version(self) -> Path | None:
        link = self.owned_dir / RULES_LINK
        if link.is_symlink():
            return self.owned_dir / os.readlink(link)
        return None

    def _migrate_plain_dir(self) -> None:
        link = self.owned_dir / RULES_LINK
        if link.is_dir() and not link.is_symlink():  # written by hand before mlmon managed it
            files = {p.name: p.read_bytes() for p in sorted(link.iterdir()) if p.is_file()}
            version = self._write_version(files)
            tmp = self.owned_dir / f".rules-link-{os.getpid()}"
            tmp.unlink(missing_ok=True)
            os.symlink(version.name, tmp)
            shutil.rmtree(link)
            os.replace(tmp, link)

    def _write_version(self, files: dict[str, bytes]) -> Path:
        h = hashlib.sha256()
        for name, data in sorted(files.items()):
            h.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
        final = self.owned_dir / (_VERSION_PREFIX + h.hexdigest()[:16])
        if final.is_dir():
            return final
        tmp = self.owned_dir / (final.name + f".tmp-{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        for name, data in files.items():
            with open(tmp / name, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        os.rename(tmp, final)
        return final

    def _point_to(self, version: Path | None) -> None:
        link = self.owned_dir / RULES_LINK
        if version is None:
            if link.is_symlink():
                link.unlink()
            return
        tmp = self.owned_dir / f".rules-link-{os.getpid()}"
        tmp.unlink(missing_ok=True)
        os.symlink(version.name, tmp)
        os.replace(tmp, link)  # atomic: readers see the old or the new set
        try:
            fd = os.open(self.owned_dir, os.O_RDONLY)
            os.fsync(fd)
            os.close(fd)
        except OSError:
            pass

    def _cleanup(self, keep: set[Path | None]) -> None:
        names = {p.name for p in keep if p is not None}
        for p in self.owned_dir.iterdir():
            if p.name.startswith(_VERSION_PREFIX) and p.name not in names and not p.is_symlink():
                shutil.rmtree(p, ignore_errors=True)
            elif p.name.startswith(".rules-link-") and p.is_symlink():
                p.unlink(missing_ok=True)

    def _check_config_dir(self) -> None:
        """When the server's config file is visible here (same host), it must be in config_dir."""
        try:
            flags = self._api("/api/v1/status/flags", "reading server flags (/api/v1/status/flags)") or {}
            info = self._api("/api/v1/status/runtimeinfo", "reading runtime info (/api/v1/status/runtimeinfo)") or {}
        except RemoteError:
            return  # older or restricted servers: verification after the reload still catches a wrong dir
        config_file = flags.get("config.file")
        if not config_file:
            return
        path = Path(config_file)
        if not path.is_absolute() and info.get("CWD"):
            path = Path(info["CWD"]) / path
        if path.is_absolute() and path.exists() and path.parent.resolve() != Path(self.config_dir).resolve():
            raise RemoteError(
                f"prometheus at {self.url}: the server loads {path}, but --prometheus-config-dir is {self.config_dir}; "
                f"pass --prometheus-config-dir {path.parent}"
            )

    def apply(self, generated: Path, changes: Sequence[Change], options: ApplyOptions) -> Sequence[str]:
        if not changes:
            return [f"prometheus at {self.url}: no changes"]
        owned = self.owned_dir
        if not Path(self.config_dir).is_dir():
            raise RemoteError(f"prometheus: config dir {self.config_dir} does not exist")
        self._check_config_dir()
        if self._reload_ok() is False:
            raise RemoteError(
                f"prometheus at {self.url}: the server's last reload failed before mlmon touched it; fix its configuration first"
            )
        if list(self.plan(generated)) != list(changes):
            raise ApplyError(f"prometheus at {self.url}: live rules changed since the plan was made; nothing written, run again", rolled_back=True)
        owned.mkdir(parents=True, exist_ok=True)
        self._migrate_plain_dir()
        old = self._current_version()
        new = self._write_version(self.desired_files(generated))
        self._point_to(new)
        failure = self._reload("loading the new rule files")
        if failure is not None and "HTTP 500" in failure:
            failure += " (Prometheus logs the details; `mlmon validate` runs promtool check rules on generated/)"
        if failure is None and not self._reload_ok_after_lost_answer():
            failure = "reload reported failure (reloadConfigSuccess=false, or the status could not be read)"
        if failure is None:
            try:
                remaining = list(self.plan(generated))
            except RemoteError as exc:
                remaining, failure = [], f"verification failed: {self._local(exc)}"
            if remaining:
                names = ", ".join(f"{c.action} {c.name}" for c in remaining[:5])
                failure = f"verification failed: after the reload the loaded groups still differ ({names})"
        if failure is not None:
            self._point_to(old)
            again = self._reload("restoring the previous rule files")
            ok = again is None and self._reload_ok_after_lost_answer()
            if not ok:
                raise ApplyError(
                    f"prometheus at {self.url}: {failure}; the previous rule files are back on disk but the reload "
                    f"that restores them failed ({again or 'reload status false'}): run `mlmon diff`",
                    rolled_back=False,
                )
            self._cleanup({old, new})
            raise ApplyError(f"prometheus at {self.url}: {failure}; restored the previous rule files and reloaded", rolled_back=True)
        self._cleanup({old, new})
        n = len(self.desired_files(generated))
        return [f"prometheus at {self.url}: wrote {n} rule file(s) to {owned / RULES_LINK}, reload succeeded, all mlmon groups loaded as generated"]
