"""The neutral artifact types monitors produce and renderers turn into bytes: rule groups,
promtool rule tests, dashboard rows. A leaf module: it imports nothing of mlmon.

Renderers never know which monitor produced an artifact.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


# --- rules --------------------------------------------------------------------------------------
def promql_string(value: str) -> str:
    """A PromQL double-quoted string literal."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def regex_escape(value: str) -> str:
    """Escape a label value for a =~ matcher inside a double-quoted PromQL string."""
    out = ""
    for ch in value:
        if ch in ".+*?()[]{}|^$\\":
            out += "\\\\" + ch
        elif ch == '"':
            out += '\\"'
        else:
            out += ch
    return out


@dataclass(frozen=True)
class RecordingRule:
    record: str
    expr: str
    labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AlertRule:
    alert: str
    expr: str
    for_: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)
    # Names of labels written into the expression (label_replace) instead of under ``labels:``.
    # Prometheus expands every ``labels:`` value as a template for each alert instance at every
    # evaluation; an alert that can fire for dozens of series at once (one per drifted feature)
    # saves that work. The labels, their routing and their tests stay the same. (Rules of one name
    # must still differ in their ``labels:``, or promtool reports them as duplicates.)
    labels_in_expr: tuple[str, ...] = ()
    # Labels of real instances, for the routing tests, when ``labels`` hold templates Prometheus
    # expands per instance (``check: '{{ $labels.feature }}'``): amtool must route real values.
    instance_labels: tuple[Mapping[str, str], ...] = ()

    def routing_labels(self) -> list[dict[str, str]]:
        """The label sets the routing tests check for this rule (alertname included)."""
        return [{"alertname": self.alert, **lab} for lab in (self.instance_labels or (self.labels,))]


@dataclass(frozen=True)
class RuleGroup:
    name: str
    rules: tuple[RecordingRule | AlertRule, ...]
    interval: str | None = None
    # the ruler limits of the spec may split it into groups of fewer rules (render.shard)
    shardable: bool = False


# --- promtool rule tests ------------------------------------------------------------------------
@dataclass(frozen=True)
class ExpAlert:
    labels: Mapping[str, str]
    annotations: Mapping[str, str] | None = None  # None: written without exp_annotations, i.e. the alert must have none


@dataclass(frozen=True)
class AlertCheck:
    eval_time: str
    alertname: str
    exp_alerts: tuple[ExpAlert, ...] = ()


@dataclass(frozen=True)
class Sample:
    labels: str  # series text, e.g. 'metric{a="b"}'
    value: float


@dataclass(frozen=True)
class ExprCheck:
    expr: str
    eval_time: str
    exp_samples: tuple[Sample, ...] = ()


@dataclass(frozen=True)
class RuleTest:
    name: str  # written as a comment; says what the case proves
    interval: str
    input_series: tuple[tuple[str, str], ...]  # (series, promtool values notation)
    alert_checks: tuple[AlertCheck, ...] = ()
    expr_checks: tuple[ExprCheck, ...] = ()
    # promtool's rule evaluation interval is per file: cases with another one go to their own
    # file. None: the model's evaluation interval, as Prometheus evaluates the rules
    evaluation_interval: str | None = None
    # the monitors whose rules the case needs besides its own (None: every one the monitor builds
    # on). Cases that need fewer go to a file that loads fewer groups: promtool evaluates every
    # loaded group at every step, so a case must not pay for groups it never reads
    uses: tuple[str, ...] | None = None

    def every(self, model: object) -> str:
        """The file's ``evaluation_interval`` for this case of ``model``."""
        from mlmon.compiler.units import format_duration

        return self.evaluation_interval or format_duration(model.evaluation_interval)  # type: ignore[attr-defined]


# --- dashboards ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    expr: str
    legend: str = ""
    instant: bool = False


@dataclass(frozen=True)
class Threshold:
    value: float | None  # None: the base step
    color: str


@dataclass(frozen=True)
class Panel:
    title: str
    kind: str  # timeseries | stat | gauge | table | text | bargauge
    targets: tuple[Target, ...] = ()
    unit: str = "short"
    description: str = ""
    thresholds: tuple[Threshold, ...] = ()
    min: float | None = None
    max: float | None = None
    width: int = 12
    height: int = 8
    text: str = ""  # for kind == "text" (markdown)
    decimals: int | None = None


@dataclass(frozen=True)
class Row:
    title: str
    panels: tuple[Panel, ...]
    collapsed: bool = False
