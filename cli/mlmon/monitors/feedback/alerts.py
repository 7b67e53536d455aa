"""The feedback alerts: a spike of the negative ratio against its own history, an absolute
ceiling, a rating floor, and feedback that stopped while the model serves."""

from __future__ import annotations

from typing import Any

from mlmon import conventions as C
from mlmon.artifacts import AlertRule
from mlmon.compiler.units import format_duration, num
from mlmon.monitors.base import alert_annotations, alert_labels
from mlmon.monitors.feedback.compile import Feedback
from mlmon.monitors.feedback.schema import KEY


def sel(model: Any, extra: str = "") -> str:
    """``{model="<id>"}``, plus ``extra`` matchers."""
    return f'{{{C.L_MODEL}="{model.id}"{"," + extra if extra else ""}}}'


def labels(model: Any, f: Feedback, check: str, severity: str | None = None) -> dict[str, str]:
    return alert_labels(model, KEY, severity or f.severity, check)


def _ratio_alerts(model: Any, f: Feedback) -> list[AlertRule]:
    s, w, fr = sel(model), format_duration(f.window), format_duration(f.for_)
    r, m, sd = C.FB_NEGATIVE_RATIO + s, C.FB_BASELINE_MEAN + s, C.FB_BASELINE_STDDEV + s
    out = []
    if f.spike:
        out.append(
            AlertRule(
                C.ALERT_FB_SPIKE,
                f"{r} > {m} + {num(f.k)} * {sd}\nand\n{r} > {m} + {num(f.min_increase)}",
                fr,
                labels(model, f, "negative_ratio"),
                alert_annotations(
                    model,
                    "negative feedback at {{ $value | humanizePercentage }} of feedback, far above its usual share",
                    f"The share of negative feedback over the last {w} is more than {num(f.k)} standard deviations (and "
                    f"{num(f.min_increase)}) above its mean over the previous {format_duration(f.baseline)}. Users dislike recent "
                    "answers: check recent deployments, input changes and the negative examples.",
                ),
            )
        )
    if f.max_negative_ratio is not None:
        x = num(f.max_negative_ratio)
        out.append(
            AlertRule(
                C.ALERT_FB_HIGH,
                f"{r} > {x}",
                fr,
                labels(model, f, "negative_ratio_max"),
                alert_annotations(
                    model,
                    f'negative feedback at {{{{ $value | printf "%.3f" }}}} of feedback (limit {x})',
                    f"More than {x} of the feedback over the last {w} is negative. Check recent deployments and the negative examples.",
                ),
            )
        )
    return out


def alert_rules(model: Any, f: Feedback) -> list[AlertRule]:
    s, w = sel(model), format_duration(f.window)
    out = _ratio_alerts(model, f)
    if f.min_rating is not None:
        x = num(f.min_rating)
        out.append(
            AlertRule(
                C.ALERT_FB_RATING,
                f"{C.FB_RATING_MEAN}{s} < {x}",
                format_duration(f.for_),
                labels(model, f, "rating"),
                alert_annotations(
                    model,
                    f'mean rating {{{{ $value | printf "%.2f" }}}} below {x}',
                    f"The mean user rating over the last {w} (at least {f.min_feedback} ratings) is below {x}.",
                ),
            )
        )
    out.append(
        AlertRule(
            C.ALERT_FB_STOPPED,
            f"{C.FB_EVENTS}{s} < {f.min_feedback}\nand on()\n{C.REQUESTS_RATE}{s} > 0",
            format_duration(f.stopped_for),
            labels(model, f, "volume", C.SEVERITY_TICKET),
            alert_annotations(
                model,
                f"fewer than {f.min_feedback} feedback events per {w} for {format_duration(f.stopped_for)} while serving",
                f"Model {model.id} serves requests but feedback (mlmon_feedback_total) has stopped or dropped below "
                f"{f.min_feedback} per {w}, so the negative-feedback alerts cannot fire. Check the feedback widget, the "
                "feedback pipeline and the counter's labels; for a low-traffic model lower min_feedback or lengthen the window.",
            ),
        )
    )
    return out
