"""Fairness and compliance: selection rate per group, demographic parity (difference and ratio),
equal opportunity (TPR difference) from per-group outcome counters.

Spec (per model, ``fairness:``)::

    fairness:
      group_label: region            # the label of mlmon_predictions_total / mlmon_outcomes_total holding the group
      window: 1d                     # counting window (default 1d)
      min_samples: 100               # decisions a group needs in the window to be assessed
      demographic_parity: {min_ratio: 0.8, max_difference: 0.1}
      equal_opportunity: {max_difference: 0.1, window: 7d, min_positives: 30}
      groups: [eu, us, apac]         # optional: groups that must be present
      severity: ticket               # or page
      for: 1h

Without a ``fairness`` section nothing is generated (mlmon cannot know the protected attribute).

Metrics: decisions are ``mlmon_predictions_total`` series that carry the group label and
``positive="true"|"false"`` (the model's decision at its serving threshold); equal opportunity
reads ``mlmon_outcomes_total{outcome="tp"|"fn"}`` with the same group label (labels joined later).

Definitions follow Fairlearn (``between_groups``): demographic-parity difference = max - min of
the per-group selection rates (0 = parity), ratio = min / max (1 = parity); equal-opportunity
difference = max - min of the per-group true-positive rates. Only groups with at least
``min_samples`` decisions (``min_positives`` actual positives for TPR) in the window take part, and
at least two groups must; otherwise ``MLModelFairnessLowSamples`` fires instead (an unassessable
model is not a fair one). The ratio threshold 0.8 is the "four-fifths rule", a screening
convention from US employment guidance, not a legal test and often wrong for a given use: set it
deliberately (Fairlearn's documentation warns the same).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from mlmon import conventions as C
from mlmon.artifacts import AlertCheck, AlertRule, ExpAlert, Panel, RecordingRule, Row, RuleGroup, RuleTest, Target, Threshold
from mlmon.compiler.context import CompileContext
from mlmon.monitors.testkit import linear_counter, value_check
from mlmon.compiler import dsl as S
from mlmon.compiler.units import fmt_float, format_duration, parse_duration

KEY = "fairness"


def _num(x: float) -> str:
    return fmt_float(float(f"{x:.12g}"))


@dataclass(frozen=True)
class Fairness:
    group_label: str
    window: float
    min_samples: int
    dp_min_ratio: float | None
    dp_max_difference: float | None
    eo_max_difference: float | None
    eo_window: float
    min_positives: int
    groups: tuple[str, ...]
    severity: str
    for_: float


class FairnessMonitor:
    key = KEY
    title = "Fairness"

    def schema(self) -> dict | None:
        return S.obj(
            {
                "group_label": S.string("label of mlmon_predictions_total / mlmon_outcomes_total that holds the group (e.g. region)",
                                        pattern=S.LABEL_NAME_PATTERN),
                "window": S.duration("counting window of the selection rates", "1d"),
                "min_samples": {"type": "integer", "minimum": 1, "default": 100,
                                "description": "decisions a group needs in the window to be assessed (fewer: left out)"},
                "demographic_parity": S.obj(
                    {
                        "min_ratio": S.ratio("alert when min/max selection rate falls below this; 0.8 is the four-fifths rule of thumb, a convention not a law", 0.8),
                        "max_difference": S.ratio("alert when max-min selection rate exceeds this (off unless set)"),
                    },
                    (), "Demographic parity thresholds (selection rate = share of positive decisions)",
                ),
                "equal_opportunity": S.obj(
                    {
                        "max_difference": S.ratio("alert when max-min true-positive rate across groups exceeds this", 0.1),
                        "window": S.duration("counting window of outcomes (labels arrive late: use days)", "7d"),
                        "min_positives": {"type": "integer", "minimum": 1, "default": 30,
                                          "description": "actual positives (tp+fn) a group needs in the window to be assessed"},
                    },
                    (), "Equal opportunity from per-group outcome counters (mlmon_outcomes_total{outcome=tp|fn})",
                ),
                "groups": S.array(S.string(minLength=1), "groups that must be present with enough samples (optional)", uniqueItems=True),
                "severity": S.enum(["ticket", "page"], "alert class of fairness alerts", "ticket"),
                "for": S.duration("how long a condition must hold before alerting", "1h"),
            },
            ("group_label",),
            "Fairness across the groups of one label: demographic parity and equal opportunity",
        )

    def compile(self, raw: Any, ctx: CompileContext) -> Fairness | None:
        if raw is None:
            return None
        durs = {}
        for path, text in (
            (("window",), raw.get("window", "1d")),
            (("for",), raw.get("for", "1h")),
            (("equal_opportunity", "window"), (raw.get("equal_opportunity") or {}).get("window", "7d")),
        ):
            try:
                durs[path] = parse_duration(text)
            except ValueError as exc:
                ctx.error(path, "MLM203", str(exc))
        if len(durs) < 3:
            return None
        label = raw["group_label"]
        if label in (C.L_MODEL, C.L_VERSION, C.L_POSITIVE, "outcome", "le", "job", "instance"):
            ctx.error(("group_label",), "MLM213", f"group_label {label!r} is a label mlmon or Prometheus already uses for something else")
            return None
        dp = raw.get("demographic_parity") or {}
        eo = raw.get("equal_opportunity")
        if eo is not None and ctx.task not in ("binary_classification",):
            ctx.warning(("equal_opportunity",), "MLM213", f"equal opportunity needs binary outcome counters (tp/fn); task is {ctx.task}", key=True)
        dp_ratio = dp.get("min_ratio", 0.8)
        if dp_ratio == 0 and "max_difference" not in dp:
            ctx.warning(("demographic_parity", "min_ratio"), "MLM210", "min_ratio 0 never fires and no max_difference is set: demographic parity is not alerted on")
        window = durs[("window",)]
        if window < 4 * ctx.scrape_interval:
            ctx.error(("window",), "MLM207", f"window {format_duration(window)} is shorter than 4x the scrape interval")
            return None
        return Fairness(
            group_label=label, window=window, min_samples=int(raw.get("min_samples", 100)),
            dp_min_ratio=float(dp_ratio) if dp_ratio else None,
            dp_max_difference=float(dp["max_difference"]) if "max_difference" in dp else None,
            eo_max_difference=float(eo.get("max_difference", 0.1)) if eo is not None else None,
            eo_window=durs[("equal_opportunity", "window")], min_positives=int((eo or {}).get("min_positives", 30)),
            groups=tuple(raw.get("groups", ())), severity=C.SEVERITY_BY_CLASS[raw.get("severity", "ticket")], for_=durs[("for",)],
        )  # fmt: skip

    # --- rules ---------------------------------------------------------------------------------
    @staticmethod
    def sel(model: Any, extra: str = "") -> str:
        return f'{{{C.L_MODEL}="{model.id}"{"," + extra if extra else ""}}}'

    def _by_group(self, f: Fairness, inner: str) -> str:
        """sum by (group) of ``inner``, with the spec's group label copied into ``group``."""
        if f.group_label == C.L_GROUP:
            return f"sum by ({C.L_GROUP}) ({inner})"
        return f'sum by ({C.L_GROUP}) (\n  label_replace({inner}, "{C.L_GROUP}", "$1", "{f.group_label}", "(.*)")\n)'

    def _counter(self, model: Any, f: Fairness, metric: str, matchers: str, window: float) -> str:
        return f"increase({metric}{{{C.L_MODEL}=\"{model.id}\",{matchers},{f.group_label}!=\"\"}}[{format_duration(window)}])"

    def rule_groups(self, model: Any, spec: Any) -> Sequence[RuleGroup]:
        f: Fairness | None = model.section(self.key)
        if f is None:
            return []
        lab = {C.L_MODEL: model.id}
        s = self.sel(model)
        decided = self._by_group(f, self._counter(model, f, C.PREDICTIONS_TOTAL, f'{C.L_POSITIVE}=~"true|false"', f.window))
        positive = self._by_group(f, self._counter(model, f, C.PREDICTIONS_TOTAL, f'{C.L_POSITIVE}="true"', f.window))
        n = str(f.min_samples)
        eligible = f"{C.FAIR_SELECTION_RATE}{s} and {C.FAIR_PREDICTIONS}{s} >= {n}"
        enough = f"on() {C.FAIR_SR_GROUPS}{s} >= 2"
        rules: list = [
            RecordingRule(C.FAIR_PREDICTIONS, decided, lab),
            RecordingRule(C.FAIR_POSITIVES, f"{positive}\nor\n{decided} * 0", lab),
            RecordingRule(C.FAIR_SELECTION_RATE, f"{C.FAIR_POSITIVES}{s} / ({C.FAIR_PREDICTIONS}{s} > 0)", lab),
            RecordingRule(C.FAIR_SR_GROUPS, f"count({C.FAIR_PREDICTIONS}{s} >= {n}) or on() vector(0)", lab),
            RecordingRule(C.FAIR_DP_DIFFERENCE, f"(max({eligible}) - min({eligible}))\nand {enough}", lab),
            RecordingRule(C.FAIR_DP_RATIO, f"min({eligible}) / (max({eligible}) > 0)\nand {enough}", lab),
        ]  # fmt: skip
        if f.eo_max_difference is not None:
            tp = self._by_group(f, self._counter(model, f, C.OUTCOMES_TOTAL, 'outcome="tp"', f.eo_window))
            fn = self._by_group(f, self._counter(model, f, C.OUTCOMES_TOTAL, 'outcome="fn"', f.eo_window))
            actual = self._by_group(f, self._counter(model, f, C.OUTCOMES_TOTAL, 'outcome=~"tp|fn"', f.eo_window))
            m = str(f.min_positives)
            el = f"{C.FAIR_TPR}{s} and {C.FAIR_ACTUAL_POSITIVES}{s} >= {m}"
            rules += [
                RecordingRule(C.FAIR_ACTUAL_POSITIVES, actual, lab),
                RecordingRule(C.FAIR_TPR, f"(\n{tp}\nor\n{fn} * 0\n)\n/ ignoring({C.L_MODEL})\n({C.FAIR_ACTUAL_POSITIVES}{s} > 0)", lab),
                RecordingRule(C.FAIR_TPR_GROUPS, f"count({C.FAIR_ACTUAL_POSITIVES}{s} >= {m}) or on() vector(0)", lab),
                RecordingRule(C.FAIR_EO_DIFFERENCE, f"(max({el}) - min({el}))\nand on() {C.FAIR_TPR_GROUPS}{s} >= 2", lab),
            ]  # fmt: skip
        rules += self.alerts(model, f)
        return [RuleGroup(f"mlmon-{model.id}-fairness", tuple(rules))]

    def alert_labels(self, model: Any, f: Fairness, check: str, severity: str | None = None) -> dict[str, str]:
        labels = dict(model.labels)
        labels.update({C.L_MODEL: model.id, C.L_TEAM: model.team, C.L_SEVERITY: severity or f.severity, C.L_MONITOR: KEY, C.L_CHECK: check})
        return labels

    def _ann(self, model: Any, summary: str, description: str) -> dict[str, str]:
        return {"summary": f"{model.id}: {summary}", "description": description, "dashboard": f"/d/{C.grafana_uid('model', model.id)}"}

    def alerts(self, model: Any, f: Fairness) -> list[AlertRule]:
        s = self.sel(model)
        w = format_duration(f.window)
        fr = format_duration(f.for_)
        out = []
        if f.dp_min_ratio is not None:
            r = _num(f.dp_min_ratio)
            out.append(AlertRule(
                C.ALERT_FAIR_DP_RATIO, f"{C.FAIR_DP_RATIO}{s} < {r}", fr, self.alert_labels(model, f, "demographic_parity"),
                self._ann(
                    model, f'demographic-parity ratio {{{{ $value | printf "%.3f" }}}} across {f.group_label} is below {r}',
                    f"Over the last {w} the lowest selection rate (share of positive decisions) among the {f.group_label} groups is less "
                    f"than {r} of the highest. {r} is a screening convention (the four-fifths rule of thumb), not a legal test: "
                    "look at the per-group selection rates on the dashboard, check whether the input mix of the groups changed, "
                    "and involve the model's fairness reviewer.",
                ),
            ))  # fmt: skip
        if f.dp_max_difference is not None:
            d = _num(f.dp_max_difference)
            out.append(AlertRule(
                C.ALERT_FAIR_DP_DIFFERENCE, f"{C.FAIR_DP_DIFFERENCE}{s} > {d}", fr, self.alert_labels(model, f, "demographic_parity"),
                self._ann(
                    model, f'demographic-parity difference {{{{ $value | printf "%.3f" }}}} across {f.group_label} exceeds {d}',
                    f"Over the last {w} the selection rates of the {f.group_label} groups differ by more than {d} (highest minus lowest). "
                    "Compare the per-group selection rates on the dashboard and check the inputs of the lowest group.",
                ),
            ))  # fmt: skip
        if f.eo_max_difference is not None:
            d = _num(f.eo_max_difference)
            out.append(AlertRule(
                C.ALERT_FAIR_EO_DIFFERENCE, f"{C.FAIR_EO_DIFFERENCE}{s} > {d}", fr, self.alert_labels(model, f, "equal_opportunity"),
                self._ann(
                    model, f'equal-opportunity difference {{{{ $value | printf "%.3f" }}}} across {f.group_label} exceeds {d}',
                    f"Over the last {format_duration(f.eo_window)} of joined labels, the true-positive rates of the {f.group_label} groups "
                    f"differ by more than {d}: the model misses qualified cases of one group more often. Check the per-group TPR panel.",
                ),
            ))  # fmt: skip
        out.append(AlertRule(
            C.ALERT_FAIR_LOW_SAMPLES, f"{C.FAIR_SR_GROUPS}{s} < 2", fr, self.alert_labels(model, f, "demographic_parity", C.SEVERITY_TICKET),
            self._ann(
                model, f"fewer than 2 {f.group_label} groups have {f.min_samples} decisions in {w}: fairness cannot be assessed",
                f"Demographic parity needs at least two groups with {f.min_samples} decisions (mlmon_predictions_total with "
                f"labels {f.group_label} and positive) in the last {w}. The counters are missing, lack the labels, or traffic is too "
                "low; fairness alerts cannot fire until this is fixed (lower min_samples or lengthen the window for low traffic).",
            ),
        ))  # fmt: skip
        if f.groups:
            parts = [f'{C.FAIR_PREDICTIONS}{{{C.L_MODEL}="{model.id}",{C.L_GROUP}=~"{"|".join(_re(g) for g in f.groups)}"}} < {f.min_samples}']
            parts += [f'absent({C.FAIR_PREDICTIONS}{{{C.L_MODEL}="{model.id}",{C.L_GROUP}="{g}"}})' for g in f.groups]
            out.append(AlertRule(
                C.ALERT_FAIR_LOW_SAMPLES, "\nor\n".join(parts), fr, self.alert_labels(model, f, "groups", C.SEVERITY_TICKET),
                self._ann(
                    model, f"{f.group_label} group {{{{ $labels.group }}}} has fewer than {f.min_samples} decisions in {w}",
                    "The group is listed in fairness.groups but is missing or too small to assess, so its treatment is not checked.",
                ),
            ))  # fmt: skip
        if f.eo_max_difference is not None:
            out.append(AlertRule(
                C.ALERT_FAIR_LOW_SAMPLES, f"{C.FAIR_TPR_GROUPS}{s} < 2", fr, self.alert_labels(model, f, "equal_opportunity", C.SEVERITY_TICKET),
                self._ann(
                    model, f"fewer than 2 {f.group_label} groups have {f.min_positives} labelled positives in {format_duration(f.eo_window)}",
                    "Equal opportunity needs outcome counters (mlmon_outcomes_total{outcome=tp|fn}) with the group label and enough "
                    "actual positives per group. Check the label join and its delay.",
                ),
            ))  # fmt: skip
        return out

    # --- rule tests -------------------------------------------------------------------------
    def rule_tests(self, model: Any, spec: Any, alerts: Sequence[AlertRule] = ()) -> Sequence[RuleTest]:
        f: Fairness | None = model.section(self.key)
        if f is None:
            return []
        return FairnessTests(self, model, f).all()

    # --- dashboards -----------------------------------------------------------------------------
    def dashboard_rows(self, model: Any, spec: Any) -> Sequence[Row]:
        f: Fairness | None = model.section(self.key)
        if f is None:
            return []
        s = self.sel(model)
        w = format_duration(f.window)
        panels = [
            Panel(f"Selection rate by {f.group_label} ({w})", "bargauge", (Target(f"{C.FAIR_SELECTION_RATE}{s}", "{{group}}", True),),
                  unit="percentunit", min=0, max=1, width=8, height=8,
                  description=f"Share of positive decisions per group over {w}. Groups with fewer than {f.min_samples} decisions are left out of the parity metrics."),
            Panel("Demographic-parity ratio (min/max)", "stat", (Target(f"{C.FAIR_DP_RATIO}{s}", "ratio", True),), unit="short", decimals=3,
                  width=4, height=8, min=0, max=1,
                  description="1 = equal selection rates. The alert threshold is a convention (four-fifths rule of thumb), not a law.",
                  thresholds=(Threshold(None, "red"), Threshold(f.dp_min_ratio or 0.8, "green"))),
            Panel("Demographic-parity difference (max-min)", "stat", (Target(f"{C.FAIR_DP_DIFFERENCE}{s}", "difference", True),), unit="short",
                  decimals=3, width=4, height=8,
                  thresholds=(Threshold(None, "green"),) + ((Threshold(f.dp_max_difference, "red"),) if f.dp_max_difference is not None else ())),
            Panel(f"Decisions by {f.group_label} ({w})", "table", (Target(f"{C.FAIR_PREDICTIONS}{s}", "{{group}}", True),), unit="short",
                  decimals=0, width=8, height=8),
            Panel("Demographic parity over time", "timeseries",
                  (Target(f"{C.FAIR_DP_RATIO}{s}", "ratio"), Target(f"{C.FAIR_DP_DIFFERENCE}{s}", "difference")), unit="short", width=12, height=8),
            Panel(f"Selection rate by {f.group_label} over time", "timeseries", (Target(f"{C.FAIR_SELECTION_RATE}{s}", "{{group}}"),),
                  unit="percentunit", width=12, height=8),
        ]  # fmt: skip
        if f.eo_max_difference is not None:
            panels += [
                Panel(f"True-positive rate by {f.group_label} ({format_duration(f.eo_window)})", "bargauge",
                      (Target(f"{C.FAIR_TPR}{s}", "{{group}}", True),), unit="percentunit", min=0, max=1, width=12, height=8),
                Panel("Equal-opportunity difference (max-min TPR)", "timeseries", (Target(f"{C.FAIR_EO_DIFFERENCE}{s}", "difference"),),
                      unit="short", width=12, height=8, thresholds=(Threshold(None, "green"), Threshold(f.eo_max_difference, "red"))),
            ]  # fmt: skip
        return [Row(f"Fairness across {f.group_label}", tuple(panels))]

    def fleet_panels(self, spec: Any) -> Sequence[Panel]:
        return ()


