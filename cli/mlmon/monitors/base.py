"""What a monitor package supplies, and the helpers every monitor shares.

A monitor is one capability (SLOs, drift, performance, ...), a package ``monitors/<kind>/``. It
owns one field of a model entry in the spec (``key``) and supplies, all pure functions of the
compiled spec:

- ``schema()``: the JSON Schema fragment of its field (``None`` for none);
- ``compile(raw, ctx)``: raw data -> its typed section, plus diagnostics (semantic checks);
- ``rule_groups(model, spec)``: recording and alert rule groups;
- ``rule_tests(model, spec, alerts)``: promtool rule unit tests proving the alerts fire and stay
  quiet; ``alerts`` are every alert rule of the model (all monitors), for cases that expect
  another monitor's alert to fire beside this one's;
- ``dashboard_rows(model, spec)``: rows of Grafana panels;
- ``fleet_panels(spec)``: panels for the fleet overview dashboard.

Optional: ``depends_on`` (keys of monitors whose rules its tests load), ``annotations(model,
spec)`` (Grafana annotation queries). Artifact types are in ``mlmon.artifacts``; no monitor
imports the registry or another monitor's internals.
"""

from __future__ import annotations

from typing import Any, Mapping, Protocol, Sequence

from mlmon import conventions as C
from mlmon.artifacts import AlertRule, Panel, Row, RuleGroup, RuleTest
from mlmon.compiler.context import CompileContext
from mlmon.compiler.units import parse_duration


def alert_labels(model: Any, monitor: str, severity: str, check: str, **extra: str) -> dict[str, str]:
    """The labels of one of a model's alerts: the model's own labels, then the routing labels
    mlmon sets (model, team, severity, monitor, check) and any extra ones."""
    labels = dict(model.labels)
    labels.update({C.L_MODEL: model.id, C.L_TEAM: model.team, C.L_SEVERITY: severity, C.L_MONITOR: monitor, C.L_CHECK: check, **extra})
    return labels


def alert_annotations(model: Any, summary: str, description: str) -> dict[str, str]:
    """summary (prefixed with the model id), description and the link to the model's dashboard."""
    return {"summary": f"{model.id}: {summary}", "description": description, "dashboard": dashboard_link(model)}


def dashboard_link(model: Any) -> str:
    return f"/d/{C.grafana_uid('model', model.id)}"


def duration_field(ctx: CompileContext, raw: Mapping[str, Any], key: str, default: str | None = None, at: tuple[str, ...] = ()) -> float | None:
    """The duration ``raw[key]`` (or ``default``) in seconds. None when it is absent and has no
    default, or when it is invalid: then with an MLM203 error at the field (``at``: the path of
    ``raw`` within the section)."""
    text = raw.get(key, default)
    if text is None:
        return None
    try:
        return parse_duration(text)
    except ValueError as exc:
        ctx.error((*at, key), "MLM203", str(exc))
        return None


class Monitor(Protocol):
    key: str
    title: str

    def schema(self) -> dict[str, Any] | None: ...

    def compile(self, raw: Any, ctx: CompileContext) -> Any: ...

    def rule_groups(self, model: Any, spec: Any) -> Sequence[RuleGroup]: ...

    def rule_tests(self, model: Any, spec: Any, alerts: Sequence[AlertRule]) -> Sequence[RuleTest]: ...

    def dashboard_rows(self, model: Any, spec: Any) -> Sequence[Row]: ...

    def fleet_panels(self, spec: Any) -> Sequence[Panel]: ...
