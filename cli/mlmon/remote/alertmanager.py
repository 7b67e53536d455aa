"""Alertmanager in file mode: mlmon owns the one config file the server loads.

``plan`` compares ``generated/alertmanager/alertmanager.yml`` with the loaded configuration from
``GET /api/v2/status`` (``config.original``). The server fills defaults (global URLs, per-receiver
templates, ``send_resolved``, ``http_config``, ``continue: false`` ...) and masks secrets as
``<secret>``; both sides are normalised the same way (defaults of Alertmanager 0.25 dropped,
durations and matchers re-spelled, secret fields redacted) before comparing routes (by path),
receivers (by name), inhibit rules (by position), time intervals (by name) and globals.

Inline secrets are invisible to the server's API (always ``<secret>``), so a change of an inline
secret value cannot be detected: use ``*_file`` fields (mlmon generates only those).
"""

from __future__ import annotations

import copy
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Sequence

from mlmon.plan import Change, diff_keyed, redact_value
from mlmon.remote.base import ApplyError, ApplyOptions, RemoteError, TargetConfig
from mlmon.remote.http import HttpClient, HttpSettings
from mlmon.remote.lock import default_lock_path
from mlmon.remote.prometheus import duration_seconds, format_duration

GENERATED_CONFIG = Path("alertmanager") / "alertmanager.yml"

# Alertmanager 0.25 defaults, as /api/v2/status prints them for a config that leaves them out.
GLOBAL_DEFAULTS: dict[str, Any] = {
    "resolve_timeout": "5m",
    "http_config": {"follow_redirects": True, "enable_http2": True},
    "smtp_hello": "localhost",
    "smtp_require_tls": True,
    "pagerduty_url": "https://events.pagerduty.com/v2/enqueue",
    "opsgenie_api_url": "https://api.opsgenie.com/",
    "wechat_api_url": "https://qyapi.weixin.qq.com/cgi-bin/",
    "victorops_api_url": "https://alert.victorops.com/integrations/generic/20131114/alert/",
    "telegram_api_url": "https://api.telegram.org",
    "webex_api_url": "https://webexapis.com/v1/messages",
}


def _t(name: str) -> str:
    return '{{ template "%s" . }}' % name


