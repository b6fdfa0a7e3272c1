"""``labs grade`` on the course's own notebooks: every reference solution (English and Ukrainian) gets full marks
with no flag, and a blank learner notebook gets 0 without a crash.

Slow (the six lessons run in sandboxed kernels against the real model server: about 30 min per edition on 2 shared
cores), so it is marked ``regrade`` and left out of ``make test``; run it with ``make regrade`` after any change to the
solutions, the checks or the grader. The time limits are generous on purpose: this test is about marks, not speed
(speed is bench/grading_bench.py's).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from labs.grading import Mark, bwrap_problem, grade

ROOT = Path(__file__).resolve().parent.parent
EDITIONS = {"en": ROOT / "solutions", "uk": ROOT / "solutions" / "uk"}
LEARNER = {"en": ROOT / "notebooks", "uk": ROOT / "notebooks" / "uk"}
INFORMATIONAL = ("time limits raised to", "waited ")
"""Flags that describe the run (the server's measured speed, turns taken with the other job), not the notebook."""


@pytest.mark.regrade
@pytest.mark.skipif(bwrap_problem() is not None, reason=f"no sandbox here: {bwrap_problem()}")
@pytest.mark.parametrize("edition", sorted(EDITIONS))
def test_reference_solutions_get_full_marks_and_a_blank_notebook_zero(edition, server_url, monkeypatch, tmp_path):
    monkeypatch.setenv("OLLAMA_HOST", server_url)
    solutions = sorted(EDITIONS[edition].glob("[0-9][0-9]_*.ipynb"))
    assert len(solutions) == 6
    blank = tmp_path / f"blank-{solutions[0].name}"
    blank.write_bytes((LEARNER[edition] / solutions[0].name).read_bytes())
    *graded, empty = grade(solutions + [blank], solutions=EDITIONS[edition], cell_timeout=600, notebook_timeout=3000,
                           jobs=2)
    for g in graded:  # notes on the run itself (a slow server, waiting for the other job) are not flags on the work
        flags = [f for f in g.flags if not f.startswith(INFORMATIONAL)]
        assert (g.mark, g.score, flags) == (Mark.OK, g.max_score, []), (g.submission, g.mark, g.flags,
                                                                        [e.feedback() for e in g.exercises])
        assert g.max_score > 0
    assert empty.score == 0 and empty.max_score > 0, empty
    assert empty.mark not in (Mark.CRASHED, Mark.WORKER_DIED, Mark.GRADER_ERROR, Mark.TIMEOUT), (empty.mark, empty.flags)
