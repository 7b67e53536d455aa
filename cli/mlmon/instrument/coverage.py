"""Distinct items recommended within a sliding window, in fixed memory: the numerator of catalogue
coverage (``mlmon_ranking_distinct_items``).

Linear counting (Whang, Vander-Zanden, Taylor 1990), no HyperLogLog: each item hashes to one of
``bits`` positions; with ``occupied`` positions set, the estimate is ``-bits * ln(1 -
occupied / bits)``. Its relative standard error is ``sqrt(e^t - t - 1) / (t * sqrt(bits))`` at load
``t = n / bits``: below 0.1% for ``t <= 1`` and ``bits = 2^20``. Memory is 4 bytes a position,
whatever the traffic (``bits`` defaults to a power of two at least twice the catalogue, between
2^16 and 2^20: 256 KiB to 4 MiB per model version).

The window slides in ``slices`` steps: each position remembers the last slice it was set in, and
positions last set before the window count as free. The estimate covers the last ``window``
seconds, give or take one slice. Each process counts its own requests; the rules take the maximum
over replicas and workers (a lower bound of the union, exact with one replica).
"""

from __future__ import annotations

import math
import threading
import time
from array import array
from collections.abc import Callable, Hashable

SALT = "mlmon-coverage"
MIN_BITS, MAX_BITS = 2**16, 2**20


def default_bits(catalog: int | None) -> int:
    want = 2 * max(1, int(catalog or 0))
    return min(MAX_BITS, max(MIN_BITS, 1 << (want - 1).bit_length()))


class DistinctItems:
    def __init__(
        self, window: float = 86400.0, *, slices: int = 24, bits: int | None = None, catalog: int | None = None, clock: Callable[[], float] = time.time
    ):
        if window <= 0 or slices < 1:
            raise ValueError("window must be positive and slices at least 1")
        self.bits = int(bits or default_bits(catalog))
        self.slices = int(slices)
        self.slice_len = float(window) / self.slices
        self._clock = clock
        self._t0 = clock()
        self._last = array("i", [-1]) * self.bits  # slice in which each position was last set
        self._count: dict[int, int] = {}  # slice -> positions whose last set is in it
        self._lock = threading.Lock()

    def _slice(self) -> int:
        return int((self._clock() - self._t0) // self.slice_len)  # small numbers: 4 bytes a position

    def add(self, item: Hashable) -> None:
        pos = hash((SALT, item)) % self.bits
        with self._lock:
            s = self._slice()
            old = self._last[pos]
            if old == s:
                return
            if old in self._count:
                self._count[old] -= 1
            self._last[pos] = s
            self._count[s] = self._count.get(s, 0) + 1

    def occupied(self) -> int:
        """Positions set within the window (older slices are forgotten here)."""
        with self._lock:
            lo = self._slice() - self.slices + 1
            for s in [s for s in self._count if s < lo]:
                del self._count[s]
            return sum(self._count.values())

    def estimate(self) -> float:
        occ = self.occupied()
        if occ >= self.bits:  # saturated: the largest figure the bitmap can tell
            return self.bits * math.log(self.bits)
        return -self.bits * math.log1p(-occ / self.bits) if occ else 0.0
