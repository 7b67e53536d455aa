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
"""

from __future__ import annotations

import bisect
import math
from collections import Counter
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from mlmon import conventions as C
from mlmon.diagnostics import Diagnostic, Severity

API_VERSION = "mlmon/v1"
KIND = "Baseline"
OTHER = C.DRIFT_OTHER_BIN
DEFAULT_BINS = 10
DEFAULT_TOP_K = 10
DEFAULT_MIN_ROWS = 100
DEFAULT_PSEUDO_COUNT = 0.5
EDGE_DIGITS = 6
NULL_TEXTS = frozenset({"", "na", "n/a", "nan", "null", "none"})
NUMERIC, CATEGORICAL = "numeric", "categorical"
_SUM_TOLERANCE = 1e-6


@dataclass(frozen=True)
class FeatureBaseline:
    name: str
    kind: str  # numeric | categorical
    counts: tuple[int, ...]
    fractions: tuple[float, ...]
    edges: tuple[float, ...] = ()  # numeric
    categories: tuple[str, ...] = ()  # categorical, without __other__
    nulls: int = 0

    @property
    def bins(self) -> tuple[str, ...]:
        """Bin labels, in bin order (the ``bin`` label values of the counters)."""
        if self.kind == NUMERIC:
            return tuple(str(i) for i in range(len(self.edges) + 1))
        return self.categories + (OTHER,)

    def bin_fractions(self) -> dict[str, float]:
        return dict(zip(self.bins, self.fractions))


@dataclass(frozen=True)
class Baseline:
    model: str
    created_from: str
    rows: int
    features: tuple[FeatureBaseline, ...]  # sorted by name
    prediction: FeatureBaseline | None = None
    pseudo_count: float = DEFAULT_PSEUDO_COUNT

    def feature(self, name: str) -> FeatureBaseline | None:
        for f in self.features:
            if f.name == name:
                return f
        return None

    @property
    def feature_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.features)


# --- binning ------------------------------------------------------------------------------------
def is_null(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip().lower() in NULL_TEXTS


def to_number(value: Any) -> float | None:
    """A finite float, or None when ``value`` is not a number (booleans are not numbers)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        x = float(value)
    elif isinstance(value, str):
        try:
            x = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return x if math.isfinite(x) else None


def bin_index(feature: FeatureBaseline, value: Any) -> str | None:
    """The ``bin`` label under which ``value`` is counted; None for a missing value.

    The instrumentation library calls this, so counters line up exactly with the rules.
    Numeric: right-closed bins over ``edges`` (see module doc); a value that is not a number
    raises ValueError. Categorical: the category when it is one of the baseline's, else
    ``__other__``.
    """
    if is_null(value):
        return None
    if feature.kind == NUMERIC:
        x = to_number(value)
        if x is None:
            if isinstance(value, float) and math.isinf(value):
                x = value
            else:
                raise ValueError(f"feature {feature.name!r} is numeric, got {value!r}")
        return str(bisect.bisect_left(feature.edges, x))
    text = _category(value)
    return text if text in feature.categories else OTHER


def _category(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value).strip()


def quantile(sorted_values: Sequence[float], p: float) -> float:
    """Linear-interpolation quantile (numpy's default "linear" method) of sorted values."""
    n = len(sorted_values)
    h = (n - 1) * p
    lo = math.floor(h)
    hi = min(lo + 1, n - 1)
    return sorted_values[lo] + (h - lo) * (sorted_values[hi] - sorted_values[lo])


def round_sig(x: float, digits: int = EDGE_DIGITS, mode: str = "nearest") -> float:
    """``x`` rounded to ``digits`` significant digits: ``down`` gives a value <= x, ``up`` >= x."""
    if x == 0 or not math.isfinite(x):
        return x
    exp = math.floor(math.log10(abs(x))) - digits + 1
    k = {"down": math.floor, "up": math.ceil, "nearest": round}[mode](round(x / 10.0**exp, 6))
    y = float(f"{k}e{exp}")
    if mode == "down" and y > x:
        y = float(f"{k - 1}e{exp}")
    elif mode == "up" and y < x:
        y = float(f"{k + 1}e{exp}")
    return y


def quantile_edges(values: Sequence[float], bins: int) -> tuple[float, ...]:
    xs = sorted(values)
    raw = [quantile(xs, i / bins) for i in range(bins + 1)]
    edges = [round_sig(raw[0], mode="down")]
    edges += [round_sig(v) for v in raw[1:-1]]
    edges.append(round_sig(raw[-1], mode="up"))
    out: list[float] = []
    for e in sorted(edges):
        if not out or e > out[-1]:
            out.append(e)
    return tuple(out)


def smooth(counts: Sequence[int], pseudo_count: float) -> tuple[float, ...]:
    n = sum(counts)
    denom = n + pseudo_count * len(counts)
    return tuple((c + pseudo_count) / denom for c in counts)


