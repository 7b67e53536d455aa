"""Computing a baseline from reference columns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mlmon.baseline.binning import Range, _category, categorical_feature, is_null, numeric_feature, to_number
from mlmon.baseline.model import DEFAULT_BINS, DEFAULT_MAX_SEEN, DEFAULT_MIN_ROWS, DEFAULT_PSEUDO_COUNT, DEFAULT_TOP_K, Baseline, FeatureBaseline
from mlmon.diagnostics import Diagnostic, Severity


@dataclass(frozen=True)
class Options:
    model: str
    created_from: str  # file name only
    prediction: str | None = None  # column holding the model's score / predicted label
    features: tuple[str, ...] | None = None  # None: every column except prediction and ignore
    numeric: frozenset[str] = frozenset()  # declared numeric: a non-number is an error
    categorical: frozenset[str] = frozenset()  # declared categorical
    ignore: frozenset[str] = frozenset()
    bins: int = DEFAULT_BINS
    top_k: int = DEFAULT_TOP_K
    min_rows: int = DEFAULT_MIN_ROWS
    pseudo_count: float = DEFAULT_PSEUDO_COUNT
    edges: Mapping[str, tuple[float, ...]] | None = None  # fixed edges per column (e.g. to match a histogram)
    ranges: Mapping[str, Range] | None = None  # declared valid values per numeric column (data quality); default: reference min/max
    max_seen: int = DEFAULT_MAX_SEEN  # categorical: record every reference category up to this many


def compute_baseline(
    columns: Mapping[str, Sequence[Any]], opts: Options, file: str, lines: Sequence[int] | None = None
) -> tuple[Baseline | None, list[Diagnostic]]:
    """Columns (name -> values, one per row, in file order) -> Baseline, or None plus diagnostics.

    ``lines[i]`` is the file line of row ``i`` (for CSV), used in diagnostics.
    """
    diags: list[Diagnostic] = []

    def err(msg: str, line: int = 0, hint: str | None = None) -> None:
        diags.append(Diagnostic(file, line, 0, Severity.ERROR, "MLM213", msg, hint))

    names = list(columns)
    nrows = len(next(iter(columns.values()))) if columns else 0
    if opts.bins < 1:
        err(f"--bins must be at least 1, got {opts.bins}")
    if opts.top_k < 1:
        err(f"--top-k must be at least 1, got {opts.top_k}")
    if not opts.pseudo_count > 0:
        err(f"the smoothing pseudo-count must be positive, got {opts.pseudo_count}")
    wanted = list(opts.features) if opts.features is not None else [n for n in names if n != opts.prediction and n not in opts.ignore]
    declared = set(opts.numeric) | set(opts.categorical) | set(opts.edges or {}) | set(opts.ranges or {})
    for col in sorted(set(wanted) | declared | ({opts.prediction} if opts.prediction else set())):
        if col not in columns:
            err(f"column {col!r} not found (columns: {', '.join(names) or 'none'})")
    for col in sorted(set(opts.numeric) & set(opts.categorical)):
        err(f"column {col!r} is declared both numeric and categorical")
    for col, (lo, hi) in sorted((opts.ranges or {}).items()):
        if col in opts.categorical:
            err(f"column {col!r} has a range but is declared categorical")
        if lo is None and hi is None or lo is not None and hi is not None and not lo < hi:
            err(f"the range of column {col!r} must have a lower bound below its upper bound (one side may be open)")
    if not [w for w in wanted if w != opts.prediction]:
        err("no feature columns to baseline")
    if nrows < opts.min_rows:
        err(
            f"too few rows: {nrows} (need at least {opts.min_rows} for stable reference fractions)",
            hint="use more reference data, or lower --min-rows knowingly",
        )
    if diags:
        return None, diags

    def line_of(i: int) -> int:
        return lines[i] if lines is not None and i < len(lines) else i + 2

    def build(col: str) -> FeatureBaseline | None:
        raw = columns[col]
        present = [(i, v) for i, v in enumerate(raw) if not is_null(v)]
        nulls = len(raw) - len(present)
        if not present:
            err(f"column {col!r} has only missing values ({len(raw)} rows)")
            return None
        numbers = [(i, to_number(v)) for i, v in present]
        bad = [(i, present[k][1]) for k, (i, x) in enumerate(numbers) if x is None]
        is_numeric = col in opts.numeric or (opts.edges and col in opts.edges) or col in (opts.ranges or {})
        if col not in opts.categorical and not is_numeric:
            # auto-detect: numeric when every value is a number; mostly numbers is an error
            if bad and len(bad) <= 0.1 * len(present):
                is_numeric = True
            elif not bad:
                is_numeric = True
        if is_numeric:
            if bad:
                i, v = bad[0]
                more = f" (and {len(bad) - 1} more row(s))" if len(bad) > 1 else ""
                err(
                    f"column {col!r}, row {i + 1}: {str(v)!r} is not a finite number, but the column is numeric{more}",
                    line_of(i),
                    f"clean the data, or declare the column with --categorical {col}",
                )
                return None
            fixed = (opts.edges or {}).get(col)
            valid = (opts.ranges or {}).get(col)
            return numeric_feature(col, [x for _, x in numbers if x is not None], nulls, opts.bins, opts.pseudo_count, fixed, valid)
        return categorical_feature(col, [_category(v) for _, v in present], nulls, opts.top_k, opts.pseudo_count, opts.max_seen)

    feats = []
    for col in sorted(w for w in wanted if w != opts.prediction):
        fb = build(col)
        if fb is not None:
            feats.append(fb)
    pred = build(opts.prediction) if opts.prediction else None
    if diags:
        return None, diags
    return Baseline(opts.model, opts.created_from, nrows, tuple(feats), pred, opts.pseudo_count), diags
