"""Reference distributions for drift monitoring (pure: values in, values out).

A *baseline* describes, for each feature of a model and for its prediction score, how the
reference (training) data falls into a fixed set of bins. Drift rules compare the bin fractions
seen in production over a window with these reference fractions (PSI or Jensen-Shannon).

Bins
----
Numeric columns: ``bins`` (default 10) quantile bins of the reference plus two overflow bins.
``edges`` holds the ``bins + 1`` reference quantiles q(0), q(1/k), ..., q(1) (linear
interpolation, numpy's default; rounded to 6 significant digits, the lowest edge down and the
highest up; duplicates removed, so a column with few distinct values gets fewer bins). Bins are
right-closed like Prometheus histogram buckets, and bin labels are their index as text:

- ``"0"``: ``(-Inf, edges[0]]``: at or below the reference minimum (overflow below),
- ``"i"``: ``(edges[i-1], edges[i]]`` for i = 1 .. len(edges)-1,
- ``"len(edges)"``: ``(edges[-1], +Inf)``: above the reference maximum (overflow above).

So a classic histogram whose ``le`` bounds include every edge gives exactly these bins.

Categorical columns: the ``top_k`` (default 10) most frequent reference categories (ties by
name), bin label = the category itself, plus ``"__other__"`` for everything else.

Smoothing
---------
A bin with reference fraction 0 would make PSI infinite and waste JS resolution, and the overflow
bins are empty by construction. Fractions are therefore additively smoothed (Laplace/Jeffreys):
``fraction_i = (count_i + a) / (n + a * B)`` with ``a = 0.5`` pseudo-observations per bin
(``smoothing.pseudo_count``), ``n`` the non-null reference values and ``B`` the number of bins.
Fractions are positive and sum to 1; raw ``counts`` are kept next to them.

Missing values (empty CSV cell, ``NA``, ``NaN``, ``null``, ``None``) are not binned; their number is
kept as ``nulls``. :func:`bin_index` returns ``None`` for them.

Data quality
------------
Numeric features record ``range``: the values that are valid, by default the reference minimum
and maximum (``mlmon baseline --range COL=LOW:HIGH`` declares them, one side may stay open).
Categorical features record ``seen``: every reference category, when there are at most
``DEFAULT_MAX_SEEN``. Both are optional, so files written before them stay valid: a numeric
feature without ``range`` is valid between its outer edges, and a categorical one without
``seen`` knows its categories only when its ``__other__`` bin is empty.
"""

from __future__ import annotations

from mlmon.baseline.binning import (
    bin_index,
    categorical_feature,
    category_text,
    is_null,
    numeric_feature,
    quantile,
    quantile_edges,
    round_sig,
    smooth,
    to_number,
)
from mlmon.baseline.compute import Options, compute_baseline
from mlmon.baseline.model import (
    API_VERSION,
    CATEGORICAL,
    DEFAULT_BINS,
    DEFAULT_MAX_SEEN,
    DEFAULT_MIN_ROWS,
    DEFAULT_PSEUDO_COUNT,
    DEFAULT_TOP_K,
    EDGE_DIGITS,
    KIND,
    NULL_TEXTS,
    NUMERIC,
    OTHER,
    Baseline,
    FeatureBaseline,
)
from mlmon.baseline.yaml_io import HEADER, dump_baseline, load_baseline, to_data

__all__ = [
    "API_VERSION",
    "Baseline",
    "CATEGORICAL",
    "DEFAULT_BINS",
    "DEFAULT_MAX_SEEN",
    "DEFAULT_MIN_ROWS",
    "DEFAULT_PSEUDO_COUNT",
    "DEFAULT_TOP_K",
    "EDGE_DIGITS",
    "FeatureBaseline",
    "HEADER",
    "KIND",
    "NULL_TEXTS",
    "NUMERIC",
    "OTHER",
    "Options",
    "bin_index",
    "categorical_feature",
    "category_text",
    "compute_baseline",
    "dump_baseline",
    "is_null",
    "load_baseline",
    "numeric_feature",
    "quantile",
    "quantile_edges",
    "round_sig",
    "smooth",
    "to_data",
    "to_number",
]
