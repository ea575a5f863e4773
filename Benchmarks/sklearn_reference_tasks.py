#!/usr/bin/env python3
"""Reference numbers for Tests/SluiceMLTests/TaskParityTests.swift: multinomial,
class-weighted binary, ridge and elastic net, iris- and breast-cancer-shaped data.

Regenerates each seeded dataset exactly as the Swift test does (SplitMix64,
float32 rounding, the same libm exp) and fits scikit-learn on it. The printed
numbers are committed in the Swift test; rerun to check them:

    pip install scikit-learn numpy && python3 Benchmarks/sklearn_reference_tasks.py
"""
import math

import numpy as np
import sklearn
from sklearn.linear_model import ElasticNet, LogisticRegression, Ridge

from sklearn_reference import SplitMix64  # the same generator as the binary parity test


def classes_data(rows, seed, d, k, centers, spread, label=None):
    """Class c = label(row) (default row % k); feature j = centers(c, j) + spread(j) * (2u - 1), float32."""
    rng = SplitMix64(seed)
    X = np.zeros((rows, d), dtype=np.float32)
    y = np.zeros(rows, dtype=np.int64)
    for i in range(rows):
        c = label(i) if label else i % k
        y[i] = c
        for j in range(d):
            X[i, j] = np.float32(centers(c, j) + spread(j) * (rng.uniform() * 2 - 1))
    return X.astype(np.float64), y


def softmax_data(rows, seed, d, k):
    """x uniform in [-2, 2); class drawn from softmax(W x), W[c][j] = 0.4 * (((c+1)*(j+2)) % 7 - 3)."""
    rng = SplitMix64(seed)
    X = np.zeros((rows, d), dtype=np.float32)
    y = np.zeros(rows, dtype=np.int64)
    for i in range(rows):
        for j in range(d):
            X[i, j] = np.float32(rng.uniform() * 4 - 2)
        z = [sum(0.4 * ((((c + 1) * (j + 2)) % 7) - 3) * float(X[i, j]) for j in range(d)) for c in range(k)]
        top = max(z)
        e = [math.exp(v - top) for v in z]
        u = rng.uniform() * sum(e)
        c, acc = 0, e[0]
        while u >= acc and c < k - 1:
            c += 1
            acc += e[c]
        y[i] = c
    return X.astype(np.float64), y


def linear_data(rows, seed, truth, intercept, noise):
    rng = SplitMix64(seed)
    X = np.zeros((rows, len(truth)), dtype=np.float32)
    y = np.zeros(rows, dtype=np.float32)
    for i in range(rows):
        t = intercept
        for j, w in enumerate(truth):
            X[i, j] = np.float32(rng.uniform() * 4 - 2)
            t += w * float(X[i, j])
        y[i] = np.float32(t + noise * (rng.uniform() * 2 - 1))
    return X.astype(np.float64), y.astype(np.float64)


def show(name, values):
    print(f"//   {name} {[float(v) for v in np.ravel(values)]!r}")


print(f"// scikit-learn {sklearn.__version__}")

# Multinomial: 5 classes, 6 features, C = 1.
for name, rows, seed, d, k, C in [("softmax5", 3000, 11, 6, 5, 1.0), ("softmax3_strong_l2", 1500, 12, 4, 3, 0.05)]:
    X, y = softmax_data(rows, seed, d, k)
    Xt, yt = softmax_data(rows, seed + 1000, d, k)
    m = LogisticRegression(C=C, tol=1e-12, max_iter=100000).fit(X, y)
    z = X @ m.coef_.T + m.intercept_
    obj = (np.log(np.exp(z - z.max(1, keepdims=True)).sum(1)) + z.max(1) - z[np.arange(rows), y]).mean() \
        + (m.coef_ ** 2).sum() / (2 * C * rows)
    print(f"// {name}: rows {rows}, seed {seed}, d {d}, k {k}, C {C}")
    print(f"//   objective {obj!r} holdout_accuracy {m.score(Xt, yt)!r}")
    show("intercepts", m.intercept_ - m.intercept_.mean())
    show("coef", m.coef_)

