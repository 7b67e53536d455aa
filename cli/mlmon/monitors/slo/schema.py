"""The ``slos`` field: its JSON Schema and every default of an SLO (the burn-rate tiers are in
``monitors.burnrate``, shared with the llm monitor).

Written once here; the schema's ``default`` and description texts and ``compile`` read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlmon.compiler.dsl import NAME_PATTERN, array, boolean, duration, enum, number, obj, string
from mlmon.compiler.units import num
from mlmon.monitors.burnrate import BASE_PERIOD as BASE_PERIOD  # re-exported for the slo modules
from mlmon.monitors.burnrate import TIERS as TIERS
from mlmon.monitors.burnrate import Tier as Tier
from mlmon.monitors.burnrate import tiers_text

WINDOW_PLACEHOLDER = "{{window}}"
KINDS = ("availability", "latency", "ratio")
SLI_FIELDS = {"availability": frozenset[str](), "latency": frozenset({"threshold"}), "ratio": frozenset({"good", "total"})}

# --- defaults -------------------------------------------------------------------------------------
PERIOD = "30d"
PERIOD_DEFAULT_KEY = "slo_period"  # the spec file's defaults.slo_period
PAGE = True
TICKET = True
NO_DATA_FOR = "30m"


@dataclass(frozen=True)
class DefaultSLO:
    """An SLO a model gets without ``slos``."""

    name: str
    kind: str
    objective: float  # percent
    threshold: str | None = None  # latency

    @property
    def description(self) -> str:
        if self.threshold is None:
            return "share of predictions served without error"
        return f"share of predictions served within {self.threshold}"


DEFAULT_AVAILABILITY = DefaultSLO("availability", "availability", 99.5)
DEFAULT_LATENCY = DefaultSLO("latency", "latency", 99.0, "1s")


# --- the schema ---------------------------------------------------------------------------------------
def fragment() -> dict[str, Any]:
    """The schema of a model's ``slos``."""
    sli = {
        "type": "object",
        "description": "availability: failed/total requests; latency: requests slower than threshold; ratio: your own good/total PromQL",
        "required": ["kind"],
        "additionalProperties": False,
        "properties": {
            "kind": enum(list(KINDS), "SLI kind"),
            "threshold": duration("latency SLI: a request is good when faster than this (must be a histogram bucket bound)"),
            "good": string(f"ratio SLI: PromQL of good events per second; write {WINDOW_PLACEHOLDER} for the range, e.g. rate(x[{WINDOW_PLACEHOLDER}])"),
            "total": string(f"ratio SLI: PromQL of all events per second, with {WINDOW_PLACEHOLDER}"),
        },
    }
    alerting = obj(
        {
            "page": boolean(f"page on fast burn ({tiers_text('page')}, scaled to the period)", PAGE),
            "ticket": boolean(f"ticket on slow burn ({tiers_text('ticket')}, scaled to the period)", TICKET),
            "no_data_for": duration("raise the no-data alert after the SLI has had no traffic for this long", NO_DATA_FOR),
        },
        (),
        "Which alerts this SLO raises",
    )
    slo = obj(
        {
            "name": string("SLO name, unique within the model", pattern=NAME_PATTERN),
            "description": string("what the SLO promises"),
            "objective": number("target in percent, e.g. 99.9", exclusiveMinimum=0, exclusiveMaximum=100),
            "period": duration("SLO period (compliance window)", PERIOD),
            "sli": sli,
            "alerting": alerting,
        },
        ("name", "objective", "sli"),
        "A service level objective",
    )
    a, lat = DEFAULT_AVAILABILITY, DEFAULT_LATENCY
    defaults = f"{a.name} {num(a.objective)}% and {lat.name} p{num(lat.objective)} < {lat.threshold}, both over {PERIOD}"
    return array(slo, f"service level objectives (default: {defaults})")


def file_defaults() -> dict[str, Any]:
    """What the SLOs add to a spec file's ``defaults``."""
    return {PERIOD_DEFAULT_KEY: duration("default SLO period", PERIOD)}
