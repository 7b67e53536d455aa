"""``mlmon gate``'s judgement, pure: the queries to evaluate at one instant (the PromQL the
recording rules are built from, ungated, so the gate needs no rule loaded) and the verdict on
their values.

Outcome: ``fail`` when a comparison exceeds its limit; otherwise ``inconclusive`` when a version
served fewer than ``min_samples`` requests in the window, or a comparison has no data; otherwise
``pass``. Quality without ``min_labels`` labelled outcomes per version is reported ``pending`` and
does not block (labels usually arrive after a canary step).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mlmon import conventions as C
from mlmon.compiler.units import num
from mlmon.monitors.canary import exprs as X
from mlmon.monitors.canary.compile import Canary
from mlmon.monitors.quality import LOWER_IS_BETTER

PASS, FAIL, INCONCLUSIVE = "pass", "fail", "inconclusive"
ARMS = (C.ARM_BASELINE, C.ARM_CANDIDATE)


@dataclass(frozen=True)
class Row:
    check: str
    baseline: float | None
    candidate: float | None
    value: float | None  # the compared quantity: difference, ratio or distance
    limit: str
    verdict: str  # pass | fail | no data | too few samples | pending


@dataclass(frozen=True)
class Verdict:
    outcome: str
    rows: tuple[Row, ...]


def queries(model: Any, c: Canary) -> dict[str, str]:
    """Query key -> PromQL, in a stable order."""
    out = {f"requests:{arm}": X.requests(model, c, arm) for arm in ARMS}
    if c.max_error_increase is not None:
        out |= {f"error_ratio:{arm}": X.error_ratio(model, c, arm) for arm in ARMS}
    if c.latency is not None:
        out |= {f"latency:{arm}": X.latency(model, c, arm) for arm in ARMS}
    if c.prediction is not None:
        out["prediction"] = X.divergence(model, c)
    if c.quality is not None:
        out |= {f"labels:{arm}": X.labels(model, c, arm) for arm in ARMS}
        out |= {f"quality:{arm}": X.quality(model, c, arm) for arm in ARMS}
    return out


def _get(values: Mapping[str, float | None], key: str) -> float | None:
    v = values.get(key)
    return None if v is None or math.isnan(v) or math.isinf(v) else v


def _pair(values: Mapping[str, float | None], name: str) -> tuple[float | None, float | None]:
    return _get(values, f"{name}:{C.ARM_BASELINE}"), _get(values, f"{name}:{C.ARM_CANDIDATE}")


def _compare(check: str, b: float | None, cand: float | None, value: float | None, limit: float, higher_fails: bool, text: str, gate_ok: bool) -> Row:
    if not gate_ok:
        return Row(check, b, cand, value, text, "too few samples")
    if value is None:
        return Row(check, b, cand, None, text, "no data")
    bad = value > limit if higher_fails else value < limit
    return Row(check, b, cand, value, text, FAIL if bad else PASS)


def verdict(c: Canary, values: Mapping[str, float | None]) -> Verdict:
    rb, rc = _pair(values, "requests")
    gate_ok = rb is not None and rc is not None and min(rb, rc) >= c.min_samples
    rows = [Row("samples", rb, rc, None if rb is None or rc is None else min(rb, rc), f">= {c.min_samples} each", PASS if gate_ok else "too few samples")]
    if c.max_error_increase is not None:
        b, cand = _pair(values, "error_ratio")
        diff = None if b is None or cand is None else cand - b
        rows.append(_compare("error_ratio", b, cand, diff, c.max_error_increase, True, f"candidate - baseline <= {num(c.max_error_increase)}", gate_ok))
    if c.latency is not None:
        b, cand = _pair(values, "latency")
        ratio = None if b is None or cand is None or b <= 0 else cand / b
        rows.append(_compare("latency", b, cand, ratio, c.latency.max_ratio, True, f"candidate / baseline <= {num(c.latency.max_ratio)}", gate_ok))
    if c.prediction is not None:
        d = _get(values, "prediction")
        rows.append(_compare("prediction_drift", None, None, d, c.prediction.max_distance, True, f"KS distance <= {num(c.prediction.max_distance)}", gate_ok))
    if c.quality is not None:
        q = c.quality
        lb, lc = _pair(values, "labels")
        b, cand = _pair(values, "quality")
        lower = q.metric in LOWER_IS_BETTER
        text = f"{q.metric}: candidate - baseline {'<= ' + num(q.max_drop) if lower else '>= -' + num(q.max_drop)}"
        if lb is None or lc is None or min(lb, lc) < q.min_labels:
            rows.append(Row("quality", b, cand, None, text + f" (>= {q.min_labels} labels each)", "pending"))
        else:
            diff = None if b is None or cand is None else cand - b
            rows.append(_compare("quality", b, cand, diff, q.max_drop if lower else -q.max_drop, lower, text, True))
    verdicts = [r.verdict for r in rows]
    outcome = FAIL if FAIL in verdicts else INCONCLUSIVE if ("too few samples" in verdicts or "no data" in verdicts) else PASS
    return Verdict(outcome, tuple(rows))
