"""Alertmanager configuration and its routing expectations (pure).

Route tree (first match wins, so order follows the spec): one route per team (``team="x"``), and
under it one child route per (severity class, channel) in the order the spec's
``routing.severity`` lists channels, ``continue: true`` on all but the last so a page reaches
PagerDuty *and* Slack. Retraining triggers (``action="retrain"``) go first to the team's
retraining webhook. Tickets are muted outside business hours when the spec defines them.
Warnings are inhibited by a critical alert of the same model, monitor and check; a model's
no-data alerts by its serving-down alert (one outage, one page).

``expected_receivers`` computes, from the spec alone and not from the tree, where an alert with
given labels must land; ``mlmon validate`` asks ``amtool config routes test`` and compares.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mlmon import conventions as C
from mlmon.render import emit

CONFIG = "alertmanager/alertmanager.yml"
ROUTING_TESTS = "alertmanager/routing-tests.yml"
DEFAULT_RECEIVER = "mlmon-default"
BUSINESS_HOURS = "business-hours"
SEVERITY_OF_CLASS = C.SEVERITY_BY_CLASS
RETRAIN_LABEL = ("action", "retrain")

SLACK_TITLE = (
    '[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .CommonLabels.model }}: {{ .CommonLabels.alertname }}'
)
SLACK_TEXT = "{{ range .Alerts }}*{{ .Labels.severity }}* {{ .Annotations.summary }}\n{{ .Annotations.description }}\n{{ end }}"
PD_DESCRIPTION = "{{ .CommonLabels.model }}: {{ .CommonAnnotations.summary }}"


def receiver_name(team: str, channel: str) -> str:
    return f"{team}-{channel}"


def team_channels(team: Any, routing: Any, severity_class: str) -> list[str]:
    have = {"pagerduty": team.pagerduty is not None, "slack": team.slack is not None}
    return [ch for ch in routing.severity.get(severity_class, ()) if have.get(ch)]


def expected_receivers(spec: Any, labels: Mapping[str, str]) -> list[str]:
    team = spec.routing.teams.get(labels.get(C.L_TEAM, ""))
    if team is None:
        return [DEFAULT_RECEIVER]
    out: list[str] = []
    if labels.get(RETRAIN_LABEL[0]) == RETRAIN_LABEL[1] and getattr(team, "retraining", None) is not None:
        out.append(receiver_name(team.name, "retraining"))
    sev = labels.get(C.L_SEVERITY)
    for cls, severity in SEVERITY_OF_CLASS.items():
        if sev == severity:
            out.extend(receiver_name(team.name, ch) for ch in team_channels(team, spec.routing, cls))
    return out or [DEFAULT_RECEIVER]


def silent_classes(spec: Any, team_name: str) -> list[str]:
    """Severity classes whose alerts of this team would end at the default receiver (which has no
    integration): the team has none of the class's channels. A class the spec routes to no
    channel on purpose (``routing.severity.<class>: []``) is not silent but chosen."""
    team = spec.routing.teams.get(team_name)
    if team is None:
        return list(SEVERITY_OF_CLASS)
    return [cls for cls in SEVERITY_OF_CLASS if spec.routing.severity.get(cls, ()) and not team_channels(team, spec.routing, cls)]


def _receivers(spec: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [{"name": DEFAULT_RECEIVER}]
    for name in sorted(spec.routing.teams):
        team = spec.routing.teams[name]
        if team.pagerduty is not None:
            pd: dict[str, Any] = {}
            if team.pagerduty.routing_key_file:
                pd["routing_key_file"] = team.pagerduty.routing_key_file
            else:
                pd["service_key_file"] = team.pagerduty.service_key_file
            if team.pagerduty.url:
                pd["url"] = team.pagerduty.url
            pd.update(
                {
                    "send_resolved": True,
                    "severity": '{{ if eq .CommonLabels.severity "critical" }}critical{{ else }}warning{{ end }}',
                    "description": PD_DESCRIPTION,
                    "details": {"model": "{{ .CommonLabels.model }}", "check": "{{ .CommonLabels.check }}", "dashboard": "{{ .CommonAnnotations.dashboard }}"},
                }
            )
            out.append({"name": receiver_name(name, "pagerduty"), "pagerduty_configs": [pd]})
        if team.slack is not None:
            slack = {"api_url_file": team.slack.api_url_file} if team.slack.api_url_file else {}  # else global.slack_api_url_file
            slack.update({"channel": team.slack.channel, "send_resolved": True, "title": SLACK_TITLE, "text": SLACK_TEXT})
            out.append({"name": receiver_name(name, "slack"), "slack_configs": [slack]})
        retraining = getattr(team, "retraining", None)
        if retraining is not None:
            out.append(
                {
                    "name": receiver_name(name, "retraining"),
                    "webhook_configs": [{"url": retraining.url, "send_resolved": False, "max_alerts": 0}],
                }
            )
    return out


def _team_route(spec: Any, name: str) -> dict[str, Any]:
    team = spec.routing.teams[name]
    children: list[dict[str, Any]] = []
    retraining = getattr(team, "retraining", None)
    if retraining is not None:
        children.append(
            {
                "receiver": receiver_name(name, "retraining"),
                "matchers": [f'{RETRAIN_LABEL[0]}="{RETRAIN_LABEL[1]}"'],
                "group_by": [C.L_MODEL, "reason"],
                "group_wait": retraining.group_wait,
                "group_interval": retraining.group_interval,
                "repeat_interval": retraining.repeat_interval,
                "continue": True,
            }
        )
    for cls, severity in SEVERITY_OF_CLASS.items():
        channels = team_channels(team, spec.routing, cls)
        for i, ch in enumerate(channels):
            route: dict[str, Any] = {"receiver": receiver_name(name, ch), "matchers": [f'{C.L_SEVERITY}="{severity}"']}
            if cls in ("ticket", "info") and spec.routing.business_hours is not None:
                route["active_time_intervals"] = [BUSINESS_HOURS]
            if i < len(channels) - 1:
                route["continue"] = True
            children.append(route)
    return {"receiver": DEFAULT_RECEIVER, "matchers": [f'{C.L_TEAM}="{name}"'], "routes": children}


def config_data(spec: Any) -> dict[str, Any]:
    used = sorted({m.team for m in spec.models} | set(spec.routing.teams))
    glob: dict[str, Any] = {"resolve_timeout": "5m"}
    if spec.routing.pagerduty_url:
        glob["pagerduty_url"] = spec.routing.pagerduty_url
    if spec.routing.slack_api_url_file:
        glob["slack_api_url_file"] = spec.routing.slack_api_url_file
    g = spec.routing.grouping
    data: dict[str, Any] = {
        "global": glob,
        "route": {
            "receiver": DEFAULT_RECEIVER,
            "group_by": list(C.GROUP_BY),
            "group_wait": g.group_wait,
            "group_interval": g.group_interval,
            "repeat_interval": g.repeat_interval,
            "routes": [_team_route(spec, name) for name in used if name in spec.routing.teams],
        },
        "receivers": _receivers(spec),
        "inhibit_rules": [
            {
                "source_matchers": [f'{C.L_SEVERITY}="{C.SEVERITY_PAGE}"'],
                "target_matchers": [f'{C.L_SEVERITY}="{C.SEVERITY_TICKET}"'],
                "equal": list(C.INHIBIT_EQUAL),
            },
            {
                "source_matchers": [f'alertname="{C.ALERT_SERVING_DOWN}"'],
                "target_matchers": ['alertname=~"' + "|".join(C.NO_DATA_ALERTS) + '"'],
                "equal": [C.L_MODEL],
            },
        ],
    }
    bh = spec.routing.business_hours
    if bh is not None:
        data["time_intervals"] = [
            {
                "name": BUSINESS_HOURS,
                "time_intervals": [
                    {
                        "weekdays": list(bh.weekdays),
                        "times": [{"start_time": bh.start, "end_time": bh.end}],
                        "location": bh.location,
                    }
                ],
            }
        ]
    return data


def config_file(spec: Any, header: str) -> str:
    return emit.to_yaml(config_data(spec), header)


def routing_tests_file(cases: list[tuple[dict[str, Any], list[str], str]], header: str) -> str:
    """cases: (labels incl. alertname, expected receivers in order, source rules file)."""
    tests = [{"labels": dict(sorted(lab.items())), "receivers": recv, "source": src} for lab, recv, src in cases]
    return emit.to_yaml({"tests": tests}, header)