# Iris-shaped: 150 rows, 4 features, 3 classes, unscaled.
iris_centers = [[5.0, 3.4, 1.5, 0.25], [5.9, 2.8, 4.3, 1.3], [6.6, 3.0, 5.5, 2.0]]
iris_spread = [0.9, 0.6, 0.9, 0.5]
X, y = classes_data(150, 3, 4, 3, lambda c, j: iris_centers[c][j], lambda j: iris_spread[j])
Xt, yt = classes_data(150, 1003, 4, 3, lambda c, j: iris_centers[c][j], lambda j: iris_spread[j])
m = LogisticRegression(C=1.0, tol=1e-12, max_iter=100000).fit(X, y)
z = X @ m.coef_.T + m.intercept_
obj = (np.log(np.exp(z - z.max(1, keepdims=True)).sum(1)) + z.max(1) - z[np.arange(150), y]).mean() \
    + (m.coef_ ** 2).sum() / (2 * 150)
print("// iris_like: rows 150, seed 3, d 4, k 3, C 1.0")
print(f"//   objective {obj!r} holdout_accuracy {m.score(Xt, yt)!r}")
show("intercepts", m.intercept_ - m.intercept_.mean())
show("coef", m.coef_)

# Breast-cancer-shaped: 569 rows, 30 features (scales 0.1 to 10), binary, C = 1, and class_weight.
def bc_center(c, j):
    return (1 + (j % 5)) * 10 ** ((j % 3) - 1) * (1.0 + 0.08 * c * ((-1) ** j))


def bc_label(i):
    """37.5% class 0, 62.5% class 1 (breast cancer: 212 / 357)."""
    return 0 if i % 8 < 3 else 1


def bc_spread(j):
    return 0.8 * 10 ** ((j % 3) - 1)


for name, weight in [("breast_cancer_like", None), ("breast_cancer_like_balanced", "balanced"),
                     ("breast_cancer_like_weighted", {0: 1.0, 1: 3.0})]:
    X, y = classes_data(569, 5, 30, 2, bc_center, bc_spread, bc_label)
    Xt, yt = classes_data(569, 1005, 30, 2, bc_center, bc_spread, bc_label)
    m = LogisticRegression(C=1.0, class_weight=weight, tol=1e-12, max_iter=100000).fit(X, y)
    if weight is None:
        sw = np.ones(569)
    elif weight == "balanced":
        sw = (569 / (2 * np.bincount(y)))[y]
    else:
        sw = np.array([weight[v] for v in y])
    z = X @ m.coef_[0] + m.intercept_[0]
    obj = ((np.logaddexp(0, z) - y * z) * sw).sum() / sw.sum() + m.coef_[0] @ m.coef_[0] / (2 * sw.sum())
    print(f"// {name}: rows 569, seed 5, d 30, class_weight {weight}")
    print(f"//   objective {obj!r} holdout_accuracy {m.score(Xt, yt)!r}")
    show("intercepts", m.intercept_)
    show("coef", m.coef_)

# Ridge and elastic net.
truth = [2.0, -1.0, 0.0, 0.5, 3.0, 0.0, -0.25, 1.5]
X, y = linear_data(5000, 21, truth, 4.0, 1.0)
for alpha in [1.0, 500.0]:
    m = Ridge(alpha=alpha, tol=1e-12).fit(X, y)
    r = y - X @ m.coef_ - m.intercept_
    obj = (r @ r + alpha * m.coef_ @ m.coef_) / (2 * len(y))
    print(f"// ridge alpha {alpha}: rows 5000, seed 21")
    print(f"//   objective {obj!r}")
    show("intercepts", [m.intercept_])
    show("coef", m.coef_)
for alpha, l1 in [(0.1, 0.5), (0.5, 0.9)]:
    m = ElasticNet(alpha=alpha, l1_ratio=l1, tol=1e-12, max_iter=100000).fit(X, y)
    r = y - X @ m.coef_ - m.intercept_
    obj = r @ r / (2 * len(y)) + alpha * l1 * np.abs(m.coef_).sum() + 0.5 * alpha * (1 - l1) * m.coef_ @ m.coef_
    print(f"// elasticnet alpha {alpha} l1_ratio {l1}: rows 5000, seed 21")
    print(f"//   objective {obj!r}")
    show("intercepts", [m.intercept_])
    show("coef", m.coef_)
