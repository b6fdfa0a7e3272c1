"""How long ``labs grade`` takes, and what the bubblewrap sandbox costs (issue 12's figures).

    .venv/bin/labs with-server -- .venv/bin/python bench/grading_bench.py [--submissions 30] [--jobs 2]
    .venv/bin/python bench/grading_bench.py --mini          # model-free: the grading fixture, no server needed

Prints three figures, each a wall time measured here (``time.perf_counter`` around :func:`labs.grading.grade`):

1. the six solution notebooks, one at a time, sandboxed (and checks that each gets full marks);
2. ``--submissions`` copies of them (the six in turn, as different students) with ``--jobs``, sandboxed;
3. the same batch with ``--no-sandbox``, and the sandbox's overhead: (sandboxed − plain) / plain (goal < 25 %).

``--mini`` skips 1 and builds the batch from ``tests/fixtures/submissions/95_mini-full.ipynb`` (three model-free
exercises): the sandbox's cost per notebook without the model server's time around it.

Grading runs every notebook against the model server at ``OLLAMA_HOST``; on a shared machine the figures
move with its load (say so when you report them).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from _server import require_server

from labs.grading import Mark, bwrap_problem, grade

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
MINI = ROOT / "tests" / "fixtures"


def _timed(paths: list[Path], solutions: Path = SOLUTIONS, **kwargs) -> tuple[float, list]:
    started = time.perf_counter()
    grades = grade(paths, solutions=solutions, hidden=ROOT / "grading" / "hidden", **kwargs)
    return time.perf_counter() - started, grades


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=30, help="size of the batch (default 30)")
    parser.add_argument("--jobs", type=int, default=2, help="submissions graded at once in the batch (default 2)")
    parser.add_argument("--cell-timeout", type=float, default=120.0)
    parser.add_argument("--notebook-timeout", type=float, default=900.0)
    parser.add_argument("--mini", action="store_true", help="batch of the model-free grading fixture; no server needed")
    args = parser.parse_args()
    if problem := bwrap_problem():
        sys.exit(f"bench: the sandbox cannot run here: {problem}")
    timeouts = dict(cell_timeout=args.cell_timeout, notebook_timeout=args.notebook_timeout)
    six = [MINI / "submissions" / "95_mini-full.ipynb"] if args.mini else sorted(SOLUTIONS.glob("*.ipynb"))
    solutions = MINI / "reference" if args.mini else SOLUTIONS
    short = []
    if not args.mini:
        require_server(__file__)
        from labs.grading.speed import CELL_TOKENS, measure

        speed = measure()  # what `labs grade` stretches its time limits from (issue 12, fairness)
        print(f"model server: {speed.describe() if speed else 'not measured'}; a cell gets {CELL_TOKENS} tokens' worth")
        seconds, grades = _timed(six, **timeouts)
        print(f"six solutions, sandboxed, one at a time: {seconds:.1f} s")
        for g in grades:
            print(f"  {g.mark.value:10} {g.score:>3}/{g.max_score:<3} {g.seconds:6.1f} s  {Path(g.submission).name}")
        short = [g for g in grades if g.mark != Mark.OK or g.score != g.max_score]

    with tempfile.TemporaryDirectory(prefix="grading-bench-") as tmp:
        batch = []
        for i in range(args.submissions):
            source = six[i % len(six)]
            batch.append(Path(tmp) / f"student{i:02d}-{source.name.replace('-full', '')}")
            shutil.copyfile(source, batch[-1])
        boxed, boxed_grades = _timed(batch, solutions, jobs=args.jobs, **timeouts)
        print(f"{len(batch)} submissions, --jobs {args.jobs}, sandboxed: {boxed:.1f} s "
              f"({sum(g.score for g in boxed_grades)}/{sum(g.max_score for g in boxed_grades)} points)")
        plain, plain_grades = _timed(batch, solutions, jobs=args.jobs, sandbox=False, **timeouts)
        print(f"{len(batch)} submissions, --jobs {args.jobs}, --no-sandbox: {plain:.1f} s "
              f"({sum(g.score for g in plain_grades)}/{sum(g.max_score for g in plain_grades)} points)")
    print(f"sandbox overhead: {100 * (boxed - plain) / plain:+.1f} % (goal < 25 %)")
    short += [g for g in boxed_grades + plain_grades if g.score != g.max_score]
    if short:
        print("NOT full marks: " + ", ".join(Path(g.submission).name for g in short))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
