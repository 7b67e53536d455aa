"""The ``data_quality:`` field's JSON Schema, and its defaults (defined here once; compile reads them)."""

from __future__ import annotations

from typing import Any

from mlmon.compiler import dsl as S

KEY = "data_quality"  # the field of a model entry
WINDOW = "1h"
MIN_SAMPLES = 100
SEVERITY = "ticket"
FOR = "15m"
NO_DATA_FOR = "1h"
ENABLED = True
# check -> (field of its ceiling, default ceiling, what is counted)
CHECKS: dict[str, tuple[str, float, str]] = {
    "missing": ("max_missing_ratio", 0.05, "requests whose value of the feature is missing (null, NaN, empty)"),
    "out_of_range": ("max_out_of_range_ratio", 0.01, "requests whose numeric value is outside the baseline's valid range"),
    "unseen": ("max_unseen_ratio", 0.01, "requests whose category the reference data never had"),
    "schema": ("max_schema_violation_ratio", 0.0, "requests without the feature, or with a value of the wrong type"),
}


def _ceilings(feature: bool) -> dict[str, Any]:
    """The ceiling fields: the section's (with their defaults) or a feature's (default: the section's)."""
    what = "this feature (default: the section's)" if feature else "every feature"
    return {field: S.ratio(f"{what}: alert when the share of {counted} exceeds this", None if feature else d) for field, d, counted in CHECKS.values()}


def section_schema() -> dict[str, Any]:
    feature = S.obj({"enabled": S.boolean("check this feature", ENABLED), **_ceilings(True)}, (), "Per-feature settings")
    return S.obj(
        {
            "baseline": S.string(
                "baseline YAML made by `mlmon baseline` (features, valid ranges, reference categories), relative to this spec file", minLength=1
            ),
            "window": S.duration("rates are counted over this window", WINDOW),
            "min_samples": {
                "type": "integer",
                "minimum": 1,
                "default": MIN_SAMPLES,
                "description": "checked requests a window needs before its rates are assessed (fewer: the no-data alert)",
            },
            **_ceilings(False),
            "features": {
                "type": "object",
                "description": "per-feature settings by feature name (names must exist in the baseline)",
                "additionalProperties": feature,
            },
            "severity": S.enum(["ticket", "page"], "alert class of the data-quality alerts", SEVERITY),
            "for": S.duration("how long a rate must stay above its ceiling before the alert fires", FOR),
            "no_data_for": S.duration("raise the no-data alert after the model served requests without checked features this long", NO_DATA_FOR),
        },
        ("baseline",),
        "Live data quality of the request features: missing values, out-of-range numbers, unseen categories, absent features",
    )
