"""PromQL pieces the drift rules, panels and cases share: selectors of the input metrics, regex
alternatives of feature names, and constant series."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from mlmon import conventions as C
from mlmon import presets
from mlmon.artifacts import promql_string as q
from mlmon.compiler.units import fmt_float

_REGEX_META = set(".^$*+?()[]{}|\\")


def model_matcher(model: Any) -> str:
    """``{model="<id>"}``: selects the series mlmon's own rules record for the model."""
    return f"{{{C.L_MODEL}={q(model.id)}}}"


def set_matcher(model: Any, names: Sequence[str]) -> str:
    """``{model="<id>",feature=~"<names>"}``: the series mlmon's rules record for these features."""
    return f"{{{C.L_MODEL}={q(model.id)},feature=~{re_alt(names)}}}"


def re_alt(names: Sequence[str]) -> str:
    """A PromQL regex literal matching exactly these names."""
    parts = ["".join("\\" + ch if ch in _REGEX_META else ch for ch in n) for n in names]
    return q("|".join(parts))


def constants(label: str, items: Iterable[tuple[str, float]]) -> str:
    """PromQL for constant series, one per (label value, number): a chain of label_replace(vector(x), ...)."""
    terms = [f'label_replace(vector({fmt_float(float(v))}), {q(label)}, {q(name)}, "", "")' for name, v in items]
    return "\nor ".join(terms)


def contract_selector(model: Any) -> str:
    """Label matchers for mlmon's own counters (emitted with model=<id> by mlmon.instrument)."""
    preset = presets.get(model.serving.preset)
    if preset is not None and preset.name == "mlmon":
        return preset.selector(model.id, model.serving.match)
    return f"{C.L_MODEL}={q(model.id)}"


def framework_selector(model: Any) -> str:
    """Label matchers for a histogram the serving framework (or the model's own code) exposes."""
    preset = presets.get(model.serving.preset)
    return preset.selector(model.id, model.serving.match) if preset is not None else f"{C.L_MODEL}={q(model.id)}"
