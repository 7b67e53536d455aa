"""Which error and anomaly checks a model gets: the ones its section enables and its metrics allow."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlmon.monitors.errors import schema as D
from mlmon.monitors.errors.compile import Anomaly, Degenerate, Errors, Ratio
from mlmon.presets import signals as S


@dataclass(frozen=True)
class Checks:
    """What this model gets (None: not generated)."""

    cfg: Errors
    ratio: Ratio | None = None
    anomaly: Anomaly | None = None
    signals: tuple[str, ...] = ()  # the anomaly check's signals
    degenerate: Degenerate | None = None

    @property
    def predictions(self) -> bool:
        """Whether a check reads the prediction-score histogram."""
        return self.degenerate is not None or (self.anomaly is not None and "prediction_mean" in self.signals)


def section(model: Any) -> Errors:
    cfg: Errors = model.section(D.KEY)
    return cfg


def checks(model: Any) -> Checks:
    cfg = section(model)
    if not cfg.enabled:
        return Checks(cfg)
    placement = getattr(model.section("infra"), "placement", None)  # where the infra monitor says the model runs
    avail = S.available(model, placement)
    native = model.serving.preset == D.NATIVE_PRESET
    sig: tuple[str, ...] = ()
    if cfg.anomaly.enabled:
        wanted = cfg.anomaly.signals
        if wanted is None:
            wanted = tuple(
                s
                for s in D.SIGNALS
                if (s == "requests" and not model.idle_ok and "requests" in avail)
                or (s == "error_ratio" and "error_ratio" in avail)
                or (s == "prediction_mean" and native)
            )
        sig = tuple(s for s in wanted if s == "prediction_mean" or (s == "requests" and "requests" in avail) or (s == "error_ratio" and "error_ratio" in avail))
    dg = cfg.degenerate
    return Checks(
        cfg,
        ratio=cfg.ratio if cfg.ratio.enabled and "error_ratio" in avail else None,
        anomaly=cfg.anomaly if sig else None,
        signals=sig,
        degenerate=dg if dg.enabled or (dg.enabled is None and native) else None,
    )
