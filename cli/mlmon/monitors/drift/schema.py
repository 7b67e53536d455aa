"""The ``drift:`` field's JSON Schema, and its defaults (defined here once; compile reads them)."""

from __future__ import annotations

from typing import Any

from mlmon.compiler import dsl as S
from mlmon.compiler.units import num

KEY = "drift"  # the field of a model entry
METHOD = "psi"
# (method, JS form) -> (warn, critical): the score's usual moderate / significant levels
THRESHOLDS: dict[tuple[str, str | None], tuple[float, float]] = {
    ("psi", None): (0.1, 0.25),
    ("js", "distance"): (0.1, 0.2),
    ("js", "divergence"): (0.01, 0.04),
}
WINDOW = "1h"
FOR = "15m"
NO_DATA_FOR = "1h"
MIN_SAMPLES_PER_BIN = 10  # min_samples defaults to this many observations per bin of the widest distribution
ENABLED = True  # features, the prediction and dataset drift are monitored unless disabled
DRIFTED_SHARE = 0.5
DATASET_SEVERITY = "critical"
FEATURE_LABEL = "feature"  # label that names the feature in the top-level source histogram
# Bin series per group of feature rules: a model whose features have more bins in all is split into
# groups of consecutive features, each of at most this many bins (0: never split). 256 bins keep a
# group of 50 features x 10 bins at a third of one group's evaluation time (bench/drift_bench.py).
BINS_PER_GROUP = 256

NAME_PATTERN = r"^[a-zA-Z_:][a-zA-Z0-9_:]*$"


def _by_method(level: int) -> str:
    return ", ".join(f"{m}{' ' + form if form else ''} {num(t[level])}" for (m, form), t in THRESHOLDS.items())


def _thresholds(what: str) -> dict[str, Any]:
    return {
        "warn": S.number(f"{what}: warning at or above this score (default by method: {_by_method(0)})", exclusiveMinimum=0),
        "critical": S.number(f"{what}: critical at or above this score (default: {_by_method(1)})", exclusiveMinimum=0),
    }


def _source() -> dict[str, Any]:
    return S.obj(
        {
            "histogram": S.string("classic histogram metric name without _bucket; its le bounds must include every baseline edge", pattern=NAME_PATTERN),
            "feature_label": S.string("label whose value is the feature name (when one histogram holds several features)", pattern=S.LABEL_NAME_PATTERN),
        },
        ("histogram",),
        "Read bins from an existing classic histogram instead of mlmon's per-bin counters",
    )


def section_schema() -> dict[str, Any]:
    source = _source()
    feature = S.obj({"enabled": S.boolean("monitor this feature", ENABLED), **_thresholds("this feature"), "source": source}, (), "Per-feature settings")
    prediction = S.obj(
        {
            "enabled": S.boolean("monitor the prediction score distribution (needs a prediction entry in the baseline)", ENABLED),
            **_thresholds("the prediction"),
            "source": source,
        },
        (),
        "Prediction drift",
    )
    js = S.obj(
        {
            "base": S.enum(["e", "2"], "logarithm base: e (Evidently, range up to sqrt(ln 2) for the distance) or 2 (NannyML, range [0, 1])"),
            "form": S.enum(["distance", "divergence"], "distance = sqrt(divergence)"),
        },
        ("base", "form"),
        "Jensen-Shannon variant; required with method js (the variants differ numerically)",
    )
    dataset = S.obj(
        {
            "enabled": S.boolean("raise the dataset-drift alert", ENABLED),
            "drifted_share": S.ratio("alert when at least this share of the scored features is at or above its warn threshold", DRIFTED_SHARE),
            "severity": S.enum(["warning", "critical"], "severity of the dataset-drift alert", DATASET_SEVERITY),
        },
        (),
        "Dataset drift (Evidently's drift_share)",
    )
    min_samples = {
        "type": "integer",
        "minimum": 1,
        "description": f"no score (and the no-data alert) below this many observations in the window (default {MIN_SAMPLES_PER_BIN} x the feature's bins)",
    }
    return S.obj(
        {
            "baseline": S.string("baseline YAML made by `mlmon baseline`, relative to this spec file", minLength=1),
            "method": S.enum(["psi", "js"], "drift score: population stability index or Jensen-Shannon", METHOD),
            "js": js,
            "window": S.duration("the current distribution is the bin counts over this window", WINDOW),
            "min_samples": min_samples,
            **_thresholds("every feature and the prediction"),
            "for": S.duration("how long a score must stay at or above a threshold before the alert fires", FOR),
            "no_data_for": S.duration("raise the no-data alert after features or the prediction had no score this long", NO_DATA_FOR),
            "features": {
                "type": "object",
                "description": "per-feature settings by feature name (names must exist in the baseline)",
                "additionalProperties": feature,
            },
            "dataset": dataset,
            "prediction": prediction,
            "source": source,
            "max_bins_per_group": {
                "type": "integer",
                "minimum": 0,
                "default": BINS_PER_GROUP,
                "description": "evaluate the feature rules in groups of consecutive features of at most this many bin series each (the "
                "baseline's bins plus the __other__ bin of counted numeric features; a wider feature gets a group of its own), so each "
                "group's evaluation stays short and Prometheus runs the groups side by side; the model-level rules and alerts read their "
                "scores one evaluation later. 0: one group however many bins",
            },
        },
        ("baseline",),
        "Feature and prediction drift against a reference baseline (PSI or Jensen-Shannon), computed in PromQL",
    )
