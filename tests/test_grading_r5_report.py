"""Round 5 of the outside attack on ``labs grade`` (/work/attacks/issue12-r5), the report and the names: each class it
found, kept as a test.

Q3 a signal while the report was written left a new ``gradebook.csv`` next to the previous run's ``summary.md`` and
``scores.png``; Q5 an unusable ``--out`` (a file, a folder that cannot be written) was found only after the whole run,
which lost every row; Q4 students named by number (``1001-…``, ``ann-20231-…``, Moodle's ``Participant_55501_…``) were
flagged as one student; Q6 ``alice/x`` and ``Alice/x``, or ``bob-x`` and ``bob/x``, were two students, and look-alike
letters from other scripts (Lisu ``ꓟ``, Cherokee ``Ꮇ``, a dotted ``ṁ``) were not folded.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from labs.grading import bwrap_problem
from labs.grading.report import FILES, TEMPORARY, write_report
from labs.host import free_port

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
REFERENCE = FIXTURES / "reference"
FULL = FIXTURES / "submissions" / "95_mini-full.ipynb"
NO_SANDBOX = bwrap_problem()
needs_sandbox = pytest.mark.skipif(NO_SANDBOX is not None, reason=f"no sandbox here: {NO_SANDBOX}")
GUARD = 600
"""Seconds after which a run is given up (a guard against a hang, never compared with a measurement)."""
OLD = {"gradebook.csv": b"submission,mark\nlast-run-95_mini.ipynb,OK\n", "summary.md": b"# Grading report\n\nlast run\n",
       "scores.png": b"last run's plot"}


def _env() -> dict[str, str]:
    """No model server at OLLAMA_HOST (the runs here grade no model exercise): the speed probe finds none at once."""
    return {**os.environ, "OLLAMA_HOST": f"127.0.0.1:{free_port()}"}


def _grade(*args: str, hook: str = "") -> subprocess.CompletedProcess:
    """The real ``labs grade`` (labs.cli.main) in a new process; ``hook`` is Python run before it."""
    code = f"import sys\n{hook}\nfrom labs.cli import main\nsys.exit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", code, "grade", *args, "--solutions", str(REFERENCE)], cwd=ROOT,
                          env=_env(), capture_output=True, text=True, timeout=GUARD)


def _old_report(out: Path) -> None:
    out.mkdir()
    for name, data in OLD.items():
        (out / name).write_bytes(data)


def _rows(out: Path) -> dict[str, dict]:
    return {Path(r["submission"]).name: r for r in csv.DictReader((out / "gradebook.csv").open(encoding="utf-8"))}


# --- Q3: a signal while the report is written

SIGNAL_WHILE_PLOTTING = """
import os, signal
import labs.grading.report as report
real = report.plot_scores
def plot_scores(grades, path):  # the signal arrives after the gradebook and the summary are written, before the plot
    os.kill(os.getpid(), signal.{name})
    return real(grades, path)
report.plot_scores = plot_scores
"""


def _signalled_run(tmp_path: Path, stop: signal.Signals, submission: Path, *options: str) -> subprocess.CompletedProcess:
    out = tmp_path / "out"
    _old_report(out)
    run = _grade(str(submission), "--out", str(out), *options, hook=SIGNAL_WHILE_PLOTTING.format(name=stop.name))
    assert run.returncode == 128 + stop, (run.returncode, run.stderr)
    assert f"{stop.name} arrived while the report was written; the report was finished first" in run.stderr, run.stderr
    assert {p.name for p in out.iterdir()} == set(FILES), "a temporary file was left, or a file is missing"
    assert all((out / name).read_bytes() != data for name, data in OLD.items()), "a file of the previous run is left"
    assert (out / "scores.png").read_bytes().startswith(b"\x89PNG")
    assert "1 submission(s) graded" in (out / "summary.md").read_text()
    assert list(_rows(out)) == [submission.name]
    return run


@needs_sandbox
def test_a_kill_while_the_report_is_written_waits_for_the_whole_report(tmp_path):
    """Before: SIGTERM's default action ended the run between the files, a new gradebook next to the old plot."""
    run = _signalled_run(tmp_path, signal.SIGTERM, FULL, "--cell-timeout", str(GUARD), "--notebook-timeout", str(GUARD))
    assert _rows(tmp_path / "out")[FULL.name]["mark"] == "OK" and "wrote" in run.stdout


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGHUP], ids=["Ctrl-C", "hang-up"])
def test_ctrl_c_or_a_hang_up_while_the_report_is_written_waits_for_the_whole_report(tmp_path, stop):
    """A refused file (no kernel runs, so no sandbox is needed) still makes a report of one row."""
    unmatched = tmp_path / "bob.ipynb"
    unmatched.write_text("{}")
    _signalled_run(tmp_path, stop, unmatched, "--no-sandbox")


