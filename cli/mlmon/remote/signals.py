"""Ctrl-C and SIGTERM during an apply roll back like any failure.

``raising()`` (around an apply) turns SIGINT and SIGTERM into ``Interrupted``, raised where the
apply is, so the step in progress restores the previous state and the apply reports what it did.
``held()`` (around a rollback) keeps a signal from cutting the rollback short: it is remembered and
reported, not raised. Only SIGKILL (or a power loss) gets past both; the journal
(``mlmon.remote.journal``) covers that.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

SIGNALS = (signal.SIGINT, signal.SIGTERM)
_held = 0
pending: list[str] = []  # signals that arrived while held


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived (a BaseException, like KeyboardInterrupt: no ``except Exception``
    swallows it)."""

    def __init__(self, signum: int):
        self.signame = signal.Signals(signum).name
        super().__init__(f"interrupted by {self.signame}")


def _handler(signum: int, frame: Any) -> None:
    if _held:
        pending.append(signal.Signals(signum).name)
        return
    raise Interrupted(signum)


@contextmanager
def raising() -> Iterator[None]:
    """Within: SIGINT and SIGTERM raise ``Interrupted`` (main thread only; elsewhere nothing changes)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = {s: signal.signal(s, _handler) for s in SIGNALS}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


@contextmanager
def held() -> Iterator[None]:
    """Within: a signal is remembered in ``pending``, not raised."""
    global _held
    _held += 1
    try:
        yield
    finally:
        _held -= 1
