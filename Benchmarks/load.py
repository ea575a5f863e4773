#!/usr/bin/env python3
"""Load and soak for `sluice serve` (issue 18): many small drops across
several pipelines, as fast as the daemon takes them, with `sluice report`
running in a loop meanwhile.

    make bench-load                      # 10,000 drops across 4 pipelines (release build)
    make bench-soak SOAK_SECONDS=3600    # a steady stream for an hour
    python3 Benchmarks/load.py --bin .build/release --drops 1000 --pipelines 4

Prints drops/s, p50 / p99 drop → filed latency (the producer's rename to the
ledger's finished_at), the daemon's RSS and open descriptors sampled every
second (flat = no leak), `sluice report` runs and failures, and drops lost
(dropped but not archived or quarantined once the daemon is idle: must be 0).
"""
import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone

HEADER = "tenure,charges,calls,sessions,plan,region,churned\n"


def small_drop(seed, rows=50):
    lines = [HEADER]
    for i in range(rows):
        k = seed * 7919 + i * 104729
        lines.append(f"{k % 60 + 1},{20 + k % 80}.{k % 100:02d},{k % 6},{k % 30},"
                     f"{['basic', 'standard', 'premium'][k % 3]},{['north', 'south'][k % 2]},{'yes' if (k // 7) % 3 == 0 else 'no'}\n")
    return "".join(lines)


def small_drop_pipelines(names, inbox=False):
    """The YAML of small-drop pipelines: stock stages, every drop retrained and published."""
    return "".join(f"""  {name}:
{f'    inbox: inbox/{name}' + chr(10) if inbox else ''}    target: churned
    seed: {i + 1}
    on_duplicate: retrain
    stages:
      - plugin: validate
        params: {{min_rows: 20}}
      - plugin: features
      - plugin: train
      - plugin: evaluate
    promotion:
      min: {{auc: 0.0}}
      champion: {{metric: auc, min_improvement: -1}}
""" for i, name in enumerate(names))


def iso_to_epoch(text):
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc).timestamp()


def sample(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) / 1024
        fds = len(os.listdir(f"/proc/{pid}/fd"))
        return rss, fds
    except (OSError, StopIteration):
        return None, None


