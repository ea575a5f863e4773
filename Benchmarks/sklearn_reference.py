#!/usr/bin/env python3
"""Reference numbers for Tests/SluiceMLTests/ScikitLearnParityTests.swift.

Regenerates the test's seeded dataset exactly (SplitMix64, the same float32
rounding, the same libm exp) and fits scikit-learn's LogisticRegression on it.
The printed numbers are committed in the Swift test; rerun this to check them:

    pip install scikit-learn numpy && python3 Benchmarks/sklearn_reference.py
"""
import math

import numpy as np
from sklearn.linear_model import LogisticRegression

MASK = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def uniform(self):
        return (self.next() >> 11) / float(1 << 53)


def dataset(rows, seed, truth, intercept):
    rng = SplitMix64(seed)
    X = np.zeros((rows, len(truth)), dtype=np.float32)
    y = np.zeros(rows, dtype=np.int64)
    for i in range(rows):
        z = intercept
        for j, w in enumerate(truth):
            x = np.float32(rng.uniform() * 4 - 2)
            X[i, j] = x
            z += w * float(x)
        y[i] = 1 if rng.uniform() < 1 / (1 + math.exp(-z)) else 0
    return X.astype(np.float64), y


def objective(X, y, coef, intercept, C):
    z = X @ coef + intercept
    loss = np.logaddexp(0, z) - y * z
    n = len(y)
    return loss.sum() / n + (coef @ coef) / (2 * C * n)


def main():
    for name, rows, seed, truth, b, C in [
        ("binary5", 2000, 2026, [1.5, -2.0, 0.5, 0.0, 0.8], -0.3, 1.0),
        ("binary5_strong_l2", 2000, 2026, [1.5, -2.0, 0.5, 0.0, 0.8], -0.3, 0.01),
        ("wide30", 300, 7, [0.3 * ((-1) ** j) * (j % 4) for j in range(30)], 0.2, 1.0),
    ]:
        X, y = dataset(rows, seed, truth, b)
        model = LogisticRegression(C=C, tol=1e-12, max_iter=100000).fit(X, y)
        coef, intercept = model.coef_[0], model.intercept_[0]
        print(f"// {name}: rows {rows}, seed {seed}, C {C}, positives {int(y.sum())}")
        print(f"//   objective {objective(X, y, coef, intercept, C)!r}")
        print(f"//   intercept {intercept!r}")
        print(f"//   coef {[float(c) for c in coef]!r}")


if __name__ == "__main__":
    main()
