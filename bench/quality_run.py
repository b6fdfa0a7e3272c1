"""How long lesson 1's quality cell takes, and what it scores, on the model at OLLAMA_HOST.

Prints the wall time of ``labs.quality.run_quality`` (the model already loaded), its per-category table,
and the machine's load average, since a shared machine slows every figure. Issue 17 asks that the run
stay well under ~40 s on the embedded 135M model on 2 CPU cores.

    .venv/bin/labs with-server -- .venv/bin/python bench/quality_run.py [MODEL]
"""

from __future__ import annotations

import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

from _server import require_server  # noqa: E402

from labs.client import LocalLLM  # noqa: E402
from labs.quality import run_quality, same_answers  # noqa: E402
from labs.settings import lesson_model  # noqa: E402


def main() -> None:
    url = require_server(__file__)
    model = sys.argv[1] if len(sys.argv) > 1 else lesson_model()
    with LocalLLM(url, model=model) as llm:
        llm.generate("hi", options={"num_predict": 1})  # load the model first: the lesson has it loaded
        started = time.perf_counter()
        run = run_quality(llm)
        wall = time.perf_counter() - started
        again = run_quality(llm, categories=("arithmetic",))  # what lesson 1 asks twice
    print(f"model {model} at {url} ({run.server}): {len(run.answers)} items in {wall:.1f} s wall, "
          f"{run.answers['tokens'].sum()} tokens generated; load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} CPUs")
    print(run.table.to_string())
    same, asked = same_answers(run, again)
    print(f"asked again: {same} of {asked} arithmetic answers identical ({again.seconds:.1f} s)")


if __name__ == "__main__":
    main()
