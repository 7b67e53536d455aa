"""Diagnostics: one problem found in the user's input or in generated output.

Every stage of the pipeline returns ``(value, [Diagnostic, ...])``. Formatting is pure:
``format_text`` gives ``file:line:col: severity: message [CODE]`` lines (plus an indented
``hint:`` line), ``format_json`` a stable JSON document for machines.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from enum import IntEnum


class Severity(IntEnum):
    INFO = 0
    WARNING = 1
    ERROR = 2

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (expected info, warning or error)") from None


@dataclass(frozen=True, order=True)
class Diagnostic:
    file: str
    line: int  # 1-based; 0 when the problem has no position (e.g. a file-level problem)
    col: int  # 1-based; 0 when unknown
    severity: Severity = field(compare=False)
    code: str
    message: str
    hint: str | None = field(default=None, compare=False)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["severity"] = self.severity.label
        return data


# Stable codes. docs/reference/diagnostics.md is generated from this dict (make docs-ref). Never renumber.
CODES: dict[str, str] = {
    # reading files
    "MLM001": "file cannot be read (missing, too large, binary or not UTF-8)",
    "MLM002": "YAML syntax error",
    "MLM003": "YAML structure not allowed (duplicate key, alias expansion limit, unsupported tag)",
    "MLM004": "no spec files found",
    "MLM005": "file is not UTF-8 text (the message names the encoding it looks like)",
    "MLM006": "output folder holds files mlmon did not write",
    # schema
    "MLM101": "unknown field",
    "MLM102": "missing required field",
    "MLM103": "wrong type",
    "MLM104": "value not allowed (enum, pattern, range)",
    # semantics
    "MLM201": "duplicate id",
    "MLM202": "unknown team",
    "MLM203": "invalid duration",
    "MLM204": "objective out of range",
    "MLM205": "PromQL does not parse",
    "MLM206": "burn-rate tier can never fire",
    "MLM207": "window shorter than 4x the scrape interval",
    "MLM208": "inline secret",
    "MLM209": "team has no receiver",
    "MLM210": "inconsistent thresholds",
    "MLM211": "referenced file problem",
    "MLM212": "unknown preset or metric",
    "MLM213": "invalid value",
    "MLM214": "alert exempted from firing rule-test coverage (untested_alerts)",
    "MLM220": "label reserved by mlmon or Prometheus",
    "MLM221": "number out of range (not finite, or beyond what Prometheus and the monitors can use)",
    "MLM222": "duration out of range",
    "MLM223": "alert reaches no receiver with an integration",
    # Kubernetes deployment (deploy.kubernetes, serving.kubernetes)
    "MLM240": "prometheus-operator objects lack the labels Prometheus selects them by",
    "MLM241": "AlertmanagerConfig routes get a namespace matcher: alerts reach no receiver",
    "MLM242": "business hours lose their time zone in AlertmanagerConfig",
    "MLM243": "invalid Kubernetes name",
    "MLM244": "model cannot be scraped on Kubernetes as configured",
    "MLM245": "deploy.kubernetes defined in more than one file",
    # model registry (registry: block, its file, `mlmon registry sync/serve`)
    "MLM250": "registry block problem (file outside the spec's folder, no file or exporter, unknown model)",
    "MLM251": "registry file problem (missing, malformed, or older than the spec)",
    "MLM252": "registry unreachable, HTTP or authentication failure",
    "MLM253": "registry content problem (unknown registered model, no current version)",
    "MLM254": "registry file out of date (`registry sync --check`)",
    "MLM255": "data-quality check not possible with this baseline",
    "MLM265": "canary versions cannot be told apart (same label value, or the model's own label)",
    "MLM266": "check not possible for the model's task",
    # scale-out: ruler limits, long-term storage, series budget
    "MLM275": "rule group has more rules than the ruler allows (ruler.max_rules_per_group)",
    "MLM276": "more rule groups than the ruler allows per tenant (ruler.max_groups_per_tenant)",
    "MLM277": "ruler or storage defined in more than one file",
    "MLM278": "remote_write receiver set up wrongly (several kinds of auth, a name used twice)",
    "MLM279": "remote_write URL does not fit its receiver, or the receiver is sent nothing",
    "MLM280": "estimated series over storage.series_budget",
    "MLM281": "Thanos sidecar without external labels",
    # policy (kind: MonitoringPolicy)
    "MLM285": "policy: a required monitor section is missing",
    "MLM286": "policy: a required model field is missing or not allowed (label, description, team)",
    "MLM287": "policy: the model pages nobody",
    "MLM288": "policy: a threshold is looser than the policy allows",
    "MLM289": "policy file problem (rule that checks nothing, duplicate rule, unknown monitor)",
    # generated-output validation
    "MLM301": "promtool rejected generated output",
    "MLM302": "amtool rejected generated output",
    "MLM303": "alert routed to an unexpected receiver",
    "MLM304": "external tool missing",
    "MLM305": "pint finding",
    "MLM306": "alert rule without a rule test where it fires",
    "MLM310": "Kubernetes object does not match its CRD schema",
    "MLM311": "Kubernetes object breaks a naming, label or size rule",
    "MLM312": "PrometheusRule differs from the rule files promtool tests",
    "MLM313": "kustomization.yaml and the object files disagree",
    "MLM314": "prometheus-operator would reject the object (unknown receiver, duplicate name)",
    # regression and ranking monitors
    "MLM340": "ranking metric at a cut-off k the section does not count",
    # exporters, cloud presets and drift libraries
    "MLM325": "exporter problem (where it runs not said, no label selector, a required parameter missing)",
    "MLM327": "no-data window shorter than the delay of the cloud exporter the model is read through",
    "MLM328": "drift_scores problem (both drift and drift_scores on one model, a preset that reports no per-feature scores)",
    "MLM329": "cost from a cloud bill without a bill exporter",
    # alerts that must be able to fire
    "MLM350": "alert condition that can never be met (e.g. a feedback spike min_increase of 1 or more)",
}


def sort_key(d: Diagnostic) -> tuple:
    return (d.file, d.line, d.col, d.code, d.message)


def has_errors(diags: Iterable[Diagnostic]) -> bool:
    return any(d.severity >= Severity.ERROR for d in diags)


def at_or_above(diags: Iterable[Diagnostic], level: Severity) -> list[Diagnostic]:
    return [d for d in diags if d.severity >= level]


def format_text(diags: Iterable[Diagnostic]) -> str:
    lines: list[str] = []
    for d in sorted(diags, key=sort_key):
        where = d.file
        if d.line:
            where += f":{d.line}:{d.col or 1}"
        lines.append(f"{where}: {d.severity.label}: {d.message} [{d.code}]")
        if d.hint:
            lines.append(f"  hint: {d.hint}")
    return "\n".join(lines) + ("\n" if lines else "")


def format_json(diags: Iterable[Diagnostic]) -> str:
    items = [d.to_dict() for d in sorted(diags, key=sort_key)]
    summary = {s.label: sum(1 for d in items if d["severity"] == s.label) for s in Severity}
    return json.dumps({"diagnostics": items, "summary": summary}, indent=2, sort_keys=True) + "\n"
