"""Input series of the SLO rule tests, in the model's own dialect: its preset's request counters
or latency histogram, or the metrics a ratio SLI's own PromQL selects."""

from __future__ import annotations

from typing import Any

from mlmon import presets
from mlmon.compiler.units import le_strings
from mlmon.monitors.burnrate import per_sample, sample_step
from mlmon.monitors.slo import matchers as M
from mlmon.monitors.slo.model import SLO
from mlmon.monitors.slo.schema import WINDOW_PLACEHOLDER
from mlmon.presets import signals as S

Phases = list[tuple[float, int]]  # (increment per minute, minutes)


_OPS = {"Equal": "=", "NotEqual": "!=", "Re": "=~", "NotRe": "!~"}


def _selector(text: str) -> tuple[str, list[M.Matcher]] | None:
    """(metric name, label matchers) of the single vector selector in ``text``, or None."""
    import promql_parser

    sels: list[Any] = []
    try:
        expr = promql_parser.parse(text.replace(WINDOW_PLACEHOLDER, "5m"))
    except ValueError:
        return None

    def visit(node: Any) -> bool:
        if isinstance(node, promql_parser.VectorSelector):
            sels.append(node)
        return True

    promql_parser.walk(expr, visit, None)
    if len(sels) != 1:
        return None
    name = sels[0].name
    matchers: list[M.Matcher] = []
    for m in sels[0].matchers.matchers:
        op = _OPS[str(m.op).rsplit(".", 1)[-1]]
        if m.name == "__name__":
            if op != "=":
                return None
            name = m.value
            continue
        matchers.append((m.name, op, m.value))
    return (name, matchers) if name else None


def _series(name: str, labels: dict[str, str]) -> str:
    lab = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()) if v != "")
    return f"{name}{{{lab}}}" if lab else name


def _labels(want: list[M.Matcher]) -> dict[str, str] | None:
    """Label values satisfying every matcher of ``want``; None when some label has none."""
    out = {}
    for label in sorted({m[0] for m in want}):
        v = M.value_for(label, want)
        if v is None:
            return None
        out[label] = v
    return out


def ratio_inputs(slo: SLO) -> list[tuple[str, str]] | None:
    """Series to synthesise for a ratio SLI, as (series, role) with role good, errors or total.

    Works for the usual shapes: good and total on different metrics, or on one metric where
    good adds matchers (``code="2xx"``, ``code=~"2.."``, ``code!~"5.."``), in which case the
    failed requests are a second series that total selects and good does not (label values are
    made to match each regex). None when the queries are too complex to synthesise."""
    good, total = _selector(slo.sli.good or ""), _selector(slo.sli.total or "")
    if good is None or total is None:
        return None
    (gname, gms), (tname, tms) = good, total
    if gname != tname:
        glab, tlab = _labels(gms), _labels(tms)
        return None if glab is None or tlab is None else [(_series(gname, glab), "good"), (_series(tname, tlab), "total")]
    glab = _labels(gms + tms)
    if glab is None:
        return None
    for label in sorted({m[0] for m in gms}):
        v = M.value_for(label, tms, gms)
        if v is not None:
            bad = {**glab, label: v}
            return [(_series(gname, glab), "good"), (_series(gname, bad), "errors")]
    return None


def synthetic(model: Any, slo: SLO, incs_t: Phases, incs_e: Phases, step: float = 60.0) -> list[tuple[str, str]] | None:
    """Input series (name, promtool values) with all requests ``incs_t`` and failed ones
    ``incs_e`` (per minute), sampled for rules evaluated every ``step`` seconds
    (``burnrate.sample_step``); None when the SLI's inputs cannot be synthesised."""
    preset = presets.for_model(model)
    assert preset is not None  # the compiler rejects unknown presets
    labels = S.model_labels(model)
    good_incs = per_sample([(t - e, n) for (t, n), (e, _) in zip(incs_t, incs_e)], step)
    incs_t, incs_e = per_sample(incs_t, step), per_sample(incs_e, step)
    lab = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    if slo.sli.kind == "availability":
        total, errors, good = S.counter_values(incs_t), S.counter_values(incs_e), S.counter_values(good_incs)
        return S.synthetic_requests(preset, labels, total, errors, good, model_id=model.id, step_s=sample_step(step))
    if slo.sli.kind == "latency":
        assert preset.latency is not None and slo.sli.threshold is not None  # checked at compile time
        bound = slo.sli.threshold / preset.latency.scale
        name = preset.latency.name
        return [
            (f'{name}_bucket{{{lab},le="{le_strings(bound)[0]}"}}', S.counter_values(good_incs)),
            (f'{name}_bucket{{{lab},le="+Inf"}}', S.counter_values(incs_t)),
            (f"{name}_count{{{lab}}}", S.counter_values(incs_t)),
        ]
    inputs = ratio_inputs(slo)
    if inputs is None:
        return None
    values = {"good": S.counter_values(good_incs), "total": S.counter_values(incs_t), "errors": S.counter_values(incs_e)}
    return [(series, values[role]) for series, role in inputs]


def signature(model: Any, slo: SLO) -> frozenset[str] | None:
    """The names of the SLO's input series (SLOs with the same inputs burn together)."""
    series = synthetic(model, slo, [(1.0, 1)], [(0.0, 1)])
    return None if series is None else frozenset(name for name, _ in series)
