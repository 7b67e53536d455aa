"""SLOs: multi-window, multi-burn-rate alerting on availability, latency or your own ratio SLI.

Spec (per model, ``slos:``)::

    slos:
      - {name: availability, objective: 99.9, sli: {kind: availability}}
      - {name: latency, objective: 99, period: 28d, sli: {kind: latency, threshold: 250ms}}
      - name: fresh-features
        objective: 99.5
        sli: {kind: ratio, good: 'sum(rate(feature_fresh_total[{{window}}]))', total: 'sum(rate(feature_reads_total[{{window}}]))'}

Without ``slos`` a model gets availability 99.5% and, when its preset has a latency histogram,
latency 99% under 1s, both over 30d.

Records, per SLO (9 rules; Sloth writes 15): the error ratio over each of the 7 alert windows
(``mlmon_slo:sli_error:ratio_rate<window>``), over the whole period
(``mlmon_slo:sli_error:ratio_period``) and the error budget left
(``mlmon_slo:error_budget_remaining:ratio``).

Alerts (``MLModelSLOBurnRate``): four tiers from the SRE workbook, each needing both its long and
its short window above ``factor x (1 - objective)``: page 1h/5m at 14.4x and 6h/30m at 6x, ticket
1d/2h at 3x and 3d/6h at 1x. Windows scale with the period (they are the 30d ones times
period/30d); factors stay, so each tier still means "2%/5%/10%/10% of the budget spent".
``MLModelSLONoData`` fires when the SLI has no traffic or no series for ``alerting.no_data_for``
(a NaN ratio never fires a burn alert, so silence must be made loud); with ``idle_ok: true`` on
the model only missing series alert, zero traffic does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from mlmon import conventions as C
from mlmon import presets
from mlmon.artifacts import AlertRule, Panel, RecordingRule, Row, RuleGroup, RuleTest, Target, Threshold
from mlmon.compiler.context import CompileContext
from mlmon.compiler.units import fmt_float, format_duration, parse_duration

BASE_PERIOD = 30 * 86400.0
WINDOW_PLACEHOLDER = "{{window}}"


@dataclass(frozen=True)
class Tier:
    severity_class: str  # page | ticket
    long: float  # seconds, for a 30d period
    short: float
    factor: float
    for_: float

    def scaled(self, period: float) -> "Tier":
        s = period / BASE_PERIOD
        return Tier(self.severity_class, _round_window(self.long * s), _round_window(self.short * s), self.factor, _round_window(self.for_ * s))


def _round_window(seconds: float) -> float:
    return max(60.0, round(seconds / 60.0) * 60.0)


TIERS = (
    Tier("page", 3600, 300, 14.4, 120),
    Tier("page", 6 * 3600, 1800, 6.0, 900),
    Tier("ticket", 86400, 7200, 3.0, 3600),
    Tier("ticket", 3 * 86400, 6 * 3600, 1.0, 3 * 3600),
)


@dataclass(frozen=True)
class SLI:
    kind: str  # availability | latency | ratio
    threshold: float | None = None  # seconds, latency
    good: str | None = None  # ratio
    total: str | None = None  # ratio


@dataclass(frozen=True)
class SLO:
    name: str
    description: str
    objective: float  # percent
    period: float  # seconds
    sli: SLI
    page: bool
    ticket: bool
    no_data_for: float

    @property
    def budget(self) -> float:
        return round(1.0 - self.objective / 100.0, 12)

    def tiers(self) -> list[Tier]:
        return [t.scaled(self.period) for t in TIERS if (self.page if t.severity_class == "page" else self.ticket)]

    def windows(self) -> list[float]:
        return sorted({w for t in (x.scaled(self.period) for x in TIERS) for w in (t.long, t.short)})


def _num(x: float) -> str:
    return fmt_float(float(f"{x:.12g}"))


class SLOMonitor:
    key = "slos"
    title = "Service level objectives"

    def schema(self) -> dict | None:
        return None  # part of the model's base schema (compiler/schema.py)

    # --- compile ---------------------------------------------------------------------------
    def compile(self, raw: Any, ctx: CompileContext) -> tuple[SLO, ...]:
        period_default = ctx.defaults.get("slo_period", "30d")
        preset = presets.get(ctx.defaults.get("preset", "mlmon"))
        if preset is not None:
            preset = preset.with_overrides(ctx.defaults.get("serving_overrides") or None)
        if raw is None:
            out = []
            if preset is not None and preset.errors_rate("x", "5m") is not None:
                out.append(SLO("availability", "share of predictions served without error", 99.5, parse_duration(period_default), SLI("availability"), True, True, 1800.0))
            if preset is not None and preset.latency is not None:
                out.append(SLO("latency", "share of predictions served within 1s", 99.0, parse_duration(period_default), SLI("latency", threshold=1.0), True, True, 1800.0))
            return tuple(self._check(s, i, ctx, preset) for i, s in enumerate(out))
        slos: list[SLO] = []
        seen: dict[str, int] = {}
        for i, item in enumerate(raw):
            name = item["name"]
            if name in seen:
                ctx.error((i, "name"), "MLM201", f"duplicate SLO name {name!r} (also slos[{seen[name]}])")
                continue
            seen[name] = i
            objective = float(item["objective"])
            if objective <= 1.0:
                ctx.error((i, "objective"), "MLM204", f"objective {item['objective']} is a percentage of good events, so this means {objective}%",
                          hint=f"write the percent, e.g. {objective * 100:g} for {objective:g}")  # fmt: skip
                continue
            try:
                period = parse_duration(item.get("period", period_default))
            except ValueError as exc:
                ctx.error((i, "period"), "MLM203", str(exc))
                continue
            sli_raw = item["sli"]
            kind = sli_raw["kind"]
            threshold = None
            if kind == "latency":
                if "threshold" not in sli_raw:
                    ctx.error((i, "sli"), "MLM102", "a latency SLI needs 'threshold' (e.g. 250ms)", key=True)
                    continue
                try:
                    threshold = parse_duration(sli_raw["threshold"])
                except ValueError as exc:
                    ctx.error((i, "sli", "threshold"), "MLM203", str(exc))
                    continue
            if kind == "ratio" and not ("good" in sli_raw and "total" in sli_raw):
                ctx.error((i, "sli"), "MLM102", "a ratio SLI needs both 'good' and 'total' PromQL", key=True)
                continue
            extra = set(sli_raw) - {"kind"} - {"availability": set(), "latency": {"threshold"}, "ratio": {"good", "total"}}[kind]
            for field in sorted(extra):
                ctx.error((i, "sli", field), "MLM104", f"'{field}' does not apply to a {kind} SLI", key=True)
            alerting = item.get("alerting", {})
            try:
                no_data_for = parse_duration(alerting.get("no_data_for", "30m"))
            except ValueError as exc:
                ctx.error((i, "alerting", "no_data_for"), "MLM203", str(exc))
                continue
            slo = SLO(
                name, item.get("description", ""), objective, period,
                SLI(kind, threshold, sli_raw.get("good"), sli_raw.get("total")),
                bool(alerting.get("page", True)), bool(alerting.get("ticket", True)), no_data_for,
            )  # fmt: skip
            slos.append(self._check(slo, i, ctx, preset))
        return tuple(slos)

    def _check(self, slo: SLO, i: int, ctx: CompileContext, preset: presets.Preset | None) -> SLO:
        eb = slo.budget
        for t in slo.tiers():
            if t.factor * eb >= 1.0:
                max_obj = 100.0 * (1.0 - 1.0 / t.factor)
                ctx.error(
                    (i, "objective"), "MLM206",
                    f"the {t.severity_class} tier {format_duration(t.long)}/{format_duration(t.short)} at {_num(t.factor)}x can never fire: "
                    f"it needs an error ratio above {_num(t.factor * eb)} (> 1) at objective {_num(slo.objective)}%",
                    hint=f"raise the objective above {max_obj:.2f}%, or turn this tier off (alerting.{t.severity_class}: false)",
                )  # fmt: skip
        floor = 4 * ctx.scrape_interval
        for w in slo.windows():
            if w < floor:
                ctx.error(
                    (i, "period"), "MLM207",
                    f"alert window {format_duration(w)} (period {format_duration(slo.period)} scaled from 30d) is shorter than 4x the scrape interval ({format_duration(floor)}); rate() would see too few samples",
                    hint="scrape more often (serving.scrape_interval) or use a longer period",
                )  # fmt: skip
                break
        if slo.sli.kind == "ratio":
            self._check_promql(slo, i, ctx)
        elif preset is not None and slo.sli.kind == "availability" and preset.errors_rate("x", "5m") is None:
            ctx.error((i, "sli", "kind"), "MLM212", f"preset {preset.name!r} exposes no failed-request counter, so availability cannot be computed",
                      hint="use a ratio SLI on the metrics of whatever fronts the model (e.g. Knative queue-proxy or an ingress)")  # fmt: skip
        elif preset is not None and slo.sli.kind == "latency":
            if preset.latency is None:
                ctx.error((i, "sli", "kind"), "MLM212", f"preset {preset.name!r} has no latency histogram; use a ratio SLI")
            elif preset.has_bucket(slo.sli.threshold) is False:
                ctx.warning(
                    (i, "sli", "threshold"), "MLM213",
                    f"threshold {format_duration(slo.sli.threshold)} is not one of preset {preset.name!r}'s default histogram buckets",
                    hint="the SLI reads the bucket whose le equals the threshold; make sure your histogram has that bucket",
                )  # fmt: skip
        return slo

    def _check_promql(self, slo: SLO, i: int, ctx: CompileContext) -> None:
        import promql_parser  # ~13 ms, only when a custom SLI exists

        for field in ("good", "total"):
            text = getattr(slo.sli, field)
            if WINDOW_PLACEHOLDER not in text:
                ctx.error((i, "sli", field), "MLM205", f"{field} query has no {WINDOW_PLACEHOLDER} placeholder for the range window",
                          hint="write e.g. sum(rate(my_requests_total[{{window}}]))")  # fmt: skip
                continue
            try:
                promql_parser.parse(text.replace(WINDOW_PLACEHOLDER, "5m"))
            except ValueError as exc:
                ctx.error((i, "sli", field), "MLM205", f"{field} query does not parse: {exc}")
        if slo.sli.good == slo.sli.total:
            ctx.error((i, "sli", "good"), "MLM205", "good and total are the same query, so the error ratio is always 0")
        elif not any(d.code == "MLM205" for d in ctx.diags):
            from mlmon.monitors.slo_tests import ratio_inputs

            if ratio_inputs(slo) is None:
                ctx.warning(
                    (i, "sli"), "MLM213", "no rule tests can be generated for this SLI (each query must select one metric with = matchers only)",
                    hint="write e.g. good: sum(rate(requests_total{code=\"2xx\"}[{{window}}])), total: sum(rate(requests_total[{{window}}]))", key=True,
                )  # fmt: skip

    # --- rules -------------------------------------------------------------------------------------
    def error_ratio_expr(self, model: Any, slo: SLO, window: str) -> str:
        preset = presets.for_model(model)
        sel = presets.model_selector(model, preset)
        if slo.sli.kind == "availability":
            return f"(({preset.errors_rate(sel, window)}) or vector(0))\n/\n({preset.requests_rate(sel, window)})"
        if slo.sli.kind == "latency":
            total = preset.latency_total_rate(sel, window)
            good = preset.latency_good_rate(sel, window, slo.sli.threshold)
            return f"1 - (\n  ({good} or vector(0))\n  /\n  {total}\n)"
        good = slo.sli.good.replace(WINDOW_PLACEHOLDER, window)
        total = slo.sli.total.replace(WINDOW_PLACEHOLDER, window)
        return f"1 - (\n  sum({good})\n  /\n  sum({total})\n)"

    def traffic_expr(self, model: Any, slo: SLO, window: str) -> str:
        preset = presets.for_model(model)
        sel = presets.model_selector(model, preset)
        if slo.sli.kind == "availability":
            return preset.requests_rate(sel, window)
        if slo.sli.kind == "latency":
            return preset.latency_total_rate(sel, window)
        return f"sum({slo.sli.total.replace(WINDOW_PLACEHOLDER, window)})"

    def rule_groups(self, model: Any, spec: Any) -> Sequence[RuleGroup]:
        groups = []
        for slo in model.section(self.key) or ():
            groups.append(RuleGroup(f"mlmon-{model.id}-slo-{slo.name}", tuple(self._rules(model, slo))))
        return groups

    def _labels(self, model: Any, slo: SLO) -> dict[str, str]:
        return {C.L_MODEL: model.id, C.L_SLO: slo.name}

    def _rules(self, model: Any, slo: SLO) -> list:
        lab = self._labels(model, slo)
        sel = f'{{{C.L_MODEL}="{model.id}",{C.L_SLO}="{slo.name}"}}'
        rules: list = []
        for w in slo.windows():
            ws = format_duration(w)
            rules.append(RecordingRule(C.slo_ratio_metric(ws), self.error_ratio_expr(model, slo, ws), lab))
        rules.append(RecordingRule(C.SLO_PERIOD_ERROR_RATIO, self.error_ratio_expr(model, slo, format_duration(slo.period)), lab))
        rules.append(RecordingRule(C.SLO_BUDGET_REMAINING, f"1 - ({C.SLO_PERIOD_ERROR_RATIO}{sel} / {_num(slo.budget)})", lab))
        for t in slo.tiers():
            rules.append(self._burn_alert(model, slo, t, sel))
        rules.append(self._nodata_alert(model, slo))
        return rules

    def alert_labels(self, model: Any, slo: SLO, severity: str) -> dict[str, str]:
        labels = dict(model.labels)
        labels.update({
            C.L_MODEL: model.id, C.L_TEAM: model.team, C.L_SEVERITY: severity,
            C.L_MONITOR: "slo", C.L_CHECK: slo.name, C.L_SLO: slo.name,
        })  # fmt: skip
        return labels

    def burn_labels(self, model: Any, slo: SLO, t: Tier) -> dict[str, str]:
        labels = self.alert_labels(model, slo, C.SEVERITY_BY_CLASS[t.severity_class])
        labels[C.L_BURN] = f"{format_duration(t.long)}/{format_duration(t.short)}"
        return labels

    def burn_annotations(self, model: Any, slo: SLO, t: Tier) -> dict[str, str]:
        lw, sw = format_duration(t.long), format_duration(t.short)
        spent = t.factor * t.long / slo.period * 100
        return {
            "summary": f"{model.id}: {slo.name} SLO error budget burning over {_num(t.factor)}x ({lw} and {sw} windows)",
            "description": (
                f"The {slo.name} SLO ({_num(slo.objective)}% over {format_duration(slo.period)}) of model {model.id} has spent more than "
                f"{spent:.3g}% of its error budget in the last {lw}, and is still burning in the last {sw}. "
                + ("Act now: at this rate the budget is gone within " + format_duration(slo.period / t.factor) + "."
                   if t.severity_class == "page" else "Plan a fix: the budget will not last the period at this rate.")
            ),
            "dashboard": f"/d/{C.grafana_uid('model', model.id)}",
        }  # fmt: skip

    def _burn_alert(self, model: Any, slo: SLO, t: Tier, sel: str) -> AlertRule:
        long_m = C.slo_ratio_metric(format_duration(t.long)) + sel
        short_m = C.slo_ratio_metric(format_duration(t.short)) + sel
        eb = _num(slo.budget)
        factor = _num(t.factor)
        expr = f"(\n  {long_m} / {eb} > {factor}\n)\nand\n(\n  {short_m} / {eb} > {factor}\n)"
        return AlertRule(C.ALERT_SLO_BURN, expr, format_duration(t.for_), self.burn_labels(model, slo, t), self.burn_annotations(model, slo, t))

    def nodata_window(self, slo: SLO) -> float:
        return slo.windows()[0]

    def nodata_labels(self, model: Any, slo: SLO) -> dict[str, str]:
        return self.alert_labels(model, slo, C.SEVERITY_TICKET)

    def nodata_annotations(self, model: Any, slo: SLO) -> dict[str, str]:
        what = "no series at all" if model.idle_ok else "no traffic or no series"
        return {
            "summary": f"{model.id}: {slo.name} SLO has {what} for {format_duration(slo.no_data_for)}",
            "description": (
                f"The SLI of the {slo.name} SLO of model {model.id} cannot be computed, so its burn-rate alerts cannot fire. "
                "Check that the model is serving and that Prometheus scrapes it (target up, metric names as the preset expects)."
            ),
            "dashboard": f"/d/{C.grafana_uid('model', model.id)}",
        }

    def _nodata_alert(self, model: Any, slo: SLO) -> AlertRule:
        w = format_duration(self.nodata_window(slo))
        traffic = self.traffic_expr(model, slo, w)
        if model.idle_ok:
            expr = f"absent(\n  {traffic}\n)"
        else:
            expr = f"(\n  ({traffic}) or vector(0)\n) == 0"
        if slo.sli.kind == "latency":
            preset = presets.for_model(model)
            sel = presets.model_selector(model, preset)
            expr = f"{expr}\nor on()\nabsent(\n  {preset.latency_good_rate(sel, w, slo.sli.threshold)}\n)"
        return AlertRule(C.ALERT_SLO_NODATA, expr, format_duration(slo.no_data_for), self.nodata_labels(model, slo), self.nodata_annotations(model, slo))

    # --- rule tests ----------------------------------------------------------------------------
    def rule_tests(self, model: Any, spec: Any, alerts: Sequence[AlertRule] = ()) -> Sequence[RuleTest]:
        from mlmon.monitors import slo_tests  # keeps the simulator out of the lint path

        return slo_tests.tests_for_model(self, model)

    # --- dashboards ------------------------------------------------------------------------------
    def dashboard_rows(self, model: Any, spec: Any) -> Sequence[Row]:
        rows = []
        preset = presets.for_model(model)
        sel = presets.model_selector(model, preset)
        for slo in model.section(self.key) or ():
            s = f'{{{C.L_MODEL}="{model.id}",{C.L_SLO}="{slo.name}"}}'
            eb = _num(slo.budget)
            panels = [
                Panel(
                    f"{slo.name}: SLI over {format_duration(slo.period)}", "stat",
                    (Target(f"100 * (1 - {C.SLO_PERIOD_ERROR_RATIO}{s})", "SLI", True),),
                    unit="percent", decimals=3, width=6, height=6,
                    description=f"Good events over the last {format_duration(slo.period)}. Objective: {_num(slo.objective)}%.",
                    thresholds=(Threshold(None, "red"), Threshold(slo.objective, "green")),
                ),
                Panel(
                    f"{slo.name}: error budget remaining", "gauge",
                    (Target(f"100 * {C.SLO_BUDGET_REMAINING}{s}", "budget left", True),),
                    unit="percent", min=0, max=100, width=6, height=6,
                    description="Share of the period's error budget not yet spent (negative: SLO breached).",
                    thresholds=(Threshold(None, "red"), Threshold(25, "orange"), Threshold(50, "green")),
                ),
                Panel(
                    f"{slo.name}: burn rate", "timeseries",
                    tuple(Target(f"{C.slo_ratio_metric(format_duration(w))}{s} / {eb}", f"{format_duration(w)}") for w in slo.windows()),
                    unit="short", width=12, height=6,
                    description="Error ratio divided by the error budget, per alert window. 1 = spending exactly the budget; pages fire above 14.4 (1h) and 6 (6h).",
                    thresholds=(Threshold(None, "green"), Threshold(1, "orange"), Threshold(6, "red")),
                ),
            ]  # fmt: skip
            rows.append(Row(f"SLO: {slo.name} ({_num(slo.objective)}% over {format_duration(slo.period)})", tuple(panels)))
        traffic = [
            Panel("Request rate", "timeseries", (Target(preset.requests_rate(sel, "$__rate_interval"), "requests/s"),), unit="reqps", width=8),
            Panel(
                "Error ratio", "timeseries",
                (Target(f"({preset.errors_rate(sel, '$__rate_interval')} or vector(0)) / {preset.requests_rate(sel, '$__rate_interval')}", "errors"),),
                unit="percentunit", width=8,
            ),  # fmt: skip
        ]
        if preset.latency is not None:
            traffic.append(
                Panel(
                    "Latency quantiles", "timeseries",
                    tuple(Target(preset.latency_quantile(sel, "$__rate_interval", q), f"p{q * 100:g}") for q in (0.5, 0.9, 0.99)),
                    unit="s", width=8,
                )  # fmt: skip
            )
        rows.insert(0, Row("Traffic", tuple(traffic)))
        return rows

    def fleet_panels(self, spec: Any) -> Sequence[Panel]:
        return (
            Panel(
                "Error budget remaining by model and SLO", "bargauge",
                (Target(f"100 * {C.SLO_BUDGET_REMAINING}", "{{model}} / {{slo}}", True),),
                unit="percent", min=0, max=100, width=12, height=10,
                thresholds=(Threshold(None, "red"), Threshold(25, "orange"), Threshold(50, "green")),
            ),
            Panel(
                "Firing SLO alerts", "table",
                (Target(f'sum by (model, slo, severity) (ALERTS{{alertname=~"{C.ALERT_SLO_BURN}|{C.ALERT_SLO_NODATA}",alertstate="firing"}})', "", True),),
                width=12, height=10,
            ),
        )  # fmt: skip


MONITOR = SLOMonitor()
