"""Input series of the errors rule tests: the serving preset's traffic, and the metric contract's
prediction-score histogram and invalid-output counter when a check reads them."""

from __future__ import annotations

import functools
from typing import Any

from mlmon import conventions as C
from mlmon.compiler.units import fmt_float
from mlmon.monitors.errors.checks import Checks
from mlmon.presets import signals as S

STEP = 60.0  # seconds between input samples (interval 1m)
RPS = 10.0
LATENCY = 0.001
HEALTHY_MEANS = (0.6, 0.4, 0.55, 0.45, 0.65, 0.35, 0.5)


def synth(
    model: Any,
    chk: Checks,
    phases: list[tuple[float, float, int]],
    pred: list[tuple[float, int]] | None = None,
    invalid: float = 0.0,
    with_pred: bool = True,
    with_invalid: bool = True,
) -> S.Synth:
    """Traffic in (requests/s, errors/s, minutes) phases; predictions whose per-minute mean is
    ``pred`` (default: a healthy alternation); ``invalid`` x requests invalid outputs."""
    s = S.Synth()
    S.synth_traffic(model, s, [(r, e, LATENCY, n) for r, e, n in phases], STEP)
    total = sum(n for _, _, n in phases)
    labs = S.label_text({**S.job_labels(model.id), C.L_MODEL: model.id})
    if chk.predictions and with_pred:
        count_values, sum_values = prediction_series(RPS * STEP, tuple(pred or [(-1.0, total)]))
        s.add(f"{C.PREDICTION_SCORE}_count{{{labs}}}", count_values)
        s.add(f"{C.PREDICTION_SCORE}_sum{{{labs}}}", sum_values)
    if chk.degenerate is not None and with_invalid:
        s.add(f"{C.INVALID_OUTPUTS_TOTAL}{{{labs}}}", S.counter_values([(invalid * RPS * STEP, total)]))
    return s


@functools.lru_cache(maxsize=1024)
def prediction_series(count_inc: float, pred: tuple[tuple[float, int], ...]) -> tuple[str, str]:
    """promtool values of the prediction score's _count and _sum: ``count_inc`` predictions a step
    whose mean is ``v`` for ``n`` steps (``v < 0``: a healthy spread around 0.5 over a 7-step
    cycle, so rules evaluated every 2, 3, 5 or 10 minutes never read one value again and again)."""
    means: list[float] = []
    for v, n in pred:
        means.extend([v] * n if v >= 0 else [HEALTHY_MEANS[i % len(HEALTHY_MEANS)] for i in range(n)])
    cnt, sm, cv, sv = 0.0, 0.0, ["0"], ["0"]
    for mu in means:
        cnt += count_inc
        sm += count_inc * mu
        cv.append(fmt_float(round(cnt, 6)))
        sv.append(fmt_float(round(sm, 6)))
    return " ".join(cv), " ".join(sv)
