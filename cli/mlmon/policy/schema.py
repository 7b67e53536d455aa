"""The JSON Schema of a policy document (``kind: MonitoringPolicy``), built with the spec's DSL."""

from __future__ import annotations

import functools
from typing import Any

from mlmon.compiler.dsl import API_VERSION, ID_PATTERN, LABEL_NAME_PATTERN, array, boolean, duration, enum, number, obj, ratio, string, string_map

KIND = "MonitoringPolicy"
SEVERITIES = ("error", "warning")
DEFAULT_SEVERITY = "error"


def _match() -> dict[str, Any]:
    return obj(
        {
            "labels": string_map("labels the model must carry (all of them, values equal) for the rule to apply, e.g. {risk: high}"),
            "teams": array(string(pattern=ID_PATTERN), "owning teams the rule applies to", uniqueItems=True, minItems=1),
            "tasks": array(string(), "model tasks the rule applies to (binary_classification, llm, ...)", uniqueItems=True, minItems=1),
            "models": array(string(pattern=ID_PATTERN), "model ids the rule applies to", uniqueItems=True, minItems=1),
        },
        (),
        "Which models the rule applies to: all conditions must hold; no match = every model",
    )


def _require() -> dict[str, Any]:
    return obj(
        {
            "monitors": array(
                string(pattern=ID_PATTERN), "spec sections the model must configure (slos, drift, performance, fairness, cost ...)", uniqueItems=True
            ),
            "labels": array(
                string(pattern=LABEL_NAME_PATTERN), "labels the model must set (in models[].labels or metadata.labels), e.g. owner", uniqueItems=True
            ),
            "description": boolean("the model must have a description"),
            "pages": boolean("page-class alerts of the model must reach PagerDuty (the team has a pagerduty receiver and routing.severity.page lists it)"),
            "teams": array(string(pattern=ID_PATTERN), "the owning team must be one of these", uniqueItems=True, minItems=1),
        },
        (),
        "What a matching model must have",
    )


def _limits() -> dict[str, Any]:
    return obj(
        {
            "drift": obj(
                {
                    "max_warn": number("every drift warn threshold (features and prediction) at most this", 0),
                    "max_critical": number("every drift critical threshold at most this", 0),
                },
                (),
                "drift thresholds no looser than these",
            ),
            "slos": obj({"min_objective": number("every SLO objective (percent) at least this", 0, 100)}, (), "SLO objectives no lower than this"),
            "fairness": obj(
                {
                    "min_ratio": ratio("demographic_parity.min_ratio must be set and at least this"),
                    "max_difference": ratio("equal_opportunity.max_difference must be set and at most this"),
                },
                (),
                "fairness limits no looser than these",
            ),
            "versions": obj({"max_stale_after": duration("versions.stale_after must be set and at most this")}, (), "model staleness"),
        },
        (),
        "Limits the model's thresholds must be within (a missing monitor section is left to require.monitors)",
    )


@functools.lru_cache(maxsize=1)
def policy_schema() -> dict[str, Any]:
    rule = obj(
        {
            "name": string("rule name, unique in the policy", pattern=ID_PATTERN),
            "description": string("why the rule exists; shown with every violation"),
            "severity": enum(list(SEVERITIES), "severity of a violation", DEFAULT_SEVERITY),
            "match": _match(),
            "require": _require(),
            "limits": _limits(),
        },
        ("name",),
        "One policy rule (with require, limits or both)",
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "mlmon MonitoringPolicy v1",
        "type": "object",
        "additionalProperties": False,
        "required": ["apiVersion", "kind", "metadata", "rules"],
        "properties": {
            "apiVersion": {"const": API_VERSION, "description": "always mlmon/v1"},
            "kind": {"const": KIND, "description": "always MonitoringPolicy"},
            "metadata": obj({"name": string("name of this policy", pattern=ID_PATTERN), "description": string("what this policy covers")}, ("name",)),
            "rules": array(rule, "the rules every spec loaded with this policy must satisfy", minItems=1),
        },
    }