def numeric_feature(name: str, values: Sequence[float], nulls: int, bins: int, pseudo_count: float,
                    edges: Sequence[float] | None = None) -> FeatureBaseline:  # fmt: skip
    e = tuple(sorted(set(float(x) for x in edges))) if edges else quantile_edges(values, bins)
    counts = [0] * (len(e) + 1)
    for x in values:
        counts[bisect.bisect_left(e, x)] += 1
    return FeatureBaseline(name, NUMERIC, tuple(counts), smooth(counts, pseudo_count), edges=e, nulls=nulls)


def categorical_feature(name: str, values: Sequence[str], nulls: int, top_k: int, pseudo_count: float) -> FeatureBaseline:
    freq = Counter(values)
    top = sorted((c for c in freq if c != OTHER), key=lambda c: (-freq[c], c))[:top_k]
    cats = tuple(sorted(top))
    counts = [freq[c] for c in cats]
    counts.append(len(values) - sum(counts))
    return FeatureBaseline(name, CATEGORICAL, tuple(counts), smooth(counts, pseudo_count), categories=cats, nulls=nulls)


# --- computing a baseline from columns -------------------------------------------------------------
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


def compute_baseline(columns: Mapping[str, Sequence[Any]], opts: Options, file: str,
                     lines: Sequence[int] | None = None) -> tuple[Baseline | None, list[Diagnostic]]:  # fmt: skip
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
    declared = set(opts.numeric) | set(opts.categorical) | set(opts.edges or {})
    for col in sorted(set(wanted) | declared | ({opts.prediction} if opts.prediction else set())):
        if col not in columns:
            err(f"column {col!r} not found (columns: {', '.join(names) or 'none'})")
    for col in sorted(set(opts.numeric) & set(opts.categorical)):
        err(f"column {col!r} is declared both numeric and categorical")
    if not [w for w in wanted if w != opts.prediction]:
        err("no feature columns to baseline")
    if nrows < opts.min_rows:
        err(f"too few rows: {nrows} (need at least {opts.min_rows} for stable reference fractions)",
            hint="use more reference data, or lower --min-rows knowingly")  # fmt: skip
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
        is_numeric = col in opts.numeric or (opts.edges and col in opts.edges)
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
                err(f"column {col!r}, row {i + 1}: {str(v)!r} is not a finite number, but the column is numeric{more}",
                    line_of(i), f"clean the data, or declare the column with --categorical {col}")  # fmt: skip
                return None
            fixed = (opts.edges or {}).get(col)
            return numeric_feature(col, [x for _, x in numbers], nulls, opts.bins, opts.pseudo_count, fixed)
        return categorical_feature(col, [_category(v) for _, v in present], nulls, opts.top_k, opts.pseudo_count)

    feats = []
    for col in sorted(w for w in wanted if w != opts.prediction):
        fb = build(col)
        if fb is not None:
            feats.append(fb)
    pred = build(opts.prediction) if opts.prediction else None
    if diags:
        return None, diags
    return Baseline(opts.model, opts.created_from, nrows, tuple(feats), pred, opts.pseudo_count), diags


# --- YAML ----------------------------------------------------------------------------------------
HEADER = "Generated by `mlmon baseline` from {src}. Reference distribution for drift rules: regenerate, do not edit."


def _feature_dict(f: FeatureBaseline) -> dict:
    out: dict[str, Any] = {"type": f.kind}
    if f.kind == NUMERIC:
        out["edges"] = [float(e) for e in f.edges]
    else:
        out["categories"] = list(f.categories)
    out["counts"] = list(f.counts)
    out["fractions"] = [float(x) for x in f.fractions]
    out["nulls"] = f.nulls
    return out


def to_data(b: Baseline) -> dict:
    data: dict[str, Any] = {
        "apiVersion": API_VERSION,
        "kind": KIND,
        "model": b.model,
        "created_from": b.created_from,
        "rows": b.rows,
        "smoothing": {"method": "additive", "pseudo_count": float(b.pseudo_count)},
        "features": {f.name: _feature_dict(f) for f in sorted(b.features, key=lambda f: f.name)},
    }
    if b.prediction is not None:
        data["prediction"] = {"column": b.prediction.name, **_feature_dict(b.prediction)}
    return data


def dump_baseline(b: Baseline) -> str:
    from mlmon.render.emit import to_yaml

    return to_yaml(to_data(b), header=HEADER.format(src=b.created_from))


