"""Helpers for the promtool rule-test cases monitors generate (their ``cases.py``).

What a case needs and every monitor would otherwise write again: input series in promtool's
expanding notation together with the sample values promtool expands them to, the simulation of
an alert's ``for:`` over one-minute steps, exact checks of recorded values, and the annotation
text Prometheus renders from a rule's templates (Go's number formatting, ``humanize``,
``humanizePercentage``, ``humanizeDuration``, ``printf``, ``$labels``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from mlmon.artifacts import AlertCheck, AlertRule, ExpAlert, ExprCheck, Sample
from mlmon.compiler.units import fmt_float, format_duration


# --- times ----------------------------------------------------------------------------------------
def minutes(n: int) -> str:
    """An eval time or duration of ``n`` minutes, as promtool reads it."""
    return format_duration(n * 60.0)


def at(seconds: float) -> str:
    """An eval time or duration of ``seconds``, as promtool reads it (``0s`` for none)."""
    return format_duration(seconds) if seconds > 0 else "0s"


def in_minutes(seconds: float) -> str:
    """An eval time written as whole minutes (``99m``) when it is one, else as ``at``."""
    return f"{int(seconds // 60)}m" if seconds % 60 == 0 else at(seconds)


def firing(cond: Callable[[int], bool], t: int, for_min: int) -> bool:
    """Whether an alert whose condition is ``cond(minute)`` fires at minute ``t``: the condition
    held at every evaluation from ``t - for_min`` to ``t`` (one evaluation per minute)."""
    return t - for_min >= 0 and all(cond(s) for s in range(t - for_min, t + 1))


# --- input series ---------------------------------------------------------------------------------
def series(name: str, labels: Mapping[str, str]) -> str:
    """A series selector as promtool's input and expected samples take it: ``name{k="v",...}``,
    labels sorted."""
    inner = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    return f"{name}{{{inner}}}"


def counter_segments(segments: Sequence[tuple[float, int]]) -> str:
    """A counter from 0 growing by ``inc`` per step for ``n`` steps, segment after segment, in
    promtool notation (each segment starts one increment above where the previous one ended)."""
    parts: list[str] = []
    value = 0.0
    for inc, n in segments:
        if n <= 0:
            continue
        if not parts:
            parts.append(f"0+{fmt_float(round(inc, 9))}x{n}")
            value = inc * n
        else:
            start = value + inc
            parts.append(f"{fmt_float(round(start, 9))}+{fmt_float(round(inc, 9))}x{n - 1}")
            value = start + inc * (n - 1)
    return " ".join(parts)


def linear_counter(per_min: float, n: int) -> str:
    """A counter growing by ``per_min`` a minute from 0 for ``n`` minutes."""
    return f"0+{fmt_float(per_min)}x{n}"


def counter_values(per_min: Sequence[float]) -> tuple[str, list[float]]:
    """Counter from per-minute increments (one per sample after the first): promtool notation and
    the sample values exactly as promtool expands them (``a+bxn`` adds b to a n times, in float64),
    so a segment never starts below where the previous one ended (a false counter reset)."""
    values = [0.0]
    parts = ["0"]
    i = 0
    while i < len(per_min):
        j = i
        while j + 1 < len(per_min) and per_min[j + 1] == per_min[i]:
            j += 1
        inc = float(fmt_float(per_min[i]))
        v = values[-1] + inc
        parts.append(f"{repr(v) if v != int(v) else int(v)}+{fmt_float(inc)}x{j - i}")
        values.append(v)
        for _ in range(j - i):
            v += inc
            values.append(v)
        i = j + 1
    return " ".join(parts), values


def gauge_steps(segments: Sequence[tuple[float | None, int]]) -> tuple[str, list[float | None]]:
    """Gauge samples from (value, minutes) segments (None: no sample): promtool notation and the
    per-minute values."""
    parts: list[str] = []
    values: list[float | None] = []
    for v, n in segments:
        if n <= 0:
            continue
        parts.append("_" + f"x{n - 1}" if v is None and n > 1 else ("_" if v is None else f"{fmt_float(v)}+0x{n - 1}"))
        values += [v] * n
    return " ".join(parts), values


# --- exact values ---------------------------------------------------------------------------------
ROUND_TO = 0.000001


def rounded(v: float) -> float:
    """PromQL ``round(v, 0.000001)`` exactly as Prometheus computes it (sums of floats differ in
    the last bit between evaluation orders; rounding makes the expected value exact)."""
    inv = 1.0 / ROUND_TO
    return math.floor(v * inv + 0.5) / inv


def value_check(metric: str, labels: str, eval_time: str, value: float) -> ExprCheck:
    """An expr check of one recorded series' exact value (rounded to 1e-6)."""
    return ExprCheck(f"round({metric}{{{labels}}}, {fmt_float(ROUND_TO)})", eval_time, (Sample(f"{{{labels}}}", rounded(value)),))


