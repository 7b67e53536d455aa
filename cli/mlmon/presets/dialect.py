"""The ``Preset``: one metric dialect (a serving framework's or an exporter's), built from the
source kinds of ``presets.sources``. Data only; the presets themselves are in ``presets.tables``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mlmon import conventions as C
from mlmon.compiler.units import le_matcher, parse_duration
from mlmon.presets.sources import Counter, Gauge, Histogram, Mean, Sel, Source, hist_quantile, hist_rate, matchers, sum_rates

K8S_ROLES = {"namespace": "namespace", "pod": "pod", "container": "container"}  # role -> default label name


# --- presets -------------------------------------------------------------------------------------------
# Signal keys a preset may define (values: a Source). "requests" and "errors" are tuples of Counters
# that are summed (Triton: success + failure). The normalised rule each feeds is in presets.signals.
SIGNALS = (
    "requests",
    "errors",
    "latency",
    "latency_mean",
    "queue",
    "queue_depth",
    "tokens",
    "generation_tokens",
    "ttft",
    "itl",
    "tpot",
    "kv_cache",
    "gpu_util",
    "gpu_count",
    "gpu_mem_used",
    "gpu_mem_total",
    "gpu_mem_ratio",
    "cpu_usage",
    "cpu_util",
    "mem_used",
    "mem_limit",
    "mem_ratio",
    "cost_cpu",
    "cost_ram",
    "cost_gpu",
    "replicas",
    "cost_bill",
    "drift_score",
    "drift_p_value",
    "drift_share",
)


@dataclass(frozen=True)
class Preset:
    """One dialect. Serving presets define ``requests`` (and usually ``errors`` and ``latency``);
    exporter presets (``kind="exporter"``) define infrastructure signals only."""

    name: str
    title: str
    model_label: str = C.L_MODEL  # label whose value is the model's name in the framework
    kind: str = "serving"  # serving | exporter
    requests_src: tuple[Counter, ...] = ()  # summed: all requests, every outcome
    errors_src: tuple[Counter, ...] = ()  # summed: failed requests; () = the framework does not count them
    latency: Histogram | None = None  # request latency histogram (SLO latency SLIs, quantiles)
    signals: Mapping[str, Source | tuple[Counter, ...]] = field(default_factory=dict)  # every other signal, by key in SIGNALS
    labels: Mapping[str, str] = field(default_factory=dict)  # exporters: role -> label name (pod, namespace, container)
    docs: str = ""
    source: str = ""  # upstream reference for the metric names
    notes: tuple[str, ...] = ()  # quirks, written into the README table
    exporter: str = ""  # the exporter process serving this dialect (presets.exporters), when not the model itself
    # the model's matchers when the spec sets no serving.match ("{model}" = the model id; "~" = regex);
    # empty: the model label equals the model id
    model_match: Mapping[str, str] = field(default_factory=dict)

    # --- the API used by monitors/slo.py ------------------------------------------------------
    def selector(self, model_id: str, match: Mapping[str, str] | None, target_match: Mapping[str, str] | None = None) -> Sel:
        default = {k: v.replace("{model}", model_id) for k, v in self.model_match.items()} or {self.model_label: model_id}
        labels = dict(match) if match else default
        target = dict(target_match) if target_match else {"job": C.SCRAPE_JOB.format(model=model_id)}
        return Sel(matchers(labels), {"target": matchers(target)}, model_id)

    def requests_rate(self, sel: str, window: str) -> str:
        return sum_rates(self.requests_src, sel, window)

    def errors_rate(self, sel: str, window: str) -> str | None:
        """Failed requests per second; None when the framework does not count failures."""
        if not self.errors_src:
            return None
        return sum_rates(self.errors_src, sel, window)

    def latency_good_rate(self, sel: str, window: str, threshold_s: float) -> str | None:
        """Requests per second faster than ``threshold_s`` seconds."""
        if self.latency is None:
            return None
        bound = threshold_s / self.latency.scale
        return f"sum({hist_rate(self.latency, 'bucket', sel, window, le_matcher(bound))})"

    def latency_total_rate(self, sel: str, window: str) -> str | None:
        if self.latency is None:
            return None
        return f"sum({hist_rate(self.latency, 'count', sel, window)})"

    def latency_quantile(self, sel: str, window: str, q: float) -> str | None:
        if self.latency is None:
            return None
        return hist_quantile(self.latency, sel, window, q)

    def has_bucket(self, threshold_s: float) -> bool | None:
        """Whether ``threshold_s`` is a default bucket bound (None when unknown)."""
        if self.latency is None or not self.latency.buckets:
            return None
        bound = threshold_s / self.latency.scale
        return any(abs(b - bound) < 1e-9 * max(1.0, abs(b)) for b in self.latency.buckets)

    # --- signals --------------------------------------------------------------------------------
    def signal(self, key: str) -> Source | tuple[Counter, ...] | None:
        if key == "requests":
            return self.requests_src or None
        if key == "errors":
            return self.errors_src or None
        if key == "latency":
            return self.latency
        if key == "latency_mean" and key not in self.signals and self.latency is not None:
            return self.latency
        return self.signals.get(key)

    def keys(self) -> tuple[str, ...]:
        cached = self.__dict__.get("_keys")
        if cached is None:  # immutable, so computed once (kept outside the dataclass fields)
            cached = tuple(k for k in SIGNALS if self.signal(k) is not None)
            object.__setattr__(self, "_keys", cached)
        return cached

    # --- rule tests (input series in this dialect) ----------------------------------------------
    def request_roles(self) -> list[tuple[str, Counter]]:
        """Request counters by role for generated tests: "total" counts every request, "success"
        only good ones, "errors" failed ones (requests = success + errors when no "total")."""
        err = self.errors_src[0] if self.errors_src else None
        out: list[tuple[str, Counter]] = []
        for c in self.requests_src:
            if err is not None and c.name == err.name and c.match == err.match:
                continue  # the failure counter, summed into requests (Triton, MLServer)
            split = err is not None and (c.name == err.name or len(self.requests_src) > 1)
            out.append(("success" if split else "total", c))
        if err is not None:
            out.append(("errors", err))
        return out

    @property
    def test_counters(self) -> Mapping[str, str]:
        return {role: c.name for role, c in self.request_roles()}

    def with_overrides(self, overrides: Mapping[str, Any] | None) -> Preset:
        """This preset with metric names / scales / the model label replaced from the spec's
        ``serving.overrides`` (or ``infra.overrides``)."""
        if not overrides:
            return self
        p = self
        scales = overrides.get("scales") or {}
        for key in sorted(set(overrides) | set(scales)):
            if key in ("scales", "target_match"):
                continue
            if key == "period":  # the aggregation period of per-period counts (YACE job `period`)
                p = _with_period(p, parse_duration(str(overrides[key])))
                continue
            if key == "model_label":
                p = dataclasses.replace(p, model_label=str(overrides[key]))
                continue
            val = overrides.get(key)
            name, scale = (val, scales.get(key)) if isinstance(val, str) or val is None else (val.get("metric"), val.get("scale"))
            p = _override(p, key, name, scale)
        return p


_SELECTOR_RE = re.compile(r"^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)\{(?P<match>.*)\}$")
_MATCHER_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|=)\s*"((?:[^"\\]|\\.)*)"')


def split_selector(text: str) -> tuple[str, str | None, dict[str, str]]:
    """``name`` -> (name, None, {}); ``name{a="b",c=~"d.*"}`` -> (name, 'a="b",c=~"d.*"', example
    labels satisfying the equality/regex matchers): a selector is used verbatim, not scoped."""
    m = _SELECTOR_RE.match(text.strip())
    if not m:
        return text, None, {}
    example = {k: (v if op == "=" else "~" + v) for k, op, v in _MATCHER_RE.findall(m["match"])}
    return m["name"], m["match"], example


def _override(p: Preset, key: str, name: str | None, scale: float | None) -> Preset:
    match: str | None = None
    example: dict[str, str] = {}
    if name:
        name, match, example = split_selector(name)

    def scoped(src: Any) -> Any:
        if match is None:
            return src
        extra = {"example": example} if isinstance(src, (Counter, Gauge)) else {}
        return dataclasses.replace(src, scope="literal", match=match, **extra)

    def redo(src: Any) -> Any:
        if isinstance(src, Histogram):
            return scoped(
                dataclasses.replace(src, name=name or src.name, alt_names=() if name else src.alt_names, scale=src.scale if scale is None else float(scale))
            )
        if isinstance(src, (Counter, Gauge)):
            return scoped(dataclasses.replace(src, names=(name,) if name else src.names, scale=src.scale if scale is None else float(scale)))
        if isinstance(src, Mean):
            return dataclasses.replace(
                src,
                total=scoped(dataclasses.replace(src.total, names=(name,) if name else src.total.names)),
                scale=src.scale if scale is None else float(scale),
            )
        if src is None:  # a signal the preset lacks: the override adds it
            return scoped(
                {"latency": Histogram(name or "", 1.0 if scale is None else float(scale))}.get(key)
                or (
                    Counter((name or "",), 1.0 if scale is None else float(scale))
                    if key in COUNTER_KEYS
                    else Gauge((name or "",), 1.0 if scale is None else float(scale))
                )
            )
        raise ValueError(f"signal {key!r} of preset {p.name!r} is a PromQL expression; its metric name cannot be overridden")

    if key in ("requests", "errors"):
        cur = p.requests_src if key == "requests" else p.errors_src
        new = (redo(cur[0] if cur else None),)
        return dataclasses.replace(p, requests_src=new) if key == "requests" else dataclasses.replace(p, errors_src=new)
    if key == "latency":
        return dataclasses.replace(p, latency=redo(p.latency))
    sig = dict(p.signals)
    sig[key] = redo(sig.get(key))
    return dataclasses.replace(p, signals=sig)


def _with_period(p: Preset, period: float) -> Preset:
    def one(c: Any) -> Any:
        return dataclasses.replace(c, period=period) if isinstance(c, Counter) and c.period else c

    def each(src: Any) -> Any:
        return tuple(one(c) for c in src) if isinstance(src, tuple) else one(src)

    return dataclasses.replace(
        p,
        requests_src=each(p.requests_src),
        errors_src=each(p.errors_src),
        signals={k: each(v) for k, v in p.signals.items()},
    )


COUNTER_KEYS = ("requests", "errors", "tokens", "generation_tokens", "cpu_usage")
OVERRIDE_KEYS = ("model_label", "target_match", *SIGNALS)

INSTRUMENT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
