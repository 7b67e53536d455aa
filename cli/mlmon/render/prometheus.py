"""Prometheus files: per-model rule files and the scrape configuration (pure)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import AlertRule, RecordingRule, RuleGroup, promql_string
from mlmon.compiler.units import format_duration
from mlmon.registry import link as registry_link
from mlmon.render import emit, exporter_jobs

RULES_DIR = "prometheus/rules"
TESTS_DIR = "prometheus/tests"
CONFIG = "prometheus/prometheus.yml"


def rules_name(model_id: str, monitor: str) -> str:
    """One rules file per model and monitor, so each rule-test file loads only the rules it
    tests (promtool evaluates every loaded rule at every step of every test)."""
    return f"{model_id}.{monitor}.rules.yml"


def rules_path(model_id: str, monitor: str) -> str:
    return f"{RULES_DIR}/{rules_name(model_id, monitor)}"


def tests_path(model_id: str, monitor: str) -> str:
    return f"{TESTS_DIR}/{model_id}.{monitor}.test.yml"


_LABEL_TEMPLATE = re.compile(r"\{\{ \$labels\.([a-zA-Z_][a-zA-Z0-9_]*) \}\}")


def expr_with_labels(expr: str, labels: Mapping[str, str]) -> str:
    """``expr`` with ``labels`` set on every series it returns, by one ``label_replace`` per label
    (in name order). A value is either literal text or exactly ``{{ $labels.<name> }}`` (copied from
    that label of the series)."""
    if not labels:
        return expr
    args = []
    for name, value in sorted(labels.items()):
        m = _LABEL_TEMPLATE.fullmatch(value)
        if m:
            args.append(f'{promql_string(name)}, "$1", {promql_string(m.group(1))}, "(.*)"')
        elif "{{" in value:
            raise ValueError(f"label {name}: only literal text or {{{{ $labels.<name> }}}} can be set by the expression, not {value!r}")
        else:
            # "$" starts a group reference in the replacement: "$$" is a literal dollar
            args.append(f'{promql_string(name)}, {promql_string(value.replace("$", "$$"))}, "", ""')
    body = "\n".join("  " + line for line in expr.splitlines())
    return "label_replace(" * len(args) + "\n" + body + ",\n  " + "),\n  ".join(args) + ")"


def _rule(rule: RecordingRule | AlertRule) -> dict[str, Any]:
    if isinstance(rule, RecordingRule):
        out: dict[str, Any] = {"record": rule.record, "expr": rule.expr}
        if rule.labels:
            out["labels"] = dict(sorted(rule.labels.items()))
        return out
    moved = {k: v for k, v in rule.labels.items() if k in rule.labels_in_expr}
    out = {"alert": rule.alert, "expr": expr_with_labels(rule.expr, moved)}
    if rule.for_:
        out["for"] = rule.for_
    kept = {k: v for k, v in rule.labels.items() if k not in moved}
    if kept:
        out["labels"] = dict(sorted(kept.items()))
    if rule.annotations:
        out["annotations"] = dict(sorted(rule.annotations.items()))
    return out


def rules_data(groups: Sequence[RuleGroup]) -> dict[str, Any]:
    out = []
    for g in groups:
        item: dict[str, Any] = {"name": g.name}
        if g.interval:
            item["interval"] = g.interval
        item["rules"] = [_rule(r) for r in g.rules]
        out.append(item)
    return {"groups": out}


def rules_file(groups: Sequence[RuleGroup], header: str) -> str:
    return emit.to_yaml(rules_data(groups), header)


def scrape_labels(model: Any) -> dict[str, str]:
    """The target labels of a model's own scrape job (static config, ScrapeConfig or relabelings)."""
    return {C.L_SCRAPE_MODEL: model.id, C.L_TEAM: model.team}


def config_file(spec: Any, header: str, rule_files: str = "rules/*.rules.yml") -> str:
    """A stock prometheus.yml: one scrape job per model with targets, all rule files (``rule_files``,
    relative to it), the Alertmanagers of the spec's ``alerting``."""
    evals = sorted({m.evaluation_interval for m in spec.models}) or [60.0]
    jobs = []
    for m in spec.models:
        if not m.serving.targets:
            continue
        job = {
            "job_name": C.SCRAPE_JOB.format(model=m.id),
            "scrape_interval": format_duration(m.serving.scrape_interval),
            "metrics_path": m.serving.metrics_path,
            "scheme": m.serving.scheme,
            "static_configs": [{"targets": list(m.serving.targets), "labels": scrape_labels(m)}],
        }
        jobs.append(job)
    jobs.extend(registry_link.scrape_jobs(spec.models))
    a = spec.alerting
    am: dict[str, Any] = {"static_configs": [{"targets": list(a.alertmanagers)}]}
    if a.scheme != "http":
        am["scheme"] = a.scheme
    if a.path_prefix:
        am["path_prefix"] = a.path_prefix
    data: dict[str, Any] = {
        "global": {"scrape_interval": "30s", "evaluation_interval": format_duration(evals[0])},
        "rule_files": [rule_files],
        "alerting": {"alertmanagers": [am]},
        "scrape_configs": jobs + exporter_jobs.jobs(spec),
    }
    storage = getattr(spec, "storage", None)
    if storage is not None:
        from mlmon.render.storage import remote_write

        if storage.external_labels:
            data["global"]["external_labels"] = dict(storage.external_labels)
        if storage.remote_write:
            data["remote_write"] = remote_write(storage)
    return emit.to_yaml(data, header)
