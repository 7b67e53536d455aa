"""Write the example reference data sets (deterministic: fixed seed, stdlib only).

    python specs/data/make_reference.py            # rewrites specs/data/*.csv
    mlmon baseline specs/data/fraud-detector-reference.csv --model fraud-detector \
        --prediction score --ignore transaction_id -o specs/baselines/fraud-detector.yaml
    mlmon baseline specs/data/recommender-reference.csv --model recommender \
        --prediction top_score --categorical device,surface --ignore request_id -o specs/baselines/recommender.yaml

The data is synthetic: a few hundred card transactions with the score of a fraud model, and a few
hundred recommendation requests with the ranker's top score.
"""

from __future__ import annotations

import csv
import math
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROWS = 500
SEED = 20261126
CATEGORIES = ["grocery", "fuel", "travel", "electronics", "restaurants", "online", "pharmacy"]
CAT_WEIGHTS = [30, 15, 8, 7, 20, 15, 5]
COUNTRIES = ["DE", "FR", "NL", "ES", "IT", "US", "GB", "PL"]
COUNTRY_WEIGHTS = [40, 15, 10, 10, 8, 7, 6, 4]


def fraud_rows(rng: random.Random) -> list[dict[str, object]]:
    rows = []
    for i in range(ROWS):
        amount = round(math.exp(rng.gauss(3.6, 1.1)), 2)
        age = int(rng.expovariate(1 / 900))
        hour = int(rng.triangular(0, 24, 15)) % 24
        cat = rng.choices(CATEGORIES, CAT_WEIGHTS)[0]
        country = rng.choices(COUNTRIES, COUNTRY_WEIGHTS)[0]
        logit = -4.0 + 0.6 * math.log1p(amount) / 2 - age / 2000 + (1.2 if cat in ("electronics", "online") else 0) + rng.gauss(0, 1)
        score = round(1 / (1 + math.exp(-logit)), 4)
        rows.append({
            "transaction_id": f"tx-{i:05d}", "amount": amount, "account_age_days": age, "hour": hour,
            "merchant_category": cat, "country": country, "score": score,
        })  # fmt: skip
    return rows


DEVICES = ["ios", "android", "web"]
SURFACES = ["home", "basket", "search", "email"]


def recommender_rows(rng: random.Random) -> list[dict[str, object]]:
    rows = []
    for i in range(400):
        tenure = int(rng.expovariate(1 / 400))
        items = min(60, int(rng.lognormvariate(1.6, 0.7)))
        device = rng.choices(DEVICES, [45, 35, 20])[0]
        surface = rng.choices(SURFACES, [50, 25, 20, 5])[0]
        top = round(min(0.999, max(0.001, rng.betavariate(2 + items / 10, 5))), 4)
        rows.append({"request_id": f"rq-{i:05d}", "user_tenure_days": tenure, "items_in_session": items,
                     "device": device, "surface": surface, "top_score": top})  # fmt: skip
    return rows


def write(name: str, rows: list[dict[str, object]]) -> None:
    with open(HERE / name, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def main() -> None:
    write("fraud-detector-reference.csv", fraud_rows(random.Random(SEED)))
    write("recommender-reference.csv", recommender_rows(random.Random(SEED + 1)))


if __name__ == "__main__":
    main()