# --- annotation text, as Prometheus renders it ----------------------------------------------------
def go_value(v: float) -> str:
    """Go's %v of a float64 (the default rendering of {{ $value }}): the shortest digits that
    read back exactly, in exponent form when the exponent is below -4 or at least 6 (``1e+06``,
    ``1.2345675e+06``, ``1e-05``; ``150000``, ``0.0001`` stay plain)."""
    if math.isnan(v) or math.isinf(v):
        return go_g4(v)
    if v == 0:
        return "0"
    sign, digit_tuple, exp = Decimal(repr(float(v))).normalize().as_tuple()
    digits, e10, s = "".join(map(str, digit_tuple)), len(digit_tuple) - 1 + int(exp), "-" if sign else ""
    if e10 < -4 or e10 >= 6:
        return f"{s}{digits[0]}{'.' + digits[1:] if len(digits) > 1 else ''}e{'-' if e10 < 0 else '+'}{abs(e10):02d}"
    point = len(digits) + int(exp)
    if int(exp) >= 0:
        return s + digits + "0" * int(exp)
    return s + (digits[:point] + "." + digits[point:] if point > 0 else "0." + "0" * -point + digits)


def go_g4(v: float) -> str:
    """Go's ``%.4g``."""
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    return "%.4g" % v


def humanize(v: float) -> str:
    """Prometheus' ``humanize`` template function (Go ``%.4g`` with SI prefixes)."""
    if v == 0 or math.isnan(v) or math.isinf(v):
        return go_g4(v)
    prefixes_up = ("", "k", "M", "G", "T", "P", "E", "Z", "Y")
    prefixes_down = ("", "m", "u", "n", "p", "f", "a", "z", "y")
    if abs(v) >= 1:
        i = 0
        while abs(v) >= 1000 and i < len(prefixes_up) - 1:
            v /= 1000
            i += 1
        return go_g4(v) + prefixes_up[i]
    i = 0
    while abs(v) < 1 and i < len(prefixes_down) - 1:
        v *= 1000
        i += 1
    return go_g4(v) + prefixes_down[i]


def humanize_percentage(v: float) -> str:
    """Prometheus' ``humanizePercentage`` (Go ``%.4g`` of v x 100, then ``%``)."""
    return go_g4(v * 100) + "%"


