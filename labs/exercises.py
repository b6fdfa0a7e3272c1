"""Exercises from one source: prompt -> answer cell with ``...`` -> ``check("lesson1.q")`` cell.

``solutions/*.ipynb`` are the completed notebooks; ``notebooks/*.ipynb`` are generated from them by
``labs build-notebooks``, which replaces every solution region with ``...``:

* a block between ``# BEGIN SOLUTION`` and ``# END SOLUTION`` lines becomes one ``...`` line
  at the marker's indentation (inside a function); at a cell's top level it becomes ``name = ...`` for
  each name the block assigns, or nothing when the cell already has such a stub line above the block,
  so an answer cell never ends by displaying ``Ellipsis``;
* a line ending in ``# SOLUTION`` keeps what stands before its first `` = `` and gets ``...``
  (``x = f(1)  # SOLUTION`` becomes ``x = ...``).

Checks live in ``labs.checks.<lesson>`` modules, registered with :func:`exercise`. A check never
raises into the notebook: it shows feedback, so "Run all" still reaches the end. Taught in every
lesson's closing "Exercises" section (d2l / otter-grader style).

Honest reporting: a passing public check says "public checks passed, hidden tests pending". Hidden
instructor tests live outside the learner notebooks and outside this package (``grading/hidden/*.py``),
register with :func:`hidden_test`, and run only under ``labs grade`` (:mod:`labs.grading`).
Every ``check(...)`` also saves its result in the learner's progress file (:mod:`labs.quiz.progress`).
"""

from __future__ import annotations

import ast
import copy
import importlib
import inspect
import json
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

CheckFn = Callable[[dict], "str | None"]
_REGISTRY: dict[str, "Exercise"] = {}
_HIDDEN: dict[str, list["HiddenTest"]] = {}
CHECK_CALL = re.compile(r"""\bcheck\(\s*["']([\w.\-]+)["']""")
"""A check cell's call, ``check("lesson1.break_even")``: how notebooks and the grader find exercises."""


class NotAnswered(Exception):
    """The learner has not replaced the ``...`` yet."""


@dataclass(frozen=True)
class Exercise:
    id: str
    points: int
    fn: CheckFn
    hint: str | Callable[[], str] = ""

    def hint_text(self) -> str:
        """The hint as the learner reads it now: a callable hint (a lambda calling ``labs.i18n.t``) is resolved
        at display time, so a ``LAB_LANG`` set after the checks were imported still picks the language."""
        return self.hint() if callable(self.hint) else self.hint


@dataclass
class CheckResult:
    id: str
    status: str  # "passed" | "failed" | "not answered" | "error"
    message: str = ""
    points: int = 0
    max_points: int = 0
    extra: dict = field(default_factory=dict)
    kind: str = "public"  # "public" check (shown to learners) or "hidden" instructor test

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def __repr__(self) -> str:  # in the learner's language (LAB_LANG), from labs/data/messages.yaml
        from labs.i18n import t

        mark = {"passed": "✅", "failed": "❌", "not answered": "✏️", "error": "⚠️"}[self.status]
        if self.kind == "hidden":
            status = t("check.hidden_passed" if self.passed else f"check.status.{self.status}")
            return f"{mark} {self.id}: " + t("check.hidden", status=status, points=self.points,
                                             max_points=self.max_points) + (f"\n   {self.message}" if self.message else "")
        text = f"{mark} {self.id}: {t(f'check.status.{self.status}')} " + t(
            "check.public_points", points=self.points, max_points=self.max_points)
        if self.passed:
            text += t("check.instructor_grades")
        return text + (f"\n   {self.message}" if self.message else "")

    def as_dict(self) -> dict:
        return {"id": self.id, "status": self.status, "message": self.message, "points": self.points,
                "max_points": self.max_points}


@dataclass(frozen=True)
class HiddenTest:
    """An instructor's test of an exercise, run only by ``labs grade``."""

    exercise_id: str
    name: str
    points: int
    fn: CheckFn


def exercise(exercise_id: str, *, points: int = 1,
             hint: str | Callable[[], str] = "") -> Callable[[CheckFn], CheckFn]:
    """Register a check. The function gets the notebook's namespace; it returns an optional
    success message, raises :class:`NotAnswered` (use :func:`answer`) or ``AssertionError``.

    ``hint`` is shown after a failed check: a plain string, or a callable returning one, resolved when
    the result is shown (``hint=lambda: t("checks.lesson1.capacity.hint")`` reads the message catalogue
    in the learner's language, :mod:`labs.i18n`)."""

    def register(fn: CheckFn) -> CheckFn:
        _REGISTRY[exercise_id] = Exercise(exercise_id, points, fn, hint)
        return fn

    return register


