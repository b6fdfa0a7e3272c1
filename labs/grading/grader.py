"""``labs grade``: each submission run in a sandbox, graded outside it — for instructors.

For every file the grader

1. reads it without running anything (:mod:`labs.grading.intake`): a symbolic link or a file that
   matches no exercise notebook is refused, an unreadable one is marked, an nbformat-3 notebook is
   converted, two files from one student are flagged;
2. reviews the source against its reference notebook: a deleted or edited check cell, or code that
   patches the checker, is marked;
3. starts a worker process (:mod:`labs.grading.worker`) in a private folder. The worker runs the
   notebook's cells in a kernel inside a bubblewrap sandbox (:mod:`labs.grading.sandbox`) and grades
   each exercise at its check cell, with the public checks and hidden tests running in the worker,
   on the notebook's values passed as JSON data;
4. turns the worker's result into a mark, points and feedback: a kernel that dies keeps the points
   graded before; a worker that dies says how.

Nothing the notebook runs can reach the checks, the hidden tests, the other submissions or the report.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable, Iterable

from labs.grading.gate import MAX_RECORDED
from labs.grading.intake import Refusal, find_reference, read_notebook, safe_text, same_student, submissions_in
from labs.grading.protocol import MARKS, SERVER_SLOW, Mark, RunState
from labs.grading.results import MAX_FLAGS, ExerciseGrade, Job, SubmissionGrade, WorkerResult, cap
from labs.grading.sandbox import (WORKER_PID, Limits, ProcessLimitUnavailable, SandboxUnavailable, bwrap_problem,
                                  kill_cgroup, leftover_cgroup, leftover_cpu_cgroup, leftover_memory_cgroup, process_limit_problem,
                                  remove_stale_cgroups, worker_argv)
from labs.grading.speed import MAX_TURN, ServerSpeed, measure, stretched, turn_seconds
from labs.inputs import whole

CELL_TIMEOUT = 60.0
NOTEBOOK_TIMEOUT = 600.0
WORKER_GRACE = 120.0
"""Seconds a worker gets beyond the notebook timeout (to start, to grade the last exercise, to clean up)."""
# Every pattern is linear in the cell's length: no `\s*` after `^` under re.M (it would run on across every
# following line, quadratic on a cell of newlines) and every repetition bounded, so each start costs O(1).
SUSPICIOUS = [
    (re.compile(r"\bexercises\.\w{1,100}[ \t]{0,100}=(?!=)"), "reassigns part of labs.exercises"),
    (re.compile(r"\b_REGISTRY\b|\b_HIDDEN\b"), "touches the exercise registry"),
    (re.compile(r"setattr\([ \t\n]{0,100}(labs|exercises|checks)\b"), "patches labs with setattr"),
    (re.compile(r"^[ \t]{0,100}(check|run_check)[ \t]{0,100}=(?!=)", re.M), "rebinds check"),
    (re.compile(r"^[ \t]{0,100}def[ \t]{1,100}(check|run_check)[ \t]{0,100}\(", re.M), "redefines check"),
    (re.compile(r"sys\.modules\[[ \t]{0,100}['\"]labs"), "replaces a labs module"),
    (re.compile(r"\bCheckResult[ \t]{0,100}\("), "builds its own check result"),
    (re.compile(r"\blabs\.(checks|quiz|grading)\.[\w.]{1,200}[ \t]{0,100}=(?!=)"), "reassigns part of the checks"),
    (re.compile(r"publish_display_data|register_transformer|input_transformers|events\.register"),
     "hooks into the kernel's output or execution"),
]
REVIEW_TIMEOUT = 120.0
"""Seconds the static review of one file may take (in its own process): far more than any notebook needs
(the patterns are linear); a file that takes longer is flagged and graded without it."""

__all__ = ["CELL_TIMEOUT", "NOTEBOOK_TIMEOUT", "GradingInterrupted", "check_cells", "find_reference", "grade",
           "grade_submission", "max_points", "review", "submissions_in"]

STOP_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")
"""Signals that stop a run cleanly (Ctrl-C, ``kill``, ``timeout``, a closed terminal): every worker is killed and
every working folder (which holds a student's copy) removed before :class:`GradingInterrupted` is raised."""


class GradingInterrupted(KeyboardInterrupt):
    """:func:`grade` was stopped by one of :data:`STOP_SIGNALS`. By the time it is raised every worker and sandbox of
    the run has been killed and every working folder removed. ``graded``: the rows finished before the signal, in the
    order they finished; ``total``: how many submissions the run found; ``signal_name``: e.g. ``"SIGINT"``."""

    def __init__(self, signal_name: str, graded: list[SubmissionGrade] | None = None, total: int = 0) -> None:
        super().__init__(f"stopped by {signal_name}")
        self.signal_name, self.graded, self.total = signal_name, list(graded or []), total


def _source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell.get("source"), list) else str(cell.get("source", ""))


