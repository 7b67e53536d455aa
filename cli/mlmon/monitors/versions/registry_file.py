"""The versions monitor with a registry file (the spec's ``registry.file``): the training times
of the registry's current and previous version become constants of the rules, and the version
ordering falls back to them when the service exports no training timestamp of its own.

The model's ``registry`` attribute (``mlmon.registry.link.ModelLink``) carries the facts."""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import ExprCheck, RecordingRule, RuleTest, Sample
from mlmon.compiler.units import num
from mlmon.monitors.quality import V1, info_series, trained_series
from mlmon.monitors.steps import Clock
from mlmon.monitors.testkit import at, series


def file_link(model: Any) -> Any:
    """The model's registry link when it comes from a registry file, else None."""
    link = getattr(model, "registry", None)
    return link if link is not None and link.source == "file" else None


def constant_rules(model: Any) -> list[RecordingRule]:
    """One constant per registry version whose training time orders the versions."""
    link = file_link(model)
    if link is None:
        return []
    return [RecordingRule(C.REGISTRY_TRAINED, f"vector({num(float(ts))})", {C.L_MODEL: model.id, C.L_VERSION: v}) for v, ts in link.trained]


def trained_expr(model: Any, sel: str) -> str:
    """The versions' training times: the service's own (series matching ``sel``); with a registry
    file, the registry's when the service exports none."""
    own = f"max by ({C.L_VERSION}) ({C.MODEL_TRAINED_TIMESTAMP}{{{sel}}})"
    if file_link(model) is None:
        return own
    m = f'{C.L_MODEL}="{model.id}"'
    return f"{own}\nor\n(\n  max by ({C.L_VERSION}) ({C.REGISTRY_TRAINED}{{{m}}})\n  unless on ()\n  count({C.MODEL_TRAINED_TIMESTAMP}{{{sel}}})\n)"


def cases(model: Any) -> list[RuleTest]:
    """The service exports no training timestamp: the registry's versions are current, previous,
    and the age counts from the registry's training time. Once the service exports its own, they win."""
    link = file_link(model)
    if link is None:
        return []
    m = {C.L_MODEL: model.id}
    trained = dict(link.trained)
    t = Clock(model).next_s(600.0)  # an evaluation: the age is the one computed there
    checks = [
        ExprCheck(series(C.VERSION_CURRENT, m), at(t), (Sample(series(C.VERSION_CURRENT, {**m, C.L_VERSION: link.version}), 1.0),)),
        ExprCheck(series(C.VERSION_AGE, m), at(t), (Sample(series(C.VERSION_AGE, m), t - trained[link.version]),)),
    ]
    prev = link.previous_version if link.previous_version in trained else None
    checks.append(ExprCheck(series(C.VERSION_PREVIOUS, m), at(t), (Sample(series(C.VERSION_PREVIOUS, {**m, C.L_VERSION: prev}), 1.0),) if prev else ()))
    own = (info_series(model, V1, "1x20"), trained_series(model, V1, "1000x20"))
    return [
        RuleTest(
            f"versions {model.id}: no training timestamp from the service: registry version {link.version} is current"
            + (f", {prev} previous" if prev else "")
            + ", the age counts from the registry's training time",
            "1m",
            (info_series(model, link.version, "1x20"),),
            (),
            tuple(checks),
        ),
        RuleTest(
            f"versions {model.id}: the service exports its own training timestamp: its version {V1} is current, not the registry's",
            "1m",
            own,
            (),
            (
                ExprCheck(series(C.VERSION_CURRENT, m), at(t), (Sample(series(C.VERSION_CURRENT, {**m, C.L_VERSION: V1}), 1.0),)),
                ExprCheck(series(C.VERSION_AGE, m), at(t), (Sample(series(C.VERSION_AGE, m), t - 1000.0),)),
            ),
        ),
    ]
