"""The preset reference: for every preset in ``presets.tables.ALL``, the upstream metric behind each
signal, its scope, its unit conversion and the normalised series it feeds."""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon.compiler.units import fmt_float
from mlmon.docgen.text import cell, code, page, table
from mlmon.presets import SCOPES, Counter, Expr, Gauge, Histogram, Mean, Preset
from mlmon.presets import tables as T
from mlmon.presets.signals import COST_RESOURCES, RECORD

PATH = "metrics/preset-reference.md"
KINDS = (("serving", "Serving frameworks"), ("exporter", "Infrastructure and cost exporters"), ("drift", "Drift libraries"))
# unit factors with a name; any other factor is shown as a number
UNITS = {1e-6: "µs → s (×1e-6)", 0.001: "ms → s (×0.001)", 0.01: "% → 0-1 (×0.01)", float(2**20): "MiB → bytes (×2^20)"}


DRIFT = {"drift_score": C.DRIFT_FEATURE_SCORE, "drift_p_value": C.DRIFT_FEATURE_SCORE, "drift_share": C.DRIFT_DRIFTED_SHARE}


def series(key: str) -> str:
    """The normalised recording rule(s) a signal feeds (names from ``conventions``)."""
    if key in DRIFT:
        return DRIFT[key]
    if key == "cost_bill":
        return C.CLOUD_BILL_HOURLY
    if key == "replicas":
        return C.REPLICAS
    if key == "requests":
        return C.REQUESTS_RATE
    if key == "errors":
        return f"{C.ERRORS_RATE} / {C.ERROR_RATIO}"
    if key == "latency":
        return f"{C.LATENCY_QUANTILE} (+ mean)"
    if key == "ttft":
        return f"{C.TTFT_QUANTILE}; the `llm` monitor's TTFT SLO"
    if key == "tpot":
        return "the `llm` monitor's TPOT SLO"
    if key in COST_RESOURCES:
        return f"{C.OPENCOST_HOURLY_BY_RESOURCE}{{resource={COST_RESOURCES[key]}}}"
    return RECORD.get(key, "")


def metric(src: Any) -> str:
    """The upstream metric(s) of a source, as Markdown."""
    if isinstance(src, tuple):
        return " + ".join(metric(s) for s in src)
    if isinstance(src, Counter):
        if src.period:
            return f"avg_over_time({_names(src.names)}{_match(src.match)}) / {fmt_float(src.period)}s (a per-period count)"
        return f"rate({_names(src.names)}{_match(src.match)})"
    if isinstance(src, Gauge):
        inner = f"{_names(src.names)}{_match(src.match)}"
        return f"{src.agg}(last_over_time({inner}[{src.lookback}]))" if src.lookback else f"{src.agg}({inner})"
    if isinstance(src, Histogram):
        return f"histogram {_names(src.names)}{_match(src.match)}"
    if isinstance(src, Mean):
        return f"{metric(src.total)} / {metric(src.count)}"
    if isinstance(src, Expr):
        return code(src.template.format(w="{w}", **{s: "{" + s + "}" for s in SCOPES}))
    return code(src)


def _names(names: tuple[str, ...]) -> str:
    return " or ".join(code(n) for n in names)


def _match(match: str) -> str:
    return f" {code('{' + match + '}')}" if match else ""


def scope(src: Any) -> str:
    if isinstance(src, tuple):
        return scope(src[0])
    if isinstance(src, Mean):
        return scope(src.total)
    if isinstance(src, Expr):
        return ", ".join(src.scopes)
    return str(getattr(src, "scope", ""))


def unit(src: Any) -> str:
    s = src[0].scale if isinstance(src, tuple) else getattr(src, "scale", 1.0)
    if s == 1.0:
        return "-"
    return UNITS.get(s, f"×{fmt_float(s)}")


def section(p: Preset) -> list[str]:
    intro = " ".join(
        x
        for x in (
            p.docs,
            f"Source: {code(p.source)}." if p.source else "",
            f"Model label: {code(p.model_label)}." if p.kind in ("serving", "drift") else "",
            f"Read through the exporter {code(p.exporter)} ([clouds](../integrations/clouds.md))." if p.exporter else "",
        )
        if x
    )
    body = [f"### `{p.name}`: {p.title}", "", intro, ""]
    rows = [[key, cell(metric(p.signal(key))), scope(p.signal(key)), unit(p.signal(key)), code(series(key))] for key in p.keys()]
    body += table(("signal", "upstream metric (dialect)", "scope", "unit conversion", "normalised series"), rows)
    if p.notes:
        body += [""] + [f"- {n}" for n in p.notes]
    return body + [""]


def preset_reference() -> str:
    body = [
        "# Preset reference",
        "",
        "Every built-in preset (`cli/mlmon/presets/tables.py`, `cloud.py`, `drift_libs.py`): for each signal, the upstream metric it reads "
        "(alternative spellings OR-ed), whose labels select it (scope), the unit factor into the normalised unit "
        "and the normalised recording rule it feeds. How presets, scopes and overrides work: [Presets](presets.md).",
        "",
    ]
    for kind, title in KINDS:
        chosen = sorted((p for p in T.ALL if p.kind == kind), key=lambda p: p.name)
        if not chosen:
            continue
        body += [f"## {title}", ""]
        for p in chosen:
            body += section(p)
    other = sorted((p for p in T.ALL if p.kind not in dict(KINDS)), key=lambda p: p.name)
    if other:
        body += ["## Other presets", ""] + [line for p in other for line in section(p)]
    return page("the preset tables (mlmon.presets.tables.ALL)", body)