def answer(namespace: dict, name: str) -> Any:
    """The learner's value for ``name``; raises :class:`NotAnswered` while it is missing or ``...``."""
    from labs.i18n import t

    if name not in namespace:
        raise NotAnswered(t("check.not_defined", name=name))
    if namespace[name] is Ellipsis:
        raise NotAnswered(t("check.not_answered_ellipsis", name=name))
    value = namespace[name]
    if callable(value) and _body_is_ellipsis(value):
        raise NotAnswered(t("check.body_ellipsis", name=name))
    return value


def answers(namespace: dict, *names: str) -> list[Any]:
    """:func:`answer` for several names at once: while any is still ``...`` or not defined, one
    :class:`NotAnswered` names them all, so the learner does not learn of the second blank only after filling the
    first (lesson 5's q4). A name that is not defined at all (its cell was never run) is said so, not "still
    ``...``": the learner may have written it and only not run the cell."""
    from labs.i18n import t

    def listed(group: list[str]) -> str:
        if len(group) == 1:
            return f"`{group[0]}`"
        return t("check.and", first=", ".join(f"`{n}`" for n in group[:-1]), last=f"`{group[-1]}`")

    undefined = [n for n in names if n not in namespace]
    dots = [n for n in names if n in namespace and namespace[n] is Ellipsis]
    if len(undefined) + len(dots) > 1:
        said = []
        if dots:
            said.append(t("check.not_answered_many", names=listed(dots)) if len(dots) > 1
                        else t("check.not_answered_ellipsis", name=dots[0]))
        if undefined:
            said.append(t("check.not_defined_many", names=listed(undefined)) if len(undefined) > 1
                        else t("check.not_defined", name=undefined[0]))
        raise NotAnswered(" ".join(said))
    return [answer(namespace, n) for n in names]


def _body_is_ellipsis(fn: Callable) -> bool:
    said = getattr(fn, "labs_body_is_ellipsis", None)  # a function in the grader's sandbox reports it (labs.grading.remote)
    if isinstance(said, bool):
        return said
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
        from labs.i18n import t

        said, text = ex.hint_text(), str(exc).rstrip()
        # a sentence ends before the hint starts; a closing bracket or quote ends one only after its own full stop
        if said and text and not text.rstrip(")»\"'").endswith((".", "!", "?", "…", ":", ";")):
            text += "."
        hint = " " + t("check.hint", hint=said) if said else ""
        return CheckResult(ex.id, "failed", f"{text}{hint}".strip(), 0, ex.points)
    except Exception as exc:  # the learner's code raised: show it with a hint where the cause is known, keep going
        from labs.quiz.hints import explain_error

        return CheckResult(ex.id, "error", explain_error(exc), 0, ex.points)
    return CheckResult(ex.id, "passed", message or "", ex.points, ex.points)


def check(exercise_id: str, namespace: dict | None = None) -> CheckResult:
    """The locked check cell of an exercise: ``check("lesson1.break_even")``.

    Runs the public check and saves its result in the progress file (best effort: a read-only
    folder costs the saving, never the check)."""
    result = run_check(exercise_id, namespace if namespace is not None else _caller_namespace())
    try:
        from labs.quiz.progress import record_exercise

        record_exercise(result.id, status=result.status, points=result.points, max_points=result.max_points)
    except OSError:
        pass
    return result


# --- hidden instructor tests ---------------------------------------------------------------

def hidden_test(exercise_id: str, *, points: int = 1, name: str | None = None) -> Callable[[CheckFn], CheckFn]:
    """Register an instructor's hidden test (in ``grading/hidden/<lesson>.py``, never in ``labs``).

    Same contract as a public check: the function gets the notebook's namespace and returns an
    optional message or raises ``AssertionError`` / :class:`NotAnswered`."""

    def register(fn: CheckFn) -> CheckFn:
        tests = _HIDDEN.setdefault(exercise_id, [])
        test = HiddenTest(exercise_id, name or fn.__name__, points, fn)
        tests[:] = [t for t in tests if t.name != test.name] + [test]
        return fn

    return register


def hidden_tests(exercise_id: str) -> list[HiddenTest]:
    return list(_HIDDEN.get(exercise_id, ()))


def run_hidden(exercise_id: str, namespace: dict) -> list[CheckResult]:
    """Run every hidden test of one exercise (never raises); one result per test."""
    results = []
    for test in hidden_tests(exercise_id):
        ref = f"{exercise_id}:{test.name}"
        try:
            message = test.fn(namespace)
        except NotAnswered as exc:
            results.append(CheckResult(ref, "not answered", str(exc), 0, test.points, kind="hidden"))
        except AssertionError as exc:
            results.append(CheckResult(ref, "failed", str(exc), 0, test.points, kind="hidden"))
        except Exception as exc:
            results.append(CheckResult(ref, "error", f"{type(exc).__name__}: {exc}", 0, test.points, kind="hidden"))
        else:
            results.append(CheckResult(ref, "passed", message or "", test.points, test.points, kind="hidden"))
    return results


