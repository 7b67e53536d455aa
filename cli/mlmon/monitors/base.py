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
spec)`` (Grafana annotation queries), ``defaults_schema()`` (schema of the fields it adds to a
spec file's ``defaults``, which its compile step finds in ``ctx.defaults``). Artifact types are
in ``mlmon.artifacts``; no monitor imports the registry or another monitor's internals.
"""

from __future__ import annotations

import difflib
import posixpath
from collections.abc import Mapping, Sequence
from typing import Any, Protocol, overload

from mlmon import baseline as B
from mlmon import conventions as C
from mlmon.artifacts import AlertRule, Panel, Row, RuleGroup, RuleTest
from mlmon.compiler.context import CompileContext
from mlmon.compiler.source import Path
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


def parse_at(ctx: CompileContext, sub: Path, text: Any) -> float | None:
    """Seconds of the duration ``text`` of the field at ``sub``; None, with an MLM203 error there,
    when it is not a duration."""
    try:
        return parse_duration(text)
    except ValueError as exc:
        ctx.error(sub, "MLM203", str(exc))
        return None


def parse_durations(ctx: CompileContext, fields: Sequence[tuple[tuple[str, ...], Any]]) -> dict[tuple[str, ...], float] | None:
    """Each ``(path, text)`` parsed as a duration, by path; None when any is not one (each
    reported at its path)."""
    out = {path: parse_at(ctx, path, text) for path, text in fields}
    return {p: v for p, v in out.items() if v is not None} if all(v is not None for v in out.values()) else None


def read_baseline(ref: str, ctx: CompileContext) -> B.Baseline | None:
    """The baseline file ``ref`` (relative to the spec file) of the section's ``baseline`` field,
    loaded; None, with MLM211 diagnostics at the field, when it cannot be read or is not valid."""
    file = posixpath.normpath(posixpath.join(posixpath.dirname(ctx.file), ref)) if not ref.startswith("/") else ref
    if ctx.read_file is None:
        ctx.error(("baseline",), "MLM211", f"baseline {ref!r} cannot be read here (no file access)")
        return None
    text, problem = ctx.read_file(ref)
    if text is None:
        ctx.error(
            ("baseline",),
            "MLM211",
            f"baseline {ref!r}: {problem or 'cannot be read'}",
            hint=f"create it with: mlmon baseline <reference.csv> --model {ctx.model_id} -o {file}" if getattr(problem, "missing", True) else None,
        )
        return None
    bl, bdiags = B.load_baseline(text, file)
    if bl is None:
        ctx.diags.extend(bdiags)
        ctx.error(("baseline",), "MLM211", f"baseline {ref!r} is not valid ({len(bdiags)} problem(s) reported in {file})")
        return None
    if bl.model != ctx.model_id:
        ctx.warning(("baseline",), "MLM211", f"baseline {ref!r} was made for model {bl.model!r}, not {ctx.model_id!r}")
    return bl


def check_feature_names(ctx: CompileContext, ref: str, bl: B.Baseline, names: Mapping[str, Any]) -> None:
    """MLM211 at each key of the section's ``features`` that is not a feature of the baseline."""
    for name in sorted(names):
        if bl.feature(name) is None:
            close = difflib.get_close_matches(name, bl.feature_names, n=1)
            ctx.error(
                ("features", name),
                "MLM211",
                f"feature {name!r} is not in baseline {ref!r}",
                hint=(f"did you mean {close[0]!r}? " if close else "") + f"baseline features: {', '.join(bl.feature_names)}",
                key=True,
            )


class SectionMonitor:
    """A monitor whose rules, cases and dashboard rows are functions of (model, its compiled
    section): a model without the section gets none of them. A monitor package subclasses it,
    sets ``key`` and ``title``, and supplies ``schema``, ``compile`` and the ``section_*`` hooks it
    needs (and ``fleet_panels``)."""

    key: str
    title: str

    def section_rules(self, model: Any, section: Any, /) -> Sequence[RuleGroup]:
        return ()

    def section_tests(self, model: Any, section: Any, /) -> Sequence[RuleTest]:
        return ()

    def section_rows(self, model: Any, section: Any, /) -> Sequence[Row]:
        return ()

    def rule_groups(self, model: Any, spec: Any) -> Sequence[RuleGroup]:
        section = model.section(self.key)
        return () if section is None else self.section_rules(model, section)

    def rule_tests(self, model: Any, spec: Any, alerts: Sequence[AlertRule] = ()) -> Sequence[RuleTest]:
        section = model.section(self.key)
        return () if section is None else self.section_tests(model, section)

    def dashboard_rows(self, model: Any, spec: Any) -> Sequence[Row]:
        section = model.section(self.key)
        return () if section is None else self.section_rows(model, section)

    def fleet_panels(self, spec: Any) -> Sequence[Panel]:
        return ()


@overload
def duration(ctx: CompileContext, sub: Path, text: Any, default: str) -> float: ...
@overload
def duration(ctx: CompileContext, sub: Path, text: Any, default: None) -> float | None: ...
def duration(ctx: CompileContext, sub: Path, text: Any, default: str | None) -> float | None:
    """Seconds of the duration field at ``sub`` of a monitor's section: ``text`` as written, or
    ``default`` (the schema's) when unset. A text that is no duration is reported (MLM203) and
    the default used, so the rest of the section is still checked."""
    if text is not None:
        value = parse_at(ctx, sub, text)
        if value is not None:
            return value
    return None if default is None else parse_duration(default)


def duration_field(ctx: CompileContext, raw: Mapping[str, Any], key: str, default: str | None = None, at: tuple[str, ...] = ()) -> float | None:
    """The duration ``raw[key]`` (or ``default``) in seconds. None when it is absent and has no
    default, or when it is invalid: then with an MLM203 error at the field (``at``: the path of
    ``raw`` within the section)."""
    text = raw.get(key, default)
    return None if text is None else parse_at(ctx, (*at, key), text)


class Monitor(Protocol):
    key: str
    title: str

    def schema(self) -> dict[str, Any] | None: ...

    def compile(self, raw: Any, ctx: CompileContext) -> Any: ...

    def rule_groups(self, model: Any, spec: Any) -> Sequence[RuleGroup]: ...

    def rule_tests(self, model: Any, spec: Any, alerts: Sequence[AlertRule]) -> Sequence[RuleTest]: ...

    def dashboard_rows(self, model: Any, spec: Any) -> Sequence[Row]: ...

    def fleet_panels(self, spec: Any) -> Sequence[Panel]: ...
