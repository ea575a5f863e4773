#!/usr/bin/env python3
"""Speed as the work grows (issue 17), each row beside the baseline its
target names, measured side by side in one run:

    make bench-scale
    python3 Benchmarks/scale.py --bin .build/release [--rows 80000 --drops 12]

1. A `window: {drops: 12}` run (12 drops × 80,000 rows, 32 numeric + 1
   categorical + a binary label) against one run of the same 960k rows as one
   file, both with a champion to compare; the window's assembly and the
   champion re-score as the run's own events time them.
2. `sluice inspect` of a 1M-row CSV against `sluice-bench-ingest` (sluice's
   own ingest of it) and polars `read_csv`, each as a process.
3. `sluice serve --once` of one 10,000 × 16 drop against an empty `serve
   --once` and `sluice --version`.
4. The daemon taking many small drops (50-row files, 2 pipelines, `workers:
   2`; Benchmarks/load.py, run from here): 2,000 drops renamed in at once
   with a fresh worker process per run (`worker_runs: 1`) and with lane
   workers, side by side, nothing else running (as the issue measured); a
   steady 20 drops/s for 30 s (latency percentiles) and 10,000 drops at once
   (drops/s, the daemon's and the workers' RSS and descriptors over the
   run), both with `sluice report` once a second.
Prints each figure and its ratio.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ingest_vs_peers import generate  # noqa: E402


def timed(command, **kwargs):
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return seconds, result.stdout + result.stderr


def config(root, bin_dir, window):
    with open(os.path.join(root, "sluice.yaml"), "w") as f:
        f.write(f"""state_dir: .
plugin_path: [{bin_dir}]
pipelines:
  p:
    target: label
    seed: 5
    on_duplicate: retrain
{'    window: {drops: ' + str(window) + '}' if window else ''}
    limits: {{max_drop_bytes: 4000000000, max_rows: 100000000, time_seconds: 3000, memory_mb: 16000}}
    stages:
      - plugin: validate
      - plugin: features
      - plugin: train
      - plugin: evaluate
    promotion:
      min: {{auc: 0.5}}
      champion: {{metric: auc, min_improvement: -1}}
