"""Protected attributes on the decision and outcome counters, for the fairness rules.

Opt-in and bounded: ``ModelMonitor(..., groups={"region": ["eu", "uk", "us"]})`` adds the label
``region`` to ``mlmon_predictions_total`` (with ``positive="true"|"false"``, or ``""`` for a
request without a decision) and to ``mlmon_outcomes_total``. A value that is not listed, and a
missing one, is counted as ``__other__``, so each label has at most its listed values plus one.
Several labels multiply: the series of one version are 3 x (the product of (values + 1)) decision
counters and 4 x that product outcome counters, limited to ``MAX_COMBINATIONS`` combinations.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from typing import Any

from mlmon import conventions as C

OTHER = C.DRIFT_OTHER_BIN
MAX_COMBINATIONS = 100  # group-value combinations per version (each listed value plus __other__)
_LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")


class Groups:
    """The group labels (sorted) and the values each may take."""

    def __init__(self, groups: Mapping[str, Iterable[Any]]) -> None:
        values: dict[str, tuple[str, ...]] = {}
        for label in sorted(groups):
            if not _LABEL.fullmatch(label) or label.startswith("__"):
                raise ValueError(f"group label {label!r} is not a Prometheus label name")
            if label in C.RESERVED_GROUP_LABELS:
                raise ValueError(f"group label {label!r} is a label mlmon or Prometheus already uses")
            listed = tuple(dict.fromkeys(str(v) for v in groups[label]))
            if not listed:
                raise ValueError(f"group label {label!r} needs its values (others count as {OTHER})")
            values[label] = tuple(v for v in listed if v != OTHER) + (OTHER,)
        n = 1
        for v in values.values():
            n *= len(v)
        if n > MAX_COMBINATIONS:
            raise ValueError(f"{n} group-value combinations (values + {OTHER}, multiplied over labels) exceed {MAX_COMBINATIONS}: list fewer values")
        self.values = values
        self.labels = tuple(values)

    def combinations(self) -> list[tuple[str, ...]]:
        """Every combination of group values (one empty tuple without groups)."""
        return list(itertools.product(*self.values.values()))

    def of(self, explicit: Mapping[str, Any] | None, features: Mapping[str, Any] | None) -> tuple[str, ...]:
        """The group values of one request: ``explicit`` first, else the feature of that name;
        unlisted or missing values are ``__other__``."""
        out = []
        for label in self.labels:
            raw = (explicit or {}).get(label, (features or {}).get(label))
            text = "" if raw is None else str(raw)
            out.append(text if text in self.values[label] else OTHER)
        return tuple(out)
