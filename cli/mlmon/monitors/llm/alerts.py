"""The LLM pack's threshold alerts (generated tokens/s, queue time, token spend, evaluation
scores) and the no-data alert of each input they read."""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import AlertRule
from mlmon.compiler.units import format_duration, num
from mlmon.monitors.base import alert_annotations, alert_labels
from mlmon.monitors.llm.compile import LLM, Evaluation
from mlmon.monitors.llm.schema import KEY


def sel(model: Any, **extra: str) -> str:
    """``{model="<id>"}`` plus ``extra`` equality matchers."""
    inner = ",".join(f'{k}="{v}"' for k, v in {C.L_MODEL: model.id, **extra}.items())
    return "{" + inner + "}"


def labels(model: Any, llm: LLM, check: str, severity: str | None = None, **extra: str) -> dict[str, str]:
    return alert_labels(model, KEY, severity or llm.severity, check, **extra)


def _serving(model: Any) -> str:
    return f"\nand on()\n{C.REQUESTS_RATE}{sel(model)} > 0"


def nodata_inputs(model: Any, llm: LLM) -> list[tuple[str, list[str], dict[str, str]]]:
    """(check, series that must exist, extra labels) of every input a threshold alert reads."""
    out: list[tuple[str, list[str], dict[str, str]]] = []
    tokens = ([C.TOKENS_RATE] if llm.cost is not None else []) + ([C.GENERATION_TOKENS_RATE] if llm.cost or llm.min_tokens_per_second else [])
    if tokens:
        out.append(("tokens", [t + sel(model) for t in tokens], {}))
    if llm.max_queue is not None:
        out.append(("queue", [C.QUEUE_MEAN + sel(model)], {}))
    for e in llm.evaluations:
        out.append(("evaluation", [C.LLM_EVAL_MEAN + sel(model, **{C.L_EVALUATION: e.name})], {C.L_EVALUATION: e.name}))
    return out


def nodata_alerts(model: Any, llm: LLM) -> list[AlertRule]:
    out = []
    for check, series, extra in nodata_inputs(model, llm):
        missing = "\nor\n".join(f"absent({s})" for s in series)
        names = ", ".join(s.split("{")[0] for s in series)
        out.append(
            AlertRule(
                C.ALERT_LLM_NODATA,
                f"(\n{missing}\n){_serving(model)}",
                format_duration(llm.no_data_for),
                labels(model, llm, check, C.SEVERITY_TICKET, **extra),
                alert_annotations(
                    model,
                    f"{check} input{' ' + extra[C.L_EVALUATION] if extra else ''} missing for {format_duration(llm.no_data_for)} while serving",
                    f"{names} of {model.id} is absent although requests are served, so its LLM alerts cannot fire. "
                    "Check the server's metrics, the preset (serving.preset, serving.overrides) and, for an evaluation, the job that writes the score.",
                ),
            )
        )
    return out


def _evaluation_alerts(model: Any, llm: LLM, e: Evaluation) -> list[AlertRule]:
    mean = C.LLM_EVAL_MEAN + sel(model, **{C.L_EVALUATION: e.name})
    w, fr = format_duration(e.window), format_duration(llm.for_)
    ev = {C.L_EVALUATION: e.name}
    out = []
    if e.min is not None:
        out.append(
            AlertRule(
                C.ALERT_LLM_EVAL_LOW,
                f"{mean} < {num(e.min)}",
                fr,
                labels(model, llm, "evaluation", **ev),
                alert_annotations(
                    model,
                    f'{e.name} score {{{{ $value | printf "%.3f" }}}} below {num(e.min)}',
                    f"The mean {e.name} score of {model.id} over the last {w} is below {num(e.min)}. Read low-scored answers; check "
                    "recent prompt, retrieval or model changes.",
                ),
            )
        )
    if e.drift:
        base = C.LLM_EVAL_BASELINE + sel(model, **ev)
        out.append(
            AlertRule(
                C.ALERT_LLM_EVAL_DRIFT,
                f"{mean} < {base} - {num(e.max_drop)}",
                fr,
                labels(model, llm, "evaluation_drift", **ev),
                alert_annotations(
                    model,
                    f'{e.name} score fell to {{{{ $value | printf "%.3f" }}}}, more than {num(e.max_drop)} below its usual level',
                    f"The mean {e.name} score over the last {w} is more than {num(e.max_drop)} below its mean over the previous "
                    f"{format_duration(e.baseline)}. Answers got worse: check recent deployments, prompts and the inputs users send.",
                ),
            )
        )
    return out