def load_hidden(directory: Path) -> list[str]:
    """Import every ``*.py`` in ``directory`` afresh so its :func:`hidden_test` functions register;
    returns the module names loaded. Used by the grader inside the submission's kernel."""
    import importlib.util

    loaded = []
    for path in sorted(Path(directory).glob("*.py")):
        name = f"_labs_hidden_{path.stem}"
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            continue
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        loaded.append(name)
    return loaded


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
    block: list[str] | None = None
    indent = ""
    for line in source.split("\n"):
        if block is not None:
            if _END.match(line):
                out += _block_stub(block, indent, out)
                block = None
            else:
                block.append(line)
            continue
        if m := _BEGIN.match(line):
            indent, block = m.group(1), []
        elif m := _LINE.match(line):
            target = m.group(2).split(" = ", 1)[0] if " = " in m.group(2) else None
            out.append(f"{m.group(1)}{target} = ..." if target else f"{m.group(1)}...")
        else:
            out.append(line)
    if block is not None:
        raise ValueError("a `# BEGIN SOLUTION` has no `# END SOLUTION`")
    return "\n".join(out)


_STUB = re.compile(r"^(\w+)\s*=\s*\.\.\.(\s*#.*)?$")


def _block_stub(block: list[str], indent: str, before: list[str]) -> list[str]:
    """What a solution block becomes: ``...`` inside a function; at top level the names it assigns as
    ``name = ...`` (nothing when a line above already stubs one of them), never a bare ``...`` that
    IPython would display as ``Ellipsis`` (issue 17).

    >>> _block_stub(["x = 1", "y, z = 2, 3"], "", [])
    ['x = ...', 'y = ...', 'z = ...']
    >>> _block_stub(["helper = 1", "x = helper + 1"], "", ["x = ...   # a number"])
    []
    """
    if indent:
        return [f"{indent}..."]
    try:
        tree = ast.parse(textwrap.dedent("\n".join(block)))
    except SyntaxError:
        return ["..."]
    names: list[str] = []
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, (ast.AnnAssign, ast.AugAssign)) else [])
        for target in targets:  # names and unpacked names; `obj.x = ...` or `d[k] = ...` define nothing new
            if isinstance(target, (ast.Name, ast.Tuple, ast.List, ast.Starred)):
                names += [n.id for n in ast.walk(target) if isinstance(n, ast.Name) and n.id not in names]
    stubbed = {m.group(1) for line in before if (m := _STUB.match(line))}
    if stubbed & set(names):
        return []
    return [f"{name} = ..." for name in names] or ["..."]


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


def exercise_ids(nb: dict) -> list[str]:
    """The exercises a notebook checks, in order: every ``check("...")`` in its code cells.

    >>> exercise_ids({"cells": [{"cell_type": "code", "source": 'check("lesson1.a")'}]})
    ['lesson1.a']
    """
    found: list[str] = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            found += [i for i in CHECK_CALL.findall(src) if i not in found]
    return found


def out_of_sync(solutions: Path, notebooks: Path) -> list[str]:
    """What differs between ``notebooks/`` and what ``build_notebooks`` would write from ``solutions/``
    (empty when they agree). The CI test of "exercises from one source" calls this."""
    problems = []
    sources = {p.name: p for p in Path(solutions).glob("*.ipynb")}
    built = {p.name: p for p in Path(notebooks).glob("*.ipynb")}
    for name in sorted(set(built) - set(sources)):
        problems.append(f"notebooks/{name} has no solutions/{name}: delete it or add the solution notebook")
    for name, src in sorted(sources.items()):
        if name not in built:
            problems.append(f"notebooks/{name} is missing: run `labs build-notebooks`")
            continue
        expected = dumps(learner_version(json.loads(src.read_text(encoding="utf-8"))))
        if built[name].read_text(encoding="utf-8") != expected:
            problems.append(f"notebooks/{name} differs from what solutions/{name} generates: run `labs build-notebooks`")
    return problems


def build_notebooks(solutions: Path, notebooks: Path) -> list[Path]:
    """Write ``notebooks/X.ipynb`` for every ``solutions/X.ipynb``, then every translated edition
    (``solutions/uk/X.ipynb`` and ``notebooks/uk/X.ipynb``, :mod:`labs.translations`); returns the paths written."""
    from labs.translations import build_editions

    written = []
    for src in sorted(solutions.glob("*.ipynb")):
        dest = notebooks / src.name
        dest.write_text(dumps(learner_version(json.loads(src.read_text(encoding="utf-8")))), encoding="utf-8")
        written.append(dest)
    return written + build_editions(solutions, notebooks)
