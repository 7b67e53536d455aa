"""Presets of drift libraries whose results teams already export (data only): the drift monitor
``drift_scores`` reads them instead of computing PSI or Jensen-Shannon itself, and alerts and
routes them like its own.

Each is one of three signals, PromQL templates over the model's matchers (``{model}``) and the
window (``{w}``) that return one series per feature with a ``feature`` label:

- ``drift_score``: a score that grows with drift (PSI, Jensen-Shannon, Wasserstein ...);
- ``drift_p_value``: a test's p-value, which falls with drift;
- ``drift_share``: the share of drifted features or of detector runs that flagged drift (0-1),
  for libraries that report no per-feature value.
"""

from __future__ import annotations

from mlmon.presets.dialect import Preset
from mlmon.presets.sources import Expr

EVIDENTLY_VALUE = "evidently:data_drift:value"

EVIDENTLY = Preset(
    name="evidently",
    title="Evidently data drift (the evidently:data_drift:* gauges)",
    kind="drift",
    model_label="dataset_name",
    signals={
        "drift_score": Expr(f"max by (feature) ({EVIDENTLY_VALUE}{{{{{{model}}}}}})", ("model",), (EVIDENTLY_VALUE,)),
        "drift_p_value": Expr(f"min by (feature) ({EVIDENTLY_VALUE}{{{{{{model}}}}}})", ("model",), (EVIDENTLY_VALUE,)),
        "drift_share": Expr("max(evidently:data_drift:share_drifted_features{{{model}}})", ("model",), ("evidently:data_drift:share_drifted_features",)),
    },
    docs="Per-feature drift values of an Evidently data-drift report as gauges `evidently:data_drift:value{dataset_name, feature, "
    "stat_test}` and the report's `evidently:data_drift:share_drifted_features`: the names of Evidently's former Prometheus "
    "monitoring service (which also set `feature_type`), written from an Evidently 0.7 report by `mlmon.instrument.evidently`.",
    source="evidentlyai/evidently:src/evidently/model_monitoring/monitors/data_drift.py@00bed646 (names); "
    "src/evidently/metrics/column_statistics.py, presets/drift.py@a4aa4c2b (0.7 report results)",
    notes=(
        "Evidently removed its Prometheus service in 0.7 (the legacy `model_monitoring` package); reports still compute "
        "the same values, and `mlmon.instrument.evidently.EvidentlyExport(...).update(snapshot.dict(), dataset_name)` sets "
        "these gauges from a report.",
        "`value` is a p-value for the statistical tests (ks, chisquare, z, ...) and a distance for psi, jensenshannon, "
        "wasserstein, kl_div, hellinger: set `drift_scores.statistic: p_value` when the report's tests are p-value tests.",
        "Select the model's report with `drift_scores.match: {dataset_name: <name>}` (default: the model id).",
    ),
)

MLSERVER_DRIFT = "seldon_model_drift"

MLSERVER_ALIBI = Preset(
    name="mlserver-alibi-detect",
    title="Alibi Detect drift detectors served by MLServer (seldon_model_drift)",
    kind="drift",
    model_label="model_name",
    signals={
        "drift_share": Expr(
            f"sum(rate({MLSERVER_DRIFT}_sum{{{{{{model}}}}}}[{{w}}])) / (sum(rate({MLSERVER_DRIFT}_count{{{{{{model}}}}}}[{{w}}])) > 0)",
            ("model",),
            (MLSERVER_DRIFT + "_sum", MLSERVER_DRIFT + "_count"),
        ),
    },
    docs="MLServer's alibi-detect runtime logs each detector run's `is_drift` (0 or 1, one value per feature for feature-wise "
    "detectors) into the histogram `seldon_model_drift{model_name, model_version}`: `_sum / _count` over the window is "
    "the share of runs that flagged drift.",
    source="SeldonIO/MLServer:runtimes/alibi-detect/mlserver_alibi_detect/runtime.py, mlserver/metrics/context.py@a325e523",
    notes=(
        "Only `is_drift` is exported (no p-value or distance, no feature label): mlmon alerts on the share of flagged runs "
        "(`dataset.drifted_share`, and `warn`/`critical` as shares).",
        "Served on MLServer's metrics port (8082) with the model's other metrics: scrape the model (`serving.targets`).",
    ),
)

SELDON_V1 = "seldon_metric_drift_"

SELDON_ALIBI = Preset(
    name="seldon-alibi-detect",
    title="Seldon Core v1 alibi-detect-server (seldon_metric_drift_*)",
    kind="drift",
    model_label="model_name",
    signals={
        "drift_score": Expr(
            f'max by (feature) (label_replace({SELDON_V1}distance{{{{{{model}}}}}}, "feature", "$1", "index", "(.*)"))',
            ("model",),
            (SELDON_V1 + "distance",),
        ),
        "drift_p_value": Expr(
            f'min by (feature) (label_replace({SELDON_V1}p_val{{{{{{model}}}}}}, "feature", "$1", "index", "(.*)"))',
            ("model",),
            (SELDON_V1 + "p_val",),
        ),
    },
    docs="The drift detector server of Seldon Core v1 returns its result as custom metrics, exposed by the Seldon wrapper as "
    "gauges `seldon_metric_drift_distance`, `seldon_metric_drift_p_val`, `seldon_metric_drift_is_drift` with the feature "
    "index in the label `index`.",
    source="SeldonIO/seldon-core:components/alibi-detect-server/adserver/cd_model.py@b38694bb",
    labels={"feature": "index"},
    notes=("Features are named by their index (`index` label, copied to `feature`): list them as `features: ['0', '1', ...]`.",),
)

ALL: tuple[Preset, ...] = (EVIDENTLY, MLSERVER_ALIBI, SELDON_ALIBI)
