"""promtool rule unit test files from RuleTest values (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mlmon.artifacts import RuleTest
from mlmon.compiler.units import fmt_float
from mlmon.render import emit


def tests_data(rule_files: Sequence[str], tests: Sequence[RuleTest], evaluation_interval: str | None = "1m", group_order: Sequence[str] = ()) -> dict[str, Any]:
    out = []
    for t in tests:
        case: dict[str, Any] = {"name": t.name, "interval": t.interval}
        case["input_series"] = [{"series": s, "values": v} for s, v in t.input_series]
        if t.alert_checks:
            case["alert_rule_test"] = [
                {
                    "eval_time": c.eval_time,
                    "alertname": c.alertname,
                    "exp_alerts": [
                        {
                            "exp_labels": dict(sorted(a.labels.items())),
                            **({"exp_annotations": dict(sorted(a.annotations.items()))} if a.annotations is not None else {}),
                        }
                        for a in c.exp_alerts
                    ],
                }
                for c in t.alert_checks
            ]
        if t.expr_checks:
            case["promql_expr_test"] = [
                {
                    "expr": c.expr,
                    "eval_time": c.eval_time,
                    "exp_samples": [{"labels": s.labels, "value": float(fmt_float(s.value)) if s.value == s.value else s.value} for s in c.exp_samples],
                }
                for c in t.expr_checks
            ]
        out.append(case)
    data: dict[str, Any] = {"rule_files": list(rule_files), "evaluation_interval": evaluation_interval or "1m"}
    if group_order:
        # promtool 2.42 evaluates groups in an arbitrary order otherwise; cross-group reads need this one
        data["group_eval_order"] = list(group_order)
    data["tests"] = out
    return data


def tests_file(rule_files: Sequence[str], tests: Sequence[RuleTest], header: str, evaluation_interval: str = "1m", group_order: Sequence[str] = ()) -> str:
    return emit.to_yaml(tests_data(rule_files, tests, evaluation_interval, group_order), header)
