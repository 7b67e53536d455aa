"""A fixed six-hour history of two models, as OpenMetrics text for ``promtool tsdb
create-blocks-from openmetrics``: the contract's raw counters (for SLO attainment), the series
mlmon's recording rules would have written (budget, drift scores, fairness, performance, cost,
versions) and the alert history (``ALERTS``) with the labels the generated alerts carry.

Every number the report must find follows from the constants below."""

T0 = 1_767_571_200  # 2026-01-05T00:00:00Z: the report's period is [T0, T0 + 6h]
HOURS = 6
LEAD = 2 * 3600  # history before the period, for the rules' windows
STEP = 60

FD = {"model": "fraud-detector"}
FD_ALERT = {"model": "fraud-detector", "team": "risk-ml", "tier": "critical"}
FEATURES = ("account_age_days", "amount", "country", "hour", "merchant_category")

# minutes after T0 -> what happens
ERROR_BURST = (180, 240)  # errors at 1% instead of 0.1%
DRIFT = {"amount": (60, 90, 0.3), "country": (200, 220, 0.15)}
DRIFT_ALERTS = [("amount", "warning", 65, 90), ("amount", "critical", 70, 90), ("country", "warning", 205, 220)]
PARITY_DIP = (120, 150)  # demographic parity ratio 0.7 instead of 0.9
RECALL_DIP = (300, 330)  # recall 0.78 instead of 0.85
V2_CANARY, V2_PRODUCTION = 150, 180
BURN_ALERT = (185, 215)


def _minutes():
    return range(-LEAD // STEP, HOURS * 60 + 1)


def _in(m, window):
    return window[0] <= m < window[1]


def _labels(d):
    return "{" + ",".join(f'{k}="{v}"' for k, v in sorted(d.items())) + "}"


def openmetrics() -> str:
    fams: dict[str, tuple[str, dict[str, list[tuple[int, float]]]]] = {}

    def add(name, kind, labels, minute, value):
        family = name[: -len("_total")] if kind == "counter" else name
        fams.setdefault(family, (kind, {}))[1].setdefault(name + _labels(labels), []).append((T0 + minute * STEP, value))

    predictions = errors = churn = 0.0
    for m in _minutes():
        add("mlmon_predictions_total", "counter", FD, m, predictions)
        add("mlmon_prediction_errors_total", "counter", FD, m, errors)
        add("mlmon_predictions_total", "counter", {"model": "churn"}, m, churn)
        predictions += 600
        errors += 6 if _in(m, ERROR_BURST) else 0.6
        churn += 100
        slo = {**FD, "slo": "availability"}
        add("mlmon_slo:error_budget_remaining:ratio", "gauge", slo, m, round(0.9 - 0.1 * max(0, m) / (HOURS * 60), 6))
        for f in FEATURES:
            lo, hi, score = DRIFT.get(f, (0, 0, 0))
            add("mlmon_drift:feature:score", "gauge", {**FD, "feature": f}, m, score if _in(m, (lo, hi)) else 0.03)
        dip = _in(m, PARITY_DIP)
        add("mlmon_fairness:demographic_parity:ratio", "gauge", FD, m, 0.7 if dip else 0.9)
        add("mlmon_fairness:equal_opportunity:difference", "gauge", FD, m, 0.04)
        add("mlmon_fairness:selection_rate:ratio", "gauge", {**FD, "group": "eu"}, m, 0.3)
        add("mlmon_fairness:selection_rate:ratio", "gauge", {**FD, "group": "us"}, m, 0.21 if dip else 0.27)
        add("mlmon_fairness:true_positive_rate:ratio", "gauge", {**FD, "group": "eu"}, m, 0.8)
        add("mlmon_fairness:true_positive_rate:ratio", "gauge", {**FD, "group": "us"}, m, 0.76)
        add("mlmon_perf:recall:ratio", "gauge", FD, m, 0.78 if _in(m, RECALL_DIP) else 0.85)
        add("mlmon_perf:fpr:ratio", "gauge", FD, m, 0.02)
        add("mlmon_perf_version:recall:ratio", "gauge", {**FD, "version": "v1"}, m, 0.85)
        add("mlmon_training:metric:value", "gauge", {**FD, "version": "v1", "metric": "recall"}, m, 0.9)
        if m >= V2_CANARY:
            add("mlmon_perf_version:recall:ratio", "gauge", {**FD, "version": "v2"}, m, 0.8)
        add("mlmon_cost:usd_per_hour:sum", "gauge", FD, m, 2.0)
        if m < V2_PRODUCTION:
            add("mlmon_model_info", "gauge", {**FD, "version": "v1", "stage": "production"}, m, 1)
        if V2_CANARY <= m < V2_PRODUCTION:
            add("mlmon_model_info", "gauge", {**FD, "version": "v2", "stage": "canary"}, m, 1)
        if m >= V2_PRODUCTION:
            add("mlmon_model_info", "gauge", {**FD, "version": "v2", "stage": "production"}, m, 1)
        for feature, severity, a, b in DRIFT_ALERTS:
            if _in(m, (a, b)):
                labels = {**FD_ALERT, "alertname": "MLModelFeatureDrift", "alertstate": "firing", "severity": severity, "monitor": "drift", "check": feature}
                add("ALERTS", "gauge", labels, m, 1)
        if _in(m, (125, 150)):
            labels = {**FD_ALERT, "alertname": "MLModelDemographicParityRatioLow", "alertstate": "firing", "severity": "warning"}
            add("ALERTS", "gauge", {**labels, "monitor": "fairness", "check": "demographic_parity"}, m, 1)
        if _in(m, BURN_ALERT):
            labels = {**FD_ALERT, "alertname": "MLModelSLOBurnRate", "alertstate": "firing", "severity": "critical", "monitor": "slo"}
            add("ALERTS", "gauge", {**labels, "check": "availability", "slo": "availability", "burn_window": "1h/5m"}, m, 1)
    out = []
    for family in sorted(fams):
        kind, series = fams[family]
        out.append(f"# TYPE {family} {kind}")
        for key in sorted(series):
            out.extend(f"{key} {v:g} {t}" for t, v in series[key])
    return "\n".join(out) + "\n# EOF\n"
