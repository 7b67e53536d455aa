"""PSI and Jensen-Shannon in plain Python: the floors and ranges the rules and lint share, and the
expected values of the generated rule tests."""

from __future__ import annotations

import math
from collections.abc import Sequence

PSI_FLOOR = 1e-4  # Evidently's empty-bin floor of the current fraction
JS_FLOOR = 1e-12  # keeps 0 ln 0 from becoming NaN
LN2 = math.log(2.0)
MAX_SCORE: dict[tuple[str, str | None, str | None], float] = {  # (method, base, form) -> largest possible value
    ("js", "e", "distance"): math.sqrt(LN2),
    ("js", "e", "divergence"): LN2,
    ("js", "2", "distance"): 1.0,
    ("js", "2", "divergence"): 1.0,
}


def floor(method: str) -> float:
    """The floor of the current fraction p under this method."""
    return PSI_FLOOR if method == "psi" else JS_FLOOR


def fractions(counts: Sequence[float]) -> list[float]:
    n = float(sum(counts))
    return [c / n for c in counts]


def psi(p: Sequence[float], q: Sequence[float]) -> float:
    return sum((max(pi, PSI_FLOOR) - qi) * math.log(max(pi, PSI_FLOOR) / qi) for pi, qi in zip(p, q))


def js(p: Sequence[float], q: Sequence[float], base: str, form: str) -> float:
    total = 0.0
    for pi, qi in zip(p, q):
        pc = max(pi, JS_FLOOR)
        m = (pc + qi) / 2
        total += 0.5 * pc * math.log(pc / m) + 0.5 * qi * math.log(qi / m)
    div = max(total, 0.0) / (LN2 if base == "2" else 1.0)
    return math.sqrt(div) if form == "distance" else div


def score(method: str, base: str | None, form: str | None, p: Sequence[float], q: Sequence[float]) -> float:
    if method == "psi":
        return psi(p, q)
    return js(p, q, base or "e", form or "distance")
