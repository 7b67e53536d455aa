"""promtool rule tests for the errors monitor, with input series in the model's own dialect:
healthy traffic raises nothing; each alert fires on its incident with exact labels and
annotations; missing inputs raise the no-data alert instead."""

from __future__ import annotations

import functools
from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import RuleTest
from mlmon.compiler.units import num
from mlmon.monitors import testkit as K
from mlmon.monitors.errors import schema as D
from mlmon.monitors.errors.anomaly import baseline_offset
from mlmon.monitors.errors.checks import Checks, checks
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
    an = chk.anomaly
    n = max(60, int((an.window / 4 + baseline_offset(an)) / STEP) + 20) if an else 60
    exprs = (K.exact_check(S.rec(m, C.ERROR_RATIO), K.minutes(n - 1), 0.01),) if chk.ratio else ()
    out = [
        RuleTest(
            f"errors {m}: healthy traffic with 1% errors raises nothing",
            "1m",
            synth(model, chk, [(RPS, RPS * 0.01, n)]).items(),
            tuple(ac(n - 1, a) for a in sorted({r.alert for r in rules})),
            exprs,
        )
    ]

    # 2. error ratio between warning and critical, then above critical
    if (r := chk.ratio) is not None:
        n = int(r.for_ / STEP) + 12
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
    nd = int(chk.cfg.no_data_for / STEP) + 5
    nodata = [lab(C.SEVERITY_TICKET, r.labels[C.L_CHECK]) for r in rules if r.alert == D.A_NODATA]
    if nodata:
        out.append(
            RuleTest(f"errors {m}: no metrics at all raise {D.A_NODATA}", "1m", (("mlmon_unrelated_series", f"1+0x{nd}"),), (ac(nd, D.A_NODATA, *nodata),))
        )
    out.extend(_anomaly_cases(model, chk, ac))
    out.extend(_degenerate_cases(model, chk, ac))
    return K.minute_built(model, out, coarse=True)


def _anomaly_cases(model: Any, chk: Checks, ac: K.Expect) -> list[RuleTest]:
    """A steady baseline, then a jump in each watched signal."""
    if (an := chk.anomaly) is None:
        return []
    before = int((an.window / 4 + baseline_offset(an)) / STEP) + 10
    after = int(an.for_ / STEP) + 10
    after += K.coarse_margin(model, (before + after) * STEP)  # a long case evaluates every 5m
    n = before + after
    out = []
    for sgl in chk.signals:
        if sgl == "requests":
            s = synth(model, chk, [(RPS, 0.0, before), (RPS / 5, 0.0, after)])
        elif sgl == "error_ratio":
            jump = min(0.04, (chk.ratio.warning * 0.8) if chk.ratio else 0.04)
            s = synth(model, chk, [(RPS, RPS * 0.002, before), (RPS, RPS * jump, after)])
        else:
            s = synth(model, chk, [(RPS, 0.0, n)], pred=[(0.5, before), (0.9, after)])
        out.append(
            RuleTest(
                f"errors {model.id}: a jump in {sgl} fires {D.A_ANOMALY}",
                "1m",
                s.items(),
                (ac(before - 2, D.A_ANOMALY), ac(n - 1, D.A_ANOMALY, ac.lab(C.SEVERITY_TICKET, f"anomaly_{sgl}", signal=sgl))),
            )
        )
    return out


def _degenerate_cases(model: Any, chk: Checks, ac: K.Expect) -> list[RuleTest]:
    """Constant predictions, invalid outputs, and traffic without the contract's prediction metrics."""
    if (dg := chk.degenerate) is None:
        return []
    m = model.id
    n = int((dg.window + dg.for_) / STEP) + 10
    out = [
        RuleTest(
            f"errors {m}: constant predictions fire {D.A_CONSTANT}",
            "1m",
            synth(model, chk, [(RPS, 0.0, n)], pred=[(0.7, n)]).items(),
            (ac(n - 1, D.A_CONSTANT, ac.lab(C.SEVERITY_TICKET, "constant_predictions")),),
        )
    ]
    n = int(dg.for_ / STEP) + 12
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
    n = int(chk.cfg.no_data_for / STEP) + 5
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
