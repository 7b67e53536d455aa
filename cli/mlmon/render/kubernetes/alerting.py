"""One AlertmanagerConfig per team: its part of the generated ``alertmanager.yml`` (pure).

The route tree, receivers and inhibitions are converted from ``render.alertmanager.config_data``,
so both deliver an alert to the same receivers. Receivers read their keys from the team's
Secret (name and key, never a value). Time intervals lose their time zone: the CRD has none
(lint warns, MLM242).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from mlmon import conventions as C
from mlmon.compiler.kubernetes.model import Kubernetes, TeamSecret
from mlmon.compiler.model import Spec
from mlmon.render import alertmanager
from mlmon.render.kubernetes.meta import document, metadata, object_name, source

GROUPING = ("group_by", "group_wait", "group_interval", "repeat_interval")
_MATCHER = re.compile(r'^([a-zA-Z_][a-zA-Z0-9_]*)(=~|!~|!=|=)"(.*)"$')
# alertmanager.yml route keys -> AlertmanagerConfig route keys
_ROUTE_KEYS = {
    "receiver": "receiver",
    "group_by": "groupBy",
    "group_wait": "groupWait",
    "group_interval": "groupInterval",
    "repeat_interval": "repeatInterval",
    "active_time_intervals": "activeTimeIntervals",
    "continue": "continue",
}


def matchers(texts: list[str]) -> list[dict[str, str]]:
    """``['severity="critical"']`` -> ``[{name: severity, value: critical, matchType: "="}]``."""
    out = []
    for text in texts:
        m = _MATCHER.match(text)
        if m is None:
            raise ValueError(f'matcher {text!r} is not name<op>"value"')
        out.append({"name": m[1], "value": m[3].replace('\\"', '"').replace("\\\\", "\\"), "matchType": m[2]})
    return out


def _route(route: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in route.items():
        if key == "matchers":
            out["matchers"] = matchers(value)
        elif key == "routes":
            out["routes"] = [_route(r) for r in value]
        else:
            out[_ROUTE_KEYS[key]] = value
    return out


def _receivers_in(route: Mapping[str, Any]) -> Iterator[str]:
    yield route["receiver"]
    for r in route.get("routes", ()):
        yield from _receivers_in(r)


def _secret(secret: TeamSecret, key: str) -> dict[str, str]:
    return {"name": secret.name, "key": key}


def _convert(cfg: Mapping[str, Any], keys: Mapping[str, str], what: str) -> dict[str, Any]:
    """``cfg`` with its keys renamed; a key without a counterpart is an error, never dropped."""
    unknown = sorted(set(cfg) - set(keys))
    if unknown:
        raise ValueError(f"{what}: {', '.join(unknown)} has no AlertmanagerConfig counterpart")
    return {keys[k]: v for k, v in cfg.items()}


_SLACK = {"channel": "channel", "send_resolved": "sendResolved", "title": "title", "text": "text"}
_PAGERDUTY = {"url": "url", "send_resolved": "sendResolved", "severity": "severity", "description": "description", "details": "details"}
_WEBHOOK = {"url": "url", "send_resolved": "sendResolved", "max_alerts": "maxAlerts"}


def _receiver(rec: Mapping[str, Any], secret: TeamSecret, pagerduty_url: str | None = None) -> dict[str, Any]:
    """``pagerduty_url``: alertmanager.yml's global one, which a receiver without its own inherits."""
    out: dict[str, Any] = {"name": rec["name"]}
    for key, configs in rec.items():
        what = f"receiver {rec['name']}: {key}"
        for cfg in configs if key != "name" else ():
            if key == "slack_configs":
                out.setdefault("slackConfigs", []).append(
                    {"apiURL": _secret(secret, secret.slack_key), **_convert({k: v for k, v in cfg.items() if k != "api_url_file"}, _SLACK, what)}
                )
            elif key == "pagerduty_configs":
                field = "routing_key_file" if "routing_key_file" in cfg else "service_key_file"
                pd = _convert({k: v for k, v in cfg.items() if k != field}, _PAGERDUTY, what)
                pd["details"] = [{"key": k, "value": v} for k, v in sorted(pd.get("details", {}).items())]
                if pagerduty_url and "url" not in pd:
                    pd["url"] = pagerduty_url
                ref = "routingKey" if field == "routing_key_file" else "serviceKey"
                out.setdefault("pagerdutyConfigs", []).append({ref: _secret(secret, secret.pagerduty_key), **pd})
            elif key == "webhook_configs":
                out.setdefault("webhookConfigs", []).append(_convert(cfg, _WEBHOOK, what))
            else:
                raise ValueError(f"{what} has no AlertmanagerConfig counterpart")
    return out


def _time_intervals(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    out = []
    for ti in data.get("time_intervals", ()):
        ranges = [
            {"weekdays": list(r["weekdays"]), "times": [{"startTime": t["start_time"], "endTime": t["end_time"]} for t in r["times"]]}
            for r in ti["time_intervals"]
        ]
        out.append({"name": ti["name"], "timeIntervals": ranges})
    return out


def alertmanager_configs(spec: Spec, k: Kubernetes) -> dict[str, dict[str, Any]]:
    """Team -> its AlertmanagerConfig (teams with a route in ``alertmanager.yml``)."""
    data = alertmanager.config_data(spec)
    root = data["route"]
    by_team = {r["matchers"][0]: r for r in root["routes"]}
    out: dict[str, dict[str, Any]] = {}
    for name, team in sorted(spec.routing.teams.items()):
        team_route = by_team.get(f'{C.L_TEAM}="{name}"')
        if team_route is None:
            continue
        # the team route inherits grouping from the root of alertmanager.yml; under the operator's root it must say it
        route = _route({"receiver": team_route["receiver"], "matchers": team_route["matchers"], **{key: root[key] for key in GROUPING}, **team_route})
        used = set(_receivers_in(team_route))
        pd_url = (data.get("global") or {}).get("pagerduty_url")
        receivers = [_receiver(r, k.secrets[name], pd_url) for r in data["receivers"] if r["name"] in used]
        team_match = matchers([f'{C.L_TEAM}="{name}"'])
        inhibit = [
            {
                "sourceMatch": matchers(ir["source_matchers"]) + team_match,
                "targetMatch": matchers(ir["target_matchers"]) + team_match,
                "equal": list(ir["equal"]),
            }
            for ir in data["inhibit_rules"]
        ]
        body: dict[str, Any] = {"route": route, "receivers": receivers, "inhibitRules": inhibit}
        intervals = _time_intervals(data)
        if intervals:
            body["muteTimeIntervals"] = intervals
        meta = metadata(k, object_name(name), base=k.selector_labels, team=name, annotations=source(team.origin.file))
        out[name] = document("AlertmanagerConfig", meta, body)
    return out
