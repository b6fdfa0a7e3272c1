"""Exercises from one source: prompt -> answer cell with ``...`` -> ``check("lesson1.q")`` cell.

``solutions/*.ipynb`` are the completed notebooks; ``notebooks/*.ipynb`` are generated from them by
``labs build-notebooks``, which replaces every solution region with ``...``:

* a block between ``# BEGIN SOLUTION`` and ``# END SOLUTION`` lines becomes one ``...`` line
  at the marker's indentation;
* a line ending in ``# SOLUTION`` keeps what stands before its first `` = `` and gets ``...``
  (``x = f(1)  # SOLUTION`` becomes ``x = ...``).

Checks live in ``labs.checks.<lesson>`` modules, registered with :func:`exercise`. A check never
raises into the notebook: it shows feedback, so "Run all" still reaches the end. Taught in every
lesson's closing "Exercises" section (d2l / otter-grader style).
"""

from __future__ import annotations

import copy
import importlib
import inspect
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

CheckFn = Callable[[dict], "str | None"]
_REGISTRY: dict[str, "Exercise"] = {}


class NotAnswered(Exception):
    """The learner has not replaced the ``...`` yet."""


@dataclass(frozen=True)
class Exercise:
    id: str
    points: int
    fn: CheckFn
    hint: str = ""


@dataclass
class CheckResult:
    id: str
    status: str  # "passed" | "failed" | "not answered" | "error"
    message: str = ""
    points: int = 0
    max_points: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def __repr__(self) -> str:
        mark = {"passed": "✅", "failed": "❌", "not answered": "✏️", "error": "⚠️"}[self.status]
        text = f"{mark} {self.id}: {self.status} ({self.points}/{self.max_points} points)"
        text += " — public checks only; hidden tests run when an instructor grades."
        return text + (f"\n   {self.message}" if self.message else "")


def exercise(exercise_id: str, *, points: int = 1, hint: str = "") -> Callable[[CheckFn], CheckFn]:
    """Register a check. The function gets the notebook's namespace; it returns an optional
    success message, raises :class:`NotAnswered` (use :func:`answer`) or ``AssertionError``."""

    def register(fn: CheckFn) -> CheckFn:
        _REGISTRY[exercise_id] = Exercise(exercise_id, points, fn, hint)
        return fn

    return register


def answer(namespace: dict, name: str) -> Any:
    """The learner's value for ``name``; raises :class:`NotAnswered` while it is missing or ``...``."""
    if name not in namespace or namespace[name] is Ellipsis:
        raise NotAnswered(f"`{name}` is still `...`: replace it with your answer and run the cell.")
    value = namespace[name]
    if callable(value) and _body_is_ellipsis(value):
        raise NotAnswered(f"`{name}` still has `...` as its body: write it and run the cell.")
    return value


def _body_is_ellipsis(fn: Callable) -> bool:
    try:
        source = inspect.getsource(fn)
    except (OSError, TypeError):
        return False
    lines = [ln.strip() for ln in source.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    body = [ln for ln in lines[1:] if not ln.startswith(('"""', "'''"))]
    return body == ["..."]


def lookup(exercise_id: str) -> Exercise:
    lesson = exercise_id.split(".", 1)[0]
    if exercise_id not in _REGISTRY:
        try:
            importlib.import_module(f"labs.checks.{lesson}")
        except ModuleNotFoundError:
            pass
    if exercise_id not in _REGISTRY:
        raise KeyError(f"unknown exercise {exercise_id!r}")
    return _REGISTRY[exercise_id]


def _caller_namespace() -> dict:
    try:
        from IPython import get_ipython

        shell = get_ipython()
        if shell is not None:
            return shell.user_ns
    except ImportError:
        pass
    return inspect.stack()[2].frame.f_globals


def run_check(exercise_id: str, namespace: dict) -> CheckResult:
    """Run one exercise's public check against ``namespace`` (never raises)."""
    ex = lookup(exercise_id)
    try:
        message = ex.fn(namespace)
    except NotAnswered as exc:
        return CheckResult(ex.id, "not answered", str(exc), 0, ex.points)
    except AssertionError as exc:
        hint = f" Hint: {ex.hint}" if ex.hint else ""
        return CheckResult(ex.id, "failed", f"{exc}{hint}".strip(), 0, ex.points)
    except Exception as exc:  # the learner's code raised: show it, keep going
        return CheckResult(ex.id, "error", f"{type(exc).__name__}: {exc}", 0, ex.points)
    return CheckResult(ex.id, "passed", message or "", ex.points, ex.points)


def check(exercise_id: str, namespace: dict | None = None) -> CheckResult:
    """The locked check cell of an exercise: ``check("lesson1.break_even")``."""
    return run_check(exercise_id, namespace if namespace is not None else _caller_namespace())


# --- building learner notebooks from solutions -------------------------------------------

_BEGIN = re.compile(r"^(\s*)# BEGIN SOLUTION\s*$")
_END = re.compile(r"^\s*# END SOLUTION\s*$")
_LINE = re.compile(r"^(\s*)(.*?)\s*#\s*SOLUTION\s*$")


def strip_solutions(source: str) -> str:
    """Replace solution regions in one cell's source with ``...``.

    >>> print(strip_solutions("x = 1  # SOLUTION\\ny = 2"))
    x = ...
    y = 2
    >>> print(strip_solutions("def f():\\n    # BEGIN SOLUTION\\n    return 1\\n    # END SOLUTION\\nf()"))
    def f():
        ...
    f()
    """
    out: list[str] = []
    inside = False
    for line in source.split("\n"):
        if inside:
            inside = not _END.match(line)
            continue
        if m := _BEGIN.match(line):
            out.append(f"{m.group(1)}...")
            inside = True
        elif m := _LINE.match(line):
            target = m.group(2).split(" = ", 1)[0] if " = " in m.group(2) else None
            out.append(f"{m.group(1)}{target} = ..." if target else f"{m.group(1)}...")
        else:
            out.append(line)
    if inside:
        raise ValueError("a `# BEGIN SOLUTION` has no `# END SOLUTION`")
    return "\n".join(out)


def learner_version(solution_nb: dict) -> dict:
    """The learner notebook for a solution notebook (a new dict; outputs cleared)."""
    nb = copy.deepcopy(solution_nb)
    for cell in nb["cells"]:
        src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "code":
            src = strip_solutions(src)
            cell["outputs"], cell["execution_count"] = [], None
        cell["source"] = src
    return nb


def dumps(nb: dict) -> str:
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def build_notebooks(solutions: Path, notebooks: Path) -> list[Path]:
    """Write ``notebooks/X.ipynb`` for every ``solutions/X.ipynb``; returns the paths written."""
    written = []
    for src in sorted(solutions.glob("*.ipynb")):
        dest = notebooks / src.name
        dest.write_text(dumps(learner_version(json.loads(src.read_text(encoding="utf-8")))), encoding="utf-8")
        written.append(dest)
    return written
