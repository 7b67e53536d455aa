"""Errors and anomalies: error-ratio thresholds; z-score anomalies of request rate, error ratio and
the prediction mean against a trailing window (optionally weekly seasonal); degenerate output
(constant predictions, invalid/NaN outputs). Spec key ``errors``.

Reads the normalised signals written by the infra monitor (``mlmon_model:requests:rate5m``,
``mlmon_model:errors:ratio_rate5m``) and, for the prediction checks, the metric contract's
``mlmon_prediction_score`` histogram (``_sum``/``_count``) and ``mlmon_invalid_outputs_total``.

```yaml
errors:
  ratio: {warning: 0.05, critical: 0.2, for: 10m, min_rps: 0}
  anomaly: {signals: [requests, error_ratio, prediction_mean], z: 3, window: 1d, seasonality: weekly, for: 15m}
  degenerate: {window: 1h, min_stddev: 0.000001, invalid_ratio: 0.01, for: 15m}
  no_data_for: 15m
```

Defaults: error-ratio alerts when the preset counts errors; anomalies on the request rate (unless
``idle_ok``) and the error ratio; the prediction-mean anomaly and degenerate-output checks when the
model uses the native contract (preset ``mlmon``) or lists them explicitly.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Sequence

from mlmon import conventions as C
from mlmon.artifacts import AlertCheck, AlertRule, ExpAlert, Panel, RecordingRule, Row, RuleGroup, RuleTest, Target, Threshold
from mlmon.compiler.context import CompileContext
from mlmon.presets import signals as S
from mlmon.compiler.dsl import array, boolean, duration, enum, number, obj, ratio
from mlmon.compiler.units import fmt_float, format_duration, parse_duration

KEY = "errors"
A_RATIO = "MLModelErrorRatioHigh"
A_ANOMALY = "MLModelAnomaly"
A_CONSTANT = "MLModelConstantPredictions"
A_INVALID = "MLModelInvalidOutputs"
A_NODATA = "MLModelErrorsNoData"
ALERTS = (A_RATIO, A_ANOMALY, A_CONSTANT, A_INVALID, A_NODATA)
SIGNALS = ("requests", "error_ratio", "prediction_mean")
# denominator of the z-score: max(stddev + rel x |mean|, floor), so a flat baseline cannot divide by 0
Z_FLOOR = {"requests": (0.05, 0.01), "error_ratio": (0.05, 0.001), "prediction_mean": (0.02, 0.001)}
DIRECTION = {"requests": "both", "error_ratio": "up", "prediction_mean": "both"}


@dataclass(frozen=True)
class Ratio:
    enabled: bool = True
    warning: float = 0.05
    critical: float = 0.2
    for_: float = 600.0
    min_rps: float = 0.0


@dataclass(frozen=True)
class Anomaly:
    enabled: bool = True
    signals: tuple[str, ...] | None = None  # None: the defaults for the model
    z: float = 3.0
    window: float = 86400.0
    seasonality: str = "none"  # none | weekly
    for_: float = 900.0


@dataclass(frozen=True)
class Degenerate:
    enabled: bool | None = None  # None: on for preset mlmon
    window: float = 3600.0
    min_stddev: float = 1e-6
    invalid_ratio: float = 0.01
    for_: float = 900.0


@dataclass(frozen=True)
class Errors:
    enabled: bool = True
    ratio: Ratio = field(default_factory=Ratio)
    anomaly: Anomaly = field(default_factory=Anomaly)
    degenerate: Degenerate = field(default_factory=Degenerate)
    no_data_for: float = 900.0


def _d(s: float) -> str:
    return format_duration(s)


def _num(x: float) -> str:
    return fmt_float(float(f"{x:.12g}"))


def baseline_offset(an: Anomaly) -> float:
    """The baseline window ends this long ago, so an anomaly lasting the alert's ``for`` is not
    part of its own baseline (it becomes the new normal only after that)."""
    return an.for_ + 900.0


class ErrorsMonitor:
    key = KEY
    title = "Errors and anomalies"
    depends_on = ("infra",)  # reads the normalised signals written by the infra monitor

    def schema(self) -> dict:
        return obj(
            {
                "enabled": boolean("generate the error and anomaly alerts", True),
                "no_data_for": duration("how long the request rate (or prediction metrics) may be missing before MLModelErrorsNoData", "15m"),
                "ratio": obj(
                    {
                        "enabled": boolean("error-ratio threshold alerts (when the preset counts errors)", True),
                        "warning": ratio("error ratio that opens a ticket", 0.05),
                        "critical": ratio("error ratio that pages", 0.2),
                        "for": duration("how long", "10m"),
                        "min_rps": number("ignore the ratio below this many requests/s", 0, default=0),
                    },
                    (), "failed requests / all requests over 5m",
                ),
                "anomaly": obj(
                    {
                        "enabled": boolean("z-score anomaly alerts", True),
                        "signals": array(enum(list(SIGNALS), "signal"), "signals to watch (default: requests unless idle_ok, error_ratio when counted, prediction_mean for preset mlmon)", uniqueItems=True),
                        "z": number("alert when |z| exceeds this", 0, default=3),
                        "window": duration("trailing baseline window", "1d"),
                        "seasonality": enum(["none", "weekly"], "weekly: expect the value of the same time last week plus this week's trend", "none"),
                        "for": duration("how long", "15m"),
                    },
                    (), "anomalies against the signal's own recent history",
                ),
                "degenerate": obj(
                    {
                        "enabled": boolean("constant-prediction and invalid-output alerts (default: on for preset mlmon)"),
                        "window": duration("window over which predictions must vary", "1h"),
                        "min_stddev": number("stddev of the 5m prediction mean below this is constant", 0, default=1e-6),
                        "invalid_ratio": ratio("share of invalid (NaN, out-of-range) outputs that alerts", 0.01),
                        "for": duration("how long", "15m"),
                    },
                    (), "degenerate output: constant predictions, NaN/invalid outputs",
                ),
            },
            (), "Error ratio, anomalies and degenerate output",
        )

    def compile(self, raw: Any, ctx: CompileContext) -> Errors:
        raw = raw or {}

        def dur(path: tuple, text: Any, default: float) -> float:
            if text is None:
                return default
            try:
                return parse_duration(text)
            except ValueError as exc:
                ctx.error(path, "MLM203", str(exc))
                return default

        r = raw.get("ratio", {})
        ratio_ = Ratio(r.get("enabled", True), float(r.get("warning", 0.05)), float(r.get("critical", 0.2)), dur(("ratio", "for"), r.get("for"), 600.0), float(r.get("min_rps", 0)))
        if ratio_.critical <= ratio_.warning:
            ctx.error(("ratio", "critical"), "MLM210", f"critical {ratio_.critical} must be above warning {ratio_.warning}")
        a = raw.get("anomaly", {})
        anomaly = Anomaly(a.get("enabled", True), tuple(a["signals"]) if "signals" in a else None, float(a.get("z", 3)),
                          dur(("anomaly", "window"), a.get("window"), 86400.0), a.get("seasonality", "none"), dur(("anomaly", "for"), a.get("for"), 900.0))  # fmt: skip
        if anomaly.window < 3600:
            ctx.error(("anomaly", "window"), "MLM203", "the anomaly baseline window must be at least 1h")
        if anomaly.window / ctx.evaluation_interval > 20000:
            ctx.warning(("anomaly", "window"), "MLM203", f"the window holds {int(anomaly.window / ctx.evaluation_interval)} samples per evaluation; consider a shorter window")
        dg = raw.get("degenerate", {})
        degenerate = Degenerate(dg.get("enabled"), dur(("degenerate", "window"), dg.get("window"), 3600.0), float(dg.get("min_stddev", 1e-6)),
                                float(dg.get("invalid_ratio", 0.01)), dur(("degenerate", "for"), dg.get("for"), 900.0))  # fmt: skip
        if degenerate.window < 1200:
            ctx.error(("degenerate", "window"), "MLM203", "the degenerate-output window must be at least 20m (4 x the 5m rate window)")
        return Errors(bool(raw.get("enabled", True)), ratio_, anomaly, degenerate, dur(("no_data_for",), raw.get("no_data_for"), 900.0))

    # --- what applies -----------------------------------------------------------------------------------
    def cfg(self, model: Any) -> Errors:
        return model.section(KEY) or Errors()

    def checks(self, model: Any) -> dict[str, Any]:
        cfg = self.cfg(model)
        infra = model.section("infra")
        avail = S.available(model, infra.placement if infra is not None else None)
        out: dict[str, Any] = {}
        if not cfg.enabled:
            return out
        native = model.serving.preset == "mlmon"
        if cfg.ratio.enabled and "error_ratio" in avail:
            out["ratio"] = cfg.ratio
        if cfg.anomaly.enabled:
            sig = cfg.anomaly.signals
            if sig is None:
                sig = tuple(s for s in SIGNALS if (s == "requests" and not model.idle_ok and "requests" in avail)
                            or (s == "error_ratio" and "error_ratio" in avail) or (s == "prediction_mean" and native))  # fmt: skip
            sig = tuple(s for s in sig if s == "prediction_mean" or (s == "requests" and "requests" in avail) or (s == "error_ratio" and "error_ratio" in avail))
            if sig:
                out["anomaly"] = (cfg.anomaly, sig)
        dg = cfg.degenerate
        if dg.enabled or (dg.enabled is None and native):
            out["degenerate"] = dg
        out["requests"] = "requests" in avail
        return out

    def labels(self, model: Any, severity: str, check: str, **extra: str) -> dict[str, str]:
        out = dict(model.labels)
        out.update({C.L_MODEL: model.id, C.L_TEAM: model.team, C.L_SEVERITY: severity, C.L_MONITOR: KEY, C.L_CHECK: check, **extra})
        return out

    def _ann(self, model: Any, summary: str, description: str) -> dict[str, str]:
        return {"summary": f"{model.id}: {summary}", "description": description, "dashboard": f"/d/{C.grafana_uid('model', model.id)}"}

    def contract_sel(self, model: Any) -> str:
        return f'{C.L_MODEL}="{model.id}"'

    # --- rules ----------------------------------------------------------------------------------------------
    def rule_groups(self, model: Any, spec: Any) -> Sequence[RuleGroup]:
        chk = self.checks(model)
        rules: list[RecordingRule | AlertRule] = []
        lab = {C.L_MODEL: model.id}
        m = model.id
        req = S.rec(m, C.REQUESTS_RATE)
        csel = self.contract_sel(model)
        uses_pred = "degenerate" in chk or ("anomaly" in chk and "prediction_mean" in chk["anomaly"][1])
        if uses_pred:
            rules.append(RecordingRule(C.PREDICTION_MEAN, f"sum(rate({C.PREDICTION_SCORE}_sum{{{csel}}}[5m]))\n/\n(sum(rate({C.PREDICTION_SCORE}_count{{{csel}}}[5m])) > 0)", lab))
        if "degenerate" in chk:
            rules.append(RecordingRule(C.INVALID_OUTPUT_RATIO, f"sum(rate({C.INVALID_OUTPUTS_TOTAL}{{{csel}}}[5m]))\n/\n(sum({req}) > 0)", lab))
        if "anomaly" in chk:
            an, sig = chk["anomaly"]
            for s in sig:
                rules.extend(self.anomaly_rules(model, an, s))
        if "ratio" in chk:
            r: Ratio = chk["ratio"]
            ratio_sel = S.rec(m, C.ERROR_RATIO)
            for sev, thr in ((C.SEVERITY_TICKET, r.warning), (C.SEVERITY_PAGE, r.critical)):
                expr = f"{ratio_sel} > {_num(thr)}"
                if r.min_rps > 0:
                    expr = f"{expr}\nand on (model)\n{req} > {_num(r.min_rps)}"
                rules.append(AlertRule(
                    A_RATIO, expr, _d(r.for_), self.labels(model, sev, "error_ratio"),
                    self._ann(model, f"more than {_num(thr * 100)}% of requests fail",
                              f"More than {_num(thr * 100)}% of the requests to {model.id} have failed for {_d(r.for_)}. "
                              "Check the server logs for the failing reason, recent deploys and dependencies (feature store, GPU)."),
                ))  # fmt: skip
        if "anomaly" in chk:
            an, sig = chk["anomaly"]
            for s in sig:
                z = S.rec(m, C.ANOMALY_ZSCORE, {"signal": s})
                cond = {"both": f"abs({z}) > {_num(an.z)}", "up": f"{z} > {_num(an.z)}", "down": f"{z} < -{_num(an.z)}"}[DIRECTION[s]]
                base = "the same time last week (plus this week's trend)" if an.seasonality == "weekly" else f"the trailing {_d(an.window)}"
                rules.append(AlertRule(
                    A_ANOMALY, cond, _d(an.for_), self.labels(model, C.SEVERITY_TICKET, f"anomaly_{s}"),
                    self._ann(model, f"{s.replace('_', ' ')} is anomalous (|z| > {_num(an.z)})",
                              f"The {s.replace('_', ' ')} of {model.id} is more than {_num(an.z)} standard deviations from {base}. "
                              "Check what changed: traffic source, a deploy, upstream data; compare with the dashboard's baseline band."),
                ))  # fmt: skip
        if "degenerate" in chk:
            dg: Degenerate = chk["degenerate"]
            pm = S.rec(m, C.PREDICTION_MEAN)
            # gate: the series existed half a window ago (independent of the evaluation interval)
            rules.append(AlertRule(
                A_CONSTANT, f"stddev_over_time({pm}[{_d(dg.window)}]) < {_num(dg.min_stddev)}\nand\n({pm} offset {_d(dg.window / 2)})",
                _d(dg.for_), self.labels(model, C.SEVERITY_TICKET, "constant_predictions"),
                self._ann(model, f"predictions have not varied for {_d(dg.window)}",
                          f"The mean prediction score of {model.id} has been constant for {_d(dg.window)} while serving traffic: the model "
                          "likely returns a fallback/default value (broken feature input, failed model load, stuck cache). Inspect raw outputs."),
            ))  # fmt: skip
            rules.append(AlertRule(
                A_INVALID, f"{S.rec(m, C.INVALID_OUTPUT_RATIO)} > {_num(dg.invalid_ratio)}", _d(dg.for_), self.labels(model, C.SEVERITY_TICKET, "invalid_outputs"),
                self._ann(model, f"more than {_num(dg.invalid_ratio * 100)}% of outputs are invalid (NaN or out of range)",
                          f"{model.id} returned more than {_num(dg.invalid_ratio * 100)}% invalid outputs (counted in {C.INVALID_OUTPUTS_TOTAL}). "
                          "Usually bad inputs (missing features, NaN propagation) or numeric overflow; check the input pipeline."),
            ))  # fmt: skip
        rules.extend(self.nodata_rules(model, chk))
        if not rules:
            return []
        return [RuleGroup(f"mlmon-{model.id}-errors", tuple(rules))]

    def anomaly_rules(self, model: Any, an: Anomaly, s: str) -> list[RecordingRule]:
        m = model.id
        lab = {C.L_MODEL: m, "signal": s}
        src = {"requests": C.REQUESTS_RATE, "error_ratio": C.ERROR_RATIO, "prediction_mean": C.PREDICTION_MEAN}[s]
        sig = S.rec(m, C.ANOMALY_SIGNAL, {"signal": s})
        w = _d(an.window)
        off = _d(baseline_offset(an))
        trailing = f"avg_over_time({sig}[{w}] offset {off})"
        trailing_sd = f"stddev_over_time({sig}[{w}] offset {off})"
        if an.seasonality == "weekly":
            # same hour last week (centred) + this week's trend; its spread is last week's local spread.
            # Used only once a full previous week is recorded (>= half its samples); else trailing.
            last_week = _d(7 * 86400 - 1800)
            prev = _d(7 * 86400 + baseline_offset(an))
            # a full previous week is recorded when the signal existed half a week before it began
            gate = f"({sig} offset {_d(7 * 86400 + baseline_offset(an) + 3.5 * 86400)})"
            mean = (f"(\n  avg_over_time({sig}[1h] offset {last_week})\n  + avg_over_time({sig}[1w] offset {off})\n"
                    f"  - avg_over_time({sig}[1w] offset {prev})\n  and\n  {gate}\n)\nor\n{trailing}")  # fmt: skip
            stddev = f"(\n  stddev_over_time({sig}[1h] offset {last_week})\n  and\n  {gate}\n)\nor\n{trailing_sd}"
        else:
            mean, stddev = trailing, trailing_sd
        rel, floor = Z_FLOOR[s]
        return [
            RecordingRule(C.ANOMALY_SIGNAL, f"{S.rec(m, src)}", lab),
            RecordingRule(C.ANOMALY_BASELINE_MEAN, mean, lab),
            RecordingRule(C.ANOMALY_BASELINE_STDDEV, stddev, lab),
            RecordingRule(
                C.ANOMALY_ZSCORE,
                f"({sig} - {S.rec(m, C.ANOMALY_BASELINE_MEAN, {'signal': s})})\n/ clamp_min({S.rec(m, C.ANOMALY_BASELINE_STDDEV, {'signal': s})} + {_num(rel)} * abs({S.rec(m, C.ANOMALY_BASELINE_MEAN, {'signal': s})}), {_num(floor)})\n"
                f"and\n({sig} offset {_d(baseline_offset(an) + an.window / 4)})",  # baseline window at least 1/4 full
                lab,
            ),
        ]

    def nodata_rules(self, model: Any, chk: dict) -> list[AlertRule]:
        cfg = self.cfg(model)
        out = []
        items = []
        if "ratio" in chk or "anomaly" in chk:
            items.append(("requests", S.rec(model.id, C.REQUESTS_RATE), "the request rate"))
        if "degenerate" in chk or ("anomaly" in chk and "prediction_mean" in chk["anomaly"][1]):
            items.append(("prediction_score", f"{C.PREDICTION_SCORE}_count{{{self.contract_sel(model)}}}", C.PREDICTION_SCORE))
        if "degenerate" in chk:
            items.append(("invalid_outputs", f"{C.INVALID_OUTPUTS_TOTAL}{{{self.contract_sel(model)}}}", C.INVALID_OUTPUTS_TOTAL))
        for check, sel, what in items:
            out.append(AlertRule(
                A_NODATA, f"absent({sel})", _d(cfg.no_data_for), self.labels(model, C.SEVERITY_TICKET, check),
                self._ann(model, f"{what} is missing: error and anomaly alerts are blind",
                          f"{what} of {model.id} has had no data for {_d(cfg.no_data_for)}, so the error/anomaly alerts cannot fire. "
                          f"Check the scrape target, the preset ({model.serving.preset}) and that the service emits the metric "
                          "(initialise labelled counters at start-up)."),
            ))  # fmt: skip
        return out

    # --- rule tests -------------------------------------------------------------------------------------------
    def rule_tests(self, model: Any, spec: Any, alerts: Sequence[AlertRule] = ()) -> Sequence[RuleTest]:
        return _tests(self, model)

    # --- dashboards --------------------------------------------------------------------------------------------
    def dashboard_rows(self, model: Any, spec: Any) -> Sequence[Row]:
        chk = self.checks(model)
        m = model.id
        panels: list[Panel] = []
        if "ratio" in chk:
            r = chk["ratio"]
            panels.append(Panel("Error ratio", "timeseries", (Target(S.rec(m, C.ERROR_RATIO), "errors / requests"),), unit="percentunit", min=0,
                                thresholds=(Threshold(None, "green"), Threshold(r.warning, "orange"), Threshold(r.critical, "red")), width=8))  # fmt: skip
        if "anomaly" in chk:
            an, sig = chk["anomaly"]
            panels.append(Panel("Anomaly z-scores", "timeseries", (Target(f"{C.ANOMALY_ZSCORE}{{model=\"{m}\"}}", "{{signal}}"),), min=None,
                                thresholds=(Threshold(None, "green"), Threshold(an.z, "red")), width=8))  # fmt: skip
            for s in sig:
                lab = {"signal": s}
                panels.append(Panel(f"{s.replace('_', ' ')} vs baseline", "timeseries", (
                    Target(S.rec(m, C.ANOMALY_SIGNAL, lab), "value"),
                    Target(S.rec(m, C.ANOMALY_BASELINE_MEAN, lab), "expected"),
                    Target(f"{S.rec(m, C.ANOMALY_BASELINE_MEAN, lab)} + {_num(an.z)} * {S.rec(m, C.ANOMALY_BASELINE_STDDEV, lab)}", "upper band"),
                    Target(f"{S.rec(m, C.ANOMALY_BASELINE_MEAN, lab)} - {_num(an.z)} * {S.rec(m, C.ANOMALY_BASELINE_STDDEV, lab)}", "lower band"),
                ), width=8))  # fmt: skip
        if "degenerate" in chk:
            panels.append(Panel("Prediction mean", "timeseries", (Target(S.rec(m, C.PREDICTION_MEAN), "mean score"),), width=8))
            panels.append(Panel("Invalid outputs", "timeseries", (Target(S.rec(m, C.INVALID_OUTPUT_RATIO), "invalid / requests"),), unit="percentunit", width=8))
        return [Row("Errors and anomalies", tuple(panels))] if panels else []

    def fleet_panels(self, spec: Any) -> Sequence[Panel]:
        # (the fleet's "Top alerting models" panel comes from the cost monitor)
        return [Panel("Error ratio by model", "timeseries", (Target(f"max by (model) ({C.ERROR_RATIO})", "{{model}}"),), unit="percentunit", width=12)]


MONITOR = ErrorsMonitor()


# --- generated rule tests --------------------------------------------------------------------------------------
STEP = 60.0


def _t(minutes: int) -> str:
    return format_duration(minutes * 60.0)


def _tests(mon: ErrorsMonitor, model: Any) -> list[RuleTest]:
    chk = mon.checks(model)
    out: list[RuleTest] = []
    cfg = mon.cfg(model)
    rps = 10.0
    lat = 0.001
    csel = f'{C.L_MODEL}="{model.id}"'
    labs = S.label_text({**S.job_labels(model.id), C.L_MODEL: model.id})

    alert_rules = [r for g in mon.rule_groups(model, None) for r in g.rules if isinstance(r, AlertRule)]

    def ac(t: str, alert: str, exps: tuple = ()) -> AlertCheck:
        out = []
        for e in exps:
            want = {k: v for k, v in e.labels.items()}
            rule = next(r for r in alert_rules if r.alert == alert and all(want.get(k) == v for k, v in r.labels.items()))
            ann = {k: v.replace("{{ $labels.instance }}", want.get("instance", "")) for k, v in rule.annotations.items()}
            out.append(ExpAlert(e.labels, ann))
        return AlertCheck(t, alert, tuple(out))

    def lab(sev: str, check: str, **extra: str) -> ExpAlert:
        return ExpAlert(mon.labels(model, sev, check, **extra))

    def synth(phases: list[tuple[float, float, int]], pred: list[tuple[float, int]] | None = None, invalid: float = 0.0,
              with_pred: bool = True, with_invalid: bool = True) -> S.Synth:  # fmt: skip
        s = S.Synth()
        S.synth_traffic(model, s, [(r, e, lat, n) for r, e, n in phases], STEP)
        total = sum(n for _, _, n in phases)
        if "degenerate" in chk or ("anomaly" in chk and "prediction_mean" in chk["anomaly"][1]):
            if with_pred:
                # healthy predictions: the per-step mean alternates 0.4 / 0.6 unless ``pred`` says otherwise
                count_values, sum_values = _prediction_series(rps * STEP, tuple(pred or [(-1.0, total)]))
                s.add(f"{C.PREDICTION_SCORE}_count{{{labs}}}", count_values)
                s.add(f"{C.PREDICTION_SCORE}_sum{{{labs}}}", sum_values)
            if "degenerate" in chk and with_invalid:
                s.add(f"{C.INVALID_OUTPUTS_TOTAL}{{{labs}}}", S.counter_values([(invalid * rps * STEP, total)]))
        return s

    alerts = sorted({r.alert for g in mon.rule_groups(model, None) for r in g.rules if isinstance(r, AlertRule)})
    if not alerts:
        return out
    # 1. healthy: 1% errors, steady traffic, varying predictions: nothing fires; exact error ratio
    n = max(60, int((chk["anomaly"][0].window / 4 + baseline_offset(chk["anomaly"][0])) / STEP) + 20) if "anomaly" in chk else 60
    s = synth([(rps, rps * 0.01, n)])
    checks = tuple(ac(_t(n - 1), a) for a in alerts)
    exprs = ()
    if chk.get("ratio"):
        exprs = (S.exact_check(S.rec(model.id, C.ERROR_RATIO), _t(n - 1), 0.01),)
    out.append(RuleTest(f"errors {model.id}: healthy traffic with 1% errors raises nothing", "1m", s.items(), checks, exprs))

    # 2. error ratio between warning and critical, then above critical
    if "ratio" in chk:
        r: Ratio = chk["ratio"]
        n = int(r.for_ / STEP) + 12
        mid = round((r.warning + r.critical) / 2, 4)
        s = synth([(rps, rps * mid, n)])
        out.append(RuleTest(f"errors {model.id}: error ratio {_num(mid)} opens a ticket", "1m", s.items(),
                            (ac(_t(n - 2), A_RATIO, (lab(C.SEVERITY_TICKET, "error_ratio"),)),),
                            (S.exact_check(S.rec(model.id, C.ERROR_RATIO), _t(n - 2), mid),)))  # fmt: skip
        hi = round((r.critical + 1) / 2, 4)
        s = synth([(rps, rps * hi, n)])
        out.append(RuleTest(f"errors {model.id}: error ratio {_num(hi)} pages", "1m", s.items(),
                            (ac(_t(n - 2), A_RATIO, (lab(C.SEVERITY_TICKET, "error_ratio"), lab(C.SEVERITY_PAGE, "error_ratio"))),)))  # fmt: skip

    # 3. no data: nothing scraped
    nd = int(cfg.no_data_for / STEP) + 5
    nodata = [r for g in mon.rule_groups(model, None) for r in g.rules if isinstance(r, AlertRule) and r.alert == A_NODATA]
    if nodata:
        exp = tuple(lab(C.SEVERITY_TICKET, r.labels[C.L_CHECK]) for r in nodata)
        out.append(RuleTest(f"errors {model.id}: no metrics at all raise MLModelErrorsNoData", "1m", (("mlmon_unrelated_series", f"1+0x{nd}"),),
                            (ac(_t(nd), A_NODATA, exp),)))  # fmt: skip

    # 4. anomalies: a steady baseline, then a jump
    if "anomaly" in chk:
        an, sig = chk["anomaly"]
        before = int((an.window / 4 + baseline_offset(an)) / STEP) + 10
        after = int(an.for_ / STEP) + 10
        n = before + after
        for sgl in sig:
            if sgl == "requests":
                s = synth([(rps, 0.0, before), (rps / 5, 0.0, after)])
            elif sgl == "error_ratio":
                r = chk.get("ratio")
                jump = min(0.04, (r.warning * 0.8) if r else 0.04)
                s = synth([(rps, rps * 0.002, before), (rps, rps * jump, after)])
            else:
                s = synth([(rps, 0.0, n)], pred=[(0.5, before), (0.9, after)])
            exp = [lab(C.SEVERITY_TICKET, f"anomaly_{sgl}", signal=sgl)]
            out.append(RuleTest(f"errors {model.id}: a jump in {sgl} fires MLModelAnomaly", "1m", s.items(),
                                (ac(_t(before - 2), A_ANOMALY), ac(_t(n - 1), A_ANOMALY, tuple(exp)))))  # fmt: skip

    # 5. degenerate output
    if "degenerate" in chk:
        dg: Degenerate = chk["degenerate"]
        n = int((dg.window + dg.for_) / STEP) + 10
        s = synth([(rps, 0.0, n)], pred=[(0.7, n)])
        out.append(RuleTest(f"errors {model.id}: constant predictions fire MLModelConstantPredictions", "1m", s.items(),
                            (ac(_t(n - 1), A_CONSTANT, (lab(C.SEVERITY_TICKET, "constant_predictions"),)),)))  # fmt: skip
        n = int(dg.for_ / STEP) + 12
        bad = min(0.5, dg.invalid_ratio * 5)
        s = synth([(rps, 0.0, n)], invalid=bad)
        out.append(RuleTest(f"errors {model.id}: {_num(bad * 100)}% invalid outputs fire MLModelInvalidOutputs", "1m", s.items(),
                            (ac(_t(n - 2), A_INVALID, (lab(C.SEVERITY_TICKET, "invalid_outputs"),)),),
                            (S.exact_check(S.rec(model.id, C.INVALID_OUTPUT_RATIO), _t(n - 2), bad),)))  # fmt: skip
        n = int(cfg.no_data_for / STEP) + 5
        s = synth([(rps, 0.0, n)], with_pred=False, with_invalid=False)
        out.append(RuleTest(f"errors {model.id}: traffic without prediction metrics raises MLModelErrorsNoData", "1m", s.items(),
                            (ac(_t(n), A_NODATA, (lab(C.SEVERITY_TICKET, "invalid_outputs"), lab(C.SEVERITY_TICKET, "prediction_score"))),)))  # fmt: skip
    _ = csel
    return out


@functools.lru_cache(maxsize=1024)
def _prediction_series(count_inc: float, pred: tuple[tuple[float, int], ...]) -> tuple[str, str]:
    """promtool values of the prediction score's _count and _sum: ``count_inc`` predictions a step
    whose mean is ``v`` for ``n`` steps (``v < 0``: alternating 0.6 / 0.4, a healthy spread)."""
    means: list[float] = []
    for v, n in pred:
        means.extend([v] * n if v >= 0 else [0.4 if i % 2 else 0.6 for i in range(n)])
    cnt, sm, cv, sv = 0.0, 0.0, ["0"], ["0"]
    for mu in means:
        cnt += count_inc
        sm += count_inc * mu
        cv.append(fmt_float(round(cnt, 6)))
        sv.append(fmt_float(round(sm, 6)))
    return " ".join(cv), " ".join(sv)
