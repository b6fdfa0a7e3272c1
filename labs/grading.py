"""``labs grade``: run submitted notebooks, each in its own kernel, and grade them — for instructors.

For every submission the grader

1. matches it with its reference notebook in ``solutions/`` (``alice-01_self_hosted_vs_api.ipynb``
   matches ``01_self_hosted_vs_api.ipynb``), whose check cells say which exercises to grade;
2. reviews the source: a deleted or edited check cell, or code that reassigns the checker, is marked;
3. runs it in a separate worker process with its own Jupyter kernel (nbclient), in a private
   temporary folder with its own copy of the ``labs`` package and of the hidden tests, with a
   per-cell timeout (the cell is interrupted and the run goes on) and a per-notebook timeout
   (the kernel is killed);
4. then, in that kernel, purges the notebook's ``labs`` modules, imports fresh ones, reports any
   function the notebook replaced, and runs every exercise's public check and hidden tests
   (``grading/hidden/*.py``) — the notebook's own printed results are never read;
5. checks that no file of the grader (its copy, the pristine snapshot, the package on disk) changed.

A crash, a hang or tampering gives a clear mark and the run goes on; since every submission has its
own process, kernel, folder and package copy, nothing one does reaches another's grade. Limit: the
kernel runs as the instructor's user, so for untrusted code run ``labs grade`` in a container.
The report (gradebook CSV, markdown summary, score plot) is written by :mod:`labs.grading_report`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from .inputs import whole

CELL_TIMEOUT = 60.0
NOTEBOOK_TIMEOUT = 600.0
MARKS = ("OK", "ERRORS", "CHECK CELL EDITED", "CHECK CELL MISSING", "TAMPERED", "TIMEOUT", "CRASHED", "UNREADABLE")
"""From harmless to severe; a submission gets the most severe that applies."""
SUSPICIOUS = [
    (re.compile(r"\bexercises\.\w+\s*=(?!=)"), "reassigns part of labs.exercises"),
    (re.compile(r"\b_REGISTRY\b|\b_HIDDEN\b"), "touches the exercise registry"),
    (re.compile(r"setattr\(\s*(labs|exercises|checks)\b"), "patches labs with setattr"),
    (re.compile(r"^\s*(check|run_check)\s*=(?!=)", re.M), "rebinds check"),
    (re.compile(r"^\s*def\s+(check|run_check)\s*\(", re.M), "redefines check"),
    (re.compile(r"sys\.modules\[\s*['\"]labs"), "replaces a labs module"),
    (re.compile(r"\bCheckResult\s*\("), "builds its own check result"),
    (re.compile(r"\blabs\.(checks|quiz)\.[\w.]+\s*=(?!=)"), "reassigns part of the checks"),
]


@dataclass
class ExerciseGrade:
    """One exercise of one submission: the public check, the hidden tests, points and feedback."""

    id: str
    max_points: int
    public: dict = field(default_factory=dict)
    hidden: list[dict] = field(default_factory=list)
    note: str = ""  # why it was not graded, when it was not

    @property
    def points(self) -> int:
        return int(self.public.get("points", 0)) + sum(int(h.get("points", 0)) for h in self.hidden)

    def feedback(self) -> str:
        if self.note:
            return self.note
        parts = [f"public: {self.public.get('status')}" + (f" — {self.public['message']}" if self.public.get("message") else "")]
        for h in self.hidden:
            parts.append(f"hidden {h['id'].split(':', 1)[-1]}: {h['status']}" + (f" — {h['message']}" if h.get("message") else ""))
        return "; ".join(parts)


@dataclass
class SubmissionGrade:
    submission: str
    notebook: str
    mark: str
    exercises: list[ExerciseGrade]
    flags: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def score(self) -> int:
        return sum(e.points for e in self.exercises)

    @property
    def max_score(self) -> int:
        return sum(e.max_points for e in self.exercises)

    @property
    def percent(self) -> float:
        return 100.0 * self.score / self.max_score if self.max_score else 0.0


# --- reading notebooks ---------------------------------------------------------------------

def _source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell.get("source"), list) else cell.get("source", "")


def check_cells(nb: dict) -> dict[str, list[str]]:
    """Each exercise id → the sources of the code cells that call ``check("<id>")``."""
    from labs.exercises import CHECK_CALL

    found: dict[str, list[str]] = {}
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            for exercise_id in CHECK_CALL.findall(_source(cell)):
                found.setdefault(exercise_id, []).append(_source(cell).strip())
    return found


def find_reference(submission: Path, solutions: Path) -> Path | None:
    """The reference notebook whose name the submission's name contains (the longest such)."""
    names = sorted(solutions.glob("*.ipynb"), key=lambda p: -len(p.stem))
    return next((p for p in names if p.stem in submission.stem), None)