def humanize_duration(v: float) -> str:
    """Prometheus' humanizeDuration for |v| >= 1 second."""
    if abs(v) < 1:
        raise ValueError("humanize_duration: sub-second values are not used by these rules")
    sign = "-" if v < 0 else ""
    d = int(abs(v))
    secs, mins, hours, days = d % 60, (d // 60) % 60, (d // 3600) % 24, d // 86400
    if days:
        return f"{sign}{days}d {hours}h {mins}m {secs}s"
    if hours:
        return f"{sign}{hours}h {mins}m {secs}s"
    if mins:
        return f"{sign}{mins}m {secs}s"
    return f"{sign}{abs(v):.4g}s"


_LABEL_RE = re.compile(r"\{\{ \$labels\.([A-Za-z_][A-Za-z0-9_]*) \}\}")
_VALUE_FORMS: tuple[tuple[str, Callable[[float], str]], ...] = (
    ('{{ $value | printf "%.0f" }}', lambda v: f"{v:.0f}"),
    ('{{ $value | printf "%.2f" }}', lambda v: f"{v:.2f}"),
    ('{{ $value | printf "%.3f" }}', lambda v: f"{v:.3f}"),
    ('{{ $value | printf "%.4f" }}', lambda v: f"{v:.4f}"),
    ("{{ $value | humanizeDuration }}", humanize_duration),
    ("{{ $value | humanizePercentage }}", humanize_percentage),
    ("{{ $value | humanize }}", humanize),
    ("{{ $value }}", go_value),
)


def expand(text: str, value: float | None, labels: Mapping[str, str] | None = None) -> str:
    """One annotation as Prometheus renders it for an alert with this value and these labels.
    Raises on a template these cases do not know (so a new template cannot silently go untested)."""
    text = _LABEL_RE.sub(lambda m: (labels or {}).get(m.group(1), "<no value>"), text)
    for pattern, render in _VALUE_FORMS:
        if pattern in text:
            if value is None:
                raise ValueError(f"annotation needs the alert value: {text!r}")
            text = text.replace(pattern, render(value))
    if "{{" in text:
        raise ValueError(f"annotation template not expanded by the rule tests: {text!r}")
    return text


def expand_all(annotations: Mapping[str, str], value: float | None, labels: Mapping[str, str] | None = None) -> dict[str, str]:
    return {k: expand(v, value, labels) for k, v in annotations.items()}


def alert_rules(groups: Sequence[Any]) -> list[AlertRule]:
    """The alert rules of these rule groups."""
    return [r for g in groups for r in g.rules if isinstance(r, AlertRule)]


def exp_alert(rules: Sequence[AlertRule], alertname: str, labels: Mapping[str, str], value: float | None = None) -> ExpAlert:
    """The firing alert with these labels, with the annotations Prometheus renders for ``value``:
    the one rule named ``alertname`` whose labels these labels include."""
    found = [r for r in rules if r.alert == alertname and all(labels.get(k) == v for k, v in r.labels.items())]
    if len(found) != 1:
        raise ValueError(f"{len(found)} rules {alertname} match {dict(labels)}")
    return ExpAlert(dict(labels), expand_all(found[0].annotations, value, labels))


def alert_check(rules: Sequence[AlertRule], eval_time: str, alertname: str, firing: Sequence[Mapping[str, str]] = (), value: float | None = None) -> AlertCheck:
    """At ``eval_time`` exactly these ``alertname`` alerts fire (by their labels; none: the alert
    is quiet), each with the annotations Prometheus renders from its rule (``exp_alert``)."""
    return AlertCheck(eval_time, alertname, tuple(exp_alert(rules, alertname, labels, value) for labels in firing))


class Expect:
    """The alert checks of one model's cases, at whole minutes: the alerts expected to fire, by
    their labels (``lab(severity, check, **extra)`` builds them), each with the annotations
    rendered from ``rules``."""

    def __init__(self, rules: Sequence[AlertRule], labels: Callable[..., dict[str, str]]):
        self.rules, self._labels = rules, labels

    def __call__(self, t: int, alertname: str, *firing: Mapping[str, str]) -> AlertCheck:
        return alert_check(self.rules, minutes(t), alertname, firing)

    def lab(self, severity: str, check: str, **extra: str) -> dict[str, str]:
        return self._labels(severity, check, **extra)


def exact_check(series: str, eval_time: str, value: float, digits: int = 4) -> ExprCheck:
    """An expr check of ``series`` to ``digits`` decimals: ``round(series * 10^digits)`` is an
    integer, so float noise from summing rates cannot make it flaky."""
    scale = 10**digits
    labels = series[series.index("{") :] if "{" in series else "{}"
    return ExprCheck(f"round({series} * {scale})", eval_time, (Sample(labels, float(round(value * scale))),))