def check_cells(nb: dict) -> dict[str, list[str]]:
    """Each exercise id → the sources of the code cells that call ``check("<id>")``."""
    from labs.exercises import CHECK_CALL

    found: dict[str, list[str]] = {}
    for cell in nb.get("cells", []):
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            for exercise_id in CHECK_CALL.findall(_source(cell)):
                found.setdefault(exercise_id, []).append(_source(cell).strip())
    return found


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


def review_capped(nb: dict, reference: dict | None, seconds: float = REVIEW_TIMEOUT) -> tuple[list[str], list[str]]:
    """:func:`review` in a process of its own, stopped after ``seconds``: one pathological file cannot stall
    the run (nor hold the grader's threads). A review that ran out of time gives one suspicious flag."""
    try:
        done = subprocess.run([sys.executable, "-c", "from labs.grading.grader import _review_stdio; _review_stdio()"],
                              input=json.dumps([nb, reference]).encode(), capture_output=True, timeout=seconds)
    except subprocess.TimeoutExpired:
        return [], [f"the static review ran past {seconds:g} s and was stopped (a pathological cell)"]
    if done.returncode != 0:
        tail = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
        raise RuntimeError(f"the static review failed: {cap(tail[0], 200)}")
    cells, suspicious = json.loads(done.stdout)
    return [str(c) for c in cells], [str(s) for s in suspicious]


def _review_stdio() -> None:
    nb, reference = json.loads(sys.stdin.buffer.read())
    sys.stdout.write(json.dumps(review(nb, reference)))


def max_points(hidden: Path) -> dict[str, int]:
    """Every exercise's maximum: public points + hidden tests' points (read by the grader, before any
    submission runs, from the instructor's own files)."""
    import importlib

    import labs
    from labs.exercises import _REGISTRY, hidden_tests, load_hidden

    for module in sorted((Path(labs.__file__).parent / "checks").glob("*.py")):
        if module.stem != "__init__":
            try:
                importlib.import_module(f"labs.checks.{module.stem}")
            except Exception:  # a broken check module: its exercises report the error when graded
                continue
    if hidden.is_dir():
        load_hidden(hidden)
    return {i: ex.points + sum(t.points for t in hidden_tests(i)) for i, ex in _REGISTRY.items()}


def _kill_group(pid: int) -> None:
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError, OSError):
            pass


def _signal_name(code: int) -> str:
    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"signal {-code}"