def review(nb: dict, reference: dict | None) -> tuple[list[str], list[str]]:
    """Static review: (flags about check cells, flags about suspicious code)."""
    cells: list[str] = []
    expected = check_cells(reference) if reference else {}
    got = check_cells(nb)
    for exercise_id, sources in expected.items():
        if exercise_id not in got:
            cells.append(f"check cell deleted: {exercise_id}")
        elif not set(sources) & set(got[exercise_id]):
            cells.append(f"check cell edited: {exercise_id}")
    allowed = {s for sources in expected.values() for s in sources}
    suspicious = []
    for index, cell in enumerate(nb.get("cells", []), 1):
        src = _source(cell)
        if cell.get("cell_type") != "code" or src.strip() in allowed:
            continue
        for pattern, what in SUSPICIOUS:
            if pattern.search(src):
                suspicious.append(f"cell {index} {what}")
    return cells, suspicious


# --- the grader's private files --------------------------------------------------------------

def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts}


def _digest(files: dict[str, bytes]) -> str:
    h = hashlib.sha256()
    for name, data in sorted(files.items()):
        h.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return h.hexdigest()


class Sandbox:
    """A snapshot, taken once, of the ``labs`` package and the hidden tests; every submission gets
    its own copy of it, and the grader notices when a submission changed any of them."""

    def __init__(self, hidden: Path):
        import labs

        self.package_dir = Path(labs.__file__).resolve().parent
        self.hidden_dir = hidden.resolve()
        self.files = {"labs": _tree(self.package_dir), "hidden": _tree(self.hidden_dir) if hidden.is_dir() else {}}
        self.digest = {k: _digest(v) for k, v in self.files.items()}
        self.points = _points(self.package_dir, self.hidden_dir)  # read now, before any submission runs

    def max_points(self, exercise_ids: Iterable[str]) -> dict[str, int]:
        return {i: self.points.get(i, 0) for i in exercise_ids}

    def materialise(self, root: Path) -> None:
        for part, files in self.files.items():
            for name, data in files.items():
                target = root / part / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)

    def changed(self, root: Path) -> list[str]:
        """What differs from the snapshot: in a submission's copy, and in the originals on disk."""
        out = []
        for part in self.files:
            if _digest(_tree(root / part)) != self.digest[part]:
                out.append(f"changed the grader's own copy of {part}")
        if _digest(_tree(self.package_dir)) != self.digest["labs"]:
            out.append(f"changed the labs package on disk ({self.package_dir})")
        if self.hidden_dir.is_dir() and _digest(_tree(self.hidden_dir)) != self.digest["hidden"]:
            out.append(f"changed the hidden tests on disk ({self.hidden_dir})")
        return out


# --- grading ----------------------------------------------------------------------------------

