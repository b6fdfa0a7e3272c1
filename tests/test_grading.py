"""``labs grade`` on real kernels: purpose-built broken submissions, and the real 05 notebook."""

from __future__ import annotations

import csv
import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from labs.grading import find_reference, grade, review, submissions_in
from labs.grading_report import write_report

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SUBMISSIONS = FIXTURES / "submissions"
REFERENCE = FIXTURES / "reference"
FAST = dict(cell_timeout=8, notebook_timeout=20)  # generous: a loaded 2-core CI box imports slowly


def _fixture_module():
    spec = importlib.util.spec_from_file_location("make_submissions", FIXTURES / "make_submissions.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MAKE = _fixture_module()


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """One `labs grade` run over every fixture submission, as an instructor would type it."""
    out = tmp_path_factory.mktemp("report")
    submissions = tmp_path_factory.mktemp("graded") / "submissions"
    shutil.copytree(SUBMISSIONS, submissions)
    (submissions / "95_mini-garbage.ipynb").write_text(MAKE.GARBAGE)
    run = subprocess.run(
        [sys.executable, "-m", "labs.cli", "grade", str(submissions), "--solutions", str(REFERENCE), "--out", str(out),
         "--cell-timeout", str(FAST["cell_timeout"]), "--notebook-timeout", str(FAST["notebook_timeout"]), "--jobs", "2"],
        capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    rows = {Path(r["submission"]).stem.split("-", 1)[1]: r for r in csv.DictReader((out / "gradebook.csv").open())}
    return out, rows, run.stdout


def test_fixtures_are_up_to_date(tmp_path):
    MAKE.main(tmp_path)
    for folder in ("reference", "submissions"):
        for made in (tmp_path / folder).iterdir():
            assert (FIXTURES / folder / made.name).read_text() == made.read_text(), \
                f"{folder}/{made.name} is stale: run python tests/fixtures/make_submissions.py"


@pytest.mark.parametrize("name", sorted(MAKE.EXPECTED))
def test_each_submission_gets_the_expected_mark_and_points(report, name):
    _, rows, _ = report
    mark, score, flag = MAKE.EXPECTED[name]
    row = rows[name]
    assert (row["mark"], int(row["score"]), int(row["max_score"])) == (mark, score, MAKE.MAX), row
    assert flag in row["flags"], row["flags"]


def test_tampering_never_earns_points(report):
    _, rows, _ = report
    # the monkeypatched notebook printed "passed 99/99" for itself; the grader's fresh checks say otherwise
    assert rows["monkeypatch"]["quiz.q1"] == "0" and "suspicious: cell 3 rebinds check" in rows["monkeypatch"]["flags"]
    assert all(rows["vandal"][q] == "0" for q in ("quiz.q1", "quiz.q4", "quiz.q5"))


def test_report_is_a_readable_table_and_plot(report):
    out, rows, stdout = report
    summary = (out / "summary.md").read_text()
    assert "| submission | notebook | mark | score | % |" in summary and "![Score distribution](scores.png)" in summary
    assert "| quiz.q5 | 3 |" in summary  # per-exercise table: 2 public + 1 hidden point
    assert "hidden numbers_agree_with_each_other: passed" in summary
    assert "- **TIMEOUT** —" in summary and "check cell deleted: quiz.q4" in summary
    from matplotlib.image import imread

    assert imread(out / "scores.png").shape[:2] == (400, 700)
    assert len(stdout.strip().splitlines()) == len(rows) + 3  # one line per submission, then the three files
    assert not list(SUBMISSIONS.glob(".labs-progress*"))  # kernels wrote their progress in their own folders


def test_one_submission_cannot_change_the_next_ones_grade():
    vandal, full = SUBMISSIONS / "95_mini-vandal.ipynb", SUBMISSIONS / "95_mini-full.ipynb"
    first, second = grade([vandal, full], solutions=REFERENCE, **FAST)
    assert first.mark == "TAMPERED" and first.score == 0
    assert second.mark == "OK" and second.score == second.max_score == MAKE.MAX


def test_static_review_and_matching(tmp_path):
    reference = json.loads((REFERENCE / "95_mini.ipynb").read_text())
    deleted = json.loads((SUBMISSIONS / "95_mini-deleted_check.ipynb").read_text())
    assert review(deleted, reference) == (["check cell deleted: quiz.q4"], [])
    edited = json.loads(json.dumps(reference))
    edited["cells"][3]["source"] = 'print("✅ passed")  # check("quiz.q1")'
    cells, suspicious = review(edited, reference)
    assert cells == ["check cell edited: quiz.q1"] and suspicious == []
    assert find_reference(Path("alice-95_mini.ipynb"), REFERENCE) == REFERENCE / "95_mini.ipynb"
    assert find_reference(Path("bob.ipynb"), REFERENCE) is None
    with pytest.raises(ValueError, match="does not exist"):
        submissions_in([tmp_path / "missing.ipynb"])
    with pytest.raises(ValueError, match="more than 0 seconds"):
        grade([], solutions=REFERENCE, cell_timeout=0)


def test_real_check_yourself_notebook(server_url, monkeypatch, tmp_path):
    """The shortest real notebook against the live model: the solution gets full marks, the learner version zero."""
    monkeypatch.setenv("OLLAMA_HOST", server_url)
    solution, learner = grade([ROOT / "solutions" / "05_check_yourself.ipynb", ROOT / "notebooks" / "05_check_yourself.ipynb"],
                              solutions=ROOT / "solutions", cell_timeout=60, notebook_timeout=240)
    assert solution.mark == "OK" and solution.score == solution.max_score == 10, solution
    hidden = [h for e in solution.exercises for h in e.hidden]
    assert len(hidden) == 3 and all(h["status"] == "passed" for h in hidden)
    assert learner.mark == "OK" and learner.score == 0 and learner.max_score == 10, learner
    assert {e.public["status"] for e in learner.exercises} == {"not answered"}
    paths = write_report([solution, learner], tmp_path)
    assert [p.name for p in paths] == ["gradebook.csv", "summary.md", "scores.png"]
