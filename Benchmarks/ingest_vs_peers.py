#!/usr/bin/env python3
"""Ingest: sluice's reader versus pandas, pyarrow and polars on the same file,
in the same run.

    make bench-ingest
    python3 Benchmarks/ingest_vs_peers.py --bin .build/release --rows 1000000

The file (seeded, written once to .build/bench/): 1,000,000 rows x 32 float
columns of mixed magnitudes and exponents (%.6g, about 1% missing), one
10-level string column and a binary label; about 300 MB, plus a gzip copy.

sluice parses it into its columnar table (Float32 columns, dictionary codes)
and computes the SHA-256 of the bytes in the same read. Peers read it into
their own frames: pandas.read_csv (C engine), pyarrow.csv.read_csv and
polars.read_csv, each in a fresh process so peak RSS is its own. Peers do not
hash; sluice does. Every tool runs --repeat times; the best time counts.
"""
import argparse
import json
import os
import subprocess
import sys
import time

PEERS = {
    "pandas": "import pandas as pd; df = pd.read_csv(PATH); n = len(df)",
    "pyarrow": "import pyarrow.csv as pc; table = pc.read_csv(PATH); n = table.num_rows",
    "polars": "import polars as pl; df = pl.read_csv(PATH); n = df.height",
}


def generate(path, rows, seed=20261123):
    import numpy as np
    import pandas as pd
    rng = np.random.default_rng(seed)
    # Column j has magnitude 10^(j % 13 - 6): from 1e-6 to 1e6, so %.6g writes
    # plain decimals and exponents alike.
    scales = 10.0 ** (np.arange(32) % 13 - 6)
    X = rng.standard_normal((rows, 32)) * scales
    X[rng.random((rows, 32)) < 0.01] = np.nan
    segment = rng.integers(0, 10, rows)
    z = -0.5 + np.nan_to_num(X / scales) @ (0.5 * np.sin(np.arange(32) * 1.7)) + 0.3 * (segment % 3)
    y = (rng.random(rows) < 1 / (1 + np.exp(-z))).astype(int)
    df = pd.DataFrame(X, columns=[f"x{i}" for i in range(32)])
    df["segment"] = [f"s{c}" for c in segment]
    df["label"] = y
    tmp = path + ".tmp"
    df.to_csv(tmp, index=False, float_format="%.6g")
    os.replace(tmp, path)


def run_peer(name, path):
    code = PEERS[name].replace("PATH", repr(path))
    script = (
        "import time, json\n"
        "started = time.perf_counter()\n"
        f"{code}\n"
        "seconds = time.perf_counter() - started\n"
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]\n"
        "print(json.dumps({'seconds': seconds, 'rows': n, 'peak_rss_mb': int(hwm) / 1024}))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def run_sluice(binary, path, threads=None):
    command = [binary, path] + (["--threads", str(threads)] if threads else [])
    out = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def best(runs):
    return min(runs, key=lambda r: r["seconds"])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True, help="folder with sluice-bench-ingest (a release build)")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data", default=".build/bench")
    args = parser.parse_args()

    os.makedirs(args.data, exist_ok=True)
    path = os.path.join(args.data, f"ingest-{args.rows}.csv")
    if not os.path.exists(path):
        print(f"generating {path} (seeded) ...", flush=True)
        generate(path, args.rows)
    gz = path + ".gz"
    if not os.path.exists(gz):
        subprocess.run(f"gzip -6 -c {path} > {gz}.tmp && mv {gz}.tmp {gz}", shell=True, check=True)
    size = os.path.getsize(path)
    print(f"file: {path}, {size / 1e6:.0f} MB, {args.rows} rows; {os.cpu_count()} cores; best of {args.repeat}\n")

    binary = os.path.join(args.bin, "sluice-bench-ingest")
    results = {}
    results["sluice"] = best([run_sluice(binary, path) for _ in range(args.repeat)])
    results["sluice, 1 thread"] = best([run_sluice(binary, path, threads=1) for _ in range(args.repeat)])
    results["sluice, .csv.gz"] = best([run_sluice(binary, gz) for _ in range(args.repeat)])
    available = []
    for name in PEERS:
        try:
            results[name] = best([run_peer(name, path) for _ in range(args.repeat)])
            available.append(name)
        except subprocess.CalledProcessError as error:
            print(f"{name}: not run ({error.stderr.strip().splitlines()[-1]})")
    for name in results:
        if results[name]["rows"] != args.rows:
            sys.exit(f"{name} read {results[name]['rows']} rows, expected {args.rows}")

    best_peer = min(available, key=lambda n: results[n]["seconds"]) if available else None
    print(f"{'reader':<20} {'seconds':>8} {'MB/s':>8} {'peak RSS MB':>12} {'vs best peer':>13}")
    for name, r in results.items():
        rate = size / r["seconds"] / 1e6
        ratio = f"{results[best_peer]['seconds'] / r['seconds']:.2f}x" if best_peer else "-"
        print(f"{name:<20} {r['seconds']:>8.3f} {rate:>8.0f} {r['peak_rss_mb']:>12.0f} {ratio:>13}")
    s = results["sluice"]
    table_mb = s["rows"] * s["columns"] * 4 / 1e6
    print(f"\nsluice's table: {table_mb:.0f} MB (Float32 / Int32 codes); peak RSS {s['peak_rss_mb']:.0f} MB "
          f"= {s['peak_rss_mb'] / table_mb:.2f}x the table; SHA-256 {s['sha256'][:16]}... computed in the same read")
    if best_peer:
        print(f"best peer: {best_peer}; sluice throughput / best peer's: "
              f"{results[best_peer]['seconds'] / s['seconds']:.2f}x (target >= 3x)")


if __name__ == "__main__":
    main()
