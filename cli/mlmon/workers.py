"""Rendering a large fleet on several cores: the shell side of ``pipeline.render``.

Each model's files depend only on the compiled spec and that model, so slices of the model list
are rendered in forked worker processes (which inherit the compiled spec) and assembled in model
order by ``pipeline.render``: the bytes are the same as a serial run. For ``mlmon generate`` the
workers also write their files into the staging folder (``write_stream``), so only file names and
routing cases come back. Small specs, one core, or platforms without ``fork`` render serially
in-process.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

MODELS_PER_JOB = 40  # below this many models per worker, forking costs more than it saves
MAX_JOBS = 8

_spec: Any = None
_dashboards = True
_folder: Path | None = None  # where workers write their slices (write_stream)


def default_jobs() -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_JOBS))


def plan_jobs(n_models: int, jobs: int | None) -> int:
    """How many worker processes to use for ``n_models`` (1 = render in-process)."""
    wanted = default_jobs() if jobs is None or jobs <= 0 else jobs
    if not sys.platform.startswith("linux") or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(wanted, n_models // MODELS_PER_JOB))


def _render_slice(bounds: tuple[int, int]) -> Any:
    from mlmon import pipeline

    files, routing = pipeline.render_models(_spec, bounds[0], bounds[1], dashboards=_dashboards)
    if _folder is None:
        return files, routing
    # the worker writes its own files: only their names and routing cases go back to the parent
    from mlmon import fsio

    fsio.write_files(_folder, files)
    return dict.fromkeys(files, ""), routing


def render(spec: Any, *, dashboards: bool = True, jobs: int | None = None) -> dict[str, str]:
    """``pipeline.render(spec)``, on ``jobs`` processes when the fleet is large enough: the chunks
    of ``render_stream`` put together."""
    files: dict[str, str] = {}
    for chunk in render_stream(spec, dashboards=dashboards, jobs=jobs):
        files.update(chunk)
    return dict(sorted(files.items()))


STREAM_SLICE = 50  # models per in-process slice when streaming


def render_stream(spec: Any, *, dashboards: bool = True, jobs: int | None = None) -> Iterator[dict[str, str]]:
    """The files of ``render``, in chunks: each slice of models' files as soon as it is rendered,
    then the spec's own files. The caller writes and drops each chunk, so memory holds a few
    slices, never the whole tree (the bytes written are the same)."""
    for files, _ in _stream(spec, dashboards, jobs, None):
        yield files


def write_stream(spec: Any, folder: Path, *, dashboards: bool = True, jobs: int | None = None) -> int:
    """Write the files of ``render`` into ``folder`` (``fsio.staged_tree``); returns how many. With
    workers, each writes the slices it renders, so the files never travel between processes."""
    from mlmon import fsio

    count = 0
    for chunk, written in _stream(spec, dashboards, jobs, folder):
        count += len(chunk) if written else fsio.write_files(folder, chunk)
    return count


def _stream(spec: Any, dashboards: bool, jobs: int | None, folder: Path | None) -> Iterator[tuple[dict[str, str], bool]]:
    """Chunks of files in model order, then the spec's files, each with whether a worker already
    wrote it into ``folder`` (never when ``folder`` is None)."""
    global _spec, _dashboards, _folder
    from mlmon import pipeline

    n = len(spec.models)
    names: dict[str, str] = {}
    cases: list[Any] = []

    def take(part: Any, written: bool) -> tuple[dict[str, str], bool]:
        files, routing = part
        names.update(dict.fromkeys(files, ""))
        cases.extend(routing)
        return dict(files), written

    workers = plan_jobs(n, jobs)
    if workers == 1:
        for start in range(0, n, STREAM_SLICE):
            yield take(pipeline.render_models(spec, start, min(n, start + STREAM_SLICE), dashboards=dashboards), False)
    else:
        # small slices: few rendered files wait in memory, and the workers finish within a slice
        # of each other
        slices = max(workers * 4, -(-n // (STREAM_SLICE // 2)))
        bounds = [(n * i // slices, n * (i + 1) // slices) for i in range(slices)]
        _spec, _dashboards, _folder = spec, dashboards, folder
        try:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                for part in pool.imap(_render_slice, bounds, chunksize=1):  # in model order
                    yield take(part, folder is not None)
        finally:
            _spec, _folder = None, None
    yield take((pipeline.render_spec_files(spec, names, cases, dashboards=dashboards), []), False)
