"""What the registry says about one registered model -> the registry file's entry (pure).

``entry`` picks the current version (the first alias or stage of the block's ``current`` that a
version holds) and the previous one:

- the version the file named current before, when the current version changed (a promotion, or
  a rollback);
- otherwise the previous version the file already names (so a second sync changes nothing);
- for a model new to the file, the highest version number below the current one.

A previous version deleted from the registry is replaced by that fallback.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from mlmon.monitors.quality import ALL_METRICS, REGRESSION_METRICS, TRAINED_METRIC_PATTERN
from mlmon.registry.config import ModelRef
from mlmon.registry.fileformat import Entry, VersionFacts, _version_key


@dataclass(frozen=True)
class RegistryVersion:
    """One model version as the registry reports it."""

    version: str
    trained_at: int  # Unix seconds
    aliases: tuple[str, ...] = ()
    stage: str | None = None  # None when the version has no stage
    run_id: str | None = None
    metrics: Mapping[str, float] = field(default_factory=dict)  # the run's metrics, by key (latest values)


@dataclass(frozen=True)
class RegisteredModel:
    name: str
    versions: tuple[RegistryVersion, ...]

    def get(self, version: str) -> RegistryVersion | None:
        return next((v for v in self.versions if v.version == version), None)


def stage_label(stage: str) -> str:
    """The ``stage`` label of a registry stage, spelled like ``mlmon.instrument``'s (production)."""
    return stage.lower()


def current_version(model: RegisteredModel, current: Sequence[str]) -> tuple[RegistryVersion, str] | None:
    """The current version and the alias or stage that makes it so: the first name of ``current``
    that a version holds as an alias, else as its stage (the highest version when several do)."""
    newest_first = sorted(model.versions, key=lambda v: _version_key(v.version), reverse=True)
    for name in current:
        for v in newest_first:
            if any(a.lower() == name.lower() for a in v.aliases):
                return v, name
        for v in newest_first:
            if v.stage is not None and v.stage.lower() == name.lower():
                return v, stage_label(v.stage)
    return None


def training_metrics(version: RegistryVersion, ref: ModelRef) -> dict[str, float]:
    """The run's figures of the mlmon metrics (``ref.metrics`` names their keys; default the same name)."""
    known = re.compile(f"^({TRAINED_METRIC_PATTERN})$")
    out = {}
    for m in sorted({*ALL_METRICS, *REGRESSION_METRICS, *ref.metrics, *filter(known.match, version.metrics)}):
        x = version.metrics.get(ref.metrics.get(m, m))
        if x is not None and math.isfinite(x):
            out[m] = float(x)
    return out


def _facts(v: RegistryVersion, ref: ModelRef) -> VersionFacts:
    return VersionFacts(v.version, v.trained_at, tuple(sorted(v.aliases)), v.stage, v.run_id, training_metrics(v, ref))


def entry(ref: ModelRef, model: RegisteredModel, current: Sequence[str], old: Entry | None) -> tuple[Entry | None, str | None]:
    """The file's entry for ``ref`` (or None and the reason)."""
    found = current_version(model, current)
    if found is None:
        held = sorted({a for v in model.versions for a in v.aliases} | {v.stage for v in model.versions if v.stage})
        return None, (
            f"no version of registered model {model.name!r} holds any of {', '.join(current)} as alias or stage"
            + (f" (it has: {', '.join(held)})" if held else " (it has no alias or stage)")
        )
    cur, how = found
    prev: str | None = None
    if old is not None and old.registered_model == model.name:
        prev = old.version if old.version != cur.version else old.previous_version
    if prev is None or prev == cur.version or model.get(prev) is None:
        older = [v for v in model.versions if _version_key(v.version) < _version_key(cur.version)]
        prev = max(older, key=lambda v: _version_key(v.version)).version if older else None
    versions = {cur.version: _facts(cur, ref)}
    pv = model.get(prev) if prev is not None else None
    if pv is not None:
        versions[pv.version] = _facts(pv, ref)
    return Entry(ref.model, model.name, cur.version, how, pv.version if pv else None, versions), None
