"""A model's share of a cloud bill (the `aws-billing` preset read through YACE): the normalised
cloud-bill signal of presets/signals.py."""

from __future__ import annotations

from typing import Any

from mlmon import presets as P

BILL_WINDOW = "1d"  # a cloud bill's charges are published a few times a day


def bill_share(model: Any, src: Any) -> str:
    """USD/h of the model's share of a cloud bill: the bill's month-to-date charges' increase over
    the last day, per hour (the monthly reset reads as a counter reset), times the model's share
    of the requests its serving preset counts across every endpoint the exporter reports."""
    charges = " or ".join(f"rate({n}{{{src.match}}}[{BILL_WINDOW}])" for n in src.names)  # a bill has no model matchers
    hourly = f"sum({charges}) * 3600"
    serving = P.for_model(model)
    if serving is None or not serving.requests_src:
        return hourly
    mine = serving.requests_rate(P.model_selector(model, serving), BILL_WINDOW)
    every = serving.requests_rate(P.Sel("", {"target": ""}), BILL_WINDOW)
    return f"{hourly}\n* on ()\n({mine})\n/ on ()\n(({every}) > 0)"