RECEIVER_DEFAULTS: dict[str, dict[str, Any]] = {
    "webhook_configs": {"send_resolved": True, "max_alerts": 0},
    "discord_configs": {"send_resolved": True, "title": _t("discord.default.title"), "message": _t("discord.default.message")},
    "email_configs": {"send_resolved": False, "html": _t("email.default.html")},
    "pagerduty_configs": {
        "send_resolved": True,
        "client": _t("pagerduty.default.client"),
        "client_url": _t("pagerduty.default.clientURL"),
        "description": '{{ template "pagerduty.default.description" .}}',
        "details": {
            "firing": '{{ template "pagerduty.default.instances" .Alerts.Firing }}',
            "num_firing": "{{ .Alerts.Firing | len }}",
            "num_resolved": "{{ .Alerts.Resolved | len }}",
            "resolved": '{{ template "pagerduty.default.instances" .Alerts.Resolved }}',
        },
        "source": _t("pagerduty.default.client"),
    },
    "slack_configs": {
        "send_resolved": False,
        "username": _t("slack.default.username"),
        "color": '{{ if eq .Status "firing" }}danger{{ else }}good{{ end }}',
        "title": _t("slack.default.title"),
        "title_link": _t("slack.default.titlelink"),
        "pretext": _t("slack.default.pretext"),
        "text": _t("slack.default.text"),
        "short_fields": False,
        "footer": _t("slack.default.footer"),
        "fallback": _t("slack.default.fallback"),
        "callback_id": _t("slack.default.callbackid"),
        "icon_emoji": _t("slack.default.iconemoji"),
        "icon_url": _t("slack.default.iconurl"),
        "link_names": False,
    },
    "opsgenie_configs": {
        "send_resolved": True,
        "message": _t("opsgenie.default.message"),
        "description": _t("opsgenie.default.description"),
        "source": _t("opsgenie.default.source"),
    },
    "wechat_configs": {
        "send_resolved": False,
        "message": _t("wechat.default.message"),
        "to_user": _t("wechat.default.to_user"),
        "to_party": _t("wechat.default.to_party"),
        "to_tag": _t("wechat.default.to_tag"),
        "agent_id": _t("wechat.default.agent_id"),
        "message_type": "text",
    },
    "pushover_configs": {
        "send_resolved": True,
        "title": _t("pushover.default.title"),
        "message": _t("pushover.default.message"),
        "url": _t("pushover.default.url"),
        "priority": '{{ if eq .Status "firing" }}2{{ else }}0{{ end }}',
        "retry": "1m",
        "expire": "1h",
        "html": False,
    },
    "victorops_configs": {
        "send_resolved": True,
        "message_type": "CRITICAL",
        "state_message": _t("victorops.default.state_message"),
        "entity_display_name": _t("victorops.default.entity_display_name"),
        "monitoring_tool": _t("victorops.default.monitoring_tool"),
    },
    "sns_configs": {"send_resolved": True, "subject": _t("sns.default.subject"), "message": _t("sns.default.message")},
    "telegram_configs": {"send_resolved": True, "message": _t("telegram.default.message"), "parse_mode": "HTML"},
    "webex_configs": {"send_resolved": True, "message": _t("webex.default.message")},
}
# receiver field -> the global field it defaults to
FROM_GLOBAL: dict[str, dict[str, str]] = {
    "pagerduty_configs": {"url": "pagerduty_url"},
    "opsgenie_configs": {"api_url": "opsgenie_api_url", "api_key": "opsgenie_api_key"},
    "wechat_configs": {"api_url": "wechat_api_url", "api_secret": "wechat_api_secret", "corp_id": "wechat_api_corp_id"},
    "victorops_configs": {"api_url": "victorops_api_url", "api_key": "victorops_api_key"},
    "telegram_configs": {"api_url": "telegram_api_url"},
    "webex_configs": {"api_url": "webex_api_url"},
    "slack_configs": {"api_url": "slack_api_url", "api_url_file": "slack_api_url_file"},
    "email_configs": {
        "hello": "smtp_hello", "require_tls": "smtp_require_tls", "from": "smtp_from", "smarthost": "smtp_smarthost",
        "auth_username": "smtp_auth_username", "auth_password": "smtp_auth_password", "auth_secret": "smtp_auth_secret",
        "auth_identity": "smtp_auth_identity",
    },
}
DURATION_KEYS = {"group_wait", "group_interval", "repeat_interval", "resolve_timeout", "retry", "expire"}
_MATCHER = re.compile(r"^\s*([a-zA-Z_:][a-zA-Z0-9_:]*|\"[^\"]*\")\s*(=~|!~|!=|=)\s*(.*?)\s*$")


# --- normalisation (pure) -------------------------------------------------------------------------
def normalise_matcher(text: str) -> str:
    m = _MATCHER.match(str(text))
    if not m:
        return str(text).strip()
    name, op, value = m.groups()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    value = value.replace("\\", "\\\\").replace('"', '\\"') if '\\"' not in value else value
    return f'{name}{op}"{value}"'


def _prune(value: Any) -> Any:
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            v = _prune(v)
            if v is None or v == [] or v == {}:
                continue
            if k in DURATION_KEYS and isinstance(v, str):
                try:
                    v = format_duration(duration_seconds(v))
                except ValueError:
                    pass
            if k in ("matchers", "source_matchers", "target_matchers") and isinstance(v, list):
                v = sorted(normalise_matcher(x) for x in v)  # AND-ed; the server sorts them
            out[k] = v
        return out
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


