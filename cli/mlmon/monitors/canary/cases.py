"""promtool cases of the canary comparison, in the preset's own dialect with the arm label on every
series (``presets.signals.synth_traffic`` per arm):

- two healthy, equal versions raise nothing (exact per-arm requests, sample gate 1, error
  difference 0, latency ratio 1, distance 0);
- each comparison fires when only the candidate gets worse (errors, latency, shifted outputs,
  worse labelled outcomes), with the value Prometheus renders;
- a candidate under the sample gate raises the starved ticket; no candidate at all (no rollout
  running) and no series at all raise nothing.
"""

from __future__ import annotations

import math
import re
from typing import Any

from mlmon import conventions as C
from mlmon import presets
from mlmon.artifacts import AlertCheck, AlertRule, RuleTest
from mlmon.compiler.units import format_duration, num
from mlmon.monitors.canary import rules as R
from mlmon.monitors.canary.compile import Canary
from mlmon.monitors.canary.exprs import QUALITY
from mlmon.monitors.quality import base_labels
from mlmon.monitors.testkit import alert_check, minutes, value_check
from mlmon.presets import signals as S

Phase = tuple[float, float, float, int]  # requests/s, errors/s, latency seconds, minutes
LES = ("0.25", "0.5", "0.75", "+Inf")
SAME_CDF = (0.25, 0.5, 0.75, 1.0)


def _with_label(series: str, label: str, value: str) -> str:
    return re.sub(r"\}$", f',{label}="{value}"}}', series) if series.endswith("}") else f'{series}{{{label}="{value}"}}'


