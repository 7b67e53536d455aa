"""promtool cases of the metrics of ``monitors.delayed`` (regression, ranking), from synthetic
labelled traffic a monitor supplies (``Traffic``): its counters for one version at one quality
level, and the metric values the rules compute from one window of it.

Cases: exact values on healthy traffic (nothing fires); traffic worse than every level (each
level alert fires per metric and severity); a newer version worse than the previous one by more
than the margin (fires) and an equally good one (quiet); a version worse than its training
figures by more than the margin (fires) and within it (quiet); labels due but no task counters,
and no contract series at all (the no-data alert fires, every other alert stays quiet).

Counters grow by the same increment every step from 0 and windows hold whole steps, so
``increase()`` needs no extrapolation and the expected values use the PromQL's float operations.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from mlmon import conventions as C
from mlmon.artifacts import AlertCheck, AlertRule, ExpAlert, ExprCheck, RuleTest, Sample
from mlmon.compiler.units import fmt_float
from mlmon.monitors import delayed as D
from mlmon.monitors.quality import V1, V2, Timing, base_labels, info_series, label_series, trained_series, windows_timing
from mlmon.monitors.testkit import at, exp_alert, series

Values = Mapping[str, float | None]  # metric -> value over one window (None: absent)


class Traffic(Protocol):
    """Synthetic labelled traffic of one monitor. ``q`` is its quality knob (its own meaning)."""

    steps: int  # input steps per window

    def counters(self, model: Any, version: str, q: float, n: int) -> list[tuple[str, str]]: ...

    def values(self, q: float) -> Values: ...

    def labelled(self) -> int: ...  # labelled predictions per step

    def healthy(self) -> float: ...

    def low(self) -> float: ...

    def worse(self, q: float, factor: float) -> float: ...  # a level whose metrics are at least `factor` x the margin worse

    def training(self) -> float: ...  # the level of the training cases (figures a margin better stay plausible)


def timing(window: float, delay: float, for_: float) -> Timing:
    """Input step and evaluation interval of a section's cases (see ``quality.Timing``)."""
    return windows_timing(window, delay, for_)


def exact_counter(inc: float, n: int) -> str:
    """A counter from 0 growing by ``inc`` for ``n`` steps, ``inc`` written exactly (promtool reads
    exponent notation): with ``inc`` a binary fraction of few bits every sample is exact."""
    text = fmt_float(inc) if "e" not in repr(float(inc)) else repr(float(inc))
    return f"0+{text}x{n}"


def better(kind: D.Kind, metric: str, value: float, margin: float, factor: float) -> float:
    """A reference ``factor`` x ``margin`` better than ``value`` (so ``value`` is that much worse)."""
    lower = D.lower_is_better(metric)
    if kind.relative:
        return value / (1 + factor * margin) if lower else value / (1 - factor * margin)
    return value - factor * margin if lower else value + factor * margin


