"""The ``drift_scores:`` field's JSON Schema and defaults (written here once)."""

from __future__ import annotations

from typing import Any

from mlmon import presets as P
from mlmon.compiler import dsl as S
from mlmon.compiler.units import num

KEY = "drift_scores"
MONITOR_LABEL = "drift"  # alerts carry monitor="drift": routed, inhibited and retrained on like the drift monitor's
STATISTICS = ("score", "p_value")
# (warn, critical) by what is compared: scores grow with drift (Evidently's default threshold, the significant
# PSI band), p-values fall with it, shares are the part of features or detector runs that flagged drift
THRESHOLDS = {"score": (0.1, 0.25), "p_value": (0.05, 0.01), "share": (0.5, 0.8)}
SIGNAL = {"score": "drift_score", "p_value": "drift_p_value", "share": "drift_share"}
WINDOW = "1h"
FOR = "15m"
NO_DATA_FOR = "1h"
DRIFTED_SHARE = 0.5
DATASET_SEVERITY = "critical"


def _defaults(level: int) -> str:
    return ", ".join(f"{k} {num(v[level])}" for k, v in THRESHOLDS.items())


def schema() -> dict[str, Any]:
    return S.obj(
        {
            "preset": S.enum(P.names("drift"), "the drift library whose results the model exports"),
            "statistic": S.enum(
                list(STATISTICS), "what its per-feature value is: a score (drift when >= threshold) or a p-value (drift when <= threshold)", "score"
            ),
            "match": S.string_map("label matchers selecting the model's series (default: the preset's model label = the model id)"),
            "features": S.array(S.string(minLength=1), "features expected to have a value (each missing one raises the no-data alert)", uniqueItems=True),
            "window": S.duration("window of shares computed from counters (MLServer's detector runs)", WINDOW),
            "warn": S.number(f"warning threshold (default by what is compared: {_defaults(0)})", exclusiveMinimum=0),
            "critical": S.number(f"critical threshold (default: {_defaults(1)})", exclusiveMinimum=0),
            "for": S.duration("how long a threshold must be crossed before the alert fires", FOR),
            "no_data_for": S.duration("raise the no-data alert after the values have been missing this long", NO_DATA_FOR),
            "dataset": S.obj(
                {
                    "enabled": S.boolean("raise the dataset-drift alert", True),
                    "drifted_share": S.ratio("alert when at least this share of the features drifted (>= warn)", DRIFTED_SHARE),
                    "severity": S.enum(["warning", "critical"], "severity of the dataset-drift alert", DATASET_SEVERITY),
                },
                (),
                "Dataset drift from the per-feature values",
            ),
        },
        ("preset",),
        "Drift computed by a library (Evidently, Alibi Detect via MLServer or Seldon) and exported to Prometheus: alerted and routed like mlmon's own drift",
    )
