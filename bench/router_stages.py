"""Where the router's time to decide goes: the median of each stage of route() on the 2 KB prompts of
bench/router_bench.py (lesson 3; issue 11's "< 1 ms" goal). Each stage is timed alone on the view the detector reads,
the stages taken in turn (one call of each, ``--repeat`` times), so a burst of load on a shared machine slows all alike.
The stages overlap (``_scan`` holds the numeric loop and the detectors listed before it), so they do not add up to
detect_pii; read them as the price of each scan, and the load average printed with them. The detectors share one trigger
pass a prompt (labs.router.triggers): its own row; the rows between it and detect_pii find it done, detect_pii and the
complexity heuristic pay it.

    .venv/bin/python bench/router_stages.py [--repeat 300] [--prompt ticket]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from router_bench import DENSE, DIGITS, NUMERIC, PROSE, TICKET, two_kb  # noqa: E402

from labs.router import complexity, id_numbers, pii, policy, tables, triggers  # noqa: E402
from labs.router.normalize import normalize  # noqa: E402
from labs.router.textscan import lower  # noqa: E402

PROMPTS = {"ticket": TICKET, "prose": PROSE, "numeric": NUMERIC, "dense": DENSE, "digits": DIGITS}


def _fresh(fn):
    """``fn`` with the trigger pass of the last prompts forgotten: it times the pass, as a new prompt has it."""
    def call():
        triggers._recent = ()
        return fn()
    return call


def stages(text: str) -> dict:
    view = normalize(text)
    v, low = view.text, lower(view.text)
    words = pii._number_words(low)
    found = pii.detect_pii(text)
    cx = complexity.heuristic(text)
    return {
        "normalize": lambda: normalize(text),
        "trigger pass (one automaton pass, served to the rest)": _fresh(lambda: triggers.triggers(low)._hits()),
        "emails": lambda: list(pii.find_emails(v, low)),
        "handles": lambda: list(pii.find_handles(v, low)),
        "number words": lambda: pii._number_words(low),
        "spoken numbers": lambda: list(pii.find_spoken_numbers(v, low, words)),
        "labelled sequences": lambda: list(pii.find_labelled_sequences(v, low, words)),
        "number after a label": lambda: list(pii.find_number_label_digits(v, low)),
        "dob gate": lambda: pii._dob_gate(low),
        "named dobs": lambda: list(pii._named_dobs(v)),
        "addresses": lambda: list(pii.find_addresses(v, low)),
        "id numbers": lambda: list(id_numbers.find_id_numbers(v, low)),
        "_scan (all of the above but normalize, + numbers)": _fresh(lambda: pii._scan(v, low, view.tabs, view.breaks)),
        "table cells": lambda: list(tables.find_table_cells(text)),
        "across line breaks": lambda: pii._across_breaks(v, low, view.breaks) if view.breaks else None,
        "health": lambda: list(pii.find_health(v, found, low)),
        "detect_pii": _fresh(lambda: pii.detect_pii(text)),
        "complexity heuristic": _fresh(lambda: complexity.heuristic(text)),
        "policy decide": lambda: policy.decide(findings=found, complexity=cx, cloud_ready=True),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=300)
    parser.add_argument("--prompt", choices=[*PROMPTS, "all"], default="all")
    args = parser.parse_args()
    names = list(PROMPTS) if args.prompt == "all" else [args.prompt]
    table = {}
    for name in names:
        fns = stages(two_kb(PROMPTS[name]))
        for fn in fns.values():
            for _ in range(20):
                fn()
        samples: dict[str, list[int]] = {k: [] for k in fns}
        for _ in range(args.repeat):
            for k, fn in fns.items():
                t0 = time.perf_counter_ns()
                fn()
                samples[k].append(time.perf_counter_ns() - t0)
        table[name] = {k: statistics.median(s) / 1000 for k, s in samples.items()}
    load = " ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    print(f"median us per call, {args.repeat} calls each; {os.cpu_count()} CPUs, load average {load}")
    print(f"{'stage':<52}" + "".join(f"{n:>10}" for n in names))
    for k in table[names[0]]:
        print(f"{k:<52}" + "".join(f"{table[n][k]:>10.1f}" for n in names))


if __name__ == "__main__":
    main()
