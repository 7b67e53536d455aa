"""Model versions (info, deployments, staleness) and retraining triggers.

Two monitors live here:

``versions`` (always on; ``versions:`` only tunes it)::

    versions:
      stale_after: 30d          # MLModelStale when the current version was trained longer ago (default: off)
      change_event_for: 15m     # MLModelVersionChanged stays firing this long after a version appears
      previous_lookback: 14d    # how far back the "previous version" is searched

It reads ``mlmon_model_info{model,version,stage}`` (1 while a version is served) and
``mlmon_model_trained_timestamp_seconds{model,version}``. Versions are ordered by training time:
the *current* version is the newest-trained one exported now, the *previous* one the newest-trained
version older than it seen within ``previous_lookback`` (so a canary and the version it replaces
are compared while both serve, and after the switch the old version's last figures are kept).

``retraining`` (opt-in)::

    retraining:
      triggers: [drift, performance, staleness]   # default: all three
      drift_level: critical      # warn | critical: a feature's drift score at/above this level triggers
      performance_level: warning # warning | critical: a metric worse than its min/max (or critical) level triggers
      for: 1h                    # the condition must hold this long

``MLModelRetrainingTriggered`` carries ``reason`` (drift, performance, staleness) and
``action="retrain"``; Alertmanager routes it to the team's retraining webhook
(``routing.teams.<team>.retraining``), where grouping and ``repeat_interval`` debounce it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from mlmon import conventions as C
from mlmon import presets
from mlmon.artifacts import AlertRule, Panel, RecordingRule, Row, RuleGroup, RuleTest, Target, Threshold
from mlmon.compiler.context import CompileContext
from mlmon.compiler import dsl as S
from mlmon.compiler.units import fmt_float, format_duration, parse_duration

VERSIONS_KEY = "versions"
RETRAINING_KEY = "retraining"
REASONS = ("drift", "performance", "staleness")
DEFAULT_STALE_FOR_RETRAINING = 30 * 86400.0


@dataclass(frozen=True)
class Versions:
    stale_after: float | None = None
    change_event_for: float = 900.0
    previous_lookback: float = 14 * 86400.0


@dataclass(frozen=True)
class Retraining:
    triggers: tuple[str, ...] = REASONS
    drift_level: str = "critical"
    performance_level: str = "warning"
    for_: float = 3600.0


def _num(x: float) -> str:
    return fmt_float(float(f"{x:.12g}"))


def _dur(seconds: float) -> str:
    return format_duration(seconds)


def contract_selector(model: Any) -> str:
    return presets.get("mlmon").selector(model.id, model.serving.match)


def _dashboard(model: Any) -> str:
    return f"/d/{C.grafana_uid('model', model.id)}"


def _parse(ctx: CompileContext, raw: dict, key: str, default: str | None) -> tuple[float | None, bool]:
    text = raw.get(key, default)
    if text is None:
        return None, True
    try:
        return parse_duration(text), True
    except ValueError as exc:
        ctx.error((key,), "MLM203", str(exc))
        return None, False


def change_event_expr(model: Any, v: Versions) -> str:
    """Series {version, stage} present while a version is new (seen now, not in the window before)."""
    sel = contract_selector(model)
    e = _dur(v.change_event_for)
    return (
        f"max by ({C.L_VERSION}, stage) ({C.MODEL_INFO}{{{sel}}})\n"
        f"unless on ({C.L_VERSION})\n"
        f"max by ({C.L_VERSION}) (max_over_time({C.MODEL_INFO}{{{sel}}}[{e}] offset {e}))"
    )


def annotations(model: Any, spec: Any) -> list[tuple[str, str]]:
    """Grafana annotation queries (name, PromQL) for the model dashboard: deployments."""
    v = model.section(VERSIONS_KEY) or Versions()
    return [("Deployments", change_event_expr(model, v))]


class VersionsMonitor:
    key = VERSIONS_KEY
    title = "Model versions and staleness"

    def schema(self) -> dict | None:
        return S.obj(
            {
                "stale_after": S.duration("warning when the current version was trained longer ago than this (reads mlmon_model_trained_timestamp_seconds); also the staleness retraining trigger (default 30d there)"),
                "change_event_for": S.duration("how long the version-change event alert stays firing after a new version appears", "15m"),
                "previous_lookback": S.duration("how far back the previous version is searched for the version-regression alert", "14d"),
            },
            (),
            "Version info, deployment events and staleness (always on; this only tunes it)",
        )

    def compile(self, raw: Any, ctx: CompileContext) -> Versions | None:
        raw = raw or {}
        stale, ok1 = _parse(ctx, raw, "stale_after", None)
        event, ok2 = _parse(ctx, raw, "change_event_for", "15m")
        lookback, ok3 = _parse(ctx, raw, "previous_lookback", "14d")
        if not (ok1 and ok2 and ok3):
            return None
        if event < 2 * ctx.evaluation_interval:
            ctx.error(("change_event_for",), "MLM207", f"change_event_for {_dur(event)} is shorter than two rule evaluations ({_dur(2 * ctx.evaluation_interval)}); the event would be missed")
            return None
        if lookback < event:
            ctx.error(("previous_lookback",), "MLM210", f"previous_lookback {_dur(lookback)} is shorter than change_event_for {_dur(event)}")
            return None
        return Versions(stale, event, lookback)

    def alert_labels(self, model: Any, check: str, severity: str) -> dict[str, str]:
        labels = dict(model.labels)
        labels.update({C.L_MODEL: model.id, C.L_TEAM: model.team, C.L_SEVERITY: severity, C.L_MONITOR: VERSIONS_KEY, C.L_CHECK: check})
        return labels

    def rule_groups(self, model: Any, spec: Any) -> Sequence[RuleGroup]:
        v: Versions | None = model.section(self.key)
        if v is None:
            return ()
        sel = contract_selector(model)
        m = f'{C.L_MODEL}="{model.id}"'
        lab = {C.L_MODEL: model.id}
        res = max(60.0, min(3600.0, round(v.previous_lookback / 24 / 60) * 60.0))
        lb = f"{_dur(v.previous_lookback)}:{_dur(res)}"  # subquery: cheap lookback (336 points for 14d)
        t = f"{C.VERSION_TRAINED}{{{m}}}"
        seen = f"last_over_time({t}[{lb}])"
        rules: list = [
            RecordingRule(C.VERSION_TRAINED, f"max by ({C.L_VERSION}) ({C.MODEL_TRAINED_TIMESTAMP}{{{sel}}})", lab),
            RecordingRule(C.VERSION_CURRENT, f"0 * (\n  {t}\n  == on ({C.L_MODEL}) group_left\n  max by ({C.L_MODEL}) ({t})\n) + 1", lab),
            RecordingRule(
                C.VERSION_PREVIOUS,
                f"0 * (\n  {seen}\n  == on ({C.L_MODEL}) group_left\n  max by ({C.L_MODEL}) (\n    {seen}\n    < on ({C.L_MODEL}) group_left\n    max by ({C.L_MODEL}) ({t})\n  )\n) + 1",
                lab,
            ),
            RecordingRule(C.VERSION_AGE, f"time() - max by ({C.L_MODEL}) ({t})", lab),
            AlertRule(
                C.ALERT_VERSION_CHANGED, change_event_expr(model, v), None, self.alert_labels(model, "version", C.SEVERITY_INFO),
                {
                    "summary": f"{model.id}: version {{{{ $labels.version }}}} ({{{{ $labels.stage }}}}) is now served",
                    "description": (
                        f"mlmon_model_info of {model.id} shows a version that was not served {_dur(v.change_event_for)} earlier. "
                        "This event resolves by itself; watch the version-regression and performance alerts once labels arrive."
                    ),
                    "dashboard": _dashboard(model),
                },
            ),
        ]  # fmt: skip
        if v.stale_after is not None:
            rules.append(AlertRule(
                C.ALERT_MODEL_STALE, f"{C.VERSION_AGE}{{{m}}} > {_num(v.stale_after)}", None, self.alert_labels(model, "staleness", C.SEVERITY_TICKET),
                {
                    "summary": f"{model.id}: the served version was trained {{{{ $value | humanizeDuration }}}} ago (limit {_dur(v.stale_after)})",
                    "description": f"The newest served version of {model.id} is older than stale_after ({_dur(v.stale_after)}). Retrain on recent data or raise the limit.",
                    "dashboard": _dashboard(model),
                },
            ))  # fmt: skip
            rules.append(AlertRule(
                C.ALERT_VERSION_INFO_MISSING, f"absent({C.MODEL_TRAINED_TIMESTAMP}{{{sel}}})", "1h", self.alert_labels(model, "version_info", C.SEVERITY_TICKET),
                {
                    "summary": f"{model.id}: {C.MODEL_TRAINED_TIMESTAMP} is missing, so staleness cannot be checked",
                    "description": f"stale_after is set for {model.id} but the model exports no training timestamp. Call ModelMonitor.set_trained() (or export the gauge).",
                    "dashboard": _dashboard(model),
                },
            ))  # fmt: skip
        return (RuleGroup(f"mlmon-{model.id}-versions", tuple(rules)),)

    def rule_tests(self, model: Any, spec: Any, alerts: Sequence[AlertRule] = ()) -> Sequence[RuleTest]:
        from mlmon.monitors import versions_tests

        v = model.section(self.key)
        return versions_tests.versions_tests(self, model, v) if v is not None else ()

    def dashboard_rows(self, model: Any, spec: Any) -> Sequence[Row]:
        v: Versions | None = model.section(self.key)
        if v is None:
            return ()
        sel = contract_selector(model)
        m = f'{C.L_MODEL}="{model.id}"'
        age_thr = (Threshold(None, "green"), Threshold(v.stale_after, "orange")) if v.stale_after else ()
        panels = [
            Panel(
                "Served versions", "table", (Target(f"max by ({C.L_VERSION}, stage) ({C.MODEL_INFO}{{{sel}}})", "", True),), width=8, height=6,
                description=f"Versions {C.MODEL_INFO} reports now, with their stage. The newest-trained one is the current version.",
            ),
            Panel(
                "Current version age", "stat", (Target(f"{C.VERSION_AGE}{{{m}}}", "age", True),), unit="s", width=4, height=6,
                description="Time since the current version was trained." + (f" Stale after {_dur(v.stale_after)}." if v.stale_after else ""),
                thresholds=age_thr,
            ),
            Panel(
                "Versions serving over time", "timeseries", (Target(f"count by ({C.L_VERSION}) ({C.MODEL_INFO}{{{sel}}})", "{{version}}"),),
                width=12, height=6, description="Replicas reporting each version; deployments are also shown as annotations.",
            ),
        ]  # fmt: skip
        perf = model.section("performance")
        if perf is not None:
            from mlmon.monitors.quality import metric_name

            metric = perf.watched[0]
            panels.append(Panel(
                f"{metric} by version", "timeseries",
                (Target(f"{metric_name(metric, True)}{{{m}}}", "{{version}}" + (" {{class}}" if perf.per_class(metric) else "")),),
                unit="percentunit", min=0, max=1, width=24, height=6,
                description="Per-version figures; the version-regression alert compares the current version with the previous one.",
            ))  # fmt: skip
        return (Row("Versions", tuple(panels)),)

    def fleet_panels(self, spec: Any) -> Sequence[Panel]:
        return (
            Panel("Served versions by model", "table", (Target(f"max by ({C.L_MODEL}, {C.L_VERSION}, stage) ({C.MODEL_INFO})", "", True),), width=12, height=8),
            Panel("Current version age by model", "bargauge", (Target(C.VERSION_AGE, "{{model}}", True),), unit="s", width=12, height=8),
        )

    def annotations(self, model: Any, spec: Any) -> list[tuple[str, str]]:
        return annotations(model, spec)


class RetrainingMonitor:
    key = RETRAINING_KEY
    title = "Retraining triggers"
    depends_on = ("drift", "versions", "performance")

    def schema(self) -> dict | None:
        return S.obj(
            {
                "triggers": S.array(S.enum(list(REASONS), "reason"), "what triggers retraining (default: all three)", uniqueItems=True, minItems=1),
                "drift_level": S.enum(["warn", "critical"], "a feature whose drift score reaches this level triggers (drift section)", "critical"),
                "performance_level": S.enum(["warning", "critical"], "a metric worse than its warning (min/max) or critical level triggers (performance section)", "warning"),
                "for": S.duration("the condition must hold this long before retraining is requested", "1h"),
            },
            (),
            "Retraining triggers: MLModelRetrainingTriggered{reason, action=retrain} to the team's retraining webhook",
        )

    def compile(self, raw: Any, ctx: CompileContext) -> Retraining | None:
        if raw is None:
            return None
        f, ok = _parse(ctx, raw, "for", "1h")
        if not ok:
            return None
        triggers = tuple(r for r in REASONS if r in set(raw.get("triggers", REASONS)))
        return Retraining(triggers, raw.get("drift_level", "critical"), raw.get("performance_level", "warning"), f)

    def labels(self, model: Any, reason: str) -> dict[str, str]:
        labels = dict(model.labels)
        labels.update({
            C.L_MODEL: model.id, C.L_TEAM: model.team, C.L_SEVERITY: C.SEVERITY_TICKET, C.L_MONITOR: RETRAINING_KEY,
            C.L_CHECK: reason, C.L_REASON: reason, C.L_ACTION: C.ACTION_RETRAIN,
        })  # fmt: skip
        return labels

    def trigger_exprs(self, model: Any, r: Retraining) -> dict[str, str]:
        """reason -> PromQL (a {model} series while the trigger condition holds)."""
        m = f'{C.L_MODEL}="{model.id}"'
        out: dict[str, str] = {}
        if "drift" in r.triggers and model.section("drift") is not None:
            thr = C.DRIFT_FEATURE_CRITICAL if r.drift_level == "critical" else C.DRIFT_FEATURE_WARN
            out["drift"] = f"count by ({C.L_MODEL}) (\n  {C.DRIFT_FEATURE_SCORE}{{{m}}}\n  >= on ({C.L_MODEL}, feature)\n  {thr}{{{m}}}\n)"
        perf = model.section("performance")
        if "performance" in r.triggers and perf is not None:
            from mlmon.monitors.quality import LOWER_IS_BETTER, metric_name

            parts = []
            for metric in perf.metrics:
                warn, crit = perf.thresholds(metric)
                bound = crit if r.performance_level == "critical" else warn
                if bound is None:
                    continue
                op = ">" if metric in LOWER_IS_BETTER else "<"
                parts.append(f'label_replace({metric_name(metric)}{{{m}}} {op} {_num(bound)}, "metric", "{metric}", "", "")')
            if parts:
                out["performance"] = f"count by ({C.L_MODEL}) (\n  " + "\n  or\n  ".join(parts) + "\n)"
        if "staleness" in r.triggers:
            v = model.section(VERSIONS_KEY)
            stale = (v.stale_after if v is not None else None) or DEFAULT_STALE_FOR_RETRAINING
            # inline (not mlmon_version:age:seconds) so the value does not lag one evaluation behind
            out["staleness"] = f"time() - max({C.MODEL_TRAINED_TIMESTAMP}{{{contract_selector(model)}}}) > {_num(stale)}"
        return out

    def rule_groups(self, model: Any, spec: Any) -> Sequence[RuleGroup]:
        r: Retraining | None = model.section(self.key)
        if r is None:
            return ()
        rules = []
        what = {
            "drift": "input drift reached its " + r.drift_level + " level on {{ $value }} feature(s)",
            "performance": "{{ $value }} performance metric(s) are worse than their " + r.performance_level + " level",
            "staleness": "the served version is {{ $value | humanizeDuration }} old",
        }
        for reason, expr in self.trigger_exprs(model, r).items():
            rules.append(AlertRule(
                C.ALERT_RETRAIN, expr, _dur(r.for_), self.labels(model, reason),
                {
                    "summary": f"{model.id}: retraining triggered ({reason}): {what[reason]}",
                    "description": (
                        f"mlmon asks the retraining pipeline of {model.id} to retrain (reason: {reason}; the condition held for {_dur(r.for_)}). "
                        "The alert goes to the team's retraining webhook; Alertmanager's grouping and repeat_interval keep it from re-triggering more often."
                    ),
                    "dashboard": _dashboard(model),
                },
            ))  # fmt: skip
        if not rules:
            return ()
        return (RuleGroup(f"mlmon-{model.id}-retraining", tuple(rules)),)

    def rule_tests(self, model: Any, spec: Any, alerts: Sequence[AlertRule] = ()) -> Sequence[RuleTest]:
        from mlmon.monitors import versions_tests

        r = model.section(self.key)
        return versions_tests.retraining_tests(self, model, r) if r is not None else ()

    def dashboard_rows(self, model: Any, spec: Any) -> Sequence[Row]:
        return ()

    def fleet_panels(self, spec: Any) -> Sequence[Panel]:
        return ()


MONITOR = VersionsMonitor()
RETRAINING = RetrainingMonitor()
