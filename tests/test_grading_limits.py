"""``labs grade`` never runs a notebook with no process limit unless the instructor says so.

As an ordinary user ``RLIMIT_NPROC`` holds the sandbox; as root (which ``RLIMIT_NPROC`` does not bind) only
a pids cgroup does. Where none can be made, the grader refuses, with what to do, and ``--unlimited-processes``
grades knowingly, every row saying so. The fork bomb itself is graded in tests/test_grading.py's run.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from labs.grading import Limits, Mark, ProcessLimitUnavailable, bwrap_problem, grade, process_limit_problem
from labs.grading.sandbox import CGROUP_ENV, rlimit_binds

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "tests" / "fixtures" / "reference"
SUBMISSIONS = ROOT / "tests" / "fixtures" / "submissions"
needs_sandbox = pytest.mark.skipif(bwrap_problem() is not None, reason=f"no sandbox here: {bwrap_problem()}")


def test_an_ordinary_user_is_held_by_rlimit_nproc(tmp_path, monkeypatch):
    monkeypatch.setenv(CGROUP_ENV, str(tmp_path))  # not a cgroup: only RLIMIT_NPROC could hold the sandbox
    if rlimit_binds():
        assert process_limit_problem() is None
    else:  # root here: nothing holds it, and the reason names every way out
        problem = process_limit_problem()
        assert problem and all(s in problem for s in ("ordinary user", CGROUP_ENV, "--unlimited-processes"))


@needs_sandbox
@pytest.mark.skipif(rlimit_binds(), reason="an ordinary user: RLIMIT_NPROC holds every sandbox, nothing to refuse")
def test_root_without_a_pids_cgroup_refuses_unless_told(tmp_path, monkeypatch):
    monkeypatch.setenv(CGROUP_ENV, str(tmp_path / "not-a-cgroup"))
    full = SUBMISSIONS / "95_mini-full.ipynb"
    with pytest.raises(ProcessLimitUnavailable, match="--unlimited-processes"):
        grade([full], solutions=REFERENCE)
    args = [sys.executable, "-m", "labs.cli", "grade", str(full), "--solutions", str(REFERENCE), "--out",
            str(tmp_path / "out"), "--cell-timeout", "120", "--notebook-timeout", "300"]
    env = {**os.environ, CGROUP_ENV: str(tmp_path / "not-a-cgroup")}
    refused = subprocess.run(args, capture_output=True, text=True, timeout=300, env=env, cwd=ROOT)
    assert refused.returncode == 2 and "nothing would stop a fork bomb" in refused.stderr, refused.stderr
    assert not (tmp_path / "out").exists()
    knowingly = subprocess.run(args + ["--unlimited-processes"], capture_output=True, text=True, timeout=600, env=env,
                               cwd=ROOT)
    assert knowingly.returncode == 0, knowingly.stderr
    (row,) = csv.DictReader((tmp_path / "out" / "gradebook.csv").open(encoding="utf-8"))
    assert row["mark"] == Mark.OK.value and row["score"] == row["max_score"]
    assert "WITHOUT a process limit (--unlimited-processes)" in row["flags"]


@needs_sandbox
def test_a_pids_cgroup_or_rlimit_holds_a_fork_bomb_and_its_row_says_so(tmp_path):
    """The enforcing path on its own: the bomb is stopped at the limit, the grader goes on, the row names the limit."""
    (g,) = grade([SUBMISSIONS / "95_mini-fork_bomb.ipynb"], solutions=REFERENCE, cell_timeout=120, notebook_timeout=300)
    assert g.score == g.max_score, g.flags  # the exercises after the bomb were still graded
    assert any(f.startswith("process limit reached") for f in g.flags), g.flags
    assert not any("WITHOUT a process limit" in f for f in g.flags)


def test_every_limit_reaches_the_worker(tmp_path):
    """The job file carries the whole :class:`Limits` (``shm_mib`` and ``total_mib`` were once dropped on the way)."""
    from dataclasses import fields

    from labs.grading.results import Job
    from labs.grading.sandbox import Limits

    limits = Limits(**{f.name: 1000 + i for i, f in enumerate(fields(Limits))})
    job = Job(notebook="n.ipynb", exercises=["q1"], hidden="h", result="r.json", workdir=str(tmp_path), cell_timeout=1,
              notebook_timeout=2, limits=limits)
    job.save(tmp_path / "job.json")
    assert Job.load(tmp_path / "job.json").limits == limits


@needs_sandbox
def test_the_shm_limit_holds_inside_the_sandbox(tmp_path):
    """``--shm-mib`` reaches the sandbox: a 2 MiB file in ``/dev/shm`` fits the default and not a 1 MiB cap (the
    answer below is right only where the write succeeded)."""
    import json

    nb = json.loads((SUBMISSIONS / "95_mini-full.ipynb").read_text(encoding="utf-8"))
    (answer,) = [c for c in nb["cells"] if "q1_choices" in "".join(c["source"])]
    answer["source"] = ("try:\n    open('/dev/shm/fill', 'wb').write(b'0' * 2**21)\n    q1_choices = 'a, c, e, g'\n"
                        "except OSError:\n    q1_choices = 'none: /dev/shm is full'\n")
    path = tmp_path / "95_mini-shm.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    roomy, tight = (grade([path], solutions=REFERENCE, cell_timeout=120, notebook_timeout=300,
                          limits=Limits(shm_mib=mib))[0] for mib in (Limits().shm_mib, 1))
    assert roomy.score == roomy.max_score, roomy.flags
    assert tight.score < tight.max_score and tight.mark not in (Mark.CRASHED, Mark.GRADER_ERROR), tight
    assert [e.points for e in tight.exercises if e.id != "quiz.q1"] == [e.points for e in roomy.exercises
                                                                         if e.id != "quiz.q1"]


def test_the_cli_turns_every_limit_into_a_flag():
    """``labs grade --help`` offers one flag per field of :class:`Limits`, defaulting to its value."""
    from dataclasses import fields

    from labs.cli import parser

    args = parser().parse_args(["grade", "x.ipynb", "--shm-mib", "3", "--total-mib", "5"])
    assert (args.shm_mib, args.total_mib) == (3, 5)
    assert all(getattr(args, f.name) == f.default for f in fields(Limits) if f.name not in ("shm_mib", "total_mib"))
