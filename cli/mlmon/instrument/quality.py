"""Data quality of one request's features, counted beside the drift bins.

For each baseline feature: absent from the request (``schema``, reason ``absent``), a missing
value (null, NaN, empty: ``missing``), not a number for a numeric feature (``schema``, reason
``type``), a number outside the baseline's valid range (``out_of_range``), a category the
reference data never had (``unseen``; it still goes into the ``__other__`` drift bin). Every
checked request also counts once in ``mlmon_feature_rows_total``, the denominator of the rates.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mlmon.instrument.bins import Binner


def observe_quality(ch: Any, binners: Mapping[str, Binner], features: Mapping[str, Any]) -> None:
    """Count one request's ``features`` into the children ``ch`` of its model version."""
    ch.rows.inc()
    q = ch.quality
    for name, binner in binners.items():
        if name not in features:
            q["schema"][f"{name}/absent"].inc()
            continue
        c = binner.check(features[name])
        if c.missing:
            q["missing"][name].inc()
        elif c.type_error:
            q["schema"][f"{name}/type"].inc()
        if c.bin is not None:
            bins = ch.features[name]
            (bins.get(c.bin) or bins[binner.fallback]).inc()
        if c.out_of_range:
            q["out_of_range"][name].inc()
        if c.unseen:
            q["unseen"][name].inc()
