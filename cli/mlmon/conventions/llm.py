"""Names of the LLM serving pack (monitors/llm), read as ``C.<NAME>`` through ``mlmon.conventions``."""

# --- LLM serving pack (monitors/llm) ---------------------------------------------------------
# TTFT / TPOT latency SLOs reuse the SLO recording rules and alerts above (SLO_ERROR_RATIO ...,
# ALERT_SLO_BURN, ALERT_SLO_NODATA) with slo="llm:ttft" | "llm:tpot" (a colon: never a user's SLO name).
# Inputs: the serving preset's ttft / tpot histograms and the normalised TOKENS_RATE,
# GENERATION_TOKENS_RATE, QUEUE_MEAN, REQUESTS_RATE; LLM_EVALUATION_SCORE below. Rules {model}.
LLM_EVALUATION_SCORE = "mlmon_llm_evaluation_score"  # gauge {model, evaluation, version}: e.g. an LLM-as-judge score
L_EVALUATION = "evaluation"
LLM_SLO_PREFIX = "llm:"  # slo label of the pack's SLOs: llm:ttft, llm:tpot
LLM_COST_NOW = "mlmon_llm:token_cost_usd_per_hour:rate5m"  # token prices x tokens/s of the last 5m, as USD/h
LLM_COST_PER_HOUR = "mlmon_llm:token_cost_usd_per_hour:avg1h"  # the same averaged over the last hour
LLM_SPEND_1D = "mlmon_llm:token_spend_usd:sum1d"  # USD of tokens in the last 24h (the pace so far x 24 before a day of history)
LLM_COST_PER_1K = "mlmon_llm:token_cost_usd_per_1k_tokens:ratio_avg1h"  # blended USD per 1,000 tokens, last hour
LLM_EVAL_MEAN = "mlmon_llm:evaluation_score:mean"  # {model, evaluation} mean score over the window
LLM_EVAL_BASELINE = "mlmon_llm:evaluation_score:baseline_mean"  # {model, evaluation} trailing mean, ending a window ago
ALERT_LLM_TOKENS_LOW = "MLModelLLMTokenThroughputLow"
ALERT_LLM_QUEUE = "MLModelLLMQueueTimeHigh"
ALERT_LLM_BUDGET = "MLModelLLMTokenBudgetExceeded"
ALERT_LLM_BUDGET_BURN = "MLModelLLMTokenBudgetFastBurn"
ALERT_LLM_COST_1K = "MLModelLLMTokenCostHigh"
ALERT_LLM_EVAL_LOW = "MLModelLLMEvaluationScoreLow"
ALERT_LLM_EVAL_DRIFT = "MLModelLLMEvaluationScoreDrift"
ALERT_LLM_NODATA = "MLModelLLMNoData"  # {check=tokens|queue|token_cost|evaluation}