def _cost_alerts(model: Any, llm: LLM) -> list[AlertRule]:
    c, s, fr = llm.cost, sel(model), format_duration(llm.for_)
    if c is None:
        return []
    out = []
    if c.daily_budget is not None:
        b = num(c.daily_budget)
        out.append(
            AlertRule(
                C.ALERT_LLM_BUDGET,
                f"{C.LLM_SPEND_1D}{s} > {b}",
                fr,
                labels(model, llm, "token_budget"),
                alert_annotations(
                    model,
                    f"tokens cost {{{{ $value | humanize }}}} USD in the last 24h (daily budget {b} USD)",
                    f"The token spend of {model.id} over the last 24h (prompt and generated tokens at the spec's prices) is above "
                    "its daily budget. Check traffic, prompt lengths and max_tokens.",
                ),
            )
        )
        out.append(
            AlertRule(
                C.ALERT_LLM_BUDGET_BURN,
                f"{C.LLM_COST_PER_HOUR}{s} * 24 > {num(c.fast_burn * c.daily_budget)}",
                fr,
                labels(model, llm, "token_budget_burn"),
                alert_annotations(
                    model,
                    f"tokens cost {{{{ $value | humanize }}}} USD a day at the last hour's pace ({num(c.fast_burn)}x the daily budget of {b} USD)",
                    f"At the token spend rate of the last hour, {model.id} would spend more than {num(c.fast_burn)} daily budgets a day. "
                    "Look for a traffic surge, a client retry loop or much longer prompts or answers.",
                ),
            )
        )
    if c.max_per_1k is not None:
        out.append(
            AlertRule(
                C.ALERT_LLM_COST_1K,
                f"{C.LLM_COST_PER_1K}{s} > {num(c.max_per_1k)}",
                fr,
                labels(model, llm, "token_cost"),
                alert_annotations(
                    model,
                    f"1,000 tokens cost {{{{ $value | humanize }}}} USD (limit {num(c.max_per_1k)})",
                    f"The blended price of 1,000 tokens of {model.id} over the last hour is above the limit: the share of the "
                    "dearer generated (output) tokens grew.",
                ),
            )
        )
    return out


def alert_rules(model: Any, llm: LLM) -> list[AlertRule]:
    s, fr = sel(model), format_duration(llm.for_)
    out: list[AlertRule] = []
    if llm.min_tokens_per_second is not None:
        m = num(llm.min_tokens_per_second)
        out.append(
            AlertRule(
                C.ALERT_LLM_TOKENS_LOW,
                f"{C.GENERATION_TOKENS_RATE}{s} < {m}{_serving(model)}",
                fr,
                labels(model, llm, "tokens"),
                alert_annotations(
                    model,
                    f"generating {{{{ $value | humanize }}}} tokens/s (floor {m}) while serving",
                    f"{model.id} serves requests but generates fewer than {m} tokens/s: decoding stalls or answers are cut short. "
                    "Check GPU saturation, preemptions and the KV cache.",
                ),
            )
        )
    if llm.max_queue is not None:
        q = format_duration(llm.max_queue)
        out.append(
            AlertRule(
                C.ALERT_LLM_QUEUE,
                f"{C.QUEUE_MEAN}{s} > {num(llm.max_queue)}",
                fr,
                labels(model, llm, "queue"),
                alert_annotations(
                    model,
                    f"requests wait {{{{ $value | humanize }}}}s in the queue (limit {q})",
                    f"The mean time requests to {model.id} wait before they are scheduled is above {q}: the server is saturated. "
                    "Add replicas or lower max_num_seqs / max_tokens.",
                ),
            )
        )
    out += _cost_alerts(model, llm)
    for e in llm.evaluations:
        out += _evaluation_alerts(model, llm, e)
    return out + nodata_alerts(model, llm)