class Cases:
    def __init__(self, kind: D.Kind, model: Any, s: Any, traffic: Traffic, rules: Sequence[AlertRule]):
        self.kind, self.model, self.s, self.tr, self.rules = kind, model, s, traffic, rules
        self.t = timing(s.window, s.labels_delay, s.for_)
        t = self.t
        self.t_full = t.up(t.W + t.D)
        self.t_quiet = t.up(t.W + t.D + t.F + t.unit)
        self.total = t.n(self.t_quiet) + 1
        self.preds = max(traffic.labelled(), math.ceil(s.min_samples / max(1, t.n(t.W))))
        self.q_h = traffic.healthy()
        self.names = [kind.alert_level, kind.alert_version, kind.alert_training, kind.alert_nodata]

    def _has(self, alert: str) -> bool:
        return any(r.alert == alert for r in self.rules)

    def quiet(self, t: int, *but: str) -> list[AlertCheck]:
        return [AlertCheck(at(t), a) for a in self.names if a not in but and self._has(a)]

    def exp(self, alert: str, metric: str, value: float | None, severity: str = C.SEVERITY_TICKET, **extra: str) -> ExpAlert:
        return exp_alert(self.rules, alert, {**D.labels(self.kind, self.model, metric, severity), **extra}, value)

    def versions(self, trained: list[tuple[str, float]], n: int) -> list[tuple[str, str]]:
        return [x for v, ts in trained for x in (info_series(self.model, v, f"1x{n}"), trained_series(self.model, v, f"{fmt_float(ts)}x{n}"))]

    def traffic(self, version: str, q: float, n: int) -> list[tuple[str, str]]:
        return self.tr.counters(self.model, version, q, n) + label_series(self.model, version, [(self.preds, n)], None)

    # --- the cases ----------------------------------------------------------------------------------
    def healthy(self) -> RuleTest:
        model, s, q = self.model, self.s, self.q_h
        vals = self.tr.values(q)
        checks = []
        for metric in s.metrics:
            for version in (False, True):
                name = self.kind.series(metric, version)
                v = vals.get(metric)
                got = (Sample(series(name, {C.L_MODEL: model.id, **({C.L_VERSION: V1} if version else {})}), v),) if v is not None else ()
                checks.append(ExprCheck(series(name, {C.L_MODEL: model.id}), at(self.t_full), got))
        inputs = self.traffic(V1, q, self.total) + self.versions([(V1, 1000.0)], self.total)
        return self.t.case(
            f"{self.kind.key} {model.id}: exact metric values on healthy labelled traffic; no {self.kind.key} alert fires",
            inputs,
            self.quiet(self.t_quiet),
            checks,
        )

    def level(self) -> RuleTest | None:
        s = self.s
        if not any(x is not None for m in s.metrics for x in s.thresholds(m)):
            return None
        q = self.tr.low()
        vals = self.tr.values(q)
        exp = []
        for metric in s.metrics:
            warn, crit = s.thresholds(metric)
            for bound, sev in ((warn, C.SEVERITY_TICKET), (crit, C.SEVERITY_PAGE)):
                if D.breaches(self.kind, metric, vals.get(metric), bound):
                    exp.append(self.exp(self.kind.alert_level, metric, vals.get(metric), sev))
        return self.t.case(
            f"{self.kind.key} {self.model.id}: traffic worse than the levels: {self.kind.alert_level} fires per metric and severity",
            self.traffic(V1, q, self.total),
            (AlertCheck(at(self.t_quiet), self.kind.alert_level, sorted_alerts(exp)),),
        )

    def version(self) -> list[RuleTest]:
        if not self._has(self.kind.alert_version):
            return []
        t, s = self.t, self.s
        t_v = t.up(t.W + t.F + t.unit)
        nv = t.n(t_v) + 1
        out = []
        old = self.tr.values(self.q_h)
        for q2, fires in ((self.tr.worse(self.q_h, 2.0), True), (self.q_h, False)):
            new = self.tr.values(q2)
            exp = [
                self.exp(self.kind.alert_version, m, new[m], **{C.L_VERSION: V2, "previous_version": V1})
                for m in s.watched
                if fires and D.is_worse(self.kind, m, new[m] or 0.0, old[m] or 0.0, s.max_vs_previous_version)
            ]
            inputs = self.traffic(V1, self.q_h, nv) + self.traffic(V2, q2, nv) + self.versions([(V1, 1000.0), (V2, 2000.0)], nv)
            what = f"worse than {V1} by more than {D.margin_text(self.kind, s.max_vs_previous_version)}: fires" if fires else f"as good as {V1}: quiet"
            out.append(
                t.case(
                    f"{self.kind.key} {self.model.id}: version {V2} (trained after {V1}) serves {what}",
                    inputs,
                    (AlertCheck(at(t_v), self.kind.alert_version, sorted_alerts(exp)),),
                )
            )
        return out

    def training(self) -> list[RuleTest]:
        if not self._has(self.kind.alert_training):
            return []
        s, q = self.s, self.tr.training()
        live = self.tr.values(q)
        out = []
        for factor, fires in ((2.0, True), (0.5, False)):
            figs = {m: better(self.kind, m, live[m] or 0.0, s.max_vs_training, factor) for m in s.watched}
            extra = [
                (series(C.MODEL_TRAINING_METRIC, {**base_labels(self.model), C.L_VERSION: V1, C.L_METRIC: m}), f"{fmt_float(x)}x{self.total}")
                for m, x in sorted(figs.items())
            ]
            exp = [self.exp(self.kind.alert_training, m, live[m], **{C.L_VERSION: V1}) for m in s.watched] if fires else []
            by = D.margin_text(self.kind, s.max_vs_training)
            out.append(
                self.t.case(
                    f"{self.kind.key} {self.model.id}: version {V1} scores {'more than ' + by + ' worse than' if fires else 'within ' + by + ' of'} its training "
                    f"figures ({', '.join(f'{m} {x:.6g}' for m, x in sorted(figs.items()))}): {self.kind.alert_training} {'fires' if fires else 'stays quiet'}",
                    self.traffic(V1, q, self.total) + extra,
                    (AlertCheck(at(self.t_quiet), self.kind.alert_training, sorted_alerts(exp)),),
                )
            )
        return out

    def nodata(self) -> list[RuleTest]:
        t, s, model = self.t, self.s, self.model
        exp = sorted_alerts([self.exp(self.kind.alert_nodata, m, 1.0) for m in s.watched])
        t_none = t.up(t.F + t.unit)
        return [
            t.case(
                f"{self.kind.key} {model.id}: predictions are due for labels but no {self.kind.key} counters exist: {self.kind.alert_nodata} fires "
                "for every watched metric, the other alerts stay quiet",
                label_series(model, V1, [(self.preds, self.total)], None) + self.versions([(V1, 1000.0)], self.total),
                (AlertCheck(at(self.t_quiet), self.kind.alert_nodata, exp), *self.quiet(self.t_quiet, self.kind.alert_nodata)),
            ),
            t.case(
                f"{self.kind.key} {model.id}: no contract series at all (instrumentation missing): {self.kind.alert_nodata} fires for every watched metric",
                self.versions([(V1, 1000.0)], t.n(t_none) + 1),
                (AlertCheck(at(t_none), self.kind.alert_nodata, exp), *self.quiet(t_none, self.kind.alert_nodata)),
            ),
        ]

    def all(self) -> list[RuleTest]:
        """Every case; only the version cases load the version ordering they read (the others
        evaluate fewer rules at every step)."""
        out = [self.healthy()]
        level = self.level()
        out += [level] if level is not None else []
        out += self.training() + self.nodata()
        return [dataclasses.replace(c, uses=()) for c in out] + self.version()


def sorted_alerts(alerts: Sequence[ExpAlert]) -> tuple[ExpAlert, ...]:
    return tuple(sorted(alerts, key=lambda a: sorted(a.labels.items())))
