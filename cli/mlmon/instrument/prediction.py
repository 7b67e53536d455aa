"""The handle :meth:`ModelMonitor.predict` yields: the model's output is reported on it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Prediction:
    """Handle yielded by :meth:`ModelMonitor.predict`: report the model's output on it."""

    monitor: Any  # the ModelMonitor that made it
    version: str
    score_value: float | None = None
    predicted: str | None = None
    error_reason: str | None = None
    extra: dict = field(default_factory=dict)
    groups: tuple[str, ...] = ()  # values of the monitor's group labels (fairness), in label order

    def score(self, value: float) -> float:
        """Record the model's score (probability of the positive class, or any bounded output)."""
        self.score_value = float(value)
        return value

    def label(self, value: Any) -> Any:
        """Record the predicted class (multiclass models)."""
        self.predicted = str(value)
        return value

    def fail(self, reason: str = "exception") -> None:
        """Count this request as failed without raising (e.g. the handler returns HTTP 4xx/5xx)."""
        self.error_reason = reason
