"""The figures of one ``make bench`` run, collected from every bench process into one table.

Each bench calls ``record(figure, value, target)`` beside its printed line. The rows go to the
JSON-lines file named by ``MLMON_BENCH_FIGURES`` (``bench/run.py`` sets it for itself and the
benches it starts), so figures from child processes land in the same table. ``bench/run.py``
prints the table at the end and, with ``--write-docs FILE``, writes it into FILE between the
``BEGIN``/``END`` markers below, replacing the table of the previous run and nothing else.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

ENV = "MLMON_BENCH_FIGURES"
BEGIN = "<!-- figures of the latest make bench-docs run: begin (generated, do not edit) -->"
END = "<!-- figures of the latest make bench-docs run: end -->"


def record(figure: str, value: str, target: str = "") -> None:
    """Add one row to this run's table (nothing when no run collects figures)."""
    path = os.environ.get(ENV)
    if not path:
        return
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps({"figure": figure, "value": value, "target": target}) + "\n")


def rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def table(found: list[dict[str, str]], host: str) -> str:
    """The markdown table of one run, headed by the host line (figures from different hosts are
    only comparable through it)."""
    lines = [f"Host: {host}.", "", "| figure | value | target |", "| --- | --- | --- |"]
    lines += [f"| {_cell(r['figure'])} | {_cell(r['value'])} | {_cell(r['target'])} |" for r in found]
    return "\n".join(lines) + "\n"


def replace_block(document: str, block: str) -> str:
    """``document`` with the text between the markers replaced by ``block``; a ValueError when
    the markers are missing or out of order (the document is left for the caller to keep)."""
    start, end = document.find(BEGIN), document.find(END)
    if start < 0 or end < 0 or end < start:
        raise ValueError(f"the markers {BEGIN!r} and {END!r} are missing or out of order")
    return document[: start + len(BEGIN)] + "\n\n" + block.rstrip("\n") + "\n\n" + document[end:]


def write_docs(path: Path, found: list[dict[str, str]], host: str) -> None:
    text = path.read_text(encoding="utf-8")
    new = replace_block(text, table(found, host))
    if new != text:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(new, encoding="utf-8")
        tmp.replace(path)
