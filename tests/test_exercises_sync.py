"""Exercises from one source: notebooks/ is exactly what solutions/ generates, and every check exists."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from labs.exercises import exercise_ids, learner_version, lookup, out_of_sync, strip_solutions

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))


def test_learner_notebooks_are_generated_from_the_solutions():
    problems = out_of_sync(ROOT / "solutions", ROOT / "notebooks")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_every_check_cell_names_a_registered_exercise(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    ids = exercise_ids(nb)
    for exercise_id in ids:
        assert lookup(exercise_id).points > 0
    learner = learner_version(nb)
    assert exercise_ids(learner) == ids  # stripping never removes a check cell
    for cell in learner["cells"]:
        if cell["cell_type"] == "code":  # nothing is left to strip: no solution region survives
            assert strip_solutions(cell["source"]) == cell["source"]


def test_drift_is_reported(tmp_path):
    solutions, notebooks = tmp_path / "solutions", tmp_path / "notebooks"
    solutions.mkdir()
    notebooks.mkdir()
    nb = {"cells": [{"cell_type": "code", "source": "x = 1  # SOLUTION", "metadata": {}, "outputs": [],
                     "execution_count": None}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (solutions / "01_a.ipynb").write_text(json.dumps(nb))
    assert out_of_sync(solutions, notebooks) == ["notebooks/01_a.ipynb is missing: run `labs build-notebooks`"]
    from labs.exercises import build_notebooks

    build_notebooks(solutions, notebooks)
    assert out_of_sync(solutions, notebooks) == []
    assert json.loads((notebooks / "01_a.ipynb").read_text())["cells"][0]["source"] == "x = ..."
    nb["cells"][0]["source"] = "x = 2  # SOLUTION\ny = 3"
    (solutions / "01_a.ipynb").write_text(json.dumps(nb))
    assert "differs from what solutions/01_a.ipynb generates" in out_of_sync(solutions, notebooks)[0]
    (notebooks / "02_b.ipynb").write_text("{}")
    assert any("has no solutions/02_b.ipynb" in p for p in out_of_sync(solutions, notebooks))


def test_strip_solutions_regions():
    src = "def f(x):\n    # BEGIN SOLUTION\n    y = x + 1\n    return y\n    # END SOLUTION\n\nanswer = f(1)  # SOLUTION"
    assert strip_solutions(src) == "def f(x):\n    ...\n\nanswer = ..."
    with pytest.raises(ValueError, match="no `# END SOLUTION`"):
        strip_solutions("# BEGIN SOLUTION\nx = 1")
