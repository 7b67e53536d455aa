"""Input series of the infra rule tests, in the model's own dialect: its serving preset's
traffic and latency, its exporters' gauges, its scrape targets' ``up``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mlmon import conventions as C
from mlmon import presets as P
from mlmon.monitors.infra.checks import Checks
from mlmon.presets import signals as S

STEP = 60.0  # seconds between input samples (interval 1m)
RPS = 10.0
ERR = 0.1


def latency_values(model: Any, threshold: float) -> tuple[float, float]:
    """(healthy latency, slow latency) in seconds whose recorded quantile/mean is clearly below /
    above ``threshold`` for the model's preset."""
    p = P.for_model(model)
    lat = p.latency if p is not None else None
    if lat is None or not lat.buckets:
        return threshold / 4, threshold * 3
    bounds = sorted(lat.buckets)
    qs = S.QUANTILES
    ok = next((b * lat.scale / 2 for b in bounds if all(lat.expected_quantile(b * lat.scale / 2, q) < threshold * 0.9 for q in qs)), threshold / 100)
    slow = next((b * lat.scale for b in bounds if all(lat.expected_quantile(b * lat.scale, q) > threshold * 1.1 for q in qs)), bounds[-1] * lat.scale * 2)
    return ok, slow


def without(s: S.Synth, names: Iterable[str]) -> S.Synth:
    """``s`` with these series removed (a signal gone missing)."""
    for name in list(names):
        s.series.pop(name, None)
    return s


class Inputs:
    """Healthy series of one model, with one signal changed per case."""

    def __init__(self, model: Any, chk: Checks):
        self.model, self.chk = model, chk
        self.placement = chk.cfg.placement
        self.ok_latency = latency_values(model, chk.latency_max if chk.latency is not None else 1.0)[0]

    def base(
        self,
        n: int,
        latency: float | None = None,
        rps: float = RPS,
        gpu: float = 0.5,
        mem: float = 0.5,
        up: float = 1.0,
        traffic: list[tuple[float, float, float, int]] | None = None,
    ) -> S.Synth:
        """``n`` minutes of traffic (``traffic`` phases, or ``rps`` at ``latency`` with 1% errors)
        and of every gauge the model's checks read."""
        s = S.Synth()
        S.synth_traffic(self.model, s, traffic or [(rps, ERR * rps / RPS, self.ok_latency if latency is None else latency, n)], STEP)
        if self.chk.gpu or self.chk.gpu_memory:
            S.synth_gauge(self.model, self.placement, "gpu_util", s, [(gpu, n)])
            S.synth_gauge(self.model, self.placement, "gpu_mem_ratio", s, [(gpu, n)])
        if self.chk.memory:
            S.synth_gauge(self.model, self.placement, "mem_ratio", s, [(mem, n)])
        if self.chk.scrape:
            S.synth_up(self.model, s, [(up, n)])
        return s

    def gauges(self, keys: tuple[str, ...], value: float, n: int) -> S.Synth:
        """The series of these exporter/preset gauges holding ``value`` for ``n`` minutes."""
        s = S.Synth()
        for key in keys:
            S.synth_gauge(self.model, self.placement, key, s, [(value, n)])
        return s

    def latency_series(self, s: S.Synth) -> set[str]:
        """The series of ``s`` that the latency check reads (histogram buckets, or the mean's counters)."""
        p = P.for_model(self.model)
        assert p is not None
        if self.chk.latency_quantile:
            assert p.latency is not None
            return {k for k in s.series if k.startswith(p.latency.name + "_bucket")}
        mean = p.signal("latency_mean")
        name = mean.total.name if isinstance(mean, P.Mean) else getattr(mean, "name", "")
        return {k for k in s.series if k.startswith((name + "{", name + "_sum{"))}

    def target_labels(self) -> dict[str, str]:
        """Labels of the model's scrape targets."""
        overrides = getattr(self.model.serving, "overrides", None) or {}
        return dict(S.concrete(overrides.get("target_match") or {"job": C.SCRAPE_JOB.format(model=self.model.id)}))
