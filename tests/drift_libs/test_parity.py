"""mlmon's PSI and Jensen-Shannon against the libraries themselves, on the same bins.

Evidently's own ``_psi`` and ``_jensenshannon`` (the functions its DataDriftPreset runs) and
``scipy.spatial.distance.jensenshannon`` are given categorical data whose categories are mlmon's
bins, so all three see identical bins; the results must equal ``mlmon.monitors.drift.scores``
(the formulas the generated PromQL encodes; the drift monitor's generated promtool tests prove
the PromQL equals them within 1e-6) to 1e-6.

The one definitional difference is the reference's empty bins: Evidently replaces an empty share
by 0.0001 (or the smallest non-empty share / 10^6) without renormalising, while an mlmon baseline
is additively smoothed, ``(count + 0.5) / (n + 0.5 B)``. With identical reference fractions the
scores agree; with mlmon's smoothing they differ (last test). Empty *current* bins are floored at
0.0001 by both for PSI. Needs the ``parity`` extra (``make venv`` installs it).
"""

from __future__ import annotations

import math

import pytest

pd = pytest.importorskip("pandas")
distance = pytest.importorskip("scipy.spatial.distance")
pytest.importorskip("evidently")

from evidently.legacy.calculations.stattests.jensenshannon import _jensenshannon  # noqa: E402
from evidently.legacy.calculations.stattests.psi import _psi  # noqa: E402
from evidently.legacy.core import ColumnType  # noqa: E402

from mlmon.baseline.binning import smooth  # noqa: E402
from mlmon.monitors.drift import scores  # noqa: E402

TOL = 1e-6
# (reference counts, current counts) per bin: shifted, mildly shifted, with empty current bins
CASES = [
    ((120, 300, 410, 170), (60, 240, 450, 250)),
    ((50, 50, 50, 50, 50), (45, 52, 49, 55, 49)),
    ((500, 250, 125, 80, 45), (0, 90, 300, 400, 210)),
    ((10, 900, 90), (0, 0, 1000)),
]


def series(counts: tuple[int, ...]) -> pd.Series:
    """Categorical data whose categories are the bins ``"b0"``, ``"b1"``, ... with these counts."""
    return pd.Series([f"b{i}" for i, c in enumerate(counts) for _ in range(c)], dtype="object")


def fractions(counts: tuple[int, ...]) -> list[float]:
    return [c / sum(counts) for c in counts]


@pytest.mark.parametrize(("ref", "cur"), CASES)
def test_psi_equals_evidently_on_the_same_bins(ref: tuple[int, ...], cur: tuple[int, ...]) -> None:
    theirs, _ = _psi(series(ref), series(cur), ColumnType.Categorical, 0.1)
    ours = scores.psi(fractions(cur), fractions(ref))
    assert math.isclose(ours, float(theirs), abs_tol=TOL), (ours, theirs)


@pytest.mark.parametrize(("ref", "cur"), CASES)
@pytest.mark.parametrize(("base", "scipy_base"), [("e", None), ("2", 2.0)])
def test_js_distance_and_divergence_equal_scipy(ref: tuple[int, ...], cur: tuple[int, ...], base: str, scipy_base: float | None) -> None:
    p, q = fractions(cur), fractions(ref)
    theirs = float(distance.jensenshannon(p, q, base=scipy_base))
    assert math.isclose(scores.js(p, q, base, "distance"), theirs, abs_tol=TOL)
    assert math.isclose(scores.js(p, q, base, "divergence"), theirs**2, abs_tol=TOL)


@pytest.mark.parametrize(("ref", "cur"), CASES)
def test_js_equals_evidently_jensenshannon(ref: tuple[int, ...], cur: tuple[int, ...]) -> None:
    theirs, _ = _jensenshannon(series(ref), series(cur), ColumnType.Categorical, 0.1)
    assert math.isclose(scores.js(fractions(cur), fractions(ref), "e", "distance"), float(theirs), abs_tol=TOL)


def test_empty_reference_bins_evidently_zero_fill_vs_mlmon_smoothing() -> None:
    """A reference bin without observations: Evidently fills its share with 0.0001, mlmon's
    baseline smooths every bin. Fed Evidently's filled shares, mlmon's formula gives Evidently's
    PSI; with the baseline's smoothing it gives a different, finite value."""
    ref, cur = (0, 400, 350, 250), (30, 380, 340, 250)  # 3% of the traffic lands in a bin the reference never saw
    cur_series = pd.concat([series(cur)]).reset_index(drop=True)
    ref_series = series(ref)
    # the category must exist in the reference for Evidently to see the bin: it is counted from the union of both
    theirs, _ = _psi(ref_series, cur_series, ColumnType.Categorical, 0.1)
    filled = [f if f > 0 else 1e-4 for f in fractions(ref)]
    assert math.isclose(scores.psi(fractions(cur), filled), float(theirs), abs_tol=TOL)
    smoothed = scores.psi(fractions(cur), list(smooth(ref, 0.5)))
    assert math.isfinite(smoothed)
    assert abs(smoothed - float(theirs)) > 0.01  # the documented difference, not noise
