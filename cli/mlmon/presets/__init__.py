"""Metric dialects of serving frameworks and exporters, as data.

A preset maps a framework's own metric names, units and labels onto the *signals* mlmon's rules
are written against (request rate, error rate, latency histogram, queue time, tokens, GPU
utilisation, memory ...). Rules never name a framework metric directly: they ask the model's
preset for a signal's PromQL, and ``presets.signals`` turns every signal into one normalised
recording rule per model (names in ``conventions``). A new preset is a new table in
``presets.tables``, not new code.

Each signal is one of a few *source kinds* (:class:`Counter`, :class:`Gauge`,
:class:`Histogram`, :class:`Mean`, :class:`Expr`), each holding

- ``names``: alternative spellings of the upstream metric, oldest last; OR-ed with ``or`` so a
  fleet mid-upgrade is still covered (``vllm:kv_cache_usage_perc or vllm:gpu_cache_usage_perc``);
- ``scale``: the factor that converts the upstream unit into the normalised one (``1e-6`` for
  microseconds, ``0.01`` for percent, ``2**20`` for MiB);
- ``match``: extra label matchers (``status=~"5.."``);
- ``scope``: whose labels select the series: ``model`` (the model's label in the framework, e.g.
  ``model_name="fraud"``), ``target`` (the model's scrape job ``job="mlmon-<id>"``: server-wide
  metrics such as Triton's GPU gauges), ``pod`` (the model's pods/containers in Kubernetes
  exporters: DCGM, cAdvisor, OpenCost) or ``node`` (node_exporter).

Templates (``Expr``) use ``{model}``, ``{target}``, ``{pod}``, ``{node}`` for label matchers
(without braces) and ``{w}`` for the range window.
"""

from __future__ import annotations

from typing import Any

from mlmon.presets import tables
from mlmon.presets.dialect import COUNTER_KEYS, INSTRUMENT_BUCKETS, K8S_ROLES, OVERRIDE_KEYS, SIGNALS, Preset, split_selector  # noqa: F401
from mlmon.presets.sources import (  # noqa: F401  (the vocabulary, re-exported for monitors)
    SCOPES,
    Counter,
    Expr,
    Gauge,
    Histogram,
    Mean,
    Sel,
    Source,
    counter_rate,
    expr_of,
    gauge_value,
    hist_quantile,
    hist_rate,
    matchers,
    mean_of,
    source_expr,
    sum_rates,
)

PRESETS: dict[str, Preset] = {p.name: p for p in tables.ALL}
BILLS = tuple(sorted(n for n, p in PRESETS.items() if "cost_bill" in p.signals))  # exporters that price a cloud bill


def get(name: str) -> Preset | None:
    return PRESETS.get(name)


def names(kind: str | None = None) -> list[str]:
    return sorted(n for n, p in PRESETS.items() if kind is None or p.kind == kind)


def for_model(model: Any) -> Preset | None:
    """The model's serving preset with ``serving.overrides`` applied."""
    p = get(model.serving.preset)
    if p is None:
        return None
    return p.with_overrides(getattr(model.serving, "overrides", None))


def preset_of(model: Any) -> Preset:
    """``for_model`` for a compiled model, whose preset the compiler has checked exists."""
    p = for_model(model)
    if p is None:
        raise KeyError(f"model {model.id!r}: unknown preset {model.serving.preset!r}")
    return p


def model_selector(model: Any, preset: Preset | None = None) -> Sel:
    p = preset or preset_of(model)
    overrides = getattr(model.serving, "overrides", None) or {}
    return p.selector(model.id, model.serving.match, overrides.get("target_match"))