class CanaryCases:
    def __init__(self, model: Any, c: Canary):
        self.model, self.c = model, c
        self.rules: list[AlertRule] = R.alert_rules(model, c)
        self.w = int(c.window // 60)
        self.for_min = int(c.for_ // 60)
        self.rps = math.ceil(2 * c.min_samples / c.window)  # two gates' worth of requests per window
        self.preset = presets.preset_of(model)

    def value(self, arm: str) -> str:
        v = self.c.baseline if arm == C.ARM_BASELINE else self.c.candidate
        return S.example_value(v[1:]) if v.startswith("~") else v

    # --- input series ---------------------------------------------------------------------------
    def traffic(self, arm: str, phases: list[Phase]) -> list[tuple[str, str]]:
        synth = S.Synth()
        S.synth_traffic(self.model, synth, phases, 60.0)
        return [(_with_label(k, self.c.label, self.value(arm)), v) for k, v in synth.items()]

    def outputs(self, arm: str, phases: list[tuple[tuple[float, ...], int]]) -> list[tuple[str, str]]:
        """The prediction histogram of one arm: per phase, ``cdf`` (cumulative shares at LES) of rps a second."""
        assert self.c.prediction is not None
        name, match, example = presets.split_selector(self.c.prediction.histogram)
        labels = S.concrete(example) if match is not None else S.model_labels(self.model)
        labels = {**labels, self.c.label: self.value(arm)}
        return [
            (f"{name}_bucket{{{S.label_text({**labels, 'le': le})}}}", S.counter_values([(60.0 * self.rps * cdf[i], n) for cdf, n in phases]))
            for i, le in enumerate(LES)
        ]

    def outcomes(self, arm: str, counts: dict[str, float], n: int) -> list[tuple[str, str]]:
        labels = {**base_labels(self.model), self.c.label: self.value(arm)}
        return [(f"{C.OUTCOMES_TOTAL}{{{S.label_text({**labels, 'outcome': o})}}}", S.counter_values([(counts[o], n)])) for o in ("tp", "fp", "tn", "fn")]

    def good_outcomes(self, t: int) -> dict[str, float]:
        """Outcomes a minute, all right, with at least min_labels in the quality window by minute ``t``."""
        q = self.c.quality
        assert q is not None
        scale = math.ceil(q.min_labels / (100 * max(1, min(t, int(q.window // 60))))) + 1
        return {"tp": 50.0 * scale, "fn": 0.0, "tn": 50.0 * scale, "fp": 0.0}

    def both(self, base: list[Phase], cand: list[Phase]) -> list[tuple[str, str]]:
        return self.traffic(C.ARM_BASELINE, base) + self.traffic(C.ARM_CANDIDATE, cand)

    # --- expectations ---------------------------------------------------------------------------
    def latency_of(self, seconds: float) -> float:
        """The arm's recorded latency when every request takes ``seconds``."""
        if self.preset.latency is not None and self.c.latency is not None:
            return self.preset.latency.expected_quantile(seconds, self.c.latency.quantile)
        return seconds

    def latencies(self) -> tuple[float, float]:
        """(baseline, candidate) request latencies whose recorded ratio exceeds max_ratio."""
        assert self.c.latency is not None
        h = self.preset.latency
        bounds = sorted(b * h.scale for b in h.buckets) if h is not None and h.buckets else []
        if len(bounds) >= 2:
            base = bounds[0] * 0.9 if bounds[0] > 0 else bounds[1] * 0.9
            for b in bounds[1:]:
                if self.latency_of(b) / self.latency_of(base) > self.c.latency.max_ratio * 1.05:
                    return base, b
        return 0.2, round(0.2 * self.c.latency.max_ratio * 2, 6)

    def exp(self, t: int, alert: str, check: str, value: float | None, severity: str | None = None) -> AlertCheck:
        return alert_check(self.rules, minutes(t), alert, (R.labels(self.model, self.c, check, severity),), value)

    def quiet(self, t: int, *alerts: str) -> tuple[AlertCheck, ...]:
        return tuple(AlertCheck(minutes(t), a, ()) for a in alerts)

    # --- cases --------------------------------------------------------------------------------
    def healthy(self) -> RuleTest:
        c, n = self.c, self.w + self.for_min + 10
        lat = self.latencies()[0] if c.latency is not None else 0.2
        phase = [(float(self.rps), 0.005 * self.rps, lat, n)]
        series = self.both(phase, phase)
        t = n - 1
        lab = f'{C.L_MODEL}="{self.model.id}"'
        exprs = [value_check(C.CANARY_REQUESTS, f'{lab},{C.L_ARM}="{arm}"', minutes(t), self.rps * c.window) for arm in R.ARMS]
        exprs.append(value_check(C.CANARY_GATE, lab, minutes(t), 1.0))
        if c.max_error_increase is not None and self.preset.errors_src:
            exprs.append(value_check(C.CANARY_ERROR_DELTA, lab, minutes(t), 0.0))
        if c.latency is not None:
            exprs.append(value_check(C.CANARY_LATENCY_RATIO, lab, minutes(t), 1.0))
        if c.prediction is not None:
            series += self.outputs(C.ARM_BASELINE, [(SAME_CDF, n)]) + self.outputs(C.ARM_CANDIDATE, [(SAME_CDF, n)])
            exprs.append(value_check(C.CANARY_DIVERGENCE, lab, minutes(t), 0.0))
        if c.quality is not None:
            good = self.good_outcomes(t)
            series += self.outcomes(C.ARM_BASELINE, good, n) + self.outcomes(C.ARM_CANDIDATE, good, n)
            exprs.append(value_check(C.CANARY_QUALITY_DELTA, lab, minutes(t), 0.0))
        return RuleTest(
            f"{self.model.id}/canary: two equal versions ({c.label}={c.baseline}, {c.candidate}) for {n}m raise nothing "
            "(exact requests per version, gate, differences)",
            "1m",
            tuple(series),
            self.quiet(t, *sorted({r.alert for r in self.rules})),
            tuple(exprs),
        )

    def worse(
        self, what: str, alert: str, check: str, base: list[Phase], cand: list[Phase], value: float, extra: list[tuple[str, str]] | None = None
    ) -> RuleTest:
        """Equal versions for a window, then only the candidate worse: ``alert`` fires after ``for``."""
        n1 = self.w + 2
        t = n1 + self.w + self.for_min + 2
        return RuleTest(
            f"{self.model.id}/canary: the candidate {what}: {alert} fires after {format_duration(self.c.for_)}",
            "1m",
            tuple(self.both(base, cand) + (extra or [])),
            (*self.quiet(n1 - 1, alert), self.exp(t, alert, check, value)),
        )

    def all(self) -> list[RuleTest]:
        c, rps = self.c, float(self.rps)
        n1 = self.w + 2
        n2 = self.w + self.for_min + 10
        lat = self.latencies()[0] if c.latency is not None else 0.2
        ok: list[Phase] = [(rps, 0.0, lat, n1 + n2)]
        out = [self.healthy()]
        if c.max_error_increase is not None and self.preset.errors_src:
            bad = min(1.0, 2 * c.max_error_increase + 0.01)
            cand: list[Phase] = [(rps, 0.0, lat, n1), (rps, bad * rps, lat, n2)]
            out.append(self.worse(f"fails {num(bad)} of its requests", C.ALERT_CANARY_ERRORS, "error_ratio", ok, cand, bad))
        if c.latency is not None:
            base_l, slow = self.latencies()
            value = self.latency_of(slow) / self.latency_of(base_l)
            base = [(rps, 0.0, base_l, n1 + n2)]
            out.append(
                self.worse(
                    f"is slower ({num(slow)}s against {num(base_l)}s)",
                    C.ALERT_CANARY_LATENCY,
                    "latency",
                    base,
                    [(rps, 0.0, base_l, n1), (rps, 0.0, slow, n2)],
                    value,
                )
            )
        if c.prediction is not None and c.prediction.max_distance < 1:
            shifted = (0.0, 0.0, 0.0, 1.0) if c.prediction.max_distance < 0.7 else (1.0, 1.0, 1.0, 1.0)
            base_cdf = SAME_CDF if c.prediction.max_distance < 0.7 else (0.0, 0.0, 0.0, 1.0)
            d = max(abs(a - b) for a, b in zip(shifted, base_cdf))
            extra = self.outputs(C.ARM_BASELINE, [(base_cdf, n1 + n2)]) + self.outputs(C.ARM_CANDIDATE, [(base_cdf, n1), (shifted, n2)])
            out.append(self.worse("answers differently (shifted outputs)", C.ALERT_CANARY_DIVERGENCE, "prediction_drift", ok, ok, d, extra))
        if c.quality is not None:
            case = self.quality()
            if case is not None:
                out.append(case)
        return out + self.starved()

    def quality(self) -> RuleTest | None:
        q = self.c.quality
        assert q is not None
        k = math.floor(q.max_drop * 50) + 1  # k of every 50 positives and of every 50 negatives judged wrong: every metric k/50 worse
        if k > 50:
            return None  # a drop of more than 1 is impossible (lint warns)
        n = self.for_min + 10  # counters start at 0: every ratio is exact before the window is full
        good = self.good_outcomes(2)
        scale = good["tp"] / 50.0
        bad = {"tp": (50.0 - k) * scale, "fn": k * scale, "tn": (50.0 - k) * scale, "fp": k * scale}

        def metric(counts: dict[str, float]) -> float:
            num_w, den_w = QUALITY[q.metric]
            return sum(w * counts[o] for o, w in num_w.items()) / sum(w * counts[o] for o, w in den_w.items())

        t = n - 1
        series = self.outcomes(C.ARM_BASELINE, good, n) + self.outcomes(C.ARM_CANDIDATE, bad, n)
        return RuleTest(
            f"{self.model.id}/canary: labels show the candidate's {q.metric} at {num(round(metric(bad), 6))} against {num(metric(good))}: "
            f"{C.ALERT_CANARY_QUALITY} fires",
            "1m",
            tuple(series),
            (self.exp(t, C.ALERT_CANARY_QUALITY, "quality", metric(bad) - metric(good)),),
        )

    def starved(self) -> list[RuleTest]:
        c = self.c
        sf = int(c.starved_for // 60)
        n = sf + self.w + 5
        few = c.min_samples / (2 * c.window)
        full: list[Phase] = [(float(self.rps), 0.0, 0.2, n)]
        lab = f'{C.L_MODEL}="{self.model.id}"'
        alerts = sorted({r.alert for r in self.rules})
        return [
            RuleTest(
                f"{self.model.id}/canary: the candidate gets {num(round(few * c.window, 3))} requests per {format_duration(c.window)} "
                f"(gate {c.min_samples}): {C.ALERT_CANARY_STARVED} fires after {format_duration(c.starved_for)}, no comparison is made",
                "1m",
                tuple(self.both(full, [(few, 0.0, 0.2, n)])),
                (*self.quiet(sf, C.ALERT_CANARY_STARVED), self.exp(n - 1, C.ALERT_CANARY_STARVED, "samples", None, C.SEVERITY_TICKET)),
                (value_check(C.CANARY_GATE, lab, minutes(n - 1), 0.0),),
            ),
            RuleTest(
                f"{self.model.id}/canary: no candidate (no rollout running): nothing fires, the gate is 0",
                "1m",
                tuple(self.traffic(C.ARM_BASELINE, full)),
                self.quiet(n - 1, *alerts),
                (value_check(C.CANARY_GATE, lab, minutes(n - 1), 0.0),),
            ),
            RuleTest(f"{self.model.id}/canary: no series at all: nothing fires", "1m", (), self.quiet(n - 1, *alerts)),
        ]


def rule_tests(model: Any, c: Canary) -> list[RuleTest]:
    return CanaryCases(model, c).all()
