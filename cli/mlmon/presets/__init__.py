"""Metric dialects of serving frameworks and exporters, as data.

A preset maps a framework's own metric names, units and labels onto the signals mlmon's rules
are written against. Rules never name a framework metric directly: they ask the model's preset
for a signal's PromQL. A new preset is a new entry in ``PRESETS``, not new code.

Templates use ``{sel}`` for the label matchers that select one model's series (without braces)
and ``{w}`` for the range window.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from mlmon import conventions as C
from mlmon.spec.units import fmt_float, le_matcher


@dataclass(frozen=True)
class Histogram:
    """A classic histogram: ``<name>_bucket{le}``, ``<name>_count``; ``scale`` converts the
    framework's unit into seconds (0.001 for milliseconds)."""

    name: str
    scale: float = 1.0
    buckets: tuple[float, ...] = ()  # the framework's default bucket bounds, in its own unit


@dataclass(frozen=True)
class Preset:
    name: str
    title: str
    model_label: str  # label whose value is the model's name in the framework
    requests: str  # PromQL template: requests per second (all outcomes)
    errors: str  # PromQL template: failed requests per second
    latency: Histogram | None = None
    docs: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)

    def selector(self, model_id: str, match: Mapping[str, str]) -> str:
        labels = dict(match) if match else {self.model_label: model_id}
        return ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))

    def requests_rate(self, sel: str, window: str) -> str:
        return self.requests.format(sel=sel, w=window)

    def errors_rate(self, sel: str, window: str) -> str:
        return self.errors.format(sel=sel, w=window)

    def latency_good_rate(self, sel: str, window: str, threshold_s: float) -> str | None:
        """Requests per second faster than ``threshold_s`` seconds."""
        if self.latency is None:
            return None
        bound = threshold_s / self.latency.scale
        return f"sum(rate({self.latency.name}_bucket{{{sel},{le_matcher(bound)}}}[{window}]))"

    def latency_total_rate(self, sel: str, window: str) -> str | None:
        if self.latency is None:
            return None
        return f"sum(rate({self.latency.name}_count{{{sel}}}[{window}]))"

    def latency_quantile(self, sel: str, window: str, q: float) -> str | None:
        if self.latency is None:
            return None
        expr = f"histogram_quantile({fmt_float(q)}, sum by (le) (rate({self.latency.name}_bucket{{{sel}}}[{window}])))"
        if self.latency.scale != 1.0:
            expr = f"{expr} * {fmt_float(self.latency.scale)}"
        return expr

    def has_bucket(self, threshold_s: float) -> bool | None:
        """Whether ``threshold_s`` is a default bucket bound (None when unknown)."""
        if self.latency is None or not self.latency.buckets:
            return None
        bound = threshold_s / self.latency.scale
        return any(abs(b - bound) < 1e-9 * max(1.0, abs(b)) for b in self.latency.buckets)


INSTRUMENT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

PRESETS: dict[str, Preset] = {}


def register(preset: Preset) -> Preset:
    PRESETS[preset.name] = preset
    return preset


register(
    Preset(
        name="mlmon",
        title="mlmon.instrument (the native metric contract)",
        model_label=C.L_MODEL,
        requests=f"sum(rate({C.PREDICTIONS_TOTAL}{{{{{{sel}}}}}}[{{w}}]))",
        errors=f"sum(rate({C.PREDICTION_ERRORS_TOTAL}{{{{{{sel}}}}}}[{{w}}]))",
        latency=Histogram(C.PREDICTION_LATENCY, 1.0, INSTRUMENT_BUCKETS),
        docs="Metrics emitted by mlmon.instrument; see 'The metric contract'.",
    )
)


def get(name: str) -> Preset | None:
    return PRESETS.get(name)


def names() -> list[str]:
    return sorted(PRESETS)
