"""User feedback: thumbs up/down ratio, rating mean, feedback volume; alerts on a negative-feedback
spike against the model's own history and on feedback stopping.

Spec (per model, ``feedback:``)::

    feedback:
      window: 1h                  # counting window of the ratio, volume and rating mean
      min_feedback: 20            # events a window needs before its ratio counts
      spike: {baseline: 7d, k: 3, min_increase: 0.05, min_history: 1d}
      max_negative_ratio: 0.3     # optional absolute ceiling
      min_rating: 3.5             # optional floor of the mean rating
      stopped_for: 1h             # volume below min_feedback this long while serving: ticket
      severity: ticket            # spike / ceiling / rating alerts (or page)
      for: 15m

``feedback: {}`` turns it on with these defaults; without the key nothing is generated.

Metrics: ``mlmon_feedback_total{model, version, kind="positive"|"negative"}`` (counter) and
optionally ``mlmon_feedback_rating`` (histogram or summary of ratings: ``_sum``/``_count``).

Records over ``window``: ``mlmon_feedback:events:increase`` (positive + negative events, 0 when
none), ``mlmon_feedback:negative:ratio`` (negative / events, only when events >= min_feedback),
the ratio's trailing mean and standard deviation over ``spike.baseline`` *ending one window
ago* (``offset``), so a spike does not raise its own baseline, and ``mlmon_feedback:rating:mean``.

Alerts: ``MLModelNegativeFeedbackSpike`` when the ratio exceeds mean + k x stddev AND the mean
plus ``min_increase`` (a flat history has stddev 0), only once ``min_history`` of ratio samples
exists; ``MLModelNegativeFeedbackHigh`` above ``max_negative_ratio``; ``MLModelFeedbackRatingLow``
below ``min_rating``; ``MLModelFeedbackStopped`` (ticket) when fewer than ``min_feedback`` events
(none, or no series at all) arrived in the window for ``stopped_for`` while the model served
requests (``mlmon_model:requests:rate5m`` > 0): the ratio alerts are blind then, and a feedback
widget or pipeline that broke is itself an incident.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

from mlmon import conventions as C
from mlmon.artifacts import AlertCheck, AlertRule, ExpAlert, Panel, RecordingRule, Row, RuleGroup, RuleTest, Target, Threshold
from mlmon.compiler.context import CompileContext
from mlmon.monitors.testkit import counter_values, firing, value_check
from mlmon.compiler import dsl as S
from mlmon.compiler.units import fmt_float, format_duration, parse_duration

KEY = "feedback"
RATING_SUM = C.FEEDBACK_RATING + "_sum"
RATING_COUNT = C.FEEDBACK_RATING + "_count"


def _num(x: float) -> str:
    return fmt_float(float(f"{x:.12g}"))


@dataclass(frozen=True)
class Feedback:
    window: float
    min_feedback: int
    spike: bool
    baseline: float
    k: float
    min_increase: float
    min_history: float
    max_negative_ratio: float | None
    min_rating: float | None
    stopped_for: float
    severity: str
    for_: float
    eval_interval: float

    @property
    def history_samples(self) -> int:
        return max(1, int(self.min_history // self.eval_interval))


class FeedbackMonitor:
    key = KEY
    title = "User feedback"

    def schema(self) -> dict | None:
        return S.obj(
            {
                "window": S.duration("counting window of the ratio, volume and rating mean", "1h"),
                "min_feedback": {"type": "integer", "minimum": 1, "default": 20,
                                 "description": "feedback events a window needs before its negative ratio is assessed"},
                "spike": S.obj(
                    {
                        "enabled": S.boolean("alert on a spike of the negative ratio against its own history", True),
                        "baseline": S.duration("trailing history the spike is measured against", "7d"),
                        "k": S.number("standard deviations above the trailing mean", exclusiveMinimum=0, default=3),
                        "min_increase": S.ratio("and at least this much above the trailing mean", 0.05),
                        "min_history": S.duration("history (of assessed windows) needed before spikes alert", "1d"),
                    },
                    (), "Negative-feedback spike detection",
                ),
                "max_negative_ratio": S.ratio("alert when the negative share of feedback exceeds this (off unless set)"),
                "min_rating": S.number("alert when the mean rating in the window falls below this (off unless set)"),
                "stopped_for": S.duration("ticket when feedback stays below min_feedback per window this long while the model serves", "1h"),
                "severity": S.enum(["ticket", "page"], "alert class of the spike, ceiling and rating alerts", "ticket"),
                "for": S.duration("how long a spike / ceiling / rating condition must hold", "15m"),
            },
            (),
            "User feedback: thumbs up/down ratio, rating mean and volume",
        )

    def compile(self, raw: Any, ctx: CompileContext) -> Feedback | None:
        if raw is None:
            return None
        spike = raw.get("spike") or {}
        durs: dict[tuple, float] = {}
        for path, text in (
            (("window",), raw.get("window", "1h")), (("stopped_for",), raw.get("stopped_for", "1h")), (("for",), raw.get("for", "15m")),
            (("spike", "baseline"), spike.get("baseline", "7d")), (("spike", "min_history"), spike.get("min_history", "1d")),
        ):  # fmt: skip
            try:
                durs[path] = parse_duration(text)
            except ValueError as exc:
                ctx.error(path, "MLM203", str(exc))
        if len(durs) < 5:
            return None
        window = durs[("window",)]
        if window < 4 * ctx.scrape_interval:
            ctx.error(("window",), "MLM207", f"window {format_duration(window)} is shorter than 4x the scrape interval")
            return None
        if durs[("spike", "min_history")] > durs[("spike", "baseline")]:
            ctx.error(("spike", "min_history"), "MLM210", "min_history is longer than the baseline it must be found in, so spikes never alert")
            return None
        if durs[("spike", "baseline")] < 4 * window:
            ctx.warning(("spike", "baseline"), "MLM210", f"a baseline of {format_duration(durs[('spike', 'baseline')])} holds fewer than 4 windows of {format_duration(window)}")
        return Feedback(
            window=window, min_feedback=int(raw.get("min_feedback", 20)), spike=bool(spike.get("enabled", True)),
            baseline=durs[("spike", "baseline")], k=float(spike.get("k", 3)), min_increase=float(spike.get("min_increase", 0.05)),
            min_history=durs[("spike", "min_history")],
            max_negative_ratio=float(raw["max_negative_ratio"]) if "max_negative_ratio" in raw else None,
            min_rating=float(raw["min_rating"]) if "min_rating" in raw else None,
            stopped_for=durs[("stopped_for",)], severity=C.SEVERITY_BY_CLASS[raw.get("severity", "ticket")], for_=durs[("for",)],
            eval_interval=ctx.evaluation_interval,
        )  # fmt: skip

    # --- rules ---------------------------------------------------------------------------------
    @staticmethod
    def sel(model: Any, extra: str = "") -> str:
        return f'{{{C.L_MODEL}="{model.id}"{"," + extra if extra else ""}}}'

    def rule_groups(self, model: Any, spec: Any) -> Sequence[RuleGroup]:
        f: Feedback | None = model.section(self.key)
        if f is None:
            return []
        lab = {C.L_MODEL: model.id}
        s = self.sel(model)
        w = format_duration(f.window)
        neg = f'sum(increase({C.FEEDBACK_TOTAL}{self.sel(model, "kind=" + chr(34) + "negative" + chr(34))}[{w}]))'
        hist = f"{C.FB_NEGATIVE_RATIO}{s}[{format_duration(f.baseline)}] offset {w}"
        rules: list = [
            RecordingRule(C.FB_EVENTS, f'sum(increase({C.FEEDBACK_TOTAL}{self.sel(model, "kind=~" + chr(34) + "positive|negative" + chr(34))}[{w}]))\nor on() vector(0)', lab),
            RecordingRule(C.FB_NEGATIVE_RATIO, f"({neg} or on() vector(0))\n/ on()\n({C.FB_EVENTS}{s} >= {f.min_feedback})", lab),
            RecordingRule(C.FB_BASELINE_MEAN, f"avg_over_time({hist})\nand on()\ncount_over_time({hist}) >= {f.history_samples}", lab),
            RecordingRule(C.FB_BASELINE_STDDEV, f"stddev_over_time({hist})\nand on()\ncount_over_time({hist}) >= {f.history_samples}", lab),
            RecordingRule(
                C.FB_RATING_MEAN,
                f"sum(increase({RATING_SUM}{s}[{w}]))\n/\n(sum(increase({RATING_COUNT}{s}[{w}])) >= {f.min_feedback})", lab,
            ),
        ]  # fmt: skip
        rules += self.alerts(model, f)
        return [RuleGroup(f"mlmon-{model.id}-feedback", tuple(rules))]

    def alert_labels(self, model: Any, f: Feedback, check: str, severity: str | None = None) -> dict[str, str]:
        labels = dict(model.labels)
        labels.update({C.L_MODEL: model.id, C.L_TEAM: model.team, C.L_SEVERITY: severity or f.severity, C.L_MONITOR: KEY, C.L_CHECK: check})
        return labels

    def _ann(self, model: Any, summary: str, description: str) -> dict[str, str]:
        return {"summary": f"{model.id}: {summary}", "description": description, "dashboard": f"/d/{C.grafana_uid('model', model.id)}"}

    def alerts(self, model: Any, f: Feedback) -> list[AlertRule]:
        s = self.sel(model)
        w = format_duration(f.window)
        fr = format_duration(f.for_)
        r, m, sd = C.FB_NEGATIVE_RATIO + s, C.FB_BASELINE_MEAN + s, C.FB_BASELINE_STDDEV + s
        out = []
        if f.spike:
            out.append(AlertRule(
                C.ALERT_FB_SPIKE, f"{r} > {m} + {_num(f.k)} * {sd}\nand\n{r} > {m} + {_num(f.min_increase)}", fr,
                self.alert_labels(model, f, "negative_ratio"),
                self._ann(
                    model, "negative feedback at {{ $value | humanizePercentage }} of feedback, far above its usual share",
                    f"The share of negative feedback over the last {w} is more than {_num(f.k)} standard deviations (and "
                    f"{_num(f.min_increase)}) above its mean over the previous {format_duration(f.baseline)}. Users dislike recent "
                    "answers: check recent deployments, input changes and the negative examples.",
                ),
            ))  # fmt: skip
        if f.max_negative_ratio is not None:
            x = _num(f.max_negative_ratio)
            out.append(AlertRule(
                C.ALERT_FB_HIGH, f"{r} > {x}", fr, self.alert_labels(model, f, "negative_ratio_max"),
                self._ann(
                    model, f'negative feedback at {{{{ $value | printf "%.3f" }}}} of feedback (limit {x})',
                    f"More than {x} of the feedback over the last {w} is negative. Check recent deployments and the negative examples.",
                ),
            ))  # fmt: skip
        if f.min_rating is not None:
            x = _num(f.min_rating)
            out.append(AlertRule(
                C.ALERT_FB_RATING, f"{C.FB_RATING_MEAN}{s} < {x}", fr, self.alert_labels(model, f, "rating"),
                self._ann(
                    model, f'mean rating {{{{ $value | printf "%.2f" }}}} below {x}',
                    f"The mean user rating over the last {w} (at least {f.min_feedback} ratings) is below {x}.",
                ),
            ))  # fmt: skip
        out.append(AlertRule(
            C.ALERT_FB_STOPPED, f"{C.FB_EVENTS}{s} < {f.min_feedback}\nand on()\n{C.REQUESTS_RATE}{s} > 0",
            format_duration(f.stopped_for), self.alert_labels(model, f, "volume", C.SEVERITY_TICKET),
            self._ann(
                model, f"fewer than {f.min_feedback} feedback events per {w} for {format_duration(f.stopped_for)} while serving",
                f"Model {model.id} serves requests but feedback (mlmon_feedback_total) has stopped or dropped below "
                f"{f.min_feedback} per {w}, so the negative-feedback alerts cannot fire. Check the feedback widget, the "
                "feedback pipeline and the counter's labels; for a low-traffic model lower min_feedback or lengthen the window.",
            ),
        ))  # fmt: skip
        return out

    # --- rule tests ---------------------------------------------------------------------------
    def rule_tests(self, model: Any, spec: Any, alerts: Sequence[AlertRule] = ()) -> Sequence[RuleTest]:
        f: Feedback | None = model.section(self.key)
        if f is None:
            return []
        return FeedbackTests(self, model, f).all()

    # --- dashboards ---------------------------------------------------------------------------
    def dashboard_rows(self, model: Any, spec: Any) -> Sequence[Row]:
        f: Feedback | None = model.section(self.key)
        if f is None:
            return []
        s = self.sel(model)
        w = format_duration(f.window)
        panels = [
            Panel(f"Negative feedback ({w})", "stat", (Target(f"{C.FB_NEGATIVE_RATIO}{s}", "negative", True),), unit="percentunit",
                  decimals=1, width=6, height=6, description=f"Share of thumbs-down over the last {w} (empty below {f.min_feedback} events).",
                  thresholds=(Threshold(None, "green"),) + ((Threshold(f.max_negative_ratio, "red"),) if f.max_negative_ratio is not None else ())),
            Panel(f"Feedback events ({w})", "stat", (Target(f"{C.FB_EVENTS}{s}", "events", True),), unit="short", decimals=0, width=6, height=6,
                  thresholds=(Threshold(None, "red"), Threshold(f.min_feedback, "green"))),
            Panel(f"Mean rating ({w})", "stat", (Target(f"{C.FB_RATING_MEAN}{s}", "rating", True),), unit="short", decimals=2, width=6, height=6,
                  thresholds=(Threshold(None, "green"),) if f.min_rating is None else (Threshold(None, "red"), Threshold(f.min_rating, "green"))),
            Panel("Feedback per second by kind", "timeseries",
                  (Target(f"sum by (kind) (rate({C.FEEDBACK_TOTAL}{s}[$__rate_interval]))", "{{kind}}"),), unit="short", width=6, height=6),
            Panel("Negative ratio vs its baseline", "timeseries",
                  (Target(f"{C.FB_NEGATIVE_RATIO}{s}", "negative ratio"), Target(f"{C.FB_BASELINE_MEAN}{s}", "baseline mean"),
                   Target(f"{C.FB_BASELINE_MEAN}{s} + {_num(f.k)} * {C.FB_BASELINE_STDDEV}{s}", f"mean + {_num(f.k)} sd")),
                  unit="percentunit", width=24, height=8,
                  description=f"Spike alert: ratio above mean + {_num(f.k)} sd and mean + {_num(f.min_increase)} for {format_duration(f.for_)}."),
        ]  # fmt: skip
        return [Row("User feedback", tuple(panels))]

    def fleet_panels(self, spec: Any) -> Sequence[Panel]:
        if not any(m.section(self.key) is not None for m in spec.models):
            return ()
        return (
            Panel("Negative feedback ratio by model", "bargauge", (Target(f"sort_desc({C.FB_NEGATIVE_RATIO})", "{{model}}", True),),
                  unit="percentunit", min=0, max=1, width=12, height=10),
        )  # fmt: skip


# --- rule tests ------------------------------------------------------------------------------
class FeedbackSim:
    """The feedback rules as Prometheus evaluates them on 1-minute counters starting at 0:
    increase() over a window is exactly the difference of the samples at its ends (no
    extrapolation: a sample sits on each end, or the counter starts at 0)."""

    def __init__(self, f: Feedback, pos: list[float], neg: list[float]):
        self.f, self.pos, self.neg = f, pos, neg
        self.w = int(f.window // 60)
        self._ratio: dict[int, float | None] = {}

    def inc(self, v: list[float], t: int) -> float:
        return v[t] - v[max(0, t - self.w)] if t < len(v) else math.nan

    def events(self, t: int) -> float:
        return self.inc(self.pos, t) + self.inc(self.neg, t)

    def ratio(self, t: int) -> float | None:
        if t not in self._ratio:
            e = self.events(t)
            self._ratio[t] = self.inc(self.neg, t) / e if t >= 0 and e >= self.f.min_feedback else None
        return self._ratio[t]

    def history(self, t: int) -> list[float]:
        end = t - self.w
        start = end - int(self.f.baseline // 60)
        return [r for r in (self.ratio(s) for s in range(max(0, start), end + 1)) if r is not None]

    def baseline(self, t: int) -> tuple[float, float] | None:
        h = self.history(t)
        if len(h) < self.f.history_samples:
            return None
        mean = sum(h) / len(h)
        var = sum((x - mean) ** 2 for x in h) / len(h)
        return mean, math.sqrt(var)

    def spike(self, t: int) -> bool:
        r, b = self.ratio(t), self.baseline(t)
        if r is None or b is None:
            return False
        return r > b[0] + self.f.k * b[1] and r > b[0] + self.f.min_increase


class FeedbackTests:
    def __init__(self, mon: FeedbackMonitor, model: Any, f: Feedback):
        self.mon, self.model, self.f = mon, model, f
        self.lab = f'{C.L_MODEL}="{model.id}"'
        self.w = int(f.window // 60)
        self.per_min = max(5.0, math.ceil(2 * f.min_feedback / self.w))  # events per minute

    def _exp(self, alert: str, value: float | None) -> ExpAlert:
        for r in self.mon.alerts(self.model, self.f):
            if r.alert == alert:
                ann = dict(r.annotations)
                if value is not None:
                    ann = {k: v.replace("{{ $value | humanizePercentage }}", "%.4g%%" % (value * 100)) for k, v in ann.items()}
                    for fmt in ("%.1f", "%.2f", "%.3f"):
                        ann = {k: v.replace('{{ $value | printf "' + fmt + '" }}', fmt % value) for k, v in ann.items()}
                return ExpAlert(r.labels, ann)
        raise KeyError(alert)

    def series(self, neg_share: list[float], volume: list[float] | None = None, requests: float = 1.0) -> tuple[list, list[float], list[float]]:
        vol = volume or [self.per_min] * len(neg_share)
        neg_inc = [v * r for v, r in zip(vol, neg_share)]
        pos_inc = [v * (1 - r) for v, r in zip(vol, neg_share)]
        neg_text, neg = counter_values(neg_inc)
        pos_text, pos = counter_values(pos_inc)
        n = len(neg_share)
        out = [
            (f'{C.FEEDBACK_TOTAL}{{{self.lab},kind="negative"}}', neg_text),
            (f'{C.FEEDBACK_TOTAL}{{{self.lab},kind="positive"}}', pos_text),
            (f"{C.REQUESTS_RATE}{{{self.lab}}}", f"{fmt_float(requests)}+0x{n}"),
        ]
        return out, pos, neg

    def history_shares(self) -> list[float]:
        """Alternating half-days of 8% and 12% negative feedback (a baseline with spread)."""
        hist = int(self.f.min_history // 60) + self.w + 30
        return [0.08 if (i // 720) % 2 == 0 else 0.12 for i in range(hist)]

    def all(self) -> list[RuleTest]:
        f = self.f
        out = []
        if f.spike:
            out.append(self.spike_case())
        if f.max_negative_ratio is not None:
            out.append(self.ceiling())
        if f.min_rating is not None:
            out.append(self.rating())
        out += self.stopped()
        return out

    def spike_case(self) -> RuleTest:
        """A day of 8-12% negative feedback (exact values, nothing fires), then a jump: the spike
        alert fires. One case, so the day of history is evaluated once."""
        f = self.f
        shares = self.history_shares()
        start = len(shares)
        lvl = min(0.12 + max(f.min_increase, 0.1) * 3, 0.95)
        n = self.w + int(f.for_ // 60) + 30
        shares = shares + [lvl] * n
        series, pos, neg = self.series(shares)
        sim = FeedbackSim(f, pos, neg)
        end = len(shares) - 1
        for_min = int(f.for_ // 60)
        if any(firing(sim.spike, t, for_min) for t in range(0, start)):
            raise AssertionError("design error: healthy feedback spikes")
        t_fire = next((t for t in range(start, end + 1) if firing(sim.spike, t, for_min)), None)
        if t_fire is None or t_fire + 2 > end:
            raise AssertionError(f"design error: feedback spike to {lvl} does not fire for {self.model.id}")
        ev = f"{start - 1}m"
        b = sim.baseline(start - 1)
        if b is None:
            raise AssertionError("design error: no baseline before the spike")
        exprs = [
            value_check(C.FB_EVENTS, self.lab, ev, sim.events(start - 1)),
            value_check(C.FB_NEGATIVE_RATIO, self.lab, ev, sim.ratio(start - 1)),
            value_check(C.FB_BASELINE_MEAN, self.lab, ev, b[0]),
            value_check(C.FB_BASELINE_STDDEV, self.lab, ev, b[1]),
        ]
        checks = [AlertCheck(ev, r.alert, ()) for r in self.mon.alerts(self.model, f) if r.alert != C.ALERT_FB_RATING]
        checks.append(AlertCheck(f"{t_fire + 2}m", C.ALERT_FB_SPIKE, (self._exp(C.ALERT_FB_SPIKE, sim.ratio(t_fire + 2)),)))
        return RuleTest(
            f"{self.model.id}/feedback: a day of 8-12% negative feedback raises nothing (exact ratio, volume, baseline); "
            f"a jump to {_num(round(lvl, 3))} raises the spike alert within {t_fire - start}m",
            "1m", tuple(series), tuple(checks), tuple(exprs),
        )  # fmt: skip

    def ceiling(self) -> RuleTest:
        f = self.f
        lvl = min(0.99, f.max_negative_ratio + 0.1)
        low = max(0.0, f.max_negative_ratio - 0.1)
        n1, n2 = self.w + 10, self.w + int(f.for_ // 60) + 10
        series, pos, neg = self.series([low] * n1 + [lvl] * n2)
        sim = FeedbackSim(f, pos, neg)
        end = n1 + n2 - 1
        cond = lambda t: (sim.ratio(t) or 0) > f.max_negative_ratio  # noqa: E731
        t_fire = next(t for t in range(n1, end + 1) if firing(cond, t, int(f.for_ // 60)))
        return RuleTest(
            f"{self.model.id}/feedback: negative share {_num(low)} then {_num(lvl)}: the ceiling alert fires after {format_duration(f.for_)}",
            "1m", tuple(series),
            (AlertCheck(f"{n1 - 1}m", C.ALERT_FB_HIGH, ()),
             AlertCheck(f"{t_fire + 1}m", C.ALERT_FB_HIGH, (self._exp(C.ALERT_FB_HIGH, sim.ratio(t_fire + 1)),))),
        )  # fmt: skip

    def rating(self) -> RuleTest:
        f = self.f
        good, bad = f.min_rating + 1.0, f.min_rating - 1.0
        n1, n2 = self.w + 5, self.w + int(f.for_ // 60) + 10
        per = self.per_min
        count_text, count = counter_values([per] * (n1 + n2))
        sum_text, total = counter_values([per * good] * n1 + [per * bad] * n2)
        w = self.w

        def mean(t: int) -> float | None:
            c = count[t] - count[max(0, t - w)]
            return (total[t] - total[max(0, t - w)]) / c if c >= f.min_feedback else None

        cond = lambda t: (mean(t) if mean(t) is not None else math.inf) < f.min_rating  # noqa: E731
        end = n1 + n2 - 1
        t_fire = next(t for t in range(n1, end + 1) if firing(cond, t, int(f.for_ // 60)))
        series = [(f"{RATING_SUM}{{{self.lab}}}", sum_text), (f"{RATING_COUNT}{{{self.lab}}}", count_text)]
        return RuleTest(
            f"{self.model.id}/feedback: mean rating {_num(good)} then {_num(bad)}: the rating alert fires after {format_duration(f.for_)}",
            "1m", tuple(series),
            (AlertCheck(f"{n1 - 1}m", C.ALERT_FB_RATING, ()),
             AlertCheck(f"{t_fire + 1}m", C.ALERT_FB_RATING, (self._exp(C.ALERT_FB_RATING, mean(t_fire + 1)),))),
            (value_check(C.FB_RATING_MEAN, self.lab, f"{n1 - 1}m", mean(n1 - 1)),),
        )  # fmt: skip

    def stopped(self) -> list[RuleTest]:
        f = self.f
        run = self.w + 10
        sf = int(f.stopped_for // 60)
        n = run + self.w + sf + 10
        series, pos, neg = self.series([0.1] * run + [0.0] * (n - run), volume=[self.per_min] * run + [0.0] * (n - run))
        sim = FeedbackSim(f, pos, neg)
        cond = lambda t: sim.events(t) < f.min_feedback  # noqa: E731
        t_fire = next(t for t in range(run, n) if firing(cond, t, sf))
        exp = (self._exp(C.ALERT_FB_STOPPED, None),)
        idle, _, _ = self.series([0.1] * run + [0.0] * (n - run), volume=[self.per_min] * run + [0.0] * (n - run), requests=0.0)
        return [
            RuleTest(
                f"{self.model.id}/feedback: feedback stops at {run}m while serving: MLModelFeedbackStopped fires after {format_duration(f.stopped_for)}",
                "1m", tuple(series),
                (AlertCheck(f"{run}m", C.ALERT_FB_STOPPED, ()), AlertCheck(f"{t_fire + 2}m", C.ALERT_FB_STOPPED, exp)),
            ),
            RuleTest(
                f"{self.model.id}/feedback: no feedback series at all while serving: MLModelFeedbackStopped fires",
                "1m", ((f"{C.REQUESTS_RATE}{{{self.lab}}}", f"1+0x{sf + 5}"),),
                (AlertCheck(f"{sf + 2}m", C.ALERT_FB_STOPPED, exp),),
            ),
            RuleTest(
                f"{self.model.id}/feedback: no traffic, no feedback: nothing fires",
                "1m", tuple(x for x in idle if not x[0].startswith(C.FEEDBACK_TOTAL)) + tuple(x for x in idle if x[0].startswith(C.FEEDBACK_TOTAL)),
                (AlertCheck(f"{t_fire + 2}m", C.ALERT_FB_STOPPED, ()),),
            ),
        ]  # fmt: skip


MONITOR = FeedbackMonitor()