def _points(package_dir: Path, hidden: Path) -> dict[str, int]:
    """Every exercise's maximum: public points + hidden tests' points."""
    import importlib

    from labs.exercises import _REGISTRY, hidden_tests, load_hidden

    for module in sorted((package_dir / "checks").glob("*.py")):
        if module.stem != "__init__":
            try:
                importlib.import_module(f"labs.checks.{module.stem}")
            except Exception:  # a broken check module: its exercises report the error when graded
                continue
    if hidden.is_dir():
        load_hidden(hidden)
    return {i: ex.points + sum(t.points for t in hidden_tests(i)) for i, ex in _REGISTRY.items()}


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def grade_submission(path: Path, *, solutions: Path, sandbox: Sandbox, cell_timeout: float = CELL_TIMEOUT,
                     notebook_timeout: float = NOTEBOOK_TIMEOUT) -> SubmissionGrade:
    """Grade one notebook in its own worker process and kernel (never raises for a bad submission)."""
    started = time.monotonic()
    reference_path = find_reference(path, solutions)
    reference = json.loads(reference_path.read_text(encoding="utf-8")) if reference_path else None
    flags: list[str] = [] if reference_path else [f"no reference notebook in {solutions}: graded the checks it contains"]
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        assert isinstance(nb, dict) and isinstance(nb.get("cells"), list), "no cells"
    except (OSError, ValueError, AssertionError) as exc:
        ids = list(check_cells(reference)) if reference else []
        exercises = [ExerciseGrade(i, m, note="not graded: the file is not a readable notebook")
                     for i, m in sandbox.max_points(ids).items()]
        return SubmissionGrade(str(path), reference_path.stem if reference_path else "?", "UNREADABLE", exercises,
                               flags + [f"cannot read the notebook: {exc}"], time.monotonic() - started)
    ids = list(check_cells(reference or nb))
    cell_flags, suspicious = review(nb, reference)
    flags += cell_flags + [f"suspicious: {s}" for s in suspicious]
    maxima = sandbox.max_points(ids)

    tmp = Path(tempfile.mkdtemp(prefix="labs-grade-"))
    try:
        (tmp / "work").mkdir()
        sandbox.materialise(tmp / "grader")
        job = {"notebook": str(tmp / "work" / "submission.ipynb"), "exercises": ids, "cell_timeout": cell_timeout,
               "notebook_timeout": notebook_timeout, "package": str(tmp / "grader"), "hidden": str(tmp / "grader" / "hidden"),
               "pidfile": str(tmp / "kernel.pid"), "result": str(tmp / "result.json")}
        shutil.copyfile(path, job["notebook"])
        (tmp / "job.json").write_text(json.dumps(job))
        env = {**os.environ, "PYTHONPATH": str(tmp / "grader"), "LABS_PROGRESS": str(tmp / "work" / ".labs-progress.json"),
               "MPLBACKEND": "Agg", "LAB_LANG": "en", "PYTHONDONTWRITEBYTECODE": "1"}
        worker = subprocess.Popen([sys.executable, "-m", "labs.grading", "--worker", str(tmp / "job.json")], cwd=tmp,
                                  env=env, stdout=subprocess.DEVNULL, stderr=(tmp / "worker.log").open("wb"),
                                  start_new_session=True)
        try:
            worker.wait(notebook_timeout + 60)
        except subprocess.TimeoutExpired:
            pass
        for pid_file in (tmp / "kernel.pid",):
            if pid_file.exists() and pid_file.read_text().strip().isdigit():
                _kill_group(int(pid_file.read_text()))
        if worker.poll() is None:
            _kill_group(worker.pid)
            worker.wait()
        try:
            result = json.loads((tmp / "result.json").read_text())
        except (OSError, ValueError):
            log = (tmp / "worker.log").read_text(errors="replace")[-500:]
            result = {"state": "timeout" if worker.returncode in (-9, None) else "crashed", "cells": [],
                      "payloads": [], "detail": f"the grading worker stopped: {log.strip() or worker.returncode}"}
        tampered = sandbox.changed(tmp / "grader")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return _assemble(path, reference_path, ids, maxima, flags, result, tampered, time.monotonic() - started)


