"""A logistic regression in plain Python (no numpy), trained by batch gradient descent."""

from __future__ import annotations

import math
from dataclasses import dataclass

from mlmon.demo.data import COUNTRIES


def _vector(x: dict, means: tuple[float, ...], stds: tuple[float, ...]) -> list[float]:
    raw = (math.log(x["amount"] + 1), math.log(x["account_age_days"] + 1), float(x["hour"] < 6))
    v = [(r - m) / s for r, m, s in zip(raw, means, stds)]
    v.extend(1.0 if x["country"] == c else 0.0 for c in COUNTRIES)
    return v


@dataclass
class LogisticModel:
    weights: list[float]
    bias: float
    means: tuple[float, ...]
    stds: tuple[float, ...]

    def predict_proba(self, x: dict) -> float:
        z = self.bias + sum(w * v for w, v in zip(self.weights, _vector(x, self.means, self.stds)))
        z = max(-40.0, min(40.0, z))
        return 1 / (1 + math.exp(-z))

    def accuracy(self, rows: list[tuple[dict, int]], threshold: float = 0.5) -> float:
        ok = sum(1 for x, y in rows if (self.predict_proba(x) >= threshold) == bool(y))
        return ok / len(rows) if rows else float("nan")


def train(rows: list[tuple[dict, int]], epochs: int = 150, lr: float = 0.5) -> LogisticModel:
    raws = [(math.log(x["amount"] + 1), math.log(x["account_age_days"] + 1), float(x["hour"] < 6)) for x, _ in rows]
    n = len(rows)
    means = tuple(sum(r[i] for r in raws) / n for i in range(3))
    stds = tuple(max(1e-6, math.sqrt(sum((r[i] - means[i]) ** 2 for r in raws) / n)) for i in range(3))
    X = [_vector(x, means, stds) for x, _ in rows]
    Y = [float(y) for _, y in rows]
    d = len(X[0])
    w = [0.0] * d
    b = 0.0
    for _ in range(epochs):
        gw = [0.0] * d
        gb = 0.0
        for xi, yi in zip(X, Y):
            z = b + sum(wj * xj for wj, xj in zip(w, xi))
            p = 1 / (1 + math.exp(-max(-40.0, min(40.0, z))))
            err = p - yi
            gb += err
            for j in range(d):
                gw[j] += err * xi[j]
        b -= lr * gb / n
        w = [wj - lr * (g / n + 1e-3 * wj) for wj, g in zip(w, gw)]
    return LogisticModel(w, b, means, stds)
