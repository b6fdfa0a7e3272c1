"""Lesson 4: measure the local model server under load and print the figures (no assertions).

Usage: .venv/bin/labs with-server -- .venv/bin/python bench/lesson4_load.py [--levels 1 2 4 8] [--tokens 16]
Runs a bounded concurrency sweep with labs.loadtest (loopback only) and prints throughput, latency
percentiles, TTFT and every error, then a Little's-law capacity plan for a sample workload.
"""

from __future__ import annotations

import argparse

import pandas as pd

from labs import DEFAULT_MODEL, loadtest

from _server import require_server  # bench/ is the script's folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--requests-per-level", type=int, default=None)
    parser.add_argument("--tokens", type=int, default=16)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--requests-per-day", type=float, default=20_000)
    args = parser.parse_args()
    url = require_server(__file__)
    results = loadtest.sweep(url, args.levels, args.requests_per_level, time_limit_s=args.time_limit,
                             num_predict=args.tokens, model=DEFAULT_MODEL,
                             prompts=["Name a colour.", "Count to three.", "Say hello in French.", "Name a fruit."])
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(loadtest.sweep_frame(results).round(3).to_string(index=False))
    for r in results:
        print(repr(r))
    frame = loadtest.sweep_frame(results)
    completed = frame[frame["completed_ok"] > 0]
    if completed.empty:
        raise SystemExit("bench: no request completed at any concurrency; the errors above say why")
    best = completed.sort_values("requests_per_s").iloc[-1]
    plan = loadtest.capacity_plan(args.requests_per_day, machine_requests_per_s=float(best["requests_per_s"]),
                                  latency_s=float(best["latency_p50_s"]))
    print(f"\n{args.requests_per_day:,.0f} requests/day, peak ×{plan.peak_factor}: {plan.machines} machine(s) like this "
          f"one ({best['requests_per_s']:.2f} req/s measured at concurrency {int(best['concurrency'])}); "
          f"{plan.in_flight_at_peak:.2f} requests in flight at peak")


if __name__ == "__main__":
    main()
