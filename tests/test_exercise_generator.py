"""The exercise mechanism as the learner meets it: a check reports an error with a hint, and a generated answer
cell never prints ``Ellipsis`` (issue 17, point 5)."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from labs.exercises import exercise, run_check
from labs.quiz.hints import JSON_HINT

ROOT = Path(__file__).resolve().parent.parent


@exercise("testonly.json_answer", points=1)
def _json_answer(namespace: dict):
    return json.loads(namespace["ask"]())  # what a learner's ask_json does with a reply that is not JSON


def test_an_error_in_the_learners_code_gets_the_hint_for_its_cause():
    result = run_check("testonly.json_answer", {"ask": lambda: "The sky is blue because..."})
    assert result.status == "error"
    assert result.message.startswith("JSONDecodeError: Expecting value") and JSON_HINT in result.message
    result = run_check("testonly.json_answer", {"ask": lambda: 1 / 0})
    assert result.status == "error" and result.message == "ZeroDivisionError: division by zero"


def test_a_top_level_solution_block_becomes_named_stubs_not_a_bare_ellipsis():
    from labs.exercises import strip_solutions

    assert strip_solutions("# BEGIN SOLUTION\nneed = f(1)\nbest, worst = g(need)\n# END SOLUTION") == \
        "need = ...\nbest = ...\nworst = ..."
    stubbed = "answer = ...   # a number\n# BEGIN SOLUTION\nhelper = 2\nanswer = helper * 21\n# END SOLUTION"
    assert strip_solutions(stubbed) == "answer = ...   # a number"
    assert strip_solutions("def f():\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION") == "def f():\n    ..."


def _last_statement_is_ellipsis(source: str) -> bool:
    lines = [ln for ln in source.split("\n") if not ln.lstrip().startswith(("%", "!"))]  # IPython magics
    try:
        body = ast.parse("\n".join(lines)).body
    except SyntaxError:
        return False
    last = body[-1] if body else None
    return isinstance(last, ast.Expr) and isinstance(last.value, ast.Constant) and last.value.value is Ellipsis


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.stem)
def test_no_learner_answer_cell_displays_ellipsis(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    bare = [c.get("id") for c in cells if c["cell_type"] == "code" and _last_statement_is_ellipsis("".join(c["source"]))]
    assert not bare, f"{path.name}: cells {bare} end with a bare `...` that prints 'Ellipsis': give the answer a name"
