"""Deterministic synthetic data for the demo model (a card-fraud-like binary classifier).

Features: ``amount`` (lognormal, USD), ``account_age_days`` (exponential), ``hour`` (0-23) and
``country`` (categorical). The label comes from a fixed logistic ground truth plus noise, so a
logistic regression learns it well (accuracy ~0.85). Modes change what ``sample`` returns:

- ``drift``: inputs move (larger amounts, newer accounts, other countries); labels follow the
  same ground truth;
- ``degraded``: inputs unchanged, but the input->label relationship changes (a share of labels
  is flipped): concept drift;
- other modes (``healthy``, ``errors``, ``latency``) don't change the data.
"""

from __future__ import annotations

import csv
import io
import math
import random
from collections.abc import Iterator

FEATURES = ("amount", "account_age_days", "hour", "country")
NUMERIC = ("amount", "account_age_days", "hour")
COUNTRIES = ("us", "gb", "de", "fr", "br", "in")
_COUNTRY_W = (0.45, 0.15, 0.12, 0.1, 0.1, 0.08)
_DRIFT_COUNTRY_W = (0.1, 0.05, 0.05, 0.05, 0.35, 0.4)
_COUNTRY_RISK = {"us": 0.0, "gb": -0.2, "de": -0.3, "fr": -0.1, "br": 0.6, "in": 0.5}
DEGRADED_FLIP = 0.6  # share of labels flipped in `degraded` mode


def features(rng: random.Random, mode: str = "healthy") -> dict:
    drift = mode == "drift"
    amount = math.exp(rng.gauss(4.0 + (1.3 if drift else 0.0), 1.0))
    age = rng.expovariate(1 / (60.0 if drift else 400.0))
    hour = int(rng.triangular(0, 24, 3 if drift else 14)) % 24
    country = rng.choices(COUNTRIES, _DRIFT_COUNTRY_W if drift else _COUNTRY_W)[0]
    return {"amount": round(amount, 2), "account_age_days": round(age, 1), "hour": hour, "country": country}


def true_probability(x: dict) -> float:
    z = (
        -2.2
        + 1.5 * (math.log(x["amount"] + 1) - 4.0)
        - 1.2 * (math.log(x["account_age_days"] + 1) - 5.0) / 1.5
        + 0.9 * (1.0 if x["hour"] < 6 else 0.0)
        + _COUNTRY_RISK.get(x["country"], 0.3)
    )
    return 1 / (1 + math.exp(-z))


def label(rng: random.Random, x: dict, mode: str = "healthy") -> int:
    y = 1 if rng.random() < true_probability(x) else 0
    if mode == "degraded" and rng.random() < DEGRADED_FLIP:
        y = 1 - y
    return y


def sample(rng: random.Random, mode: str = "healthy") -> tuple[dict, int]:
    x = features(rng, mode)
    return x, label(rng, x, mode)


def dataset(n: int = 2000, seed: int = 7) -> list[tuple[dict, int]]:
    rng = random.Random(seed)
    return [sample(rng) for _ in range(n)]


def to_csv(rows: list[tuple[dict, int]], scores: list[float] | None = None) -> str:
    """Training data as CSV (the input of ``mlmon baseline``); ``score`` column when given."""
    buf = io.StringIO()
    cols = [*FEATURES, "label"] + (["score"] if scores is not None else [])
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cols)
    for i, (x, y) in enumerate(rows):
        row = [x[f] for f in FEATURES] + [y]
        if scores is not None:
            row.append(f"{scores[i]:.6f}")
        w.writerow(row)
    return buf.getvalue()


def iter_rows(n: int, seed: int) -> Iterator[tuple[dict, int]]:
    rng = random.Random(seed)
    for _ in range(n):
        yield sample(rng)
