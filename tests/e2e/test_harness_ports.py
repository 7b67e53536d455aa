"""The end-to-end stack survives a port taken between its choice and its use: it starts again on
new ports instead of failing every scenario of the module (as it once did in CI, when a demo
model's port had become another connection's)."""

from __future__ import annotations

import socket

import pytest
from e2e_harness import MODELS, start_stack

from mlmon import stack as S

pytestmark = pytest.mark.e2e


def test_a_demo_port_taken_before_the_start_is_replaced(tmp_path):
    missing = S.missing_binaries()
    if missing:
        pytest.skip(f"not installed: {', '.join(missing)} (make tools)")
    with socket.socket() as taken:
        taken.bind((S.HOST, 0))
        taken.listen()
        port = taken.getsockname()[1]
        handed = [port]  # the first port handed out is the one held here

        def free_port() -> int:
            return handed.pop() if handed else S.free_port()

        roots = iter(tmp_path / f"attempt-{i}" for i in range(10))
        st = start_stack(lambda: next(roots), free_port)
        try:
            assert port not in {m.port for m in st.models}
            assert len(st.models) == len(MODELS) and all(p.alive() for p in st.procs.values())
            assert (tmp_path / "attempt-1").exists() and not (tmp_path / "attempt-2").exists()  # started on the second attempt
        finally:
            st.stop()
        assert not any(p.alive() for p in st.procs.values())
