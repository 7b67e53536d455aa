"""``mlmon baseline``: reference data (CSV, or Parquet when pyarrow is installed) -> baseline YAML.

Reads the file, hands the columns to the pure core (``mlmon.baseline``), writes the YAML
atomically (or to stdout with ``-o -``). Nothing is written when the data has a problem.
Exit codes: 0 written; 1 bad data (missing column, all-null column, too few rows, a non-number in
a numeric column); 2 usage, unreadable file, or Parquet without pyarrow.
"""

from __future__ import annotations

import csv
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from mlmon import ExitCode
from mlmon.diagnostics import Diagnostic, Severity, format_json, format_text

MAX_BYTES = 2 * 1024**3


def _split(values: Any) -> list[str]:
    out: list[str] = []
    for v in values or []:
        out.extend(x.strip() for x in str(v).split(",") if x.strip())
    return out


def read_csv(path: Path, file: str) -> tuple[dict[str, list[str]] | None, list[int], list[Diagnostic]]:
    diags: list[Diagnostic] = []
    with open(path, newline="", encoding="utf-8-sig") as fh:
        sample = fh.read(64 * 1024)
        fh.seek(0)
        try:
            dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        reader = csv.reader(fh, dialect)
        try:
            header = next(reader)
        except StopIteration:
            return None, [], [Diagnostic(file, 1, 0, Severity.ERROR, "MLM213", "the file is empty (no header row)")]
        header = [h.strip() for h in header]
        dupes = sorted({h for h in header if header.count(h) > 1})
        if dupes:
            return None, [], [Diagnostic(file, 1, 0, Severity.ERROR, "MLM213", f"duplicate column name(s) in the header: {', '.join(dupes)}")]
        cols: dict[str, list[str]] = {h: [] for h in header}
        lines: list[int] = []
        for row in reader:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if len(row) != len(header):
                diags.append(Diagnostic(file, reader.line_num, 0, Severity.ERROR, "MLM213", f"row has {len(row)} fields, the header has {len(header)}"))
                if len(diags) >= 20:
                    break
                continue
            for h, v in zip(header, row):
                cols[h].append(v)
            lines.append(reader.line_num)
    return (None if diags else cols), lines, diags


def read_parquet(path: Path, file: str) -> tuple[dict[str, list[Any]] | None, list[Diagnostic]]:
    try:
        import pyarrow.parquet as pq  # optional dependency
    except ImportError:
        return None, [
            Diagnostic(
                file,
                0,
                0,
                Severity.ERROR,
                "MLM211",
                "reading Parquet needs pyarrow, which is not installed",
                "pip install pyarrow, or export the reference data as CSV",
            )
        ]
    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises many types for a bad file
        return None, [Diagnostic(file, 0, 0, Severity.ERROR, "MLM211", f"cannot read Parquet: {exc}")]
    return {name: table.column(name).to_pylist() for name in table.column_names}, []


def _parse_edges(items: Any, file: str) -> tuple[dict[str, tuple[float, ...]], list[Diagnostic]]:
    out: dict[str, tuple[float, ...]] = {}
    diags: list[Diagnostic] = []
    for item in items or []:
        name, sep, rest = str(item).partition("=")
        try:
            if not sep or not name.strip():
                raise ValueError
            edges = tuple(float(x) for x in rest.split(",") if x.strip())
            if not edges:
                raise ValueError
        except ValueError:
            diags.append(Diagnostic("<args>", 0, 0, Severity.ERROR, "MLM213", f"--edges {item!r}: expected COLUMN=e1,e2,... (numbers)"))
            continue
        out[name.strip()] = edges
    return out, diags


def _parse_ranges(items: Any) -> tuple[dict[str, tuple[float | None, float | None]], list[Diagnostic]]:
    """``COLUMN=LOW:HIGH`` (either side may be empty: open) -> column -> (low, high)."""
    out: dict[str, tuple[float | None, float | None]] = {}
    diags: list[Diagnostic] = []
    for item in items or []:
        name, sep, rest = str(item).partition("=")
        lo, colon, hi = rest.partition(":")
        try:
            if not sep or not colon or not name.strip():
                raise ValueError
            out[name.strip()] = (float(lo) if lo.strip() else None, float(hi) if hi.strip() else None)
        except ValueError:
            diags.append(Diagnostic("<args>", 0, 0, Severity.ERROR, "MLM213", f"--range {item!r}: expected COLUMN=LOW:HIGH (numbers; one side may be empty)"))
    return out, diags


def run(opts: Any) -> int:
    from mlmon import baseline as B

    fmt = getattr(opts, "format", "text")

    def report(diags: list[Diagnostic]) -> None:
        sys.stderr.write(format_json(diags) if fmt == "json" else format_text(diags))

    data = Path(opts.data)
    file = str(opts.data)
    if not data.is_file():
        report([Diagnostic(file, 0, 0, Severity.ERROR, "MLM001", "file not found")])
        return ExitCode.USAGE
    if data.stat().st_size > MAX_BYTES:
        report([Diagnostic(file, 0, 0, Severity.ERROR, "MLM001", "file larger than 2 GiB; sample the reference data first")])
        return ExitCode.USAGE
    edges, diags = _parse_edges(getattr(opts, "edges", None), file)
    ranges, more = _parse_ranges(getattr(opts, "ranges", None))
    diags += more
    if diags:
        report(diags)
        return ExitCode.USAGE
    lines: list[int] | None = None
    try:
        if data.suffix.lower() in (".parquet", ".pq"):
            cols, diags = read_parquet(data, file)
            if cols is None and diags and "pyarrow" in diags[0].message:
                report(diags)
                return ExitCode.USAGE
        else:
            cols, lines, diags = read_csv(data, file)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        report([Diagnostic(file, 0, 0, Severity.ERROR, "MLM001", f"cannot read: {exc}")])
        return ExitCode.USAGE
    if cols is None:
        report(diags)
        return ExitCode.FINDINGS
    features = _split(getattr(opts, "features", None)) or None
    o = B.Options(
        model=opts.model,
        created_from=data.name,
        prediction=getattr(opts, "prediction", None) or None,
        features=tuple(features) if features else None,
        numeric=frozenset(_split(getattr(opts, "numeric", None))),
        categorical=frozenset(_split(getattr(opts, "categorical", None))),
        ignore=frozenset(_split(getattr(opts, "ignore", None))),
        bins=int(getattr(opts, "bins", B.DEFAULT_BINS)),
        top_k=int(getattr(opts, "top_k", B.DEFAULT_TOP_K)),
        min_rows=int(getattr(opts, "min_rows", B.DEFAULT_MIN_ROWS)),
        edges=edges,
        ranges=ranges,
    )
    baseline, diags = B.compute_baseline(cols, o, file, lines)
    if baseline is None:
        report(diags)
        return ExitCode.FINDINGS
    text = B.dump_baseline(baseline)
    out = str(getattr(opts, "output", None) or "-")
    if out == "-":
        sys.stdout.write(text)
        return ExitCode.OK
    target = Path(out)
    tmp = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".baseline-", dir=target.parent)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except OSError as exc:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
        report([Diagnostic(out, 0, 0, Severity.ERROR, "MLM001", f"cannot write: {exc}")])
        return ExitCode.USAGE
    nf = len(baseline.features)
    sys.stderr.write(f"wrote {out}: {nf} feature(s){' + prediction' if baseline.prediction else ''} from {baseline.rows} rows\n")
    return ExitCode.OK
