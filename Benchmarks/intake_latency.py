#!/usr/bin/env python3
"""Intake latency of `sluice serve`: time from a producer's rename (or close)
to the daemon's claim (the file leaving the inbox by rename into work/).

    make bench-intake            # builds release, then runs this
    python3 Benchmarks/intake_latency.py --bin .build/release --drops 100

Each drop is made while the daemon is idle, so this measures pickup latency,
not queueing. The target (issue: daemon) is pickup within 50 ms. For scale the
table also shows what a polling watcher with a 1 s interval would give on
average (half the interval), the usual alternative to inotify.
"""
import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

ROW = "tenure,charges,calls,sessions,plan,region,churned\n" + "".join(
    f"{i % 60},{20 + i % 80},{i % 5},{i % 30},basic,north,{'yes' if i % 3 == 0 else 'no'}\n" for i in range(50))


def wait_for(predicate, timeout=30.0, step=0.0002):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=".build/release", help="folder holding sluice and the plugin .so files")
    parser.add_argument("--drops", type=int, default=100, help="drops per method")
    args = parser.parse_args()
    binary = os.path.abspath(os.path.join(args.bin, "sluice"))
    if not os.path.exists(binary):
        sys.exit(f"no sluice binary at {binary}; run `swift build -c release` first")

    root = tempfile.mkdtemp(prefix="sluice-bench-intake-")
    inbox = os.path.join(root, "inbox", "bench")
    with open(os.path.join(root, "sluice.yaml"), "w") as f:
        f.write(f"""state_dir: .
plugin_path: [{os.path.abspath(args.bin)}]
workers: 1
pipelines:
  bench:
    target: churned
    on_duplicate: retrain
    stages:
      - plugin: fixture-misbehave
        params: {{mode: ok}}
""")
    log = open(os.path.join(root, "daemon.log"), "w")
    daemon = subprocess.Popen([binary, "serve", "--config", os.path.join(root, "sluice.yaml"), "--log-level", "warning"],
                              stdout=log, stderr=log)
    try:
        if not wait_for(lambda: os.path.isdir(inbox) and os.path.exists(os.path.join(root, "ledger.sqlite")), 30, 0.01):
            sys.exit("daemon did not start; see " + log.name)
        time.sleep(0.5)
        db = sqlite3.connect(os.path.join(root, "ledger.sqlite"))

        def finished():
            return db.execute("SELECT count(*) FROM drops WHERE outcome != 'claimed'").fetchone()[0]

        results = {}
        done = 0
        for method in ("rename", "close"):
            latencies = []
            for i in range(args.drops):
                name = f"{method}-{i}.csv"
                final = os.path.join(inbox, name)
                if method == "rename":
                    temporary = os.path.join(inbox, f".{name}.tmp")
                    with open(temporary, "w") as f:
                        f.write(ROW)
                    os.rename(temporary, final)
                    start = time.monotonic()
                else:
                    with open(final, "w") as f:
                        f.write(ROW)
                        f.flush()
                    start = time.monotonic()   # close(2) happened when the with-block ended
                if not wait_for(lambda: not os.path.exists(final), 10):
                    sys.exit(f"{name} was not claimed within 10 s")
                latencies.append((time.monotonic() - start) * 1000)
                done += 1
                wait_for(lambda: finished() >= done, 30, 0.002)   # idle again before the next drop
            results[method] = latencies
    finally:
        daemon.terminate()
        daemon.wait(timeout=30)
        shutil.rmtree(root, ignore_errors=True)

    print(f"\nsluice intake latency, {args.drops} drops per method, daemon idle before each (ms)\n")
    print(f"{'method':<34}{'p50':>8}{'p95':>8}{'p99':>8}{'max':>8}   target")
    for method, values in results.items():
        values.sort()
        q = lambda p: values[min(len(values) - 1, int(p * len(values)))]
        label = "write tmp + rename (IN_MOVED_TO)" if method == "rename" else "write + close (IN_CLOSE_WRITE)"
        verdict = "ok" if q(0.99) <= 50 else "MISSED"
        print(f"{label:<34}{statistics.median(values):>8.2f}{q(0.95):>8.2f}{q(0.99):>8.2f}{values[-1]:>8.2f}   ≤ 50 ms p99: {verdict}")
    print(f"{'polling every 1 s (model)':<34}{500:>8.2f}{950:>8.2f}{990:>8.2f}{1000:>8.2f}   (for scale)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
