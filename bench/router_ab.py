"""The router's time to decide, this tree against a git revision, in one process (lesson 3; issue 11's "< 1 ms").

The revision's ``labs`` package is copied out of git into a temporary folder as ``labs_base`` (its imports renamed), so
both versions run in the same interpreter, calls taken in turn (one of each, ``--repeat`` times): a burst of load on a
shared machine slows both alike, and the ratio holds. It prints each 2 KB prompt of bench/router_bench.py: the median
detect_pii and route() of both versions, whether both find the same, and the load average.

    .venv/bin/python bench/router_ab.py [--base HEAD] [--repeat 1000]
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from router_bench import DENSE, DIGITS, NUMERIC, PROSE, TICKET, two_kb  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PROMPTS = {"ticket": TICKET, "prose": PROSE, "numeric": NUMERIC, "dense": DENSE, "digits": DIGITS}


def load_base(rev: str, into: Path):
    """``labs`` of ``rev``, importable as ``labs_base``."""
    files = subprocess.run(["git", "ls-tree", "-r", "--name-only", rev, "labs"], cwd=ROOT, check=True,
                           capture_output=True, text=True).stdout.split()
    for name in files:
        data = subprocess.run(["git", "show", f"{rev}:{name}"], cwd=ROOT, check=True, capture_output=True).stdout
        if name.endswith(".py"):
            text = re.sub(r"\blabs\.", "labs_base.", data.decode())
            text = re.sub(r"^from labs import", "from labs_base import", text, flags=re.M)
            data = re.sub(r"files\(\"labs\"\)", 'files("labs_base")', text).encode()
        out = into / name.replace("labs/", "labs_base/", 1)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    sys.path.insert(0, str(into))
    return importlib.import_module("labs_base.router")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="HEAD")
    parser.add_argument("--repeat", type=int, default=1000)
    args = parser.parse_args()
    from labs.host import free_port
    from labs import router as new

    with tempfile.TemporaryDirectory() as tmp:
        old = load_base(args.base, Path(tmp))

        def make(mod):
            r = mod.Router(f"127.0.0.1:{free_port()}", mod.CloudLLM(base_url="http://127.0.0.1:9/v1", _api_key="unused"))
            return r.route

        def fresh(mod, fn):
            """``fn`` with the per-prompt caches of ``mod`` emptied first: each call reads its prompt as new, as a
            router does (a bench that repeats one prompt would otherwise time the cached trigger pass)."""
            trig = sys.modules.get(mod.__name__ + ".triggers")

            def call(prompt):
                if trig is not None:
                    trig._recent = ()
                return fn(prompt)
            return call

        fns = {"base detect": fresh(old, old.detect_pii), "new detect": fresh(new, new.detect_pii),
               "base route": fresh(old, make(old)), "new route": fresh(new, make(new))}
        load0 = os.getloadavg()
        print(f"base = {args.base}; median ms of {args.repeat} calls each, taken in turn; {os.cpu_count()} CPUs")
        print(f"{'prompt (2 KB)':<10}{'same':>6}" + "".join(f"{k:>13}" for k in fns) + f"{'route new/base':>16}")
        for name, text in PROMPTS.items():
            prompt = two_kb(text)
            same = [(f.kind, f.start, f.end) for f in old.detect_pii(prompt)] == \
                [(f.kind, f.start, f.end) for f in new.detect_pii(prompt)]
            for fn in fns.values():
                for _ in range(30):
                    fn(prompt)
            samples: dict[str, list[int]] = {k: [] for k in fns}
            for _ in range(args.repeat):
                for k, fn in fns.items():
                    t0 = time.perf_counter_ns()
                    fn(prompt)
                    samples[k].append(time.perf_counter_ns() - t0)
            med = {k: statistics.median(v) / 1e6 for k, v in samples.items()}
            print(f"{name:<10}{str(same):>6}" + "".join(f"{med[k]:>13.3f}" for k in fns)
                  + f"{med['new route'] / med['base route']:>16.2f}")
        load1 = os.getloadavg()
        print("load average before/after: " + " ".join(f"{x:.1f}" for x in load0) + " / "
              + " ".join(f"{x:.1f}" for x in load1))


if __name__ == "__main__":
    main()
