"""Fixture for the end-to-end tests: the stack of ``mlmon up`` on 127.0.0.1 (see e2e_harness.py).

Module scope, and the module that uses it is one xdist group: one worker starts the stack (two
Prometheus servers, demo models and Alertmanagers busy the whole time), and it stops as soon as
that module's tests are done instead of running beside the rest of the suite."""

from __future__ import annotations

import os
import time

import pytest
from e2e_harness import start_stack

from mlmon import stack as S


@pytest.fixture(scope="module")
def e2e_stack(tmp_path_factory):
    missing = S.missing_binaries()
    if missing:
        pytest.skip(f"not installed: {', '.join(missing)} (make tools)")
    st = start_stack(lambda: tmp_path_factory.mktemp("e2e"))
    st.started_at = time.monotonic()
    try:
        # the `down` scenario: once Prometheus has scraped the model's traffic for a while (its
        # SLI has data), stop its service by PID
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not st.query(
            'sum(rate(mlmon_predictions_total{model="e2e-down"}[1m])) > 0 and on() count_over_time(up{job="mlmon-e2e-down"}[1m]) >= 15'
        ):
            time.sleep(0.5)
        st.stop_process("demo:e2e-down")
        st.down_at = time.monotonic()
        yield st
    finally:
        st.stop()
        for p in st.procs.values():
            assert not p.alive(), f"{p.name} (pid {p.pid}) still running"
        if os.environ.get("MLMON_E2E_KEEP"):
            print(f"e2e state kept in {st.state.parent}")
