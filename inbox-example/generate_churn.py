#!/usr/bin/env python3
"""Generates inbox-example/inbox/churn/customers-2026-11.csv, committed as the demo drop.

Seeded and standard-library only, so the same file comes out everywhere:

    python3 inbox-example/generate_churn.py --seed 20261122 --rows 3000 \
        > inbox-example/inbox/churn/customers-2026-11.csv

A synthetic customer-churn table: 12 numeric columns, 2 categorical ones, and a
binary target `churned` (yes/no) drawn from a logistic model of the columns, so
a linear classifier can learn it (holdout ROC AUC around 0.85). About 1% of the
values in three columns are missing (empty fields).
"""
import argparse
import csv
import math
import random
import sys


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--rows", type=int, default=3000)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow([
        "tenure_months", "monthly_charges", "total_charges", "support_calls", "avg_session_minutes",
        "sessions_last_30d", "days_since_last_login", "num_products", "late_payments", "discount_pct",
        "satisfaction_score", "age", "plan", "region", "churned",
    ])
    plans = [("basic", 0.5, 25.0), ("standard", 0.35, 55.0), ("premium", 0.15, 95.0)]
    regions = ["north", "south", "east", "west", "central"]
    for _ in range(args.rows):
        plan = rng.choices([p[0] for p in plans], weights=[p[1] for p in plans])[0]
        base = {p[0]: p[2] for p in plans}[plan]
        region = rng.choice(regions)
        tenure = max(1, int(rng.expovariate(1 / 28)))
        monthly = round(max(5.0, rng.gauss(base, 8.0)), 2)
        total = round(monthly * tenure * rng.uniform(0.9, 1.05), 2)
        calls = min(12, int(rng.expovariate(1 / 1.6)))
        session = round(max(0.5, rng.gauss(22, 9)), 1)
        sessions = max(0, int(rng.gauss(14, 6)))
        since_login = min(120, int(rng.expovariate(1 / 9)))
        products = rng.choices([1, 2, 3, 4], weights=[50, 30, 15, 5])[0]
        late = min(8, int(rng.expovariate(1 / 0.7)))
        discount = rng.choice([0, 0, 0, 5, 10, 15, 20])
        satisfaction = min(10, max(1, int(round(rng.gauss(7, 1.8)))))
        age = min(85, max(18, int(rng.gauss(44, 13))))

        z = (-0.6 - 0.045 * tenure + 0.018 * (monthly - 50) + 0.42 * calls - 0.03 * session
             - 0.05 * sessions + 0.035 * since_login - 0.35 * (products - 1) + 0.45 * late
             - 0.02 * discount - 0.32 * (satisfaction - 7) - 0.004 * (age - 44)
             + {"basic": 0.35, "standard": 0.0, "premium": -0.4}[plan]
             + {"north": 0.0, "south": 0.15, "east": -0.1, "west": 0.05, "central": 0.0}[region])
        churned = "yes" if rng.random() < 1 / (1 + math.exp(-z)) else "no"

        def maybe_missing(value, share=0.01):
            return "" if rng.random() < share else value

        writer.writerow([
            tenure, monthly, maybe_missing(total), calls, maybe_missing(session), sessions, since_login,
            products, late, discount, maybe_missing(satisfaction), age, plan, region, churned,
        ])


if __name__ == "__main__":
    main()