""")
    os.makedirs(os.path.join(root, "inbox", "p"), exist_ok=True)
    return os.path.join(root, "sluice.yaml")


def serve(binary, cfg, root, drop, name):
    shutil.copy(drop, os.path.join(root, "inbox", "p", name + ".tmp"))
    os.rename(os.path.join(root, "inbox", "p", name + ".tmp"), os.path.join(root, "inbox", "p", name))
    subprocess.run(["sync"])
    return timed([binary, "serve", "--once", "--config", cfg])


def ms_in(log, pattern):
    match = re.search(pattern, log)
    if not match:
        return float("nan")
    value, unit = float(match.group(1)), match.group(2)
    return value * (1000 if unit == "s" else 1)


def window_row(args, binary, work):
    drops = []
    for i in range(args.drops):
        path = os.path.join(work, f"w{i:02d}.csv")
        generate(path, args.rows, seed=7000 + i)
        drops.append(path)
    one = os.path.join(work, "one.csv")
    with open(one, "w") as out:
        for i, path in enumerate(drops):
            with open(path) as f:
                if i:
                    f.readline()
                shutil.copyfileobj(f, out)
    results = []
    for attempt in range(args.repeat):
        wroot = tempfile.mkdtemp(prefix="sluice-scale-window-", dir=work)
        cfg = config(wroot, os.path.abspath(args.bin), args.drops)
        for i, path in enumerate(drops[:-1]):
            serve(binary, cfg, wroot, path, f"d{i:02d}.csv")
        window_s, window_log = serve(binary, cfg, wroot, drops[-1], "last.csv")
        oroot = tempfile.mkdtemp(prefix="sluice-scale-one-", dir=work)
        cfg1 = config(oroot, os.path.abspath(args.bin), None)
        serve(binary, cfg1, oroot, drops[0], "champion.csv")
        one_s, one_log = serve(binary, cfg1, oroot, one, "one.csv")
        results.append((window_s, one_s,
                        ms_in(window_log, r"assembled in ([0-9.]+) (ms|s)"),
                        ms_in(window_log, r"holdout rows for comparison in ([0-9.]+) (ms|s)"),
                        ms_in(one_log, r"holdout rows for comparison in ([0-9.]+) (ms|s)")))
        shutil.rmtree(wroot, ignore_errors=True)
        shutil.rmtree(oroot, ignore_errors=True)
    return results


def inspect_row(args, binary, work):
    path = os.path.join(work, "inspect.csv")
    generate(path, args.inspect_rows, seed=20261123)
    ingest_bin = os.path.join(args.bin, "sluice-bench-ingest")
    polars = "import polars as pl, sys; pl.read_csv(sys.argv[1]).height"
    runs = []
    for _ in range(args.repeat):
        inspect_s, _ = timed([binary, "inspect", path])
        ingest_s, _ = timed([ingest_bin, path]) if os.path.exists(ingest_bin) else (float("nan"), "")
        try:
            polars_s, _ = timed([sys.executable, "-c", polars, path])
        except SystemExit:
            polars_s = float("nan")
        runs.append((inspect_s, ingest_s, polars_s))
    return runs, os.path.getsize(path)


def once_row(args, binary, work):
    runs = []
    for attempt in range(args.repeat * 3):
        root = tempfile.mkdtemp(prefix="sluice-scale-once-", dir=work)
        cfg = config(root, os.path.abspath(args.bin), None)
        empty_s, _ = timed([binary, "serve", "--once", "--config", cfg])
        drop = os.path.join(work, "small.csv")
        if not os.path.exists(drop):
            generate(drop, 10_000, seed=99)
            # 16 columns: keep x0..x13, segment, label.
            lines = open(drop).read().splitlines()
            keep = list(range(14)) + [32, 33]
            with open(drop, "w") as f:
                for line in lines:
                    cells = line.split(",")
                    f.write(",".join(cells[i] for i in keep) + "\n")
        run_s, _ = serve(binary, cfg, root, drop, "small.csv")
        version_s, _ = timed([binary, "--version"])
        runs.append((run_s, empty_s, version_s))
        shutil.rmtree(root, ignore_errors=True)
    return runs


def load(args, *extra):
    """Runs Benchmarks/load.py (50-row drops, 2 pipelines, workers: 2) and prints its lines."""
    result = subprocess.run([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "load.py"),
                             "--bin", args.bin, "--pipelines", "2", "--workers", "2", *extra],
                            capture_output=True, text=True)
    figures = {}
    for line in result.stdout.splitlines():
        if line.strip() and not line.startswith("(state folder"):
            print("    " + line.strip())
        if line.startswith("throughput"):
            figures["rate"] = float(line.split()[1])
    if result.returncode != 0:
        print(f"    load run failed ({result.returncode}): {result.stderr[-500:]}")
    return figures.get("rate", float("nan"))


def daemon_rows(args):
    """The daemon taking many small drops: one process per run against lane
    workers on the same burst, p99 at a steady 20 drops/s, and a long burst
    for flat memory and descriptors."""
    print(f"the daemon taking small drops (target ≥ 100 drops/s; p99 ≤ 100 ms at 20 drops/s; RSS and descriptors flat):")
    print(f"  {args.small_drops} drops at once, a fresh worker process per run (worker_runs: 1), nothing else running:")
    spawn = load(args, "--drops", str(args.small_drops), "--worker-runs", "1", "--no-report")
    print(f"  the same {args.small_drops} drops, lane workers (worker_runs default, 100), nothing else running:")
    lane = load(args, "--drops", str(args.small_drops), "--no-report")
    print(f"  lane workers / a process per run: {lane / spawn:.2f}× the drops per second")
    print("  a steady 20 drops/s for 30 s, lane workers, `sluice report` once a second:")
    load(args, "--soak", "30", "--rate", "20", "--report-every", "1")
    if args.long_drops:
        print(f"  {args.long_drops} drops at once, lane workers, `sluice report` once a second (memory and descriptors over the run):")
        load(args, "--drops", str(args.long_drops), "--report-every", "1")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=".build/release")
    parser.add_argument("--rows", type=int, default=80_000)
    parser.add_argument("--drops", type=int, default=12)
    parser.add_argument("--inspect-rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--small-drops", type=int, default=2000, help="drops for the daemon rows (0: skip them)")
    parser.add_argument("--long-drops", type=int, default=10000, help="drops for the long daemon run (0: skip it)")
    parser.add_argument("--daemon-only", action="store_true", help="only the daemon rows")
    args = parser.parse_args()
    binary = os.path.abspath(os.path.join(args.bin, "sluice"))
    if args.daemon_only:
        daemon_rows(args)
        return 0
    work = tempfile.mkdtemp(prefix="sluice-bench-scale-")
    try:
        window = window_row(args, binary, work)
        inspect, size = inspect_row(args, binary, work)
        once = once_row(args, binary, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    def runs(values, fmt):
        return " / ".join(fmt(v) for v in values)
    print(f"\nspeed at scale (each run side by side; {args.repeat} runs)")
    print(f"window {args.drops} × {args.rows:,} rows vs one file of {args.drops * args.rows:,} rows (both with a champion):")
    print(f"  window run  {runs([w[0] for w in window], lambda v: f'{v:.2f} s')}")
    print(f"  one file    {runs([w[1] for w in window], lambda v: f'{v:.2f} s')}")
    print(f"  ratio       {runs([w[0] / w[1] for w in window], lambda v: f'{v:.2f}×')}   (target ≤ 0.70×)")
    print(f"  window assembly {runs([w[2] for w in window], lambda v: f'{v:.0f} ms')}   (target ≤ 150 ms)")
    print(f"  champion re-score, window {runs([w[3] for w in window], lambda v: f'{v:.0f} ms')}; "
          f"one file {runs([w[4] for w in window], lambda v: f'{v:.0f} ms')}   (target ≤ 60 ms on 192k holdout rows)")
    print(f"inspect of {args.inspect_rows:,} rows ({size / 1e6:.0f} MB) as a process:")
    print(f"  sluice inspect  {runs([r[0] for r in inspect], lambda v: f'{v:.2f} s')}")
    print(f"  sluice ingest   {runs([r[1] for r in inspect], lambda v: f'{v:.2f} s')}   "
          f"ratio {runs([r[0] / r[1] for r in inspect], lambda v: f'{v:.2f}×')} (target ≤ 1.3×)")
    print(f"  polars read_csv {runs([r[2] for r in inspect], lambda v: f'{v:.2f} s')}   "
          f"inspect is {runs([r[2] / r[0] for r in inspect], lambda v: f'{v:.2f}×')} faster (target ≥ 2×)")
    print("serve --once of one 10,000 × 16 drop, as a process (median of "
          f"{len(once)}):")
    med = [statistics.median(x) for x in zip(*once)]
    print(f"  run {med[0] * 1000:.0f} ms, empty serve --once {med[1] * 1000:.0f} ms, sluice --version {med[2] * 1000:.0f} ms"
          f"   (target ≤ 50 ms)")
    if args.small_drops:
        daemon_rows(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
