"""The features of a wide drift section in sets of consecutive features, one rule group each (pure).

A group's evaluation time grows with the bin series its rules read, and Prometheus evaluates one
group's rules one after another but different groups side by side. So a model whose features have
more bins in all than ``max_bins_per_group`` gets its feature rules in several groups: the fewest
sets of consecutive features (in the section's order, by name) that keep every set within the
limit, each set as small as that number of sets allows, so the groups cost about the same. A
feature with more bins than the limit forms a set of its own.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from mlmon.monitors.drift.compile import Dist


def _cuts(sizes: Sequence[int], cap: int) -> list[int]:
    """Where each set starts when consecutive items are packed up to ``cap`` (an item over ``cap``
    alone); packing greedily gives the fewest sets for that cap."""
    starts, filled = [0], 0
    for i, n in enumerate(sizes):
        if filled and filled + n > cap:
            starts.append(i)
            filled = 0
        filled += n
    return starts


def feature_sets(features: Sequence[Dist], max_bins: int) -> list[tuple[Dist, ...]]:
    """``features`` in sets as described above; one set when ``max_bins`` is 0 or they fit in it."""
    sizes = [len(d.bins) for d in features]
    total = sum(sizes)
    if max_bins <= 0 or total <= max_bins:
        return [tuple(features)]
    n = len(_cuts(sizes, max_bins))
    # the smallest cap that still packs into n sets: the number of sets only falls as the cap grows
    lo, hi = min(math.ceil(total / n), max_bins), max_bins
    while lo < hi:
        mid = (lo + hi) // 2
        if len(_cuts(sizes, mid)) <= n:
            hi = mid
        else:
            lo = mid + 1
    starts = _cuts(sizes, lo) + [len(features)]
    return [tuple(features[a:b]) for a, b in zip(starts, starts[1:])]
