"""The grader's side inside a submission's kernel (run by :mod:`labs.grading`, never by learners).

After the learner's cells have run, the grader purges every ``labs`` module from the kernel, imports
them afresh from its own private copy of the package, compares what the notebook left behind with
the fresh modules (a replaced ``run_check``, a patched check, a faked registry entry are all
reported), loads the hidden tests, and runs each exercise's public check and hidden tests against the
notebook's namespace. Results leave the kernel as display data of one MIME type, tagged with a nonce
the notebook could not know while it ran.
"""

from __future__ import annotations

import importlib
import sys
import types
from pathlib import Path
from typing import Any

MIME = "application/vnd.labs.grade+json"
_STATE: dict[str, Any] = {}


def _emit(payload: dict) -> None:
    from IPython.display import publish_display_data

    publish_display_data({MIME: {**payload, "nonce": _STATE["nonce"]}})


def _code_id(fn: Any) -> tuple | None:
    code = getattr(fn, "__code__", None)
    return None if code is None else (code.co_filename, code.co_name, code.co_code)


def _origin(fn: Any) -> str:
    code = getattr(fn, "__code__", None)
    return f"{code.co_filename}:{code.co_firstlineno}" if code is not None else repr(fn)[:60]


def _compare_function(where: str, old: Any, fresh: Any, problems: list[str]) -> None:
    if _code_id(old) is None:
        return
    if _code_id(fresh) is None or _code_id(old) != _code_id(fresh):
        problems.append(f"{where} was replaced (now defined at {_origin(old)})")


def _compare_module(name: str, old: types.ModuleType, fresh: types.ModuleType, problems: list[str]) -> None:
    for attr, value in list(vars(old).items()):
        if attr.startswith("__"):
            continue
        new = getattr(fresh, attr, None)
        if callable(value) and not isinstance(value, type):  # see through lru_cache and functools.wraps
            value, new = getattr(value, "__wrapped__", value), getattr(new, "__wrapped__", new)
        if isinstance(value, types.FunctionType):
            if getattr(value, "__module__", None) == name or _code_id(new) is not None:
                _compare_function(f"{name}.{attr}", value, new, problems)
        elif isinstance(value, type) and getattr(value, "__module__", None) == name and isinstance(new, type):
            for key, member in list(vars(value).items()):
                fresh_member = vars(new).get(key)
                if isinstance(member, property):
                    member, fresh_member = member.fget, getattr(fresh_member, "fget", None)
                if isinstance(member, types.FunctionType):
                    _compare_function(f"{name}.{attr}.{key}", member, fresh_member, problems)
    registry = vars(old).get("_REGISTRY")
    if name == "labs.exercises" and isinstance(registry, dict):
        for exercise_id, entry in list(registry.items()):
            try:
                fresh_entry = fresh.lookup(exercise_id)
            except KeyError:
                problems.append(f"exercise {exercise_id} was added to the registry by the notebook")
                continue
            _compare_function(f"the check of {exercise_id}", getattr(entry, "fn", None), fresh_entry.fn, problems)
            if getattr(entry, "points", None) != fresh_entry.points:
                problems.append(f"the points of {exercise_id} were changed")


def begin(nonce: str, package_root: str, hidden_dir: str, before: dict[str, types.ModuleType]) -> None:
    """Called once after the learner's cells (``before``: the labs modules the notebook had)."""
    _STATE.update(nonce=nonce, hidden=hidden_dir)
    problems: list[str] = []
    root = str(Path(package_root).resolve())
    for name, module in sorted(before.items()):
        try:
            fresh = importlib.import_module(name)
        except Exception:
            continue
        _compare_module(name, module, fresh, problems)
    strays = [m for m, mod in sys.modules.items()
              if (m == "labs" or m.startswith("labs.")) and getattr(mod, "__file__", None)
              and not str(Path(mod.__file__).resolve()).startswith(root)]
    if strays:
        problems.append(f"labs modules were loaded from outside the grader's copy: {', '.join(sorted(strays))}")
    finders = [type(f).__name__ if not isinstance(f, type) else f.__name__ for f in sys.meta_path
               if getattr(f, "__module__", "") in ("__main__", "builtins") or "ipython-input" in str(getattr(f, "__module__", ""))]
    if finders:
        problems.append(f"the notebook installed import hooks: {', '.join(finders)}")
    from labs.exercises import load_hidden

    error = ""
    try:
        load_hidden(Path(hidden_dir))
    except Exception as exc:  # a broken hidden test file is the instructor's problem: report it
        error = f"hidden tests failed to load: {type(exc).__name__}: {exc}"
    _emit({"kind": "begin", "tampering": problems, "error": error})


def grade(exercise_id: str) -> None:
    """Run one exercise's public check and hidden tests against the notebook's namespace."""
    from IPython import get_ipython

    from labs.exercises import run_check, run_hidden

    namespace = get_ipython().user_ns
    try:
        public = run_check(exercise_id, namespace).as_dict()
    except KeyError as exc:
        public = {"id": exercise_id, "status": "error", "message": f"unknown exercise: {exc}", "points": 0, "max_points": 0}
    hidden = [r.as_dict() for r in run_hidden(exercise_id, namespace)]
    _emit({"kind": "exercise", "id": exercise_id, "public": public, "hidden": hidden})
