"""What every performance case starts from: the timing, the traffic levels and the alert rules
of one model's section, and the expected alerts they imply."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import AlertRule, ExpAlert
from mlmon.compiler.units import fmt_float
from mlmon.monitors.performance.compile import Performance
from mlmon.monitors.performance.names import labels
from mlmon.monitors.performance.rules import rule_groups
from mlmon.monitors.quality import (
    Counts,
    Timing,
    Values,
    base_rate,
    breaches,
    info_series,
    pick_healthy,
    pick_low,
    timing,
    traffic,
    trained_series,
    values,
    worse,
)
from mlmon.monitors.testkit import alert_rules, exp_alert


@dataclass(frozen=True)
class Setup:
    model: Any
    p: Performance
    t: Timing
    rules: Sequence[AlertRule]  # the section's own alert rules
    steps: int  # input steps per window
    b: int  # class size per step
    q_h: float  # healthy quality
    q_l: float  # low quality
    preds: int  # predictions per step (labels cover (1 + min_coverage) / 2 of them)

    @property
    def healthy(self) -> Counts:
        return traffic(self.p, self.q_h, self.b)

    @property
    def low(self) -> Counts:
        return traffic(self.p, self.q_l, self.b)

    def window_values(self, q: float) -> Values:
        """Every metric over one window of traffic at quality ``q``."""
        return values(self.p, traffic(self.p, q, self.b).scaled(self.steps))

    @property
    def t_full(self) -> int:
        """A window after the first labels were due: every ratio is complete."""
        return self.t.up(self.t.W + self.t.D)

    @property
    def t_quiet(self) -> int:
        """``for`` after ``t_full``: an alert whose condition held since then fires."""
        return self.t.up(self.t.W + self.t.D + self.t.F + self.t.unit)

    @property
    def total(self) -> int:
        """Input samples up to ``t_quiet``."""
        return self.t.n(self.t_quiet) + 1


def setup(model: Any, p: Performance) -> Setup:
    t = timing(p)
    steps = t.n(t.W)
    b = base_rate(p, steps)
    q_h = pick_healthy(p, b, steps)
    lab = traffic(p, q_h, b).labelled()
    need_due = math.ceil(p.min_samples / max(1, min(t.n(t.W), t.n(t.S))))
    preds = max(math.ceil(lab / ((1.0 + p.min_coverage) / 2)), need_due, 1)
    rules = alert_rules(rule_groups(model, p))
    return Setup(model, p, t, rules, steps, b, q_h, pick_low(p, b, steps), preds)


def version_series(model: Any, versions: list[tuple[str, float]], steps: int) -> list[tuple[str, str]]:
    """``mlmon_model_info`` and the training timestamp of each (version, trained at)."""
    return [x for v, trained in versions for x in (info_series(model, v, f"1x{steps}"), trained_series(model, v, f"{fmt_float(trained)}x{steps}"))]


def label_sets(p: Performance, metric: str) -> list[dict[str, str]]:
    """The extra labels of a metric's series: one per class for multiclass per-class metrics."""
    return [{"class": c} for c in p.classes] if p.per_class(metric) else [{}]


def sorted_alerts(alerts: Sequence[ExpAlert]) -> tuple[ExpAlert, ...]:
    return tuple(sorted(alerts, key=lambda a: sorted(a.labels.items())))


def low_alerts(s: Setup, vals: Mapping[tuple[str, str | None], float | None]) -> list[ExpAlert]:
    """MLModelPerformanceLow per metric, class and severity whose level these values breach."""
    out = []
    for metric in s.p.metrics:
        warn, crit = s.p.thresholds(metric)
        for extra in label_sets(s.p, metric):
            v = vals.get((metric, extra.get("class")))
            for bound, sev in ((warn, C.SEVERITY_TICKET), (crit, C.SEVERITY_PAGE)):
                if breaches(metric, v, bound):
                    out.append(exp_alert(s.rules, C.ALERT_PERF_LOW, {**labels(s.model, metric, sev), **extra}, v))
    return out


def worse_alerts(s: Setup, alert: str, now: Values, before: Values, by: float, **extra_labels: str) -> list[ExpAlert]:
    """``alert`` per watched metric and class that is worse now than before by more than ``by``."""
    out = []
    for metric in s.p.watched:
        for extra in label_sets(s.p, metric):
            k = (metric, extra.get("class"))
            a, b = now.get(k), before.get(k)
            if a is not None and b is not None and worse(metric, a, b, by):
                out.append(exp_alert(s.rules, alert, {**labels(s.model, metric, C.SEVERITY_TICKET), **extra, **extra_labels}, a))
    return out


def pick_worse(s: Setup, by: float) -> float | None:
    """The highest q below the healthy one at which every watched metric is worse than at the
    healthy q by more than ``by``."""
    ref = s.window_values(s.q_h)
    for k in range(round(s.q_h * 100) - 1, -1, -1):
        vals = s.window_values(k / 100)
        if all(v is not None and ref.get(mc) is not None and worse(mc[0], v, ref[mc] or 0.0, by + 1e-9) for mc, v in vals.items() if mc[0] in s.p.watched):
            return k / 100
    return None
