#!/usr/bin/env python3
"""Drops/s and drop → filed latency for 1, 2 and 3 daemons sharing one inbox
and one PostgreSQL ledger (issue 19), beside the single-host SQLite figure,
all on the same small-drop workload and measured in one run.

    make bench-hosts                     # 600 drops of 50 rows, 2 pipelines (release build)
    python3 Benchmarks/shared_hosts.py --bin .build/release --drops 600 --pipelines 4

Needs a PostgreSQL server: $SLUICE_TEST_POSTGRES (make bench-hosts starts a
throw-away one through Tests/Postgres/with-cluster.sh). Each case gets its
own database and state folder. The daemons are processes on this machine
(2 cores), so more daemons add coordination, not CPU: the figure shows what
the shared ledger costs and that drops stay exactly-once, not a speed-up.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from load import small_drop, small_drop_pipelines, iso_to_epoch  # noqa: E402


def psql(url, sql):
    result = subprocess.run(["psql", "-X", "-q", "-tA", "-F", "\t", url, "-c", sql], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"psql failed: {result.stderr}")
    return [line.split("\t") for line in result.stdout.splitlines() if line]


def rows_of(case, root):
    if case["ledger"].startswith("postgres"):
        return psql(case["ledger"], "SELECT pipeline, file_name, outcome, finished_at, "
                                    "(SELECT host FROM runs r WHERE r.drop_id = d.id ORDER BY id DESC LIMIT 1) FROM drops d")
    import sqlite3
    with sqlite3.connect(f"file:{case['ledger']}?mode=ro", uri=True, timeout=30) as db:
        return db.execute("SELECT d.pipeline, d.file_name, d.outcome, d.finished_at, "
                          "(SELECT host FROM runs r WHERE r.drop_id = d.id ORDER BY id DESC LIMIT 1) FROM drops d").fetchall()


def run_case(args, name, daemons, ledger):
    root = tempfile.mkdtemp(prefix=f"sluice-bench-hosts-{name}-")
    binary = os.path.abspath(os.path.join(args.bin, "sluice"))
    pipelines = [f"p{i}" for i in range(args.pipelines)]
    stanza = small_drop_pipelines(pipelines, inbox=True)
    location = ledger if ledger.startswith("postgres") else os.path.join(root, "state", "ledger.sqlite")
    procs = []
    for host in range(daemons):
        config = os.path.join(root, f"host-{host + 1}.yaml")
        with open(config, "w") as f:
            f.write(f"state_dir: state\nplugin_path: [{os.path.abspath(args.bin)}]\nworkers: {args.workers}\n"
                    f"settle_seconds: 1\nhost: host-{host + 1}\nledger: {location}\npipelines:\n{stanza}")
        for p in pipelines:
            os.makedirs(os.path.join(root, "inbox", p), exist_ok=True)
        log = open(os.path.join(root, f"host-{host + 1}.log"), "w")
        procs.append(subprocess.Popen([binary, "serve", "--config", config, "--log-level", "info"], stdout=log, stderr=log))
    deadline = time.monotonic() + 60
    for host in range(daemons):
        path = os.path.join(root, f"host-{host + 1}.log")
        while "ready" not in open(path).read():
            if time.monotonic() > deadline:
                sys.exit(f"host-{host + 1} did not start: {open(path).read()[-2000:]}")
            time.sleep(0.05)
    staging = os.path.join(root, "staging")
    os.makedirs(staging)
    dropped = {}
    started = time.time()
    for index in range(args.drops):
        p = pipelines[index % len(pipelines)]
        file = f"d{index:06d}.csv"
        temp = os.path.join(staging, file)
        with open(temp, "w") as f:
            f.write(small_drop(index))
        os.rename(temp, os.path.join(root, "inbox", p, file))
        dropped[(p, file)] = time.time()
    case = {"ledger": location}
    while True:
        rows = rows_of(case, root)
        if sum(1 for r in rows if r[2] != "claimed") >= args.drops:
            break
        if time.time() - started > 1800:
            break
        time.sleep(0.25)
    rows = rows_of(case, root)
    ended = max(iso_to_epoch(r[3]) for r in rows if r[3])
    for proc in procs:
        proc.send_signal(15)
    for proc in procs:
        proc.wait(timeout=60)
    latencies = sorted(iso_to_epoch(r[3]) - dropped[(r[0], r[1])] for r in rows if r[3] and (r[0], r[1]) in dropped)
    hosts = {}
    for r in rows:
        hosts[r[4]] = hosts.get(r[4], 0) + 1
    filed = sum(1 for r in rows if r[2] != "claimed")

    def pct(q):
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000

    return {"name": name, "filed": filed, "rows": len(rows), "wall": ended - started,
            "rate": filed / (ended - started), "p50": pct(0.5), "p99": pct(0.99),
            "hosts": ", ".join(f"{h} {n}" for h, n in sorted(hosts.items(), key=lambda kv: str(kv[0])))}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=".build/release")
    parser.add_argument("--drops", type=int, default=600)
    parser.add_argument("--pipelines", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--daemons", default="1,2,3")
    args = parser.parse_args()
    server = os.environ.get("SLUICE_TEST_POSTGRES")
    if not server:
        sys.exit("no PostgreSQL server: set SLUICE_TEST_POSTGRES, or run `make bench-hosts` (it starts one)")
    results = [run_case(args, "sqlite-1", 1, "sqlite")]
    for n in [int(x) for x in args.daemons.split(",")]:
        database = f"bench_hosts_{n}_{int(time.time())}"
        psql(server, f"CREATE DATABASE {database}")
        results.append(run_case(args, f"postgres-{n}", n, server.rsplit("/", 1)[0] + "/" + database))
    base = results[0]["rate"]
    print(f"\nshared inbox: {args.drops} drops of 50 rows across {args.pipelines} pipelines, workers {args.workers} per daemon,"
          f" all daemons on this machine")
    print(f"{'ledger · daemons':<18}{'filed':>7}{'drops/s':>10}{'vs SQLite':>11}{'p50 ms':>9}{'p99 ms':>9}   runs by host")
    for r in results:
        print(f"{r['name']:<18}{r['filed']:>7}{r['rate']:>10.1f}{r['rate'] / base:>10.2f}×{r['p50']:>9.0f}{r['p99']:>9.0f}   {r['hosts']}")
    lost = [r for r in results if r["filed"] != args.drops or r["rows"] != args.drops]
    if lost:
        print("NOT exactly once: " + ", ".join(f"{r['name']}: {r['rows']} rows, {r['filed']} filed" for r in lost))
        return 1
    print("every case: each drop recorded once and filed once")
    return 0


if __name__ == "__main__":
    sys.exit(main())