def load_baseline(text: str, file: str) -> tuple[Baseline | None, list[Diagnostic]]:
    """Baseline YAML text -> Baseline, or None plus diagnostics with positions in ``file``."""
    from mlmon.compiler.source import parse_documents, render_path

    docs, diags = parse_documents(text, file)
    if diags:
        return None, diags
    if len(docs) != 1 or not isinstance(docs[0].data, dict):
        return None, [Diagnostic(file, 1, 1, Severity.ERROR, "MLM211", "a baseline file holds exactly one YAML mapping")]
    doc = docs[0]
    data = doc.data
    out: list[Diagnostic] = []

    def err(path: tuple, msg: str, key: bool = False) -> None:
        line, col = doc.source.pos(path, key=key)
        out.append(Diagnostic(file, line, col, Severity.ERROR, "MLM211", f"{render_path(path)}: {msg}"))

    if data.get("apiVersion") != API_VERSION:
        err(("apiVersion",), f"must be {API_VERSION!r}, got {data.get('apiVersion')!r}")
    if data.get("kind") != KIND:
        err(("kind",), f"must be {KIND!r}, got {data.get('kind')!r} (is this a baseline made by `mlmon baseline`?)")
    for key in ("model", "created_from"):
        if not isinstance(data.get(key), str) or not data.get(key):
            err((key,), "missing or not a string", key=True)
    rows = data.get("rows")
    if not isinstance(rows, int) or isinstance(rows, bool) or rows < 1:
        err(("rows",), "must be a positive integer", key=True)
    smoothing = data.get("smoothing") or {}
    pc = smoothing.get("pseudo_count", DEFAULT_PSEUDO_COUNT) if isinstance(smoothing, dict) else None
    if not _is_num(pc) or not pc > 0:
        err(("smoothing",), "must be a mapping with a positive pseudo_count", key=True)
        pc = DEFAULT_PSEUDO_COUNT
    feats_raw = data.get("features")
    if not isinstance(feats_raw, dict) or not feats_raw:
        err(("features",), "must be a non-empty mapping of feature name -> bins", key=True)
        feats_raw = {}
    allowed = {"apiVersion", "kind", "model", "created_from", "rows", "smoothing", "features", "prediction"}
    for key in data:
        if key not in allowed:
            err((key,), f"unknown field {key!r}", key=True)

    def feature(path: tuple, name: str, raw: Any) -> FeatureBaseline | None:
        if not isinstance(raw, dict):
            err(path, "must be a mapping")
            return None
        n0 = len(out)
        kind = raw.get("type")
        if kind not in (NUMERIC, CATEGORICAL):
            err(path + ("type",), f"must be numeric or categorical, got {kind!r}", key="type" not in raw)
            return None
        counts, fractions = raw.get("counts"), raw.get("fractions")
        if kind == NUMERIC:
            edges = raw.get("edges")
            if not isinstance(edges, list) or not edges or not all(_is_num(e) and math.isfinite(e) for e in edges):
                err(path + ("edges",), "must be a non-empty list of finite numbers", key="edges" not in raw)
                return None
            if any(b <= a for a, b in zip(edges, edges[1:])):
                err(path + ("edges",), "must be strictly increasing")
                return None
            nbins = len(edges) + 1
        else:
            cats = raw.get("categories")
            if not isinstance(cats, list) or not all(isinstance(c, str) for c in cats) or len(set(cats)) != len(cats):
                err(path + ("categories",), "must be a list of distinct strings", key="categories" not in raw)
                return None
            if OTHER in cats:
                err(path + ("categories",), f"{OTHER!r} is implicit (the last bin); do not list it")
                return None
            nbins = len(cats) + 1
        if not isinstance(counts, list) or len(counts) != nbins or not all(isinstance(c, int) and not isinstance(c, bool) and c >= 0 for c in counts):
            err(path + ("counts",), f"must be {nbins} non-negative integers (one per bin)", key="counts" not in raw)
        if not isinstance(fractions, list) or len(fractions) != nbins or not all(_is_num(x) and 0 < x <= 1 for x in fractions):
            err(path + ("fractions",), f"must be {nbins} numbers in (0, 1] (one per bin; smoothed, so none is 0)", key="fractions" not in raw)
        elif abs(sum(fractions) - 1.0) > _SUM_TOLERANCE:
            err(path + ("fractions",), f"must sum to 1, sum is {sum(fractions):.9g}")
        nulls = raw.get("nulls", 0)
        if not isinstance(nulls, int) or isinstance(nulls, bool) or nulls < 0:
            err(path + ("nulls",), "must be a non-negative integer")
        if len(out) > n0:
            return None
        if kind == NUMERIC:
            return FeatureBaseline(name, kind, tuple(counts), tuple(float(x) for x in fractions), edges=tuple(float(e) for e in raw["edges"]), nulls=nulls)
        return FeatureBaseline(name, kind, tuple(counts), tuple(float(x) for x in fractions), categories=tuple(raw["categories"]), nulls=nulls)

    feats = []
    for name in sorted(feats_raw):
        fb = feature(("features", name), str(name), feats_raw[name])
        if fb is not None:
            feats.append(fb)
    pred = None
    if "prediction" in data:
        praw = data["prediction"]
        col = praw.get("column", "prediction") if isinstance(praw, dict) else "prediction"
        pred = feature(("prediction",), str(col), praw)
    if out:
        return None, out
    return Baseline(data["model"], data["created_from"], rows, tuple(feats), pred, float(pc)), out


def _is_num(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)