def _run_worker(job: Job, workdir: Path, limit: float,
                stop: threading.Event | None = None) -> tuple[WorkerResult | None, str]:
    """Run one worker; (its result, or None, and what happened to the worker when it did not end well). Raises
    :class:`GradingInterrupted` once the worker and its sandbox are killed, when ``stop`` is set meanwhile."""
    job_file = workdir / "job.json"
    job.save(job_file)
    with (workdir / "worker.log").open("wb") as log:
        command = [sys.executable, "-m", "labs.grading.worker", str(job_file)]
        if job.sandbox:  # its socket folder, which the sandbox writes, is a capped tmpfs of the worker's own
            (workdir / "sockets").mkdir(exist_ok=True)
            command = worker_argv(workdir / "sockets", command)
        worker = subprocess.Popen(command, cwd=workdir, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
        stopped = interrupted = False
        started = time.monotonic()
        while worker.poll() is None:
            if stop is not None and stop.is_set():
                interrupted = True
                _kill_group(worker.pid)
                worker.wait()
                break
            try:  # the worker adds the time its notebook waited for other submissions' turns on the server
                waited = float((workdir / "waited").read_text() or 0)
            except (OSError, ValueError):
                waited = 0.0
            if time.monotonic() - started > limit + waited:
                stopped = True
                _kill_group(worker.pid)
                worker.wait()
                break
            try:
                worker.wait(1.0)
            except subprocess.TimeoutExpired:
                pass
    try:  # the worker's own pid (under bwrap it is not worker.pid) names its sandbox's cgroup
        worker_pid = int((workdir / WORKER_PID).read_text())
    except (OSError, ValueError):
        worker_pid = worker.pid
    kill_cgroup(leftover_cgroup(worker_pid))  # a killed worker leaves its sandbox's cgroups behind
    kill_cgroup(leftover_memory_cgroup(worker_pid))
    kill_cgroup(leftover_cpu_cgroup(worker_pid))
    returncode = worker.returncode
    if job.sandbox and returncode > 128:  # bwrap passes on a signal that killed the worker as 128 + its number
        returncode = 128 - returncode
    pid_file = workdir / "kernel.pid"
    if pid_file.exists() and pid_file.read_text().strip().isdigit():  # without a sandbox the kernel may outlive its worker
        _kill_group(int(pid_file.read_text()))
    if interrupted:
        raise GradingInterrupted("a stop signal")
    try:
        result = WorkerResult.load(Path(job.result))
    except (OSError, ValueError, KeyError, TypeError):
        result = None
    if stopped:
        return result, f"the grading worker ran past {limit:g} s (the notebook timeout plus {WORKER_GRACE:g} s) and the grader stopped it"
    if returncode < 0:
        return result, (f"the grading worker was killed by {_signal_name(returncode)} from outside the grader"
                        + (" (the system may have run out of memory)" if returncode == -signal.SIGKILL else ""))
    if returncode != 0 or result is None:
        tail = (workdir / "worker.log").read_text(errors="replace").strip().splitlines()[-1:] or ["no message"]
        return result, f"the grading worker failed (exit status {returncode}): {cap(tail[0], 200)}"
    return result, ""


def grade_submission(path: Path, *, solutions: Path, hidden: Path, maxima: dict[str, int],
                     cell_timeout: float = CELL_TIMEOUT, notebook_timeout: float = NOTEBOOK_TIMEOUT,
                     sandbox: bool = True, limits: Limits = Limits(), flags: list[str] | None = None,
                     server: "ServerSpeed | None" = None, unlimited_processes: bool = False,
                     turns: str = "", stop: threading.Event | None = None) -> SubmissionGrade:
    """Grade one file. Never raises, but :class:`GradingInterrupted` when ``stop`` is set while its worker runs:
    whatever goes wrong with one file (even in the grader) becomes its row, marked :attr:`Mark.GRADER_ERROR` when no
    other mark says it."""
    started = time.monotonic()
    try:
        return _grade_submission(path, solutions=solutions, hidden=hidden, maxima=maxima, cell_timeout=cell_timeout,
                                 notebook_timeout=notebook_timeout, sandbox=sandbox, limits=limits, flags=flags,
                                 server=server, unlimited_processes=unlimited_processes, turns=turns, stop=stop)
    except Exception as exc:  # noqa: BLE001 - one file must never stop the run
        reference = find_reference(path, solutions) if solutions.is_dir() else None
        return SubmissionGrade(safe_text(str(path)), reference.stem if reference else "?", Mark.GRADER_ERROR, [],
                               list(flags or []) + [cap(f"the grader failed on this file: {type(exc).__name__}: "
                                                        f"{safe_text(str(exc))}")],
                               round(time.monotonic() - started, 1))


def _grade_submission(path: Path, *, solutions: Path, hidden: Path, maxima: dict[str, int], cell_timeout: float,
                      notebook_timeout: float, sandbox: bool, limits: Limits, flags: list[str] | None,
                      server: "ServerSpeed | None", unlimited_processes: bool = False, turns: str = "",
                      stop: threading.Event | None = None) -> SubmissionGrade:
    started = time.monotonic()
    flags = list(flags or [])
    reference_path = find_reference(path, solutions)

    def refused(mark: Mark, reason: str, ids: list[str]) -> SubmissionGrade:
        exercises = [ExerciseGrade(i, maxima.get(i, 0), note=f"not graded: {reason}") for i in ids]
        return SubmissionGrade(safe_text(str(path)), reference_path.stem if reference_path else "?", mark, exercises,
                               flags + [f"{mark.value.lower()}: {reason}"], round(time.monotonic() - started, 1))

    if reference_path is None:
        names = ", ".join(p.name for p in sorted(solutions.glob("*.ipynb"))[:6])
        return refused(Mark.REFUSED, f"its name matches no exercise notebook in {solutions} ({names}): "
                                     "name it after one, e.g. alice-<notebook>.ipynb", [])
    reference = json.loads(reference_path.read_text(encoding="utf-8"))
    ids = list(check_cells(reference))
    try:
        nb = read_notebook(path)
    except Refusal as refusal:
        return refused(refusal.mark, refusal.reason, ids)
    cell_flags, suspicious = review_capped(nb, reference)
    flags += cell_flags + [f"suspicious: {s}" for s in suspicious]
    asked = cell_timeout
    cell_timeout, notebook_timeout = stretched(cell_timeout, notebook_timeout, server)
    if cell_timeout > asked and server is not None:
        flags.append(f"time limits raised to {cell_timeout:g} s per cell and {notebook_timeout:g} s per notebook: "
                     f"the model server ran at {server.tokens_per_s:.1f} tokens/s at the start of the run")

    workdir = Path(tempfile.mkdtemp(prefix="labs-grade-"))
    try:
        (workdir / "submission.ipynb").write_text(json.dumps(nb), encoding="utf-8")
        job = Job(notebook=str(workdir / "submission.ipynb"), exercises=ids,
                  hidden=str(hidden.resolve()), result=str(workdir / "result.json"), workdir=str(workdir),
                  cell_timeout=cell_timeout, notebook_timeout=notebook_timeout, sandbox=sandbox,
                  limits=limits, unlimited_processes=unlimited_processes,
                  turns=turns, turn_seconds=turn_seconds(cell_timeout, server) if turns else cell_timeout)
        result, worker_problem = _run_worker(job, workdir, notebook_timeout + WORKER_GRACE, stop)
    finally:
        left = remove_tree(workdir)
    if left:
        flags.append(left)
    return _assemble(path, reference_path, ids, maxima, flags, result, worker_problem, time.monotonic() - started, limits)


def remove_tree(folder: Path) -> str:
    """Delete ``folder`` whatever the sandbox left in it (a 3000-deep tree, folders without permissions); never
    raises. Returns "" or what was left behind (a flag for the row, not a grader error).

    ``shutil.rmtree`` recurses once per level before Python 3.12 and raises ``RecursionError`` even with
    ``ignore_errors``; coreutils' ``rm`` and ``chmod`` walk iteratively (fts)."""
    for attempt in (["rm", "-rf", "--one-file-system", "--", str(folder)],
                    ["chmod", "-R", "u+rwx", "--", str(folder)], ["rm", "-rf", "--one-file-system", "--", str(folder)]):
        if not os.path.lexists(folder):
            return ""
        try:
            subprocess.run(attempt, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           timeout=600, check=False)
        except (OSError, subprocess.SubprocessError):
            continue
    return "" if not os.path.lexists(folder) else f"the grader could not remove its working folder {folder}"


SLOWED_NOTE = 1.0
"""Seconds of waiting for other submissions' turns on the model server from which a row says so."""


def _assemble(path: Path, reference: Path, ids: list[str], maxima: dict[str, int], flags: list[str],
              result: WorkerResult | None, worker_problem: str, seconds: float,
              limits: Limits = Limits()) -> SubmissionGrade:
    """The worker's result → points, feedback, flags and the mark."""
    severity = [Mark.OK]
    done = result.exercises if result else {}
    if result is not None:
        flags = flags + result.cell_errors + ([result.detail] if result.detail else [])
        if result.output_dropped_bytes:
            flags.append(f"output capped: {result.output_dropped_bytes / 1e6:.1f} MB of the notebook's output was dropped")
        if result.gate_refused:
            flags.append(f"the gate refused {result.gate_refused} request(s) to the model server: graded notebooks may "
                         "not pull, create, delete, copy, push or upload blobs, send bodies over 8 MiB, stall a body, "
                         "repeat a key in one, send data after its JSON or make more than 2000 requests")
        if result.gate_dropped_bytes:
            flags.append(f"the gate kept only part of the notebook's traffic: {result.gate_dropped_bytes / 1e6:.1f} MB of "
                         f"request/response bodies over its {MAX_RECORDED // 2**20} MiB record were not kept (evidence "
                         "from them is missing)")
        if not result.sandboxed:
            flags.append("graded WITHOUT a sandbox (--no-sandbox)")
        flags += [f"suspicious (seen by the grader, outside the kernel): {t}" for t in result.tampering]
        if result.slowed_by_others >= SLOWED_NOTE:
            flags.append(f"waited {result.slowed_by_others:g} s while other submissions' requests held the model server "
                         "(not charged to this notebook's time limits)")
        if result.longest_wait > MAX_TURN:
            flags.append(f"{SERVER_SLOW} (one of its requests waited {result.longest_wait:g} s for other submissions' "
                         f"requests, longer than the {MAX_TURN:g} s a lesson's client is sure to wait: grade this file "
                         "alone, with --jobs 1)")
        if result.turns_cut:
            flags.append(f"{SERVER_SLOW} ({result.turns_cut} of its replies ran past the time one request may hold the "
                         "model server while submissions are graded side by side, and were cut: grade this file alone, "
                         "with --jobs 1, where nothing is cut)")
        if result.given_up:
            flags.append(f"{SERVER_SLOW} ({result.given_up} of its requests were given up by the notebook's own client "
                         "after waiting for other submissions' requests: grade this file alone, with --jobs 1)")
        if result.limit_hits:
            flags.append(f"process limit reached: the sandbox was held to {limits.processes} processes and threads "
                         f"({result.process_limit}; {result.limit_hits} refused); the grader and the other "
                         "submissions were not affected")
        if not result.memory_limit and result.sandboxed and result.state != RunState.NO_KERNEL:
            flags.append(f"total memory not bounded (no memory cgroup here): each process was held to "
                         f"{limits.memory_mib} MiB, up to {limits.processes} processes")
        if not result.process_limit and result.state != RunState.NO_KERNEL:
            flags.append("graded WITHOUT a process limit (--unlimited-processes)")
        if result.cell_errors or result.output_dropped_bytes:
            severity.append(Mark.ERRORS)
        severity.append({RunState.TIMEOUT: Mark.TIMEOUT, RunState.KERNEL_DIED: Mark.CRASHED,
                         RunState.NO_KERNEL: Mark.CRASHED}.get(result.state, Mark.OK))
    if worker_problem:
        flags.append(worker_problem)
        severity.append(Mark.TIMEOUT if "grader stopped it" in worker_problem else Mark.WORKER_DIED)
    why = worker_problem or (result.detail if result else "") or "the run ended before it"
    exercises = []
    for exercise_id in ids:
        got = done.get(exercise_id)
        grade = ExerciseGrade(exercise_id, maxima.get(exercise_id, 0))
        if got is not None and (got.public or got.hidden):
            grade.public, grade.hidden = got.public, got.hidden
        else:
            grade.note = got.note if got is not None and got.note else f"not graded: {why}"
        exercises.append(grade)
    if any(f.startswith("check cell edited") for f in flags):
        severity.append(Mark.CHECK_CELL_EDITED)
    if any(f.startswith("check cell deleted") for f in flags):
        severity.append(Mark.CHECK_CELL_MISSING)
    if any(f.startswith("suspicious") for f in flags):
        severity.append(Mark.TAMPERED)
    mark = max(severity, key=lambda m: MARKS.index(m.value))
    slowed = any(f.startswith(SERVER_SLOW) for f in flags)
    flags = [cap(f) for f in flags]
    if len(flags) > MAX_FLAGS:
        flags = flags[:MAX_FLAGS] + [f"… and {len(flags) - MAX_FLAGS} more"]
    return SubmissionGrade(safe_text(str(path)), reference.stem, mark, exercises, flags, round(seconds, 1),
                           slowed_by_others=slowed)


def grade(paths: Iterable[str | Path], *, solutions: str | Path = "solutions", hidden: str | Path = "grading/hidden",
          cell_timeout: float = CELL_TIMEOUT, notebook_timeout: float = NOTEBOOK_TIMEOUT, jobs: int = 1,
          sandbox: bool = True, limits: Limits = Limits(), unlimited_processes: bool = False,
          progress: Callable[[SubmissionGrade], None] | None = None) -> list[SubmissionGrade]:
    """Grade every notebook in ``paths`` (files or folders); ``jobs`` submissions at a time, each in its
    own worker and sandbox. Returns one grade per file found, in order.

    Raises ``ValueError`` for bad settings and :class:`~labs.grading.sandbox.SandboxUnavailable` when
    ``sandbox`` is on and bubblewrap cannot run here (untrusted work is never run without it by default), and
    :class:`~labs.grading.sandbox.ProcessLimitUnavailable` when no sandbox could be held to ``limits.processes``
    (root without a pids cgroup: :func:`~labs.grading.sandbox.process_limit_problem`) unless
    ``unlimited_processes`` says to grade knowingly without one. Raises :class:`GradingInterrupted` (after killing
    every worker and removing every working folder) when one of :data:`STOP_SIGNALS` arrives."""
    solutions, hidden = Path(solutions), Path(hidden)
    if not solutions.is_dir():
        raise ValueError(f"no reference notebooks at {solutions}: pass --solutions DIR")
    for name, value in (("cell timeout", cell_timeout), ("notebook timeout", notebook_timeout)):
        if not value > 0:
            raise ValueError(f"the {name} must be more than 0 seconds; got {value!r}")
    whole("jobs", jobs)
    if sandbox and (problem := bwrap_problem()):
        raise SandboxUnavailable(problem)
    remove_stale_cgroups()  # what a grader killed with kill -9 left behind (only dead owners' cgroups, by name)
    if not unlimited_processes and (problem := process_limit_problem()):
        raise ProcessLimitUnavailable(problem)
    found = submissions_in(paths)
    stop, finished = threading.Event(), []
    with _stopped_by_signals(stop) as received:
        try:
            return _grade_found(found, stop, finished, jobs, progress, solutions=solutions, hidden=hidden,
                                cell_timeout=cell_timeout, notebook_timeout=notebook_timeout, sandbox=sandbox,
                                limits=limits, unlimited_processes=unlimited_processes)
        except KeyboardInterrupt:  # a job saw the stop (GradingInterrupted), or a second Ctrl-C in this thread
            stop.set()
            raise GradingInterrupted(received[0] if received else "SIGINT", finished, len(found)) from None


class _stopped_by_signals:
    """While open, each of :data:`STOP_SIGNALS` sets ``stop`` (the jobs kill their workers within a second and
    clean up) and is named in the list it yields; a second one raises ``KeyboardInterrupt`` at once. The previous
    handlers come back on exit. Only the main thread may set handlers: elsewhere nothing is changed."""

    def __init__(self, stop: threading.Event) -> None:
        self.stop, self.received, self.previous = stop, [], {}

    def _handle(self, number: int, _frame) -> None:
        self.received.append(signal.Signals(number).name)
        if self.stop.is_set():
            raise KeyboardInterrupt
        self.stop.set()

    def __enter__(self) -> list[str]:
        if threading.current_thread() is threading.main_thread():
            for name in STOP_SIGNALS:
                number = getattr(signal, name, None)
                if number is not None:
                    self.previous[number] = signal.signal(number, self._handle)
        return self.received

    def __exit__(self, *_exc) -> None:
        for number, handler in self.previous.items():
            signal.signal(number, handler)


def _grade_found(found: list[Path], stop: threading.Event, finished: list[SubmissionGrade], jobs: int,
                 progress: Callable[[SubmissionGrade], None] | None, *, solutions: Path, hidden: Path,
                 cell_timeout: float, notebook_timeout: float, sandbox: bool, limits: Limits,
                 unlimited_processes: bool) -> list[SubmissionGrade]:
    maxima = max_points(hidden)
    duplicates = same_student(found, solutions)
    server = measure() if found else None

    def one(path: Path, turns: str = "") -> SubmissionGrade:
        if stop.is_set():
            raise GradingInterrupted("a stop signal")
        g = grade_submission(path, solutions=solutions, hidden=hidden, maxima=maxima, cell_timeout=cell_timeout,
                             notebook_timeout=notebook_timeout, sandbox=sandbox, limits=limits,
                             flags=[duplicates[path]] if path in duplicates else [], server=server,
                             unlimited_processes=unlimited_processes, turns=turns, stop=stop)
        finished.append(g)
        if progress:
            progress(g)
        return g

    if jobs == 1:
        return [one(p) for p in found]
    from concurrent.futures import ThreadPoolExecutor  # each job waits on its own worker process

    # the gates of this run take turns on the model server through this file (its time is not charged)
    with tempfile.TemporaryDirectory(prefix="labs-grade-turns-") as folder:
        turns = str(Path(folder) / "server.lock")
        Path(turns).touch()
        pool = ThreadPoolExecutor(jobs)
        try:
            futures = [pool.submit(one, p, turns) for p in found]
            rows = [f.result() for f in futures]
        finally:  # after a stop, queued submissions never start and running ones end within a second
            pool.shutdown(wait=True, cancel_futures=True)
    # A row that others slowed is graded again alone, as --jobs 1 would: with nothing else on the server nothing waits
    # and nothing is cut, so its marks are its own (a hostile file graded alone slows only itself). Fairer turns
    # could not promise this: k hostile neighbours each holding a turn still make a request wait k turns, and shorter
    # turns would cut honest replies on a slow server. Waiting only takes marks away: a clean full mark stays.
    for index, first in enumerate(rows):
        if first.slowed_by_others and first.mark == Mark.OK and first.score == first.max_score:
            first.flags.append("slowed by other submissions but full marks and OK all the same: not graded again")
        elif first.slowed_by_others:
            finished.remove(first)
            rows[index] = _regraded(one(found[index]), first, jobs)
    return rows


def _regraded(alone: SubmissionGrade, first: SubmissionGrade, jobs: int) -> SubmissionGrade:
    """``alone`` (the second run of a row that others slowed) saying so, with why the first run did not count."""
    why = "; ".join(f[len(SERVER_SLOW):].split(": grade this file")[0].strip(" ()") for f in first.flags
                    if f.startswith(SERVER_SLOW))
    alone.flags.insert(0, cap(f"re-graded alone: these marks come from a second run with nothing else on the model "
                              f"server; side by side (--jobs {jobs}) other submissions slowed it and it got "
                              f"{first.score}/{first.max_score} {first.mark.value} ({why})"))
    # graded alone, "grade this file alone" is done: a slow flag left is its own requests' (issue 12 r9 F2)
    own = [f for f in alone.flags if f.startswith(SERVER_SLOW)]
    if own:
        alone.flags = [f for f in alone.flags if not f.startswith(SERVER_SLOW)]
        alone.flags.append(cap("graded alone, its own requests still ran past the time one request may hold the model "
                               "server: nothing else was on it, so these marks stand"))
    alone.regraded_alone = True
    alone.seconds = round(alone.seconds + first.seconds, 1)
    return alone