def _norm_http_config(value: Any) -> Any:
    """Drop http_config defaults the server merges in (redirects, HTTP/2, Bearer type)."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k == "http_config" and isinstance(v, dict):
                v = {hk: hv for hk, hv in v.items() if not (hk in ("follow_redirects", "enable_http2") and hv is True)}
                auth = v.get("authorization")
                if isinstance(auth, dict) and auth.get("type") == "Bearer":
                    v["authorization"] = {ak: av for ak, av in auth.items() if ak != "type"}
                v = _norm_http_config(v)
                if not v:
                    continue
            out[k] = _norm_http_config(v)
        return out
    if isinstance(value, list):
        return [_norm_http_config(v) for v in value]
    return value


def _sort_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sort_keys(value[k]) for k in sorted(value, key=lambda k: (k != "name", str(k)))}
    if isinstance(value, list):
        return [_sort_keys(v) for v in value]
    return value


def _drop_equal(item: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if not (k in defaults and defaults[k] == v)}


def normalise_config(raw: dict[str, Any]) -> dict[str, Any]:
    """An Alertmanager config (as written, or as the server prints it) -> one comparable shape."""
    cfg = _norm_http_config(_prune(copy.deepcopy(raw or {})))
    defaults = {k: v for k, v in GLOBAL_DEFAULTS.items() if k != "http_config"}
    defaults["resolve_timeout"] = format_duration(duration_seconds(defaults["resolve_timeout"]))
    glob = {**defaults, **(cfg.get("global") or {})}
    http_default = glob.get("http_config")  # None unless the config sets a non-default one
    receivers = []
    for r in cfg.get("receivers") or []:
        r = dict(r)
        for key, items in list(r.items()):
            if not key.endswith("_configs") or not isinstance(items, list):
                continue
            rdefaults = {k: _prune(v) if isinstance(v, dict) else v for k, v in RECEIVER_DEFAULTS.get(key, {}).items()}
            for k in ("retry", "expire"):
                if k in rdefaults:
                    rdefaults[k] = format_duration(duration_seconds(rdefaults[k]))
            fixed = []
            for item in items:
                item = dict(item)
                if key == "pagerduty_configs" and isinstance(item.get("details"), dict):
                    # the server merges its default details into the ones given
                    dd = rdefaults.get("details", {})
                    details = {k: v for k, v in item["details"].items() if dd.get(k) != v}
                    if details:
                        item["details"] = details
                    else:
                        item.pop("details")
                item = _drop_equal(item, {k: v for k, v in rdefaults.items() if k != "details"})
                if "http_config" in item and item["http_config"] == http_default:
                    item.pop("http_config")
                for field, gkey in FROM_GLOBAL.get(key, {}).items():
                    if field in item and gkey in glob and item[field] == glob[gkey]:
                        item.pop(field)
                if key == "email_configs" and isinstance(item.get("headers"), dict):
                    headers = dict(item["headers"])
                    derived = {"From": item.get("from", glob.get("smtp_from")), "To": item.get("to"), "Subject": _t("email.default.subject")}
                    headers = {k: v for k, v in headers.items() if derived.get(k) != v}
                    if headers:
                        item["headers"] = headers
                    else:
                        item.pop("headers")
                fixed.append(item)
            r[key] = fixed
        receivers.append(r)
    cfg["receivers"] = receivers
    cfg["global"] = _drop_equal(cfg.get("global") or {}, defaults)
    cfg["route"] = _route_defaults(cfg.get("route") or {})
    return _sort_keys(redact_value(_prune(cfg)))


def _route_defaults(route: dict[str, Any]) -> dict[str, Any]:
    route = dict(route)
    if route.get("continue") is False:
        route.pop("continue")
    if route.get("routes"):
        route["routes"] = [_route_defaults(r) for r in route["routes"]]
    return route


def split_config(cfg: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """kind -> {name -> value} for the diff."""
    routes: dict[str, Any] = {}

    def walk(route: dict[str, Any], path: str) -> None:
        node = {k: v for k, v in route.items() if k != "routes"}
        routes[path] = node
        for i, child in enumerate(route.get("routes") or []):
            walk(child, f"{path.rstrip('/')}/{i}")

    walk(cfg.get("route") or {}, "/")
    known = {"global", "route", "receivers", "inhibit_rules", "time_intervals", "mute_time_intervals", "templates"}
    config = {"global": cfg.get("global") or {}, "templates": cfg.get("templates") or []}
    config.update({k: v for k, v in cfg.items() if k not in known})
    return {
        "config": {k: v for k, v in config.items() if v not in ({}, [])},
        "route": routes,
        "receiver": {r.get("name", f"#{i}"): r for i, r in enumerate(cfg.get("receivers") or [])},
        "inhibit_rule": {f"inhibit_rules[{i}]": r for i, r in enumerate(cfg.get("inhibit_rules") or [])},
        "time_interval": {
            f"{section}/{t.get('name')}": t for section in ("time_intervals", "mute_time_intervals") for t in cfg.get(section) or []
        },
    }


def diff_configs(live: dict[str, Any] | None, desired: dict[str, Any]) -> list[Change]:
    a = split_config(live or {}) if live is not None else {k: {} for k in split_config({})}
    b = split_config(desired)
    out: list[Change] = []
    for kind in ("config", "route", "receiver", "inhibit_rule", "time_interval"):
        details = {}
        if kind == "route":
            details = {p: f"receiver {(b[kind].get(p) or a[kind].get(p) or {}).get('receiver', '(inherited)')}" for p in set(a[kind]) | set(b[kind])}
        out += diff_keyed("alertmanager", kind, a[kind], b[kind], details=details)
    return out


# --- the target (I/O) -------------------------------------------------------------------------------
class AlertmanagerTarget:
    name = "alertmanager"

    def __init__(
        self,
        url: str,
        config_file: Path | str | None = None,
        *,
        state_dir: Path = Path(".mlmon"),
        settings: HttpSettings | None = None,
        env: dict | None = None,
    ):
        self.client = HttpClient("alertmanager", url, settings=settings, env=env)
        self.url = self.client.url
        self.config_file = Path(config_file) if config_file else None
        self.state_dir = Path(state_dir)

    @classmethod
    def from_config(cls, cfg: TargetConfig) -> "AlertmanagerTarget":
        return cls(
            cfg.url,
            cfg.settings.get("config_file"),
            state_dir=cfg.state_dir,
            settings=HttpSettings(cfg.connect_timeout, cfg.read_timeout, cfg.retries),
        )

    @property
    def lock_path(self) -> Path:
        if self.config_file is not None:
            return self.config_file.parent / f".{self.config_file.name}.mlmon.lock"
        return default_lock_path(self.state_dir, self.name, self.url)

    def live_config(self) -> dict[str, Any]:
        import yaml

        body = self.client.get_json("/api/v2/status", what="reading the loaded configuration (/api/v2/status)")
        try:
            original = body["config"]["original"]
            return normalise_config(yaml.load(original, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {})
        except (KeyError, TypeError, yaml.YAMLError):
            raise RemoteError(f"alertmanager at {self.url}: /api/v2/status has no readable config.original") from None

    def desired_text(self, generated: Path) -> bytes:
        path = Path(generated) / GENERATED_CONFIG
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise RemoteError(f"{path}: not found (run `mlmon generate` first)") from None

    def desired_config(self, generated: Path) -> dict[str, Any]:
        import yaml

        path = Path(generated) / GENERATED_CONFIG
        try:
            return normalise_config(yaml.load(self.desired_text(generated), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {})
        except yaml.YAMLError:
            raise RemoteError(f"{path}: not valid YAML") from None

    def plan(self, generated: Path) -> Sequence[Change]:
        desired = self.desired_config(generated)
        return diff_configs(self.live_config(), desired)

    # --- writing ----------------------------------------------------------------------------------
    def _reload_ok(self) -> bool | None:
        text = self.client.get("/metrics", what="reading /metrics").text
        m = re.search(r"^alertmanager_config_last_reload_successful(?:\{[^}]*\})? (\S+)$", text, re.M)
        return None if m is None else float(m.group(1)) == 1.0

    def _reload(self, why: str) -> str | None:
        try:
            self.client.post("/-/reload", what=f"reload ({why})")
            return None
        except RemoteError as exc:
            if "HTTP " in str(exc):
                return self._local(exc)
            try:
                return None if self._reload_ok() else self._local(exc)
            except RemoteError:
                return self._local(exc)

    def _local(self, exc: BaseException) -> str:
        """The message without the leading "<target> at <url>: " (the caller adds it once)."""
        return str(exc).removeprefix(f"{self.name} at {self.url}: ")

    def _write(self, data: bytes, mode: int | None) -> None:
        path = self.config_file
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            if mode is not None:
                os.chmod(tmp, mode)
            os.replace(tmp, path)  # atomic: the server reads the old or the new file
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def apply(self, generated: Path, changes: Sequence[Change], options: ApplyOptions) -> Sequence[str]:
        if not changes:
            return [f"alertmanager at {self.url}: no changes"]
        if self.config_file is None:
            raise RemoteError("alertmanager: --alertmanager-config (or MLMON_ALERTMANAGER_CONFIG) is needed to apply")
        if not self.config_file.parent.is_dir():
            raise RemoteError(f"alertmanager: folder of {self.config_file} does not exist")
        if self._reload_ok() is False:
            raise RemoteError(f"alertmanager at {self.url}: the server's last reload failed before mlmon touched it; fix its configuration first")
        if list(self.plan(generated)) != list(changes):
            raise ApplyError(f"alertmanager at {self.url}: live configuration changed since the plan was made; nothing written, run again", rolled_back=True)
        desired_bytes = self.desired_text(generated)
        desired = self.desired_config(generated)
        old = self.config_file.read_bytes() if self.config_file.exists() else None
        mode = (self.config_file.stat().st_mode & 0o7777) if self.config_file.exists() else None
        backup = self.config_file.parent / f".{self.config_file.name}.mlmon-backup"
        if old is not None:
            backup.write_bytes(old)  # on-disk copy for a manual restore after a crash
        self._write(desired_bytes, mode)
        failure = self._reload("loading the new configuration")
        if failure is None and self._safe_reload_ok() is not True:
            failure = "reload reported failure (alertmanager_config_last_reload_successful=0)"
        if failure is None:
            try:
                live = self.live_config()
                if live != desired:
                    left = [f"{c.action} {c.kind} {c.name}" for c in diff_configs(live, desired)][:5]
                    failure = "verification failed: the loaded configuration differs from the generated one (" + ", ".join(left) + ")"
            except RemoteError as exc:
                failure = f"verification failed: {self._local(exc)}"
        if failure is not None:
            if old is not None:
                self._write(old, mode)
            again = self._reload("restoring the previous configuration")
            ok = again is None and bool(self._safe_reload_ok())
            if not ok:
                raise ApplyError(
                    f"alertmanager at {self.url}: {failure}; the previous file is back ({self.config_file}) but the reload "
                    f"that restores it failed ({again or 'reload status false'}): run `mlmon diff`",
                    rolled_back=False,
                )
            raise ApplyError(f"alertmanager at {self.url}: {failure}; restored the previous configuration and reloaded", rolled_back=True)
        return [f"alertmanager at {self.url}: wrote {self.config_file}, reload succeeded, loaded configuration equals the generated one"]

    def _safe_reload_ok(self) -> bool | None:
        try:
            return self._reload_ok()
        except RemoteError:
            return False
