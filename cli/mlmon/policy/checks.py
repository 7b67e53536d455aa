"""The checks of one policy rule against one compiled model (pure). Each violation is a
Diagnostic at the spec field to change (or its nearest written ancestor), with the JSON path."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from mlmon.compiler.source import Path
from mlmon.compiler.units import format_duration, num
from mlmon.policy.model import Rule

CODE_MONITOR = "MLM285"
CODE_FIELD = "MLM286"
CODE_PAGES = "MLM287"
CODE_LIMIT = "MLM288"

Violation = tuple[Path, str, str]  # (path inside the model entry, code, message)


def violations(rule: Rule, model: Any, spec: Any, raw: dict[str, Any]) -> Iterator[Violation]:
    """Everything ``model`` (written as ``raw`` in its spec file) does not satisfy in ``rule``."""
    yield from _require(rule, model, spec)
    for key, check in LIMITS.items():
        limits = rule.limits.get(key)
        section = model.section(key)
        if limits and section is not None:
            yield from check(limits, section, raw.get(key) or {})


def _require(rule: Rule, model: Any, spec: Any) -> Iterator[Violation]:
    req = rule.require
    for key in req.get("monitors", ()):
        if not model.section(key):
            yield (key,), CODE_MONITOR, f"the model configures no {key!r} section, which the policy requires"
    for label in req.get("labels", ()):
        if label not in model.labels:
            yield ("labels", label), CODE_FIELD, f"label {label!r} is not set, which the policy requires"
    if req.get("description") and not model.description.strip():
        yield ("description",), CODE_FIELD, "the model has no description, which the policy requires"
    if "teams" in req and model.team not in req["teams"]:
        yield ("team",), CODE_FIELD, f"team {model.team!r} is not one of the teams the policy allows ({', '.join(req['teams'])})"
    if req.get("pages") and not pages(model, spec):
        yield (
            ("team",),
            CODE_PAGES,
            f"page-class alerts of team {model.team!r} reach no PagerDuty receiver, so nobody is paged; the policy requires paging",
        )


def pages(model: Any, spec: Any) -> bool:
    """Page-class alerts of the model reach the team's PagerDuty receiver."""
    team = spec.routing.teams.get(model.team)
    return team is not None and team.pagerduty is not None and "pagerduty" in spec.routing.severity.get("page", ())


def _looser(path: Path, what: str, value: float | None, limit: float, *, most: bool, fmt: Callable[[float], str] = num) -> Iterator[Violation]:
    bound = f"{'at most' if most else 'at least'} {fmt(limit)}"
    if value is None:
        yield path, CODE_LIMIT, f"{what} is not set; the policy requires one {bound}"
    elif (value > limit) if most else (value < limit):
        yield path, CODE_LIMIT, f"{what} is {fmt(value)}; the policy allows {bound}"


def _drift(limits: Mapping[str, Any], drift: Any, raw: dict[str, Any]) -> Iterator[Violation]:
    """Per feature (and the prediction) where its own threshold is written, else once for the
    section's threshold that the unwritten ones inherit."""
    features = raw.get("features") or {}
    dists: list[tuple[Path, str, Any, Any]] = [(("drift", "features", d.name), f"feature {d.name!r}", d, features.get(d.name) or {}) for d in drift.features]
    if drift.prediction is not None:
        dists.append((("drift", "prediction"), "prediction", drift.prediction, raw.get("prediction") or {}))
    for level in ("warn", "critical"):
        limit = limits.get(f"max_{level}")
        if limit is None:
            continue
        inherited: list[str] = []
        for base, what, dist, own in dists:
            if level in own:
                yield from _looser(base + (level,), f"drift {level} threshold of {what}", getattr(dist, level), limit, most=True)
            elif getattr(dist, level) > limit:
                inherited.append(what)
        if inherited:
            yield from _looser(("drift", level), f"drift {level} threshold (of {', '.join(inherited)})", getattr(drift, level), limit, most=True)


def _slos(limits: Mapping[str, Any], slos: Any, raw: Any) -> Iterator[Violation]:
    written = [s.get("name") for s in raw] if isinstance(raw, list) else []
    for slo in slos:
        path: Path = ("slos", written.index(slo.name), "objective") if slo.name in written else ("slos",)
        yield from _looser(path, f"objective of SLO {slo.name!r}", slo.objective, limits["min_objective"], most=False)


def _fairness(limits: Mapping[str, Any], fair: Any, raw: dict[str, Any]) -> Iterator[Violation]:
    if "min_ratio" in limits:
        yield from _looser(("fairness", "demographic_parity", "min_ratio"), "demographic_parity.min_ratio", fair.dp_min_ratio, limits["min_ratio"], most=False)
    if "max_difference" in limits:
        yield from _looser(
            ("fairness", "equal_opportunity", "max_difference"), "equal_opportunity.max_difference", fair.eo_max_difference, limits["max_difference"], most=True
        )


def _versions(limits: Mapping[str, Any], versions: Any, raw: dict[str, Any]) -> Iterator[Violation]:
    if "max_stale_after" in limits:
        yield from _looser(("versions", "stale_after"), "versions.stale_after", versions.stale_after, limits["max_stale_after"], most=True, fmt=format_duration)


LIMITS: dict[str, Callable[[Mapping[str, Any], Any, Any], Iterator[Violation]]] = {
    "drift": _drift,
    "slos": _slos,
    "fairness": _fairness,
    "versions": _versions,
}