def test_a_failure_while_the_report_is_written_leaves_the_previous_report_whole(tmp_path, monkeypatch):
    from labs.grading import report

    out = tmp_path / "out"
    _old_report(out)
    (out / f"{TEMPORARY}0123.gradebook.csv").write_text("left by a run killed with -9")

    def no_plot(grades, path):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(report, "plot_scores", no_plot)
    with pytest.raises(OSError, match="No space"):
        write_report([], out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == OLD, "a mix of two runs, or a temporary file, is left"
    monkeypatch.undo()
    write_report([], out)
    assert {p.name for p in out.iterdir()} == set(FILES) and (out / "gradebook.csv").read_bytes() != OLD["gradebook.csv"]


# --- Q5: an unusable --out is found before the run


def _unusable(tmp_path: Path, kind: str) -> Path:
    if kind == "a file":
        (tmp_path / "r6").mkdir()
        (tmp_path / "r6" / "gradebook.csv").write_text("an earlier gradebook")
        return tmp_path / "r6" / "gradebook.csv"
    if kind == "below a file":
        (tmp_path / "notes.txt").write_text("")
        return tmp_path / "notes.txt" / "report"
    if kind == "gradebook.csv is a folder":
        (tmp_path / "out" / "gradebook.csv").mkdir(parents=True)
        return tmp_path / "out"
    if kind == "read-only folder":
        if os.geteuid() == 0:
            pytest.skip("root writes into a read-only folder (the /proc case covers root)")
        (tmp_path / "ro").mkdir(mode=0o500)
        return tmp_path / "ro"
    if not Path("/proc/self/fdinfo").is_dir():
        pytest.skip("no /proc here")
    return Path("/proc/self/fdinfo")  # a folder nobody, root included, can create a file in


@pytest.mark.parametrize("kind", ["a file", "below a file", "gradebook.csv is a folder", "read-only folder",
                                  "a /proc folder"])
def test_an_unusable_out_is_refused_before_anything_is_graded(tmp_path, kind):
    """Before: the whole run, then a FileExistsError traceback (exit 1) and no row anywhere."""
    out = _unusable(tmp_path, kind)
    unmatched = tmp_path / "bob.ipynb"
    unmatched.write_text("{}")
    before = sorted(str(p) for p in tmp_path.rglob("*"))
    run = _grade(str(unmatched), "--out", str(out), "--no-sandbox")
    assert run.returncode == 2, (run.returncode, run.stderr)
    assert run.stderr.startswith(f"labs grade: --out {out}") and "Traceback" not in run.stderr, run.stderr
    assert "REFUSED" not in run.stdout, "a submission was graded before --out was checked"
    assert sorted(str(p) for p in tmp_path.rglob("*")) == before, "the refused run left something behind"


# --- Q4 and Q6: who is one student


def test_students_named_by_number_and_names_that_look_alike(tmp_path):
    """Unreadable files (no kernel runs) each get a row; the duplicate flag is on the rows of one student's files."""
    names = {
        # Q4: a number is a student's, not a version: none of these is flagged
        "1001-95_mini.ipynb": 0, "1002-95_mini.ipynb": 0, "1003-95_mini.ipynb": 0,
        "ann-20231-95_mini.ipynb": 0, "ann-20232-95_mini.ipynb": 0,
        "Participant_55501_assignsubmission_file_-95_mini.ipynb": 0,
        "Participant_55502_assignsubmission_file_-95_mini.ipynb": 0,
        # a version after a name still is one: v2, a browser's (1), Jupyter's Copy1, final; a bare number is a name's
        # (round 7: an anonymised class's student-07 and student-08 are two students)
        "dan-95_mini.ipynb": 5, "dan-95_mini-v2.ipynb": 5, "dan-95_mini (1).ipynb": 5, "dan-95_mini-Copy1.ipynb": 5,
        "dan_final-95_mini.ipynb": 5, "student-07-95_mini.ipynb": 0, "student-08-95_mini.ipynb": 0,
        # Q6: case in a folder's name, and a student's folder next to a file named after the student
        "alice/95_mini.ipynb": 3, "Alice/95_mini.ipynb": 3, "alice-95_mini.ipynb": 3,
        "bob-95_mini.ipynb": 2, "bob/95_mini.ipynb": 2,
        # Q6: Lisu, Cherokee, a dotted m and a Cyrillic capital look like "mary"
        "mary-95_mini.ipynb": 5, "\ua4dfary-95_mini.ipynb": 5, "\u13b7ary-95_mini.ipynb": 5,
        "\u1e41ary-95_mini.ipynb": 5, "\u041cary-95_mini.ipynb": 5,
    }
    folder = tmp_path / "class"
    for name in names:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("not a notebook")
    out = tmp_path / "out"
    run = _grade(str(folder), "--out", str(out), "--no-sandbox")
    assert run.returncode == 0, run.stderr
    rows = {r["submission"]: r for r in csv.DictReader((out / "gradebook.csv").open(encoding="utf-8"))}
    assert len(rows) == len(names) and all(r["mark"] == "UNREADABLE" for r in rows.values()), rows
    for name, together in names.items():
        flags = rows[str(folder / name)]["flags"]
        if together:
            assert f"duplicate: {together} files from student" in flags, (name, flags)
        else:
            assert "duplicate" not in flags, (name, flags)
    alice = rows[str(folder / "Alice" / "95_mini.ipynb")]["flags"]
    assert "student 'alice'" in alice and "Alice/95_mini.ipynb, alice/95_mini.ipynb, alice-95_mini.ipynb" in alice, alice


def test_a_name_is_never_emptied_into_its_folders_name():
    """What is left of a file's name once its version marks go (``""`` only when nothing but marks was there)."""
    from labs.grading.intake import _keys, _name_in

    assert [_name_in(n) for n in ("1001", "ann-20231", "Participant_55501_assignsubmission_file_", "2", "alice-2",
                                  "alice_smith-v2 (1)", "Copy of ", "-Copy1", "final", "олена - копія")] == \
        ["1001", "ann-20231", "Participant-55501-assignsubmission-file", "2", "alice-2", "alice-smith", "", "", "",
         "олена"]
    assert not _keys(os.fsdecode(b"\xff\xfe")) & _keys(os.fsdecode(b"\xfa"))  # names from a Windows zip: not one student
