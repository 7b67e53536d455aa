"""PromQL of the performance monitor's recorded series: window counts, every metric per model
and per version, label coverage."""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import RecordingRule, promql_string
from mlmon.compiler.units import format_duration, le_matcher
from mlmon.monitors.performance.compile import Performance
from mlmon.monitors.quality import contract_selector, metric_name


def _grp(version: bool) -> str:
    return f"{C.L_MODEL}, {C.L_VERSION}" if version else C.L_MODEL


def class_rule(kind: str, version: bool) -> str:
    return (C.PERF_VERSION_CLASS if version else C.PERF_CLASS).format(kind=kind)


def _ratio(num: str, den: str, gate: str, g: str, n: str) -> str:
    return f"{num}\n/\n({den} > 0)\nand on ({g})\n{gate} >= {n}"


class Exprs:
    """PromQL of one model's performance rules. ``version`` picks the level: per (model, version)
    or per model (all versions together)."""

    def __init__(self, model: Any, perf: Performance):
        self.model = model
        self.p = perf
        self.m = f'{C.L_MODEL}="{model.id}"'
        self.w = format_duration(perf.window)
        self.n = str(perf.min_samples)
        self.sel = contract_selector(model)
        self.lab = {C.L_MODEL: model.id}

    # counts ---------------------------------------------------------------------------------------
    def count_rules(self) -> list[RecordingRule]:
        sel, lab, m, w = self.sel, self.lab, self.m, self.w
        out: list[RecordingRule] = []
        if not self.p.multiclass:
            out.append(RecordingRule(C.PERF_VERSION_OUTCOMES, f"sum by ({C.L_VERSION}, outcome) (increase({C.OUTCOMES_TOTAL}{{{sel}}}[{w}]))", lab))
            out.append(RecordingRule(C.PERF_OUTCOMES, f"sum by ({C.L_MODEL}, outcome) ({C.PERF_VERSION_OUTCOMES}{{{m}}})", lab))
        else:
            out.append(RecordingRule(C.PERF_VERSION_CONFUSION, f"sum by ({C.L_VERSION}, predicted, actual) (increase({C.CONFUSION_TOTAL}{{{sel}}}[{w}]))", lab))
            out.append(RecordingRule(C.PERF_CONFUSION, f"sum by ({C.L_MODEL}, predicted, actual) ({C.PERF_VERSION_CONFUSION}{{{m}}})", lab))
            for version in (True, False):
                conf = C.PERF_VERSION_CONFUSION if version else C.PERF_CONFUSION
                g = _grp(version)
                zero = f"0 * sum by ({g}) ({conf}{{{m}}})"
                for c in self.p.classes:
                    cl = {**lab, "class": c}
                    q = promql_string(c)
                    out.append(RecordingRule(class_rule("tp", version), f"sum by ({g}) ({conf}{{{m},predicted={q},actual={q}}})\nor\n{zero}", cl))
                    out.append(RecordingRule(class_rule("predicted", version), f"sum by ({g}) ({conf}{{{m},predicted={q}}})\nor\n{zero}", cl))
                    out.append(RecordingRule(class_rule("actual", version), f"sum by ({g}) ({conf}{{{m},actual={q}}})\nor\n{zero}", cl))
        if "auc" in self.p.metrics:
            out.append(
                RecordingRule(C.PERF_VERSION_SCORE_BUCKETS, f"sum by ({C.L_VERSION}, actual, le) (increase({C.LABELED_SCORE}_bucket{{{sel}}}[{w}]))", lab)
            )
            out.append(RecordingRule(C.PERF_SCORE_BUCKETS, f"sum by ({C.L_MODEL}, actual, le) ({C.PERF_VERSION_SCORE_BUCKETS}{{{m}}})", lab))
        return out

    # binary -----------------------------------------------------------------------------------------
    def _o(self, outcomes: str, version: bool) -> str:
        """Labelled predictions with one of ``outcomes`` (e.g. "tp|fn"), 0 when that series is absent."""
        src = C.PERF_VERSION_OUTCOMES if version else C.PERF_OUTCOMES
        g = _grp(version)
        return f'(sum by ({g}) ({src}{{{self.m},outcome=~"{outcomes}"}}) or 0 * sum by ({g}) ({src}{{{self.m}}}))'

    def binary(self, metric: str, version: bool) -> str:
        def o(x: str) -> str:
            return self._o(x, version)

        g, n = _grp(version), self.n
        if metric == "macro_f1":
            pos = f"2 * {o('tp')} / ((2 * {o('tp')} + {o('fp|fn')}) > 0)"
            neg = f"2 * {o('tn')} / ((2 * {o('tn')} + {o('fp|fn')}) > 0)"
            return f"(\n  (\n    {pos}\n  )\n  +\n  (\n    {neg}\n  )\n) / 2\nand on ({g})\n{o('tp|tn|fp|fn')} >= {n}"
        if metric == "auc":
            return self.auc(version)
        num, den, gate = {
            "accuracy": (o("tp|tn"), o("tp|tn|fp|fn"), o("tp|tn|fp|fn")),
            "precision": (o("tp"), o("tp|fp"), o("tp|fp")),
            "recall": (o("tp"), o("tp|fn"), o("tp|fn")),
            "fpr": (o("fp"), o("fp|tn"), o("fp|tn")),
            "f1": (f"2 * {o('tp')}", f"(2 * {o('tp')} + {o('fp|fn')})", o("tp|fp|fn")),
        }[metric]
        return _ratio(num, den, gate, g, n)

    def auc(self, version: bool) -> str:
        src = C.PERF_VERSION_SCORE_BUCKETS if version else C.PERF_SCORE_BUCKETS
        g = _grp(version)
        edges = [*self.p.score_buckets, float("inf")]

        def cum(actual: str, e: float) -> str:
            return f'sum by ({g}) ({src}{{{self.m},actual="{actual}",{le_matcher(e)}}})'

        terms = [f"{cum('1', edges[0])} * {cum('0', edges[0])}"]
        for prev, e in zip(edges, edges[1:]):
            terms.append(f"({cum('1', e)} - {cum('1', prev)}) * ({cum('0', e)} + {cum('0', prev)})")
        pos, neg = cum("1", edges[-1]), cum("0", edges[-1])
        body = "\n  + ".join(terms)
        return f"(\n  {body}\n)\n/ (2 * ({pos} > 0) * ({neg} > 0))\nand on ({g})\n({pos} + {neg}) >= {self.n}"

    # multiclass ---------------------------------------------------------------------------------------
    def multiclass(self, metric: str, version: bool) -> str:
        g = _grp(version)
        gc = f"{g}, class"
        n = self.n
        tp, pr, ac = (f"{class_rule(k, version)}{{{self.m}}}" for k in ("tp", "predicted", "actual"))
        conf = C.PERF_VERSION_CONFUSION if version else C.PERF_CONFUSION
        total = f"sum by ({g}) ({conf}{{{self.m}}})"

        def one(kind: str, c: str) -> str:
            return f"sum by ({g}) ({class_rule(kind, version)}{{{self.m},class={promql_string(c)}}})"

        if metric == "precision":
            return f"{tp} / ({pr} > 0)\nand on ({gc})\n{pr} >= {n}"
        if metric == "recall":
            return f"{tp} / ({ac} > 0)\nand on ({gc})\n{ac} >= {n}"
        if metric == "f1":
            return f"2 * {tp} / (({pr} + {ac}) > 0)\nand on ({gc})\n({pr} + {ac} - {tp}) >= {n}"
        if metric == "fpr":
            neg = f"({total} - on ({g}) group_right {ac})"
            return f"({pr} - {tp}) / ({neg} > 0)\nand on ({gc})\n{neg} >= {n}"
        if metric == "accuracy":
            tps = " + ".join(one("tp", c) for c in self.p.classes)
            return f"(\n  {tps}\n)\n/ ({total} > 0)\nand on ({g})\n{total} >= {n}"
        if metric == "macro_f1":
            zero = f"0 * {total}"
            f1s = [f"(2 * {one('tp', c)} / (({one('predicted', c)} + {one('actual', c)}) > 0) or {zero})" for c in self.p.classes]
            present = [f"(({one('predicted', c)} + {one('actual', c)}) > bool 0)" for c in self.p.classes]
            return "(\n  " + "\n  + ".join(f1s) + "\n)\n/\n((\n  " + "\n  + ".join(present) + f"\n) > 0)\nand on ({g})\n{total} >= {n}"
        raise ValueError(metric)

    def metric(self, metric: str, version: bool) -> str:
        return self.multiclass(metric, version) if self.p.multiclass else self.binary(metric, version)

    # labels ---------------------------------------------------------------------------------------------
    def _delay_offset(self) -> str:
        return f" offset {format_duration(self.p.labels_delay)}" if self.p.labels_delay else ""

    def coverage_rules(self) -> list[RecordingRule]:
        sel, lab, w = self.sel, self.lab, self.w
        return [
            RecordingRule(C.LABELS_JOINED, f"sum(increase({C.LABELS_JOINED_TOTAL}{{{sel}}}[{w}])) or vector(0)", lab),
            RecordingRule(C.LABELS_DUE, f"sum(increase({C.PREDICTIONS_TOTAL}{{{sel}}}[{w}]{self._delay_offset()}))", lab),
            RecordingRule(C.LABEL_COVERAGE, f"{C.LABELS_JOINED}{{{self.m}}}\n/\n({C.LABELS_DUE}{{{self.m}}} >= {self.n})", lab),
        ]

    def labels_missing(self) -> str:
        s = format_duration(self.p.no_labels_for)
        return (
            f"sum(increase({C.PREDICTIONS_TOTAL}{{{self.sel}}}[{s}]{self._delay_offset()})) >= {self.n}\n"
            f"unless\nsum(increase({C.LABELS_JOINED_TOTAL}{{{self.sel}}}[{s}])) > 0"
        )

    def recording_rules(self) -> list[RecordingRule]:
        """Counts, then every metric per version and per model, then label coverage."""
        rules = self.count_rules()
        for version in (True, False):
            for metric in self.p.metrics:
                rules.append(RecordingRule(metric_name(metric, version), self.metric(metric, version), self.lab))
        rules.extend(self.coverage_rules())
        return rules
