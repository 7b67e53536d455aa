"""promtool rule tests for the errors monitor, with input series in the model's own dialect:
healthy traffic raises nothing; each alert fires on its incident with exact labels and
annotations; missing inputs raise the no-data alert instead."""

from __future__ import annotations

import functools
from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import RuleTest
from mlmon.compiler.units import format_duration, num
from mlmon.monitors import steps
from mlmon.monitors import testkit as K
from mlmon.monitors.errors import schema as D
from mlmon.monitors.errors.anomaly import baseline_offset
from mlmon.monitors.errors.checks import Checks, checks
from mlmon.monitors.errors.compile import Anomaly
from mlmon.monitors.errors.inputs import RPS, STEP, synth
from mlmon.monitors.errors.rules import labels, rule_groups
from mlmon.presets import signals as S


def tests(model: Any) -> list[RuleTest]:
    chk = checks(model)
    rules = K.alert_rules(rule_groups(model))
    if not rules:
        return []
    m = model.id
    ac = K.Expect(rules, functools.partial(labels, model))
    lab = ac.lab

    # 1. healthy: 1% errors, steady traffic, varying predictions: nothing fires; exact error ratio
    # (read at the last evaluation: a recorded sample is visible for 5m only). It lasts until the
    # anomaly baseline is armed, so it evaluates as the anomaly cases do when they are coarse.
    an = chk.anomaly
    n = max(60, int((an.window / 4 + baseline_offset(an)) / STEP) + 20) if an else 60
    step = _anomaly_timing(model, an)[2] if an else 0.0
    coarse = step >= steps.COARSE_STEP  # then in the anomaly cases' file
    last = steps.Clock(model, step).last_s((n - 1) * STEP) if coarse else (n - 1) * STEP
    every = format_duration(step) if coarse else None
    exprs = (K.exact_check(S.rec(m, C.ERROR_RATIO), K.at(last), 0.01),) if chk.ratio else ()
    out = [
        RuleTest(
            f"errors {m}: healthy traffic with 1% errors raises nothing",
            "1m",
            synth(model, chk, [(RPS, RPS * 0.01, n)]).items(),
            tuple(ac(n - 1, a) for a in sorted({r.alert for r in rules})),
            exprs,
            evaluation_interval=every,
        )
    ]

    # 2. error ratio between warning and critical, then above critical
    if (r := chk.ratio) is not None:
        n = steps.coarse_length(model, int(r.for_ / STEP) + 12)
        mid = round((r.warning + r.critical) / 2, 4)
        out.append(
            RuleTest(
                f"errors {m}: error ratio {num(mid)} opens a ticket",
                "1m",
                synth(model, chk, [(RPS, RPS * mid, n)]).items(),
                (ac(n - 2, D.A_RATIO, lab(C.SEVERITY_TICKET, "error_ratio")),),
                (K.exact_check(S.rec(m, C.ERROR_RATIO), K.minutes(n - 2), mid),),
            )
        )
        hi = round((r.critical + 1) / 2, 4)
        out.append(
            RuleTest(
                f"errors {m}: error ratio {num(hi)} pages",
                "1m",
                synth(model, chk, [(RPS, RPS * hi, n)]).items(),
                (ac(n - 2, D.A_RATIO, lab(C.SEVERITY_TICKET, "error_ratio"), lab(C.SEVERITY_PAGE, "error_ratio")),),
            )
        )

    # 3. no data: nothing scraped
    nd = steps.coarse_length(model, int(chk.cfg.no_data_for / STEP) + 5)
    nodata = [lab(C.SEVERITY_TICKET, r.labels[C.L_CHECK]) for r in rules if r.alert == D.A_NODATA]
    if nodata:
        out.append(
            RuleTest(f"errors {m}: no metrics at all raise {D.A_NODATA}", "1m", (("mlmon_unrelated_series", f"1+0x{nd}"),), (ac(nd, D.A_NODATA, *nodata),))
        )
    out.extend(_anomaly_cases(model, chk, ac))
    out.extend(_degenerate_cases(model, chk, ac))
    return steps.minute_built(model, out, coarse=True)


