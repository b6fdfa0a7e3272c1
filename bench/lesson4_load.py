"""Lesson 4: measure the local model server under load and print the figures (no assertions).

Usage: .venv/bin/labs with-server -- .venv/bin/python bench/lesson4_load.py [--levels 1 2 4 8] [--tokens 16]
Runs the lesson's concurrency sweep, sized by a time budget (labs.loadtest.sized_sweep, loopback only), and prints
throughput, latency percentiles, TTFT, completed vs sent and every error, then the Little's-law capacity plan for a
sample workload with its notes (a plan on fewer than 20 completed requests says so).
"""

from __future__ import annotations

import argparse

import pandas as pd

from labs import DEFAULT_MODEL, loadtest

from _server import require_server  # bench/ is the script's folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--requests-per-level", type=int, default=loadtest.MIN_PLAN_SAMPLE)
    parser.add_argument("--tokens", type=int, default=16)
    parser.add_argument("--budget", type=float, default=120.0, help="seconds for the whole sweep (the lesson: 90)")
    parser.add_argument("--requests-per-day", type=float, default=20_000)
    args = parser.parse_args()
    url = require_server(__file__)
    results = loadtest.sized_sweep(url, args.levels, time_budget_s=args.budget,
                                   requests_per_level=args.requests_per_level, num_predict=args.tokens,
                                   model=DEFAULT_MODEL,
                                   prompts=["Name a colour.", "Count to three.", "Say hello in French.", "Name a fruit."])
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(loadtest.sweep_frame(results).round(3).to_string(index=False))
    for r in results:
        print(repr(r))
    print(loadtest.sample_text(loadtest.sweep_frame(results)))
    try:
        plan, best = loadtest.plan_from_sweep(args.requests_per_day, results)
    except ValueError as exc:
        raise SystemExit(f"bench: {exc}") from None
    print(f"\n{args.requests_per_day:,.0f} requests/day, peak ×{plan.peak_factor}: {plan.machines} machine(s) like this "
          f"one ({best['requests_per_s']:.2f} req/s measured at concurrency {best['concurrency']}, from "
          f"{best['completed_ok']} of {best['planned']} requests); {plan.in_flight_at_peak:.2f} requests in flight at peak")
    for note in plan.notes:
        print("  note:", note)


if __name__ == "__main__":
    main()
