"""The ``errors`` field: its JSON Schema, every default of the section and the names of its alerts.

Written once here; the schema's ``default`` and description texts and ``compile`` read them.
"""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon.compiler.dsl import array, boolean, duration, enum, number, obj, ratio
from mlmon.presets.signals import WINDOW

KEY = "errors"

# --- alert names ------------------------------------------------------------------------------------
A_RATIO = "MLModelErrorRatioHigh"
A_ANOMALY = "MLModelAnomaly"
A_CONSTANT = "MLModelConstantPredictions"
A_INVALID = "MLModelInvalidOutputs"
A_NODATA = C.ALERT_ERRORS_NODATA

SIGNALS = ("requests", "error_ratio", "prediction_mean")  # what the anomaly check can watch
SEASONALITY = ("none", "weekly")
NATIVE_PRESET = "mlmon"  # the metric contract: prediction checks are on by default

# --- defaults (in the spec's own units) -------------------------------------------------------------------
ENABLED = True
NO_DATA_FOR = "15m"
RATIO: dict[str, Any] = {"enabled": True, "warning": 0.05, "critical": 0.2, "for": "10m", "min_rps": 0}
ANOMALY: dict[str, Any] = {"enabled": True, "z": 3, "window": "1d", "seasonality": "none", "for": "15m"}  # signals: by model
DEGENERATE: dict[str, Any] = {"window": "1h", "min_stddev": 1e-6, "invalid_ratio": 0.01, "for": "15m"}  # enabled: by preset


def fragment() -> dict[str, Any]:
    """The schema of a model's ``errors``."""
    r, a, dg = RATIO, ANOMALY, DEGENERATE
    return obj(
        {
            "enabled": boolean("generate the error and anomaly alerts", ENABLED),
            "no_data_for": duration(f"how long the request rate (or prediction metrics) may be missing before {A_NODATA}", NO_DATA_FOR),
            "ratio": obj(
                {
                    "enabled": boolean("error-ratio threshold alerts (when the preset counts errors)", r["enabled"]),
                    "warning": ratio("error ratio that opens a ticket", r["warning"]),
                    "critical": ratio("error ratio that pages", r["critical"]),
                    "for": duration("how long", r["for"]),
                    "min_rps": number("ignore the ratio below this many requests/s", 0, default=r["min_rps"]),
                },
                (),
                f"failed requests / all requests over {WINDOW}",
            ),
            "anomaly": obj(
                {
                    "enabled": boolean("z-score anomaly alerts", a["enabled"]),
                    "signals": array(
                        enum(list(SIGNALS), "signal"),
                        f"signals to watch (default: requests unless idle_ok, error_ratio when counted, prediction_mean for preset {NATIVE_PRESET})",
                        uniqueItems=True,
                    ),
                    "z": number("alert when |z| exceeds this", 0, default=a["z"]),
                    "window": duration("trailing baseline window", a["window"]),
                    "seasonality": enum(list(SEASONALITY), "weekly: expect the value of the same time last week plus this week's trend", a["seasonality"]),
                    "for": duration("how long", a["for"]),
                },
                (),
                "anomalies against the signal's own recent history",
            ),
            "degenerate": obj(
                {
                    "enabled": boolean(f"constant-prediction and invalid-output alerts (default: on for preset {NATIVE_PRESET})"),
                    "window": duration("window over which predictions must vary", dg["window"]),
                    "min_stddev": number(f"stddev of the {WINDOW} prediction mean below this is constant", 0, default=dg["min_stddev"]),
                    "invalid_ratio": ratio("share of invalid (NaN, out-of-range) outputs that alerts", dg["invalid_ratio"]),
                    "for": duration("how long", dg["for"]),
                },
                (),
                "degenerate output: constant predictions, NaN/invalid outputs",
            ),
        },
        (),
        "Error ratio, anomalies and degenerate output",
    )