def _assemble(path: Path, reference: Path | None, ids: list[str], maxima: dict[str, int], flags: list[str],
              result: dict, tampered: list[str], seconds: float) -> SubmissionGrade:
    """Turn the worker's result into a grade: points, feedback, flags and the mark."""
    state = result.get("state", "crashed")
    flags = flags + list(result.get("cells", [])) + ([result["detail"]] if result.get("detail") else [])
    payloads = {p["id"]: p for p in result.get("payloads", []) if p.get("kind") == "exercise"}
    begin = next((p for p in result.get("payloads", []) if p.get("kind") == "begin"), {})
    if begin.get("error"):
        flags.append(begin["error"])
    dynamic = list(tampered) + list(begin.get("tampering", []))
    why = {"timeout": "not graded: the notebook ran past its time limit and was stopped",
           "crashed": "not graded: the kernel died"}.get(state, "not graded: its grading cell was interrupted or failed")
    if tampered:  # the grader's own files changed under it: nothing it reported can be trusted
        payloads, why = {}, "not graded: the notebook changed the grader's files"
    exercises = []
    for exercise_id in ids:
        got = payloads.get(exercise_id)
        grade = ExerciseGrade(exercise_id, maxima[exercise_id], got["public"], got["hidden"]) if got else None
        if grade and grade.points > grade.max_points:
            dynamic.append(f"{exercise_id} reported {grade.points} points of {grade.max_points}")
            grade = None
        exercises.append(grade or ExerciseGrade(exercise_id, maxima[exercise_id], note=why))
    flags += [f"TAMPERED: {t}" for t in dynamic]
    severity = ["OK"]
    if result.get("cells"):
        severity.append("ERRORS")
    if any(f.startswith("check cell edited") for f in flags):
        severity.append("CHECK CELL EDITED")
    if any(f.startswith("check cell deleted") for f in flags):
        severity.append("CHECK CELL MISSING")
    if dynamic or any(f.startswith("suspicious") for f in flags):
        severity.append("TAMPERED")
    if state in ("timeout", "crashed"):
        severity.append(state.upper())
    mark = max(severity, key=MARKS.index)
    return SubmissionGrade(str(path), reference.stem if reference else "?", mark, exercises, flags, round(seconds, 1))


def submissions_in(paths: Iterable[str | Path]) -> list[Path]:
    """Expand files and folders (recursively) into the notebooks to grade, in a stable order."""
    found: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found += sorted(q for q in p.rglob("*.ipynb") if ".ipynb_checkpoints" not in q.parts)
        elif p.exists():
            found.append(p)
        else:
            raise ValueError(f"{p} does not exist: give notebook files or folders that contain them")
    return found


def grade(paths: Iterable[str | Path], *, solutions: str | Path = "solutions", hidden: str | Path = "grading/hidden",
          cell_timeout: float = CELL_TIMEOUT, notebook_timeout: float = NOTEBOOK_TIMEOUT, jobs: int = 1,
          progress: Callable[[SubmissionGrade], None] | None = None) -> list[SubmissionGrade]:
    """Grade every notebook in ``paths`` (files or folders); ``jobs`` submissions at a time, each in
    its own worker process and kernel. Returns the grades in the order of the paths."""
    solutions, hidden = Path(solutions), Path(hidden)
    if not solutions.is_dir():
        raise ValueError(f"no reference notebooks at {solutions}: pass --solutions DIR")
    for name, value in (("cell timeout", cell_timeout), ("notebook timeout", notebook_timeout)):
        if not value > 0:
            raise ValueError(f"the {name} must be more than 0 seconds; got {value!r}")
    whole("jobs", jobs)
    sandbox = Sandbox(hidden)
    found = submissions_in(paths)

    def one(path: Path) -> SubmissionGrade:
        g = grade_submission(path, solutions=solutions, sandbox=sandbox, cell_timeout=cell_timeout,
                             notebook_timeout=notebook_timeout)
        if progress:
            progress(g)
        return g

    if jobs == 1:
        return [one(p) for p in found]
    from concurrent.futures import ThreadPoolExecutor  # each job waits on its own worker process

    with ThreadPoolExecutor(jobs) as pool:
        return list(pool.map(one, found))


if __name__ == "__main__" and sys.argv[1:2] == ["--worker"]:
    from labs.grading_worker import work

    sys.exit(work(Path(sys.argv[2])))
