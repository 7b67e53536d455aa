"""What a monitor module supplies, and the neutral artifact types the renderers turn into bytes.

A monitor is one capability (SLOs, drift, performance, ...). It owns one field of a model entry
in the spec (``key``) and supplies, all pure functions of the compiled spec:

- ``schema()``: the JSON Schema fragment of its field (``None`` for none);
- ``compile(raw, ctx)``: raw data -> its typed section, plus diagnostics (semantic checks);
- ``rule_groups(model, spec)``: recording and alert rule groups;
- ``rule_tests(model, spec)``: promtool rule unit tests proving the alerts fire and stay quiet;
- ``dashboard_rows(model, spec)``: rows of Grafana panels;
- ``fleet_panels(spec)``: panels for the fleet overview dashboard.

Renderers never know which monitor produced an artifact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Protocol, Sequence

from mlmon.diagnostics import Diagnostic, Severity
from mlmon.spec.source import Path, SourceMap, render_path


# --- rules --------------------------------------------------------------------------------------
def promql_string(value: str) -> str:
    """A PromQL double-quoted string literal."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


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


@dataclass(frozen=True)
class RuleGroup:
    name: str
    rules: tuple[RecordingRule | AlertRule, ...]
    interval: str | None = None


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
    # promtool's rule evaluation interval is per file: cases with another one go to their own file
    evaluation_interval: str = "1m"


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


# --- compile context ------------------------------------------------------------------------------
@dataclass
class CompileContext:
    """What a monitor's compile step may look at: its own raw data and position, the model's
    basic facts, and a sink for diagnostics."""

    file: str
    path: Path  # path of the monitor's field in the document
    smap: SourceMap
    model_id: str
    task: str
    scrape_interval: float
    evaluation_interval: float
    defaults: Mapping[str, Any]
    read_file: Callable[[str], tuple[str | None, str | None]] | None = None  # (text, error) for referenced files
    diags: list[Diagnostic] = field(default_factory=list)

    def error(self, sub: Path, code: str, msg: str, hint: str | None = None, *, key: bool = False) -> None:
        self._add(Severity.ERROR, sub, code, msg, hint, key)

    def warning(self, sub: Path, code: str, msg: str, hint: str | None = None, *, key: bool = False) -> None:
        self._add(Severity.WARNING, sub, code, msg, hint, key)

    def _add(self, sev: Severity, sub: Path, code: str, msg: str, hint: str | None, key: bool) -> None:
        full = self.path + tuple(sub)
        line, col = self.smap.pos(full, key=key)
        self.diags.append(Diagnostic(self.file, line, col, sev, code, f"{render_path(full)}: {msg}", hint))


class Monitor(Protocol):
    key: str
    title: str

    def schema(self) -> dict | None: ...

    def compile(self, raw: Any, ctx: CompileContext) -> Any: ...

    def rule_groups(self, model: Any, spec: Any) -> Sequence[RuleGroup]: ...

    def rule_tests(self, model: Any, spec: Any) -> Sequence[RuleTest]: ...

    def dashboard_rows(self, model: Any, spec: Any) -> Sequence[Row]: ...

    def fleet_panels(self, spec: Any) -> Sequence[Panel]: ...
