"""``llm:`` raw data -> the typed section (``LLM``) and its semantic checks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from mlmon import conventions as C
from mlmon import presets
from mlmon.compiler.context import CompileContext
from mlmon.compiler.units import format_duration, num
from mlmon.monitors import burnrate
from mlmon.monitors.base import duration_field, parse_at, parse_durations
from mlmon.monitors.llm import schema as D


@dataclass(frozen=True)
class LatencySLO:
    kind: str  # ttft | tpot: the preset signal whose histogram it reads
    threshold: float  # seconds
    objective: float  # percent
    period: float
    page: bool
    ticket: bool
    no_data_for: float

    @property
    def name(self) -> str:
        """The ``slo`` label of its series and alerts (a colon: never the name of a spec's SLO)."""
        return C.LLM_SLO_PREFIX + self.kind

    @property
    def budget(self) -> float:
        return round(1.0 - self.objective / 100.0, 12)

    def tiers(self) -> list[burnrate.Tier]:
        return burnrate.scaled_tiers(self.period, self.page, self.ticket)

    def windows(self) -> list[float]:
        return burnrate.windows(self.period)


@dataclass(frozen=True)
class TokenCost:
    usd_per_1k_in: float
    usd_per_1k_out: float
    daily_budget: float | None
    fast_burn: float
    max_per_1k: float | None


@dataclass(frozen=True)
class Evaluation:
    name: str
    selector: str  # the gauge, as a PromQL selector
    window: float
    min: float | None
    drift: bool
    baseline: float
    max_drop: float
    min_history: float
    history_samples: int  # recorded means the drift baseline needs (one per evaluation over min_history)


@dataclass(frozen=True)
class LLM:
    slos: tuple[LatencySLO, ...]
    min_tokens_per_second: float | None
    max_queue: float | None
    cost: TokenCost | None
    evaluations: tuple[Evaluation, ...]
    severity: str
    for_: float
    no_data_for: float


_METRIC_RE = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")


def model_preset(ctx: CompileContext) -> presets.Preset:
    """The model's serving preset with its overrides (the compiler checked that it exists)."""
    p = presets.get(ctx.defaults.get("preset", "mlmon"))
    assert p is not None
    return p.with_overrides(ctx.defaults.get("serving_overrides") or None)


def _needs(ctx: CompileContext, preset: presets.Preset, field: str, *signals: str) -> bool:
    """Whether the preset has every signal the check ``field`` reads (MLM212 at the field when not)."""
    missing = [s for s in signals if preset.signal(s) is None]
    if missing:
        ctx.error(
            (field,),
            "MLM212",
            f"preset {preset.name!r} has no {' or '.join(missing)} signal, so {field} cannot be watched",
            hint=f"set serving.overrides.{missing[0]} to the metric that holds it",
            key=True,
        )
    return not missing


def _slo(kind: str, raw: Any, ctx: CompileContext, preset: presets.Preset, no_data_for: float) -> LatencySLO | None:
    """One latency SLO: on when written (the preset must have its histogram) or by default when it has."""
    d = D.SLO_DEFAULTS[kind]
    if raw is None:
        if not isinstance(preset.signal(kind), presets.Histogram):
            return None
        raw = {}
    if not raw.get("enabled", True) or not _needs(ctx, preset, kind, kind):
        return None
    durs = parse_durations(ctx, (((kind, "threshold"), raw.get("threshold", d.threshold)), ((kind, "period"), raw.get("period", D.PERIOD))))
    if durs is None:
        return None
    objective = float(raw.get("objective", d.objective))
    if objective <= 1.0:
        ctx.error((kind, "objective"), "MLM204", f"objective {num(objective)} is a percentage of good requests", hint=f"write e.g. {num(objective * 100)}")
        return None
    slo = LatencySLO(
        kind, durs[(kind, "threshold")], objective, durs[(kind, "period")], bool(raw.get("page", True)), bool(raw.get("ticket", True)), no_data_for
    )
    for t in slo.tiers():
        if t.factor * slo.budget >= 1.0:
            ctx.error(
                (kind, "objective"), "MLM206", f"the {t.severity_class} tier {t.windows} at {num(t.factor)}x can never fire at objective {num(objective)}%"
            )
    if slo.windows()[0] < 4 * ctx.scrape_interval:
        ctx.error((kind, "period"), "MLM207", f"alert window {format_duration(slo.windows()[0])} is shorter than 4x the scrape interval")
    h = preset.signal(kind)
    if isinstance(h, presets.Histogram) and h.buckets and not any(abs(b * h.scale - slo.threshold) < 1e-9 * max(1.0, b) for b in h.buckets):
        ctx.warning(
            (kind, "threshold"),
            "MLM213",
            f"threshold {format_duration(slo.threshold)} is not one of preset {preset.name!r}'s default {kind} buckets",
            hint="the SLI reads the bucket whose le equals the threshold; make sure the histogram has it",
        )
    return slo


def _evaluation(i: int, raw: dict[str, Any], ctx: CompileContext) -> Evaluation | None:
    drift = raw.get("drift")
    d = drift or {}
    at = ("evaluations", i)
    texts = {
        "window": raw.get("window", D.EVAL_WINDOW),
        "baseline": d.get("baseline", D.EVAL_BASELINE),
        "min_history": d.get("min_history", D.EVAL_MIN_HISTORY),
    }
    durs = {k: parse_at(ctx, (*at, k) if k == "window" else (*at, "drift", k), v) for k, v in texts.items()}
    window, baseline, history = durs["window"], durs["baseline"], durs["min_history"]
    if window is None or baseline is None or history is None:
        return None
    if window < 4 * ctx.scrape_interval:
        ctx.error((*at, "window"), "MLM207", f"window {format_duration(window)} is shorter than 4x the scrape interval")
    if drift is not None and history > baseline:
        ctx.error((*at, "drift", "min_history"), "MLM210", "min_history is longer than the baseline it must be found in, so drift never alerts")
        return None
    metric = raw.get("metric", C.LLM_EVALUATION_SCORE)
    name, match, _ = presets.split_selector(metric)
    if match is None:
        if not _METRIC_RE.match(metric):
            ctx.error((*at, "metric"), "MLM205", f"{metric!r} is neither a metric name nor a selector name{{...}}")
            return None
        labels = {C.L_MODEL: ctx.model_id, C.L_EVALUATION: raw["name"]}
        selector = f"{name}{{{presets.matchers(labels)}}}"
    else:
        selector = metric
    return Evaluation(
        name=raw["name"],
        selector=selector,
        window=window,
        min=float(raw["min"]) if "min" in raw else None,
        drift=drift is not None,
        baseline=baseline,
        max_drop=float(d.get("max_drop", D.EVAL_MAX_DROP)),
        min_history=history,
        history_samples=max(1, int(history // ctx.evaluation_interval)),
    )


def compile_section(raw: Any, ctx: CompileContext) -> LLM | None:
    if raw is None:
        return None
    preset = model_preset(ctx)
    common = parse_durations(ctx, ((("for",), raw.get("for", D.FOR)), (("no_data_for",), raw.get("no_data_for", D.NO_DATA_FOR))))
    queue = duration_field(ctx, raw.get("queue") or {}, "max", at=("queue",))
    if common is None:
        return None
    no_data_for = common[("no_data_for",)]
    slos = tuple(s for s in (_slo(k, raw.get(k), ctx, preset, no_data_for) for k in D.SLO_KINDS) if s is not None)
    tokens = raw.get("tokens")
    if tokens is not None:
        _needs(ctx, preset, "tokens", "generation_tokens")
    if "queue" in raw:
        _needs(ctx, preset, "queue", "queue")
    cost = None
    if "token_cost" in raw:
        c = raw["token_cost"]
        _needs(ctx, preset, "token_cost", "tokens", "generation_tokens")
        for k in ("fast_burn",):
            if k in c and "daily_budget_usd" not in c:
                ctx.warning(("token_cost", k), "MLM210", f"'{k}' has no effect without daily_budget_usd", key=True)
        cost = TokenCost(
            float(c["usd_per_1k_input_tokens"]),
            float(c["usd_per_1k_output_tokens"]),
            float(c["daily_budget_usd"]) if "daily_budget_usd" in c else None,
            float(c.get("fast_burn", D.FAST_BURN)),
            float(c["max_usd_per_1k_tokens"]) if "max_usd_per_1k_tokens" in c else None,
        )
        dearest = max(cost.usd_per_1k_in, cost.usd_per_1k_out)
        if cost.max_per_1k is not None and cost.max_per_1k >= dearest:
            ctx.warning(("token_cost", "max_usd_per_1k_tokens"), "MLM210", f"no mix of tokens costs more than {num(dearest)} per 1,000, so this never alerts")
        if cost.daily_budget is not None and dearest == 0:
            ctx.warning(("token_cost", "daily_budget_usd"), "MLM210", "every token price is 0, so the budget alerts never fire")
    evaluations: list[Evaluation] = []
    seen: dict[str, int] = {}
    for i, e in enumerate(raw.get("evaluations") or ()):
        if e["name"] in seen:
            ctx.error(("evaluations", i, "name"), "MLM201", f"duplicate evaluation name {e['name']!r} (also evaluations[{seen[e['name']]}])")
            continue
        seen[e["name"]] = i
        ev = _evaluation(i, e, ctx)
        if ev is not None:
            evaluations.append(ev)
    return LLM(
        slos=slos,
        min_tokens_per_second=float(tokens["min_per_second"]) if tokens is not None else None,
        max_queue=queue,
        cost=cost,
        evaluations=tuple(evaluations),
        severity=C.SEVERITY_BY_CLASS[raw.get("severity", D.SEVERITY)],
        for_=common[("for",)],
        no_data_for=no_data_for,
    )
