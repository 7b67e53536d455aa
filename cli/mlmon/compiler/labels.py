"""The spec's own alert labels (``metadata.labels``, ``models[].labels``): names mlmon reserves (pure)."""

from __future__ import annotations

from collections.abc import Iterable

from mlmon.conventions import RESERVED_LABELS


def reserved_problem(name: str) -> str | None:
    """Why ``name`` cannot be one of a spec's own labels, or None."""
    if name.startswith("__"):
        return f"label {name!r}: names starting with '__' are reserved by Prometheus"
    if name in RESERVED_LABELS:
        return f"label {name!r} is set by mlmon (routing, inhibition and the generated tests read it) and cannot be set in a spec"
    return None


def reserved_in(names: Iterable[str]) -> list[tuple[str, str]]:
    """(name, problem) of every reserved name among ``names``, in name order."""
    return [(n, p) for n in sorted(names) if (p := reserved_problem(n)) is not None]


HINT = "choose another name; reserved: " + ", ".join(RESERVED_LABELS) + " and names starting with '__'"
