#!/usr/bin/env python3
"""The whole drop → approved archive path: sluice versus the equivalent
pandas + scikit-learn script, on the same 1M-row CSV, in the same run.

    make bench-path
    python3 Benchmarks/whole_path.py --bin .build/release --rows 1000000

The file (seeded): 32 float columns of mixed scale, a 10-level string column,
a binary label (~375 MB). sluice runs `serve --once` with the stock stages
(validate, features, train, evaluate) and packages the archive; the peer
reads and hashes the file, one-hot encodes, splits 80/20 stratified,
standardizes, fits LogisticRegression (lbfgs), scores the holdout and writes a
tar.gz. Stage times come from sluice's own log.
"""
import argparse
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time

import numpy as np
import pandas as pd


def generate(path, rows):
    rng = np.random.default_rng(20261122)
    scales = 10.0 ** (np.arange(32) % 7 - 3)
    X = rng.standard_normal((rows, 32)) * scales
    segment = rng.integers(0, 10, rows)
    z = -0.5 + (X / scales) @ (0.5 * np.sin(np.arange(32) * 1.7)) + 0.3 * (segment % 3)
    y = (rng.random(rows) < 1 / (1 + np.exp(-z))).astype(int)
    df = pd.DataFrame(X.astype(np.float32), columns=[f"x{i}" for i in range(32)])
    df["segment"] = [f"s{c}" for c in segment]
    df["label"] = y
    df.to_csv(path, index=False)


def peer(path, out):
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import train_test_split
    import joblib
    times = {}
    t = time.perf_counter()
    raw = open(path, "rb").read()
    hashlib.sha256(raw).hexdigest()
    df = pd.read_csv(io.BytesIO(raw))
    times["read + hash"] = time.perf_counter() - t
    t = time.perf_counter()
    y = df.pop("label").values
    X = pd.get_dummies(df, columns=["segment"], dtype=np.float32).values
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, stratify=y, random_state=42)
    mean, sd = Xtr.mean(0), Xtr.std(0) + 1e-12
    Xtr, Xte = (Xtr - mean) / sd, (Xte - mean) / sd
    times["features + split"] = time.perf_counter() - t
    t = time.perf_counter()
    model = LogisticRegression(C=1.0, max_iter=1000).fit(Xtr, ytr)
    times["train"] = time.perf_counter() - t
    t = time.perf_counter()
    auc = roc_auc_score(yte, model.predict_proba(Xte)[:, 1])
    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    with tarfile.open(out, "w:gz") as archive:
        info = tarfile.TarInfo("model.joblib")
        info.size = len(buffer.getvalue())
        archive.addfile(info, io.BytesIO(buffer.getvalue()))
    times["evaluate + package"] = time.perf_counter() - t
    return times, auc


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=".build/release")
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    root = tempfile.mkdtemp(prefix="sluice-bench-path-")
    try:
        data = os.path.join(root, "big.csv")
        generate(data, args.rows)
        size_mb = os.path.getsize(data) / 1e6
        os.makedirs(os.path.join(root, "inbox", "big"))
        with open(os.path.join(root, "sluice.yaml"), "w") as f:
            f.write("state_dir: .\npipelines:\n  big:\n    target: label\n    stages:\n"
                    "      - plugin: validate\n      - plugin: features\n      - plugin: train\n"
                    "      - plugin: evaluate\n    promotion:\n      min: {auc: 0.6}\n")
        shutil.copy(data, os.path.join(root, "inbox", "big", "big.csv"))
        # The generator and the copy leave ~750 MB of dirty pages; sluice's fsyncs
        # (ledger, archive, folders) would otherwise wait for their writeback, a
        # cost of this script, not of the drop. The peer never fsyncs.
        os.sync()
        start = time.perf_counter()
        run = subprocess.run([os.path.join(args.bin, "sluice"), "serve", "--once", "--config",
                              os.path.join(root, "sluice.yaml")], capture_output=True, text=True)
        ours = time.perf_counter() - start
        if run.returncode != 0 or "published" not in run.stderr:
            sys.exit("sluice did not publish:\n" + run.stderr[-2000:])
        stages = {m.group(1): m.group(2) for m in re.finditer(r"stage (\w+)\s+ok\s+([0-9.]+ m?s)", run.stderr)}
        auc = re.search(r"auc ([0-9.]+)", run.stderr).group(1)
        times, peer_auc = peer(data, os.path.join(root, "peer.tar.gz"))
        total = sum(times.values())
        print(f"\nDrop → approved archive, {args.rows:,} rows, {size_mb:.0f} MB CSV, same file\n")
        print(f"{'':<34}{'sluice':>12}{'pandas + sklearn':>20}")
        print(f"{'read + hash (ingest)':<34}{stages.get('ingest', '?'):>12}{times['read + hash']:>19.2f}s")
        print(f"{'validate + features (+ split)':<34}{stages.get('validate', '?') + ' + ' + stages.get('features', '?'):>12}{times['features + split']:>19.2f}s")
        print(f"{'train':<34}{stages.get('train', '?'):>12}{times['train']:>19.2f}s")
        print(f"{'evaluate + package':<34}{stages.get('evaluate', '?') + ' + …':>12}{times['evaluate + package']:>19.2f}s")
        print(f"{'total (wall clock)':<34}{ours:>11.2f}s{total:>19.2f}s")
        print(f"{'holdout AUC':<34}{auc:>12}{peer_auc:>20.4f}")
        ratio = total / ours
        print(f"\nsluice / peer: {ratio:.2f}× {'faster' if ratio >= 1 else 'SLOWER'}; target ≥ 10× faster: "
              f"{'met' if ratio >= 10 else 'NOT met'}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
