"""``routing`` and ``alerting`` of every spec file -> the typed ``Routing`` and ``Alerting`` (pure).

Teams are unique across files. The settings that hold for the whole output (severity channels,
business hours, grouping, the PagerDuty and Slack endpoints, where Prometheus sends alerts) may
be written in several files only when they are the same everywhere (MLM210).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mlmon.compiler import model as M
from mlmon.compiler.source import Document, Path, render_path
from mlmon.compiler.units import parse_duration

DEFAULT_SEVERITY = {"page": ("pagerduty", "slack"), "ticket": ("slack",), "info": ("slack",)}

Report = Callable[..., None]  # (doc, path, code, message, hint=None, key=False)


class _Once:
    """A setting that may appear in several files, equal everywhere."""

    def __init__(self, error: Report, what: str):
        self.error, self.what = error, what
        self.value: Any = None
        self.doc: Document | None = None

    def set(self, doc: Document, path: Path, value: Any) -> None:
        if self.doc is not None and value != self.value:
            self.error(doc, path, "MLM210", f"{self.what} differs from the one in {self.doc.file}; define it once", key=True)
            return
        if self.doc is None:
            self.value, self.doc = value, doc


def _duration(error: Report, doc: Document, path: Path, text: str) -> None:
    try:
        parse_duration(text)
    except ValueError as exc:
        error(doc, path, "MLM203", f"{render_path(path)}: {exc}")


def _team(error: Report, doc: Document, path: Path, name: str, t: dict[str, Any]) -> M.Team:
    line, col = doc.source.pos(path, key=True)
    slack = M.Slack(t["slack"]["channel"], t["slack"].get("api_url_file")) if "slack" in t else None
    pd = None
    if "pagerduty" in t:
        p = t["pagerduty"]
        if ("routing_key_file" in p) == ("service_key_file" in p):
            error(
                doc, path + ("pagerduty",), "MLM104", f"{render_path(path + ('pagerduty',))}: set exactly one of routing_key_file, service_key_file", key=True
            )
        pd = M.PagerDuty(p.get("routing_key_file"), p.get("service_key_file"), p.get("url"))
    retr = None
    if "retraining" in t:
        r, d = t["retraining"], M.Retraining("")
        fields = {k: r.get(k, getattr(d, k)) for k in ("repeat_interval", "group_wait", "group_interval")}
        for k, text in fields.items():
            _duration(error, doc, path + ("retraining", k), text)
        retr = M.Retraining(r["url"], **fields)
    return M.Team(name, slack, pd, M.Origin(doc.file, path, line, col), retr)


def compile_routing(docs: list[Document], error: Report) -> tuple[dict[str, M.Team], M.Routing, M.Alerting]:
    teams: dict[str, M.Team] = {}
    severity, hours = _Once(error, "routing.severity"), _Once(error, "routing.business_hours")
    grouping, alerting = _Once(error, "routing.grouping"), _Once(error, "alerting")
    pd_url, slack_file = _Once(error, "routing.pagerduty_url"), _Once(error, "routing.slack_api_url_file")
    slack_without_file: list[tuple[Document, Path]] = []
    for doc in docs:
        r = doc.data.get("routing") or {}
        for name, t in (r.get("teams") or {}).items():
            path = ("routing", "teams", name)
            if name in teams:
                first = teams[name].origin
                error(doc, path, "MLM201", f"{render_path(path)}: team {name!r} is defined twice (first at {first.file}:{first.line}:{first.col})", key=True)
                continue
            teams[name] = _team(error, doc, path, name, t)
            if "slack" in t and "api_url_file" not in t["slack"]:
                slack_without_file.append((doc, path + ("slack",)))
        if "severity" in r:
            severity.set(doc, ("routing", "severity"), {k: tuple(v) for k, v in r["severity"].items()})
        if "business_hours" in r:
            b = r["business_hours"]
            if b["start"] >= b["end"]:
                error(doc, ("routing", "business_hours", "end"), "MLM213", f"routing.business_hours: end {b['end']} must be after start {b['start']}")
            hours.set(doc, ("routing", "business_hours"), M.BusinessHours(tuple(b["weekdays"]), b["start"], b["end"], b.get("location", "UTC")))
        if "grouping" in r:
            for k, text in r["grouping"].items():
                _duration(error, doc, ("routing", "grouping", k), text)
            grouping.set(doc, ("routing", "grouping"), M.Grouping(**r["grouping"]))
        if "pagerduty_url" in r:
            pd_url.set(doc, ("routing", "pagerduty_url"), r["pagerduty_url"])
        if "slack_api_url_file" in r:
            slack_file.set(doc, ("routing", "slack_api_url_file"), r["slack_api_url_file"])
        if "alerting" in doc.data:
            a = doc.data["alerting"]
            d = M.Alerting()
            alerting.set(doc, ("alerting",), M.Alerting(tuple(a.get("alertmanagers", d.alertmanagers)), a.get("scheme", d.scheme), a.get("path_prefix")))
    if slack_file.value is None:
        for doc, path in slack_without_file:
            error(
                doc,
                path,
                "MLM102",
                f"{render_path(path)}: missing required field 'api_url_file'",
                "set it, or routing.slack_api_url_file for every team's Slack receiver",
                key=True,
            )
    merged = dict(DEFAULT_SEVERITY)
    merged.update(severity.value or {})
    routing = M.Routing(teams, merged, hours.value, grouping.value or M.Grouping(), pd_url.value, slack_file.value)
    return teams, routing, alerting.value or M.Alerting()
