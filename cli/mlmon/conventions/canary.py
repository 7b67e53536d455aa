"""Names of the canary / shadow comparison (monitors/canary, `mlmon gate`), read as ``C.<NAME>``
through ``mlmon.conventions``."""

# --- canary / shadow comparison (monitors/canary, `mlmon gate`) --------------------------------
# Two versions of one model told apart by one label (spec canary.label, e.g. role="stable"|"canary"
# or version); each recorded once per arm {model, arm} and compared {model}. Every comparison is
# absent until both arms served canary.min_samples requests in the window (the sample gate).
L_ARM = "arm"
ARM_BASELINE = "baseline"
ARM_CANDIDATE = "candidate"
CANARY_REQUESTS = "mlmon_canary:requests:increase_window"  # {model, arm} requests in the window
CANARY_GATE = "mlmon_canary:sample_gate:ok"  # {model} 1 when both arms reached min_samples, else 0
CANARY_ERROR_RATIO = "mlmon_canary:error_ratio:ratio"  # {model, arm}
CANARY_ERROR_DELTA = "mlmon_canary:error_ratio:delta"  # {model} candidate - baseline
CANARY_LATENCY = "mlmon_canary:latency_seconds:window"  # {model, arm} latency quantile (mean without a histogram)
CANARY_LATENCY_RATIO = "mlmon_canary:latency:ratio"  # {model} candidate / baseline
CANARY_DIVERGENCE = "mlmon_canary:prediction:ks_distance"  # {model} largest gap between the arms' output CDFs
CANARY_LABELS = "mlmon_canary:labels:increase_window"  # {model, arm} labelled outcomes in the quality window
CANARY_QUALITY = "mlmon_canary:quality:ratio"  # {model, arm} the spec's quality metric
CANARY_QUALITY_DELTA = "mlmon_canary:quality:delta"  # {model} candidate - baseline (negative: worse, fpr: positive)
ALERT_CANARY_ERRORS = "MLModelCanaryErrorRatioHigher"
ALERT_CANARY_LATENCY = "MLModelCanaryLatencyHigher"
ALERT_CANARY_DIVERGENCE = "MLModelCanaryPredictionDivergence"
ALERT_CANARY_QUALITY = "MLModelCanaryQualityLower"
ALERT_CANARY_STARVED = "MLModelCanaryStarved"  # candidate serves but stays under the sample gate