def _anomaly_cases(model: Any, chk: Checks, ac: K.Expect) -> list[RuleTest]:
    """A steady baseline, then a jump in each watched signal in turn, one case: each jump fires
    the anomaly alert of its own signal only (the one before it has ended and resolved: a jump
    lasts until its check, the next begins there and is checked as long after). The signals
    are independent (errors keep their share of the requests, the prediction count is fixed),
    so each jump meets a baseline of its signal that never moved; the first, requests, comes
    back near its baseline mean (|z| about 0.3) and stays quiet."""
    if (an := chk.anomaly) is None:
        return []
    before, after, step = _anomaly_timing(model, an)
    base_err, jump = 0.002, min(0.04, (chk.ratio.warning * 0.8) if chk.ratio else 0.04)
    traffic, pred = [(RPS, RPS * base_err, before)], [(0.5, before)]
    checks = [ac(before - 2, D.A_ANOMALY)]
    for k, sgl in enumerate(chk.signals):
        rps = RPS / 5 if sgl == "requests" else RPS
        traffic.append((rps, rps * (jump if sgl == "error_ratio" else base_err), after))
        pred.append((0.9 if sgl == "prediction_mean" else 0.5, after))
        checks.append(ac(before + (k + 1) * after - 1, D.A_ANOMALY, ac.lab(C.SEVERITY_TICKET, f"anomaly_{sgl}", signal=sgl)))
    return [
        RuleTest(
            f"errors {model.id}: a jump in {', then '.join(chk.signals)} fires {D.A_ANOMALY} for that signal only",
            "1m",
            synth(model, chk, traffic, pred=pred).items(),
            tuple(checks),
            evaluation_interval=format_duration(step),
        )
    ]


# A long anomaly case (a baseline a quarter of the window deep, then a jump) evaluates every 10m
# or 5m when the jump's share of the baseline at the firing check stays under ANOMALY_SHARE;
# otherwise at the model's interval. The check comes two evaluations late (``eval_margin``), and
# the baseline, which ends ``for`` + 15m before it, then holds that much of the jump: that shrinks
# the z-score (a 5.7% share took a drop to a fifth of the traffic under 3 at 15m steps; the
# default 1d window holds 3.4% at 10m steps).
ANOMALY_STEPS = (600.0, steps.COARSE_STEP)
ANOMALY_SHARE = 0.04


def _anomaly_timing(model: Any, an: Anomaly) -> tuple[int, int, float]:
    """Minutes of steady baseline and of jump of the anomaly cases, and seconds between their
    evaluations."""
    before = int((an.window / 4 + baseline_offset(an)) / STEP) + 10
    after = int(an.for_ / STEP) + 10
    own = steps.case_step(model, (before + after) * STEP)
    if steps.coarse_step(model, (before + after) * STEP) == steps.COARSE_STEP:
        for step in ANOMALY_STEPS:
            margin = steps.margin_at(model, step)
            end = before + after + margin - 1 - baseline_offset(an) / STEP  # the baseline's end at the check
            if (end - before) / min(an.window / STEP, end) <= ANOMALY_SHARE:
                return before, after + margin, step
    return before, after, own


def _degenerate_cases(model: Any, chk: Checks, ac: K.Expect) -> list[RuleTest]:
    """Constant predictions, invalid outputs, and traffic without the contract's prediction metrics."""
    if (dg := chk.degenerate) is None:
        return []
    m = model.id
    n = int((dg.window + dg.for_) / STEP) + 10
    # at the anomaly cases' interval when the window holds 6 of its evaluations and its half (the
    # rule's offset) whole ones; the firing check then moves two of them later
    step = _anomaly_timing(model, chk.anomaly)[2] if chk.anomaly else 0.0
    every: str | None = None
    if step > model.evaluation_interval and dg.window >= 6 * step and dg.window % (2 * step) == 0:
        n, every = n + steps.margin_at(model, step), format_duration(step)
    else:
        n = steps.coarse_length(model, n)
    out = [
        RuleTest(
            f"errors {m}: constant predictions fire {D.A_CONSTANT}",
            "1m",
            synth(model, chk, [(RPS, 0.0, n)], pred=[(0.7, n)]).items(),
            (ac(n - 1, D.A_CONSTANT, ac.lab(C.SEVERITY_TICKET, "constant_predictions")),),
            evaluation_interval=every,
        )
    ]
    n = steps.coarse_length(model, int(dg.for_ / STEP) + 12)
    bad = min(0.5, dg.invalid_ratio * 5)
    out.append(
        RuleTest(
            f"errors {m}: {num(bad * 100)}% invalid outputs fire {D.A_INVALID}",
            "1m",
            synth(model, chk, [(RPS, 0.0, n)], invalid=bad).items(),
            (ac(n - 2, D.A_INVALID, ac.lab(C.SEVERITY_TICKET, "invalid_outputs")),),
            (K.exact_check(S.rec(m, C.INVALID_OUTPUT_RATIO), K.minutes(n - 2), bad),),
        )
    )
    n = steps.coarse_length(model, int(chk.cfg.no_data_for / STEP) + 5)
    s = synth(model, chk, [(RPS, 0.0, n)], with_pred=False, with_invalid=False)
    out.append(
        RuleTest(
            f"errors {m}: traffic without prediction metrics raises {D.A_NODATA}",
            "1m",
            s.items(),
            (ac(n, D.A_NODATA, ac.lab(C.SEVERITY_TICKET, "invalid_outputs"), ac.lab(C.SEVERITY_TICKET, "prediction_score")),),
        )
    )
    return out