def children(pid):
    """The pids of a process's children (its workers)."""
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=".build/release", help="folder holding sluice and the plugin .so files")
    parser.add_argument("--drops", type=int, default=10000, help="drops in all (load mode)")
    parser.add_argument("--pipelines", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--soak", type=float, default=0, help="seconds of a steady stream instead (soak mode)")
    parser.add_argument("--rate", type=float, default=5, help="drops per second in soak mode")
    parser.add_argument("--worker-runs", type=int, default=None,
                        help="worker_runs in sluice.yaml (1 = a fresh worker process per run; default: sluice's)")
    parser.add_argument("--report-every", type=float, default=0,
                        help="seconds between `sluice report` runs meanwhile (0 = back to back)")
    parser.add_argument("--no-report", action="store_true", help="no `sluice report` meanwhile")
    args = parser.parse_args()
    binary = os.path.abspath(os.path.join(args.bin, "sluice"))
    if not os.path.exists(binary):
        sys.exit(f"no sluice binary at {binary}; run `swift build -c release` first")

    root = tempfile.mkdtemp(prefix="sluice-bench-load-")
    names = [f"p{i}" for i in range(args.pipelines)]
    pipelines = small_drop_pipelines(names)
    config = os.path.join(root, "sluice.yaml")
    with open(config, "w") as f:
        f.write(f"state_dir: .\nplugin_path: [{os.path.abspath(args.bin)}]\nworkers: {args.workers}\n"
                + (f"worker_runs: {args.worker_runs}\n" if args.worker_runs else "")
                + f"settle_seconds: 1\npipelines:\n{pipelines}")
    staging = os.path.join(root, "staging")
    os.makedirs(staging)
    for name in names:
        os.makedirs(os.path.join(root, "inbox", name), exist_ok=True)
    log = open(os.path.join(root, "daemon.log"), "w")
    daemon = subprocess.Popen([binary, "serve", "--config", config, "--log-level", "warning"], stdout=log, stderr=log)
    ledger = os.path.join(root, "ledger.sqlite")
    deadline = time.monotonic() + 60
    while not os.path.exists(ledger) and time.monotonic() < deadline:
        time.sleep(0.05)

    stop = threading.Event()
    samples, reports = [], {"runs": 0, "failures": 0, "last_error": ""}

    def sampler():
        while not stop.is_set():
            rss, fds = sample(daemon.pid)
            workers = [sample(child) for child in children(daemon.pid)]
            workers = [w for w in workers if w[0] is not None]
            if rss is not None:
                samples.append((time.monotonic(), rss, fds, sum(w[0] for w in workers), sum(w[1] for w in workers), len(workers)))
            stop.wait(1.0)

    def reporter():
        while not stop.is_set():
            result = subprocess.run([binary, "report", "--config", config], capture_output=True, text=True)
            reports["runs"] += 1
            if result.returncode != 0:
                reports["failures"] += 1
                reports["last_error"] = result.stderr.strip()[-300:]
            if args.report_every:
                stop.wait(args.report_every)

    threads = [threading.Thread(target=sampler, daemon=True)]
    if not args.no_report:
        threads.append(threading.Thread(target=reporter, daemon=True))
    for thread in threads:
        thread.start()

    dropped = {}   # (pipeline, file) -> time of the rename
    started = time.time()
    total = args.drops if not args.soak else int(args.soak * args.rate)
    for index in range(total):
        name = names[index % len(names)]
        file = f"d{index:06d}.csv"
        temp = os.path.join(staging, file)
        with open(temp, "w") as f:
            f.write(small_drop(index))
        os.rename(temp, os.path.join(root, "inbox", name, file))
        dropped[(name, file)] = time.time()
        if args.soak:
            time.sleep(max(0.0, started + (index + 1) / args.rate - time.time()))
    last_drop = time.time()

    def finished():
        with sqlite3.connect(f"file:{ledger}?mode=ro", uri=True, timeout=30) as db:
            return db.execute("SELECT count(*) FROM drops WHERE outcome != 'claimed'").fetchone()[0]

    while True:
        done = finished()
        if done >= total:
            break
        if daemon.poll() is not None:
            break
        time.sleep(0.1)
        if time.time() - last_drop > 3600:
            break
    ended = time.time()
    stop.set()
    for thread in threads:
        thread.join(timeout=30)

    with sqlite3.connect(f"file:{ledger}?mode=ro", uri=True, timeout=30) as db:
        rows = db.execute("SELECT pipeline, file_name, outcome, finished_at FROM drops").fetchall()
    latencies = sorted(iso_to_epoch(at) - dropped[(p, f)] for p, f, outcome, at in rows if at and (p, f) in dropped)
    outcomes = {}
    for _, _, outcome, _ in rows:
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    lost = total - sum(count for outcome, count in outcomes.items() if outcome != "claimed")
    daemon.send_signal(15)
    status = daemon.wait(timeout=60)

    def pct(values, q):
        return values[min(len(values) - 1, int(q * len(values)))] * 1000 if values else float("nan")

    # The last drop filed, as the ledger timed it (not when this loop looked).
    ended = max([iso_to_epoch(at) for _, _, _, at in rows if at] or [ended])
    wall = ended - started
    print(f"\nsluice serve under load: {total} drops of 50 rows across {len(names)} pipelines, "
          f"workers {args.workers}, worker_runs {args.worker_runs or 'default'}"
          f"{f', soak {args.soak:.0f} s at {args.rate}/s' if args.soak else ''}")
    print(f"{'drops filed':<28}{len(rows)} ({', '.join(f'{k} {v}' for k, v in sorted(outcomes.items()))})")
    print(f"{'drops lost':<28}{lost}")
    print(f"{'wall time':<28}{wall:.1f} s (dropping took {last_drop - started:.1f} s)")
    print(f"{'throughput':<28}{len(rows) / wall:.1f} drops/s")
    print(f"{'drop → filed latency':<28}p50 {pct(latencies, 0.50):.0f} ms, p99 {pct(latencies, 0.99):.0f} ms, max {pct(latencies, 1.0):.0f} ms")
    if samples:
        rss = [s[1] for s in samples]
        fds = [s[2] for s in samples]
        tenth = max(1, len(samples) // 10)
        print(f"{'daemon RSS':<28}first 10% {statistics.mean(rss[:tenth]):.1f} MB, last 10% {statistics.mean(rss[-tenth:]):.1f} MB, max {max(rss):.1f} MB ({len(samples)} samples)")
        print(f"{'daemon open descriptors':<28}first 10% {statistics.mean(fds[:tenth]):.1f}, last 10% {statistics.mean(fds[-tenth:]):.1f}, max {max(fds)}")
        wrss = [s[3] for s in samples]
        wfds = [s[4] for s in samples]
        print(f"{'workers (all, summed)':<28}RSS first 10% {statistics.mean(wrss[:tenth]):.1f} MB, last 10% {statistics.mean(wrss[-tenth:]):.1f} MB, max {max(wrss):.1f} MB; "
              f"descriptors first 10% {statistics.mean(wfds[:tenth]):.1f}, last 10% {statistics.mean(wfds[-tenth:]):.1f}, max {max(wfds)}; "
              f"at most {max(s[5] for s in samples)} worker processes")
    if args.no_report:
        print(f"{'sluice report meanwhile':<28}none (--no-report)")
    else:
        print(f"{'sluice report meanwhile':<28}{reports['runs']} runs{f' (one every {args.report_every:g} s)' if args.report_every else ' (back to back)'}, "
              f"{reports['failures']} failed {reports['last_error']}")
    print(f"{'daemon exit':<28}{status} after SIGTERM")
    print(f"(state folder kept in {root})")
    return 0 if lost == 0 and reports["failures"] == 0 and status == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
