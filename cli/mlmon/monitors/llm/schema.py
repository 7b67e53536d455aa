"""The ``llm`` section's JSON Schema and its defaults (written here once; compile reads them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlmon.compiler import dsl as S
from mlmon.monitors.burnrate import tiers_text

KEY = "llm"
SLO_KINDS = ("ttft", "tpot")  # the latency SLOs, named after the preset signal each reads
SLO_TITLES = {"ttft": "time to first token", "tpot": "time per output token"}


@dataclass(frozen=True)
class SLODefaults:
    threshold: str
    objective: float


SLO_DEFAULTS = {"ttft": SLODefaults("1s", 99.0), "tpot": SLODefaults("100ms", 99.0)}
PERIOD = "30d"
SEVERITY = "ticket"
FOR = "15m"
NO_DATA_FOR = "30m"
FAST_BURN = 2.0
EVAL_WINDOW = "1h"
EVAL_BASELINE = "7d"
EVAL_MIN_HISTORY = "1d"
EVAL_MAX_DROP = 0.05


def _slo(kind: str) -> dict[str, Any]:
    d = SLO_DEFAULTS[kind]
    title = SLO_TITLES[kind]
    return S.obj(
        {
            "enabled": S.boolean(f"the {title} SLO (on by default when the preset has a {kind} histogram)"),
            "threshold": S.duration(f"a request is good when its {title} is at most this (a bucket bound of the histogram)", d.threshold),
            "objective": S.number("percentage of requests that must be good, e.g. 99", exclusiveMinimum=0, exclusiveMaximum=100, default=d.objective),
            "period": S.duration("SLO period (compliance window); the burn-rate windows scale with it", PERIOD),
            "page": S.boolean(f"page on fast burn ({tiers_text('page')}, scaled to the period)", True),
            "ticket": S.boolean(f"ticket on slow burn ({tiers_text('ticket')}, scaled to the period)", True),
        },
        (),
        f"Latency SLO on the {title}",
    )


def section_schema() -> dict[str, Any]:
    evaluation = S.obj(
        {
            "name": S.string("name of the score, unique within the model (label evaluation)", pattern=S.NAME_PATTERN),
            "metric": S.string("gauge of the score: a metric name (selected by the model label and evaluation=<name>) or a full selector used verbatim"),
            "window": S.duration("averaging window of the score", EVAL_WINDOW),
            "min": S.number("alert when the mean score over the window falls below this (off unless set)"),
            "drift": S.obj(
                {
                    "baseline": S.duration("trailing history the score is compared with, ending one window ago", EVAL_BASELINE),
                    "max_drop": S.number("alert when the mean score is more than this below its trailing mean", exclusiveMinimum=0, default=EVAL_MAX_DROP),
                    "min_history": S.duration("history needed before the drift alert can fire", EVAL_MIN_HISTORY),
                },
                (),
                "Drift of the score against its own history (off unless set)",
            ),
        },
        ("name",),
        "An evaluation score (e.g. an LLM-as-judge gauge)",
    )
    return S.obj(
        {
            "ttft": _slo("ttft"),
            "tpot": _slo("tpot"),
            "tokens": S.obj(
                {"min_per_second": S.number("alert when generated tokens/s fall below this while requests are served", exclusiveMinimum=0)},
                ("min_per_second",),
                "Generated-token throughput floor (off unless set)",
            ),
            "queue": S.obj(
                {"max": S.duration("alert when the mean time requests wait in the server's queue exceeds this")},
                ("max",),
                "Queue-time ceiling (off unless set)",
            ),
            "token_cost": S.obj(
                {
                    "usd_per_1k_input_tokens": S.number("price of 1,000 prompt (input) tokens, USD", 0),
                    "usd_per_1k_output_tokens": S.number("price of 1,000 generated (output) tokens, USD", 0),
                    "daily_budget_usd": S.number("alert when the token spend of the last 24h exceeds this, USD", exclusiveMinimum=0),
                    "fast_burn": S.number("alert when the last hour's pace x 24 exceeds this many daily budgets", exclusiveMinimum=0, default=FAST_BURN),
                    "max_usd_per_1k_tokens": S.number("alert when the blended cost of 1,000 tokens over the last hour exceeds this, USD", exclusiveMinimum=0),
                },
                ("usd_per_1k_input_tokens", "usd_per_1k_output_tokens"),
                "Token prices and budgets",
            ),
            "evaluations": S.array(evaluation, "evaluation scores to watch, with a floor and drift against their own history"),
            "severity": S.enum(["ticket", "page"], "alert class of the throughput, queue, cost and evaluation alerts", SEVERITY),
            "for": S.duration("how long a throughput, queue, cost or evaluation condition must hold", FOR),
            "no_data_for": S.duration("raise MLModelLLMNoData after an input has been missing this long while requests are served", NO_DATA_FOR),
        },
        (),
        "LLM serving: TTFT and TPOT latency SLOs, tokens/s, queue time, token cost, evaluation scores",
    )
