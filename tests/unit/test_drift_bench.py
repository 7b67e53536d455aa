"""The drift bench's bookkeeping: which evaluations may have run while Go collected garbage."""

import importlib.util
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("drift_bench", REPO / "bench" / "drift_bench.py")
bench = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("drift_bench", bench)  # its dataclasses resolve their module by name
_spec.loader.exec_module(bench)

START = "2026-11-26T17:00:00.123456789Z"  # as the rules API gives it (nanoseconds)
T0 = 1795712400.123456  # the same instant, Unix seconds


def test_gc_stats_reads_cycles_heap_and_last_collection():
    metrics = (
        "# HELP go_gc_duration_seconds ...\n"
        'go_gc_duration_seconds{quantile="0.5"} 0.0001\n'
        "go_gc_duration_seconds_count 41\n"
        "go_memstats_heap_inuse_bytes 3.7e+07\n"
        "go_memstats_last_gc_time_seconds 1.7957124001e+09\n"
    )
    assert bench.gc_stats(metrics) == (41.0, 3.7e7, 1.7957124001e9)


def test_a_cycle_that_ended_after_the_evaluation_started_counts():
    assert bench.overlaps_gc(START, 1, T0 + 0.020)
    assert bench.overlaps_gc(START, 1, T0 + 0.9)  # it may have started during the evaluation


def test_a_cycle_that_ended_before_the_evaluation_started_does_not():
    assert not bench.overlaps_gc(START, 1, T0 - 0.001)


def test_no_cycle_since_the_last_poll_means_no_overlap_whatever_the_last_time():
    assert not bench.overlaps_gc(START, 0, T0 + 0.020)


def test_two_cycles_between_polls_count_as_overlapping():
    # only the last cycle's end is known; the earlier one may have run during the evaluation
    assert bench.overlaps_gc(START, 2, T0 - 0.5)


def test_an_unreadable_start_counts_as_overlapping():
    assert bench.overlaps_gc("", 1, T0)


def test_the_latest_evaluation_is_found_by_time_not_by_text():
    # the rules API drops trailing zeros of the nanoseconds: ".1Z" sorts after ".12Z" as text
    earlier, later = "2026-11-26T17:00:00.1Z", "2026-11-26T17:00:00.12Z"
    assert max([earlier, later], key=bench.evaluation_time) == later
    assert bench.evaluation_time("") == 0.0