def _re(value: str) -> str:
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


# --- rule tests ------------------------------------------------------------------------------
class FairnessTests:
    """Counters grow linearly from 0 at t=0, so increase() over the window is exactly the count
    since 0 (no extrapolation while t < window) and every expected value is computed here from
    the per-minute increments."""

    def __init__(self, mon: FairnessMonitor, model: Any, f: Fairness):
        self.mon, self.model, self.f = mon, model, f
        self.form = int(f.for_ // 60)

    def decisions(self, groups: dict[str, tuple[float, float]], n: int) -> list[tuple[str, str]]:
        """groups: name -> (decisions per minute, selection rate)."""
        f, mid = self.f, self.model.id
        out = []
        for g, (per_min, sr) in sorted(groups.items()):
            lab = f'{C.L_MODEL}="{mid}",{f.group_label}="{g}"'
            out.append((f'{C.PREDICTIONS_TOTAL}{{{lab},{C.L_POSITIVE}="true"}}', linear_counter(per_min * sr, n)))
            out.append((f'{C.PREDICTIONS_TOTAL}{{{lab},{C.L_POSITIVE}="false"}}', linear_counter(per_min * (1 - sr), n)))
        return out

    def outcomes(self, groups: dict[str, tuple[float, float]], n: int) -> list[tuple[str, str]]:
        """groups: name -> (actual positives per minute, TPR)."""
        f, mid = self.f, self.model.id
        out = []
        for g, (per_min, tpr) in sorted(groups.items()):
            lab = f'{C.L_MODEL}="{mid}",{f.group_label}="{g}"'
            out.append((f'{C.OUTCOMES_TOTAL}{{{lab},outcome="tp"}}', linear_counter(per_min * tpr, n)))
            out.append((f'{C.OUTCOMES_TOTAL}{{{lab},outcome="fn"}}', linear_counter(per_min * (1 - tpr), n)))
            out.append((f'{C.OUTCOMES_TOTAL}{{{lab},outcome="tn"}}', linear_counter(per_min * 2, n)))
        return out

    def _labels(self, check: str, severity: str | None = None) -> dict[str, str]:
        return self.mon.alert_labels(self.model, self.f, check, severity)

    def _ann(self, alert: str, check: str, value: float | None) -> dict[str, str]:
        for r in self.mon.alerts(self.model, self.f):
            if r.alert == alert and r.labels[C.L_CHECK] == check:
                out = dict(r.annotations)
                if value is not None:
                    out = {k: v.replace('{{ $value | printf "%.3f" }}', "%.3f" % value) for k, v in out.items()}
                return out
        raise KeyError(alert)

    def groups_for(self, rates: tuple[float, ...]) -> dict[str, tuple[float, float]]:
        """Named groups (the spec's listed groups first) with enough decisions per minute to pass
        min_samples after a third of the run."""
        names = list(self.f.groups) + [g for g in ("g1", "g2", "g3") if g not in self.f.groups]
        rates = rates + (rates[1],) * (len(names) - len(rates))  # listed groups beyond the third: the middle rate
        per_min = max(10.0, float(self.f.min_samples) / 10)
        return {names[i]: (per_min, r) for i, r in enumerate(rates) if i < len(names)}

    def all(self) -> list[RuleTest]:
        return [self.healthy(), self.disparity(), self.low_samples(), self.no_series()]

    def _low_sample_alerts(self, absent_groups: bool) -> tuple[ExpAlert, ...]:
        f = self.f
        exp = [ExpAlert(self._labels("demographic_parity", C.SEVERITY_TICKET), self._ann(C.ALERT_FAIR_LOW_SAMPLES, "demographic_parity", None))]
        for g in f.groups:
            lab = self._labels("groups", C.SEVERITY_TICKET)
            lab[C.L_GROUP] = g
            exp.append(ExpAlert(lab, {k: v.replace("{{ $labels.group }}", g) for k, v in self._ann(C.ALERT_FAIR_LOW_SAMPLES, "groups", None).items()}))
        if f.eo_max_difference is not None:
            exp.append(ExpAlert(self._labels("equal_opportunity", C.SEVERITY_TICKET), self._ann(C.ALERT_FAIR_LOW_SAMPLES, "equal_opportunity", None)))
        return tuple(exp)

    def no_series(self) -> RuleTest:
        n = self.form + 2
        return RuleTest(
            f"{self.model.id}/fairness: no decision counters at all: the low-sample alert fires after {format_duration(self.f.for_)}",
            "1m", (), (AlertCheck(f"{n}m", C.ALERT_FAIR_LOW_SAMPLES, self._low_sample_alerts(True)),),
        )  # fmt: skip

    def healthy(self) -> RuleTest:
        f = self.f
        n = self.form + 30
        lo = 0.30 * (1 + (f.dp_min_ratio or 0.8)) / 2  # ratio halfway between the threshold and parity
        if f.dp_max_difference is not None:
            lo = max(lo, 0.30 - f.dp_max_difference / 2)
        rates = (0.30, round((0.30 + lo) / 2, 6), round(lo, 6))
        groups = self.groups_for(rates)
        # a tiny group far below min_samples with a very low rate: left out, or the ratio would alert
        tiny = "tiny-group" if "tiny-group" not in groups else "tiny-group-2"
        tiny_per_min = max(0.001, (f.min_samples - 1) / (n * 2.0))
        series = self.decisions(groups, n) + self.decisions({tiny: (tiny_per_min, 0.02)}, n)
        t = n
        srs = {g: (pm * sr * t) / (pm * t) for g, (pm, sr) in groups.items()}
        srs[tiny] = (tiny_per_min * 0.02 * t) / (tiny_per_min * t)
        assessed = [srs[g] for g in groups]
        mid = self.model.id
        ev = f"{t}m"
        checks = [value_check(C.FAIR_SELECTION_RATE, f'{C.L_GROUP}="{g}",{C.L_MODEL}="{mid}"', ev, v) for g, v in sorted(srs.items())]
        checks += [
            value_check(C.FAIR_DP_DIFFERENCE, f'{C.L_MODEL}="{mid}"', ev, max(assessed) - min(assessed)),
            value_check(C.FAIR_DP_RATIO, f'{C.L_MODEL}="{mid}"', ev, min(assessed) / max(assessed)),
            value_check(C.FAIR_SR_GROUPS, f'{C.L_MODEL}="{mid}"', ev, float(len(assessed))),
        ]
        eo_ok = None
        if f.eo_max_difference is not None:
            spread = min(0.05, f.eo_max_difference / 2)
            tprs = {g: 0.9 - spread * i / max(1, len(groups) - 1) for i, g in enumerate(groups)}
            pos_per_min = max(2.0, f.min_positives / 10)
            series += self.outcomes({g: (pos_per_min, v) for g, v in tprs.items()}, n)
            checks += [value_check(C.FAIR_TPR, f'{C.L_GROUP}="{g}",{C.L_MODEL}="{mid}"', ev, v) for g, v in sorted(tprs.items())]
            eo_ok = max(tprs.values()) - min(tprs.values())
            checks.append(value_check(C.FAIR_EO_DIFFERENCE, f'{C.L_MODEL}="{mid}"', ev, eo_ok))
        alerts = sorted({r.alert for r in self.mon.alerts(self.model, f)})
        return RuleTest(
            f"{mid}/fairness: selection rates {', '.join(_num(r) for r in rates)} (a tiny group at 0.02 below min_samples is left out): exact rates, nothing fires",
            "1m", tuple(series), tuple(AlertCheck(ev, a, ()) for a in alerts), tuple(checks),
        )  # fmt: skip

    def disparity(self) -> RuleTest:
        """One group's selection rate (and TPR) far below the others: the parity alerts fire after ``for``."""
        f = self.f
        lo = 0.30 * (f.dp_min_ratio or 0.8) * 0.8
        if f.dp_max_difference is not None:
            lo = min(lo, 0.30 - f.dp_max_difference * 1.5)
        lo = max(lo, 0.001)
        groups = self.groups_for((0.30, 0.28, lo))
        per_min = next(iter(groups.values()))[0]
        gate = int(-(-f.min_samples // per_min))  # minutes until a group has min_samples decisions
        n = gate + self.form + 10
        series = self.decisions(groups, n)
        ratio = (per_min * lo * n) / (per_min * n) / 0.30
        diff = 0.30 - (per_min * lo * n) / (per_min * n)
        quiet = f"{max(1, gate - 2)}m"
        checks = []
        if f.dp_min_ratio is not None:
            exp = ExpAlert(self._labels("demographic_parity"), self._ann(C.ALERT_FAIR_DP_RATIO, "demographic_parity", ratio))
            checks += [AlertCheck(quiet, C.ALERT_FAIR_DP_RATIO, ()), AlertCheck(f"{n}m", C.ALERT_FAIR_DP_RATIO, (exp,))]
        if f.dp_max_difference is not None:
            exp = ExpAlert(self._labels("demographic_parity"), self._ann(C.ALERT_FAIR_DP_DIFFERENCE, "demographic_parity", diff))
            checks += [AlertCheck(quiet, C.ALERT_FAIR_DP_DIFFERENCE, ()), AlertCheck(f"{n}m", C.ALERT_FAIR_DP_DIFFERENCE, (exp,))]
        if f.eo_max_difference is not None:
            pos_per_min = max(2.0, f.min_positives / 10)
            tlo = max(0.0, 0.9 - f.eo_max_difference * 2)
            series += self.outcomes({g: (pos_per_min, 0.9 if i < 2 else tlo) for i, g in enumerate(groups)}, n)
            egate = int(-(-f.min_positives // pos_per_min))
            if egate + self.form + 2 <= n:
                exp = ExpAlert(self._labels("equal_opportunity"), self._ann(C.ALERT_FAIR_EO_DIFFERENCE, "equal_opportunity", 0.9 - tlo))
                checks += [AlertCheck(f"{n}m", C.ALERT_FAIR_EO_DIFFERENCE, (exp,))]
        checks.append(AlertCheck(f"{n}m", C.ALERT_FAIR_LOW_SAMPLES, ()))
        return RuleTest(
            f"{self.model.id}/fairness: one group selected at {_num(round(lo, 4))} vs 0.30: the parity alerts fire after {format_duration(f.for_)}",
            "1m", tuple(series), tuple(checks),
        )  # fmt: skip

    def low_samples(self) -> RuleTest:
        """Every group below min_samples, and no series at all: the low-sample alert fires, the
        parity alerts stay quiet (their inputs are absent)."""
        f = self.f
        n = self.form + 10
        per_min = (f.min_samples - 1) / (n * 3.0)
        groups = {g: (per_min, 0.3 if i else 0.01) for i, g in enumerate(self.groups_for((0.3, 0.3, 0.3)))}
        series = self.decisions(groups, n)
        checks = [AlertCheck(f"{n}m", C.ALERT_FAIR_LOW_SAMPLES, self._low_sample_alerts(False))]
        defined = {r.alert for r in self.mon.alerts(self.model, f)}
        for a in (C.ALERT_FAIR_DP_RATIO, C.ALERT_FAIR_DP_DIFFERENCE, C.ALERT_FAIR_EO_DIFFERENCE):
            if a in defined:  # only alerts the rule file defines (else promtool passes vacuously)
                checks.append(AlertCheck(f"{n}m", a, ()))
        return RuleTest(
            f"{self.model.id}/fairness: every group below {f.min_samples} decisions (one at 0.01): low-sample alert, no parity alert",
            "1m", tuple(series), tuple(checks),
        )  # fmt: skip


MONITOR = FairnessMonitor()
