"""Typed objects the grader passes between its processes and to the report: jobs, results, grades.

A :class:`Job` goes from the grader to a worker (a JSON file); a :class:`WorkerResult` comes back
(rewritten after each graded exercise, so a worker that dies late still leaves what it graded); the
grader turns both into a :class:`SubmissionGrade`, which :mod:`labs.grading.report` writes out.
Feedback text is capped here (:data:`MAX_MESSAGE`) whatever a check or a notebook put in it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from labs.grading.protocol import Mark, RunState, Status
from labs.grading.sandbox import Limits

MAX_MESSAGE = 300
"""Characters kept of one check's message or one flag (a longer one ends in "…")."""
MAX_FLAGS = 30


def cap(text: object, limit: int = MAX_MESSAGE) -> str:
    """``text`` as one line of at most ``limit`` characters."""
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


@dataclass
class Job:
    """What a worker grades: one notebook (already read and checked by the grader)."""

    notebook: str  # path of the normalised nbformat-4 notebook, in the worker's private folder
    exercises: list[str]
    hidden: str  # folder of hidden tests (read by the worker, never by the kernel)
    result: str  # where the worker writes its WorkerResult
    workdir: str  # the worker's private folder
    cell_timeout: float
    notebook_timeout: float
    sandbox: bool = True
    limits: Limits = field(default_factory=Limits)  # every limit, so none is lost on the way to the worker
    unlimited_processes: bool = False  # the instructor chose to grade where no process limit holds
    turns: str = ""  # the run's lock file for turns on the model server (shared by the gates of one run)
    turn_seconds: float = 0.0  # how long one request may hold that turn (0: the cell limit)

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self)))

    @classmethod
    def load(cls, path: Path) -> "Job":
        data = json.loads(path.read_text())
        return cls(**{**data, "limits": Limits(**data.get("limits", {}))})


@dataclass
class CheckOutcome:
    """One public check or hidden test, as data (``labs.exercises.CheckResult`` without the object)."""

    id: str
    status: Status
    message: str = ""
    points: int = 0
    max_points: int = 0

    def to_json(self) -> dict:
        return {"id": self.id, "status": self.status.value, "message": self.message, "points": self.points,
                "max_points": self.max_points}

    @classmethod
    def from_json(cls, d: dict) -> "CheckOutcome":
        return cls(str(d["id"]), Status(d["status"]), cap(d.get("message", "")), int(d.get("points", 0)),
                   int(d.get("max_points", 0)))


@dataclass
class ExerciseResult:
    """What the worker found for one exercise; ``note`` says why it was not graded, when it was not."""

    id: str
    public: CheckOutcome | None = None
    hidden: list[CheckOutcome] = field(default_factory=list)
    note: str = ""
    at_cell: int | None = None  # the notebook cell after which it was graded

    def to_json(self) -> dict:
        return {"id": self.id, "public": self.public.to_json() if self.public else None,
                "hidden": [h.to_json() for h in self.hidden], "note": self.note, "at_cell": self.at_cell}

    @classmethod
    def from_json(cls, d: dict) -> "ExerciseResult":
        return cls(str(d["id"]), CheckOutcome.from_json(d["public"]) if d.get("public") else None,
                   [CheckOutcome.from_json(h) for h in d.get("hidden", [])], cap(d.get("note", "")), d.get("at_cell"))


@dataclass
class WorkerResult:
    """A worker's report on one notebook."""

    state: RunState = RunState.FINISHED
    detail: str = ""
    cell_errors: list[str] = field(default_factory=list)
    exercises: dict[str, ExerciseResult] = field(default_factory=dict)
    output_dropped_bytes: int = 0
    sandboxed: bool = True
    gate_refused: int = 0  # requests the gate refused (management routes, oversized bodies)
    process_limit: str = ""  # how the process limit was held: "pids cgroup", "RLIMIT_NPROC", or "" (none)
    limit_hits: int = 0  # new processes refused at the limit (pids.events), or cells that failed to fork under RLIMIT_NPROC
    slowed_by_others: float = 0.0  # seconds the notebook's requests waited while other submissions held the server
    tampering: list[str] = field(default_factory=list)  # what the worker saw, outside the kernel, that the agent cannot do
    gate_dropped_bytes: int = 0  # request/response bytes the gate did not keep (over its record budget)
    memory_limit: str = ""  # how the sandbox's total memory was held: "memory cgroup" or "" (not at all)
    turns_cut: int = 0  # replies the gate cut at the end of their turn on the model server
    longest_wait: float = 0.0  # seconds of the longest single wait for another submission's turn on the server
    given_up: int = 0  # requests the notebook's own client gave up on after waiting for other submissions' turns

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"state": self.state.value, "detail": self.detail, "cell_errors": self.cell_errors,
                                   "exercises": {k: v.to_json() for k, v in self.exercises.items()},
                                   "output_dropped_bytes": self.output_dropped_bytes, "sandboxed": self.sandboxed,
                                   "gate_refused": self.gate_refused, "process_limit": self.process_limit,
                                   "limit_hits": self.limit_hits, "slowed_by_others": self.slowed_by_others,
                                   "tampering": self.tampering, "gate_dropped_bytes": self.gate_dropped_bytes,
                                   "memory_limit": self.memory_limit, "turns_cut": self.turns_cut,
                                   "longest_wait": self.longest_wait, "given_up": self.given_up}))
        tmp.replace(path)  # atomic: the grader never reads half a file

    @classmethod
    def load(cls, path: Path) -> "WorkerResult":
        d = json.loads(path.read_text())
        return cls(RunState(d["state"]), cap(d.get("detail", "")), [cap(e) for e in d.get("cell_errors", [])],
                   {k: ExerciseResult.from_json(v) for k, v in d.get("exercises", {}).items()},
                   int(d.get("output_dropped_bytes", 0)), bool(d.get("sandboxed", True)), int(d.get("gate_refused", 0)),
                   cap(d.get("process_limit", ""), 40), int(d.get("limit_hits", 0)), float(d.get("slowed_by_others", 0.0)),
                   [cap(t) for t in d.get("tampering", [])], int(d.get("gate_dropped_bytes", 0)),
                   cap(d.get("memory_limit", ""), 40), int(d.get("turns_cut", 0)), float(d.get("longest_wait", 0.0)),
                   int(d.get("given_up", 0)))


@dataclass
class ExerciseGrade:
    """One exercise of one submission: the public check, the hidden tests, points and feedback."""

    id: str
    max_points: int
    public: CheckOutcome | None = None
    hidden: list[CheckOutcome] = field(default_factory=list)
    note: str = ""  # why it was not graded, when it was not

    @property
    def points(self) -> int:
        got = (self.public.points if self.public else 0) + sum(h.points for h in self.hidden)
        return max(0, min(got, self.max_points))

    def feedback(self) -> str:
        if self.note:
            return cap(self.note)
        parts = [f"public: {self.public.status.value}" + (f" — {cap(self.public.message)}" if self.public.message else "")
                 ] if self.public else []
        for h in self.hidden:
            parts.append(f"hidden {h.id.split(':', 1)[-1]}: {h.status.value}" + (f" — {cap(h.message)}" if h.message else ""))
        return "; ".join(parts)


@dataclass
class SubmissionGrade:
    submission: str
    notebook: str
    mark: Mark
    exercises: list[ExerciseGrade]
    flags: list[str] = field(default_factory=list)
    seconds: float = 0.0
    slowed_by_others: bool = False
    """Other submissions' turns on the model server may have changed these marks (a reply cut, a wait past a lesson's
    client timeout, a request its client gave up on, a cell out of time while the server answered): graded side by
    side, :func:`labs.grading.grade` grades such a row again alone and keeps that."""
    regraded_alone: bool = False  # these marks come from that second run, alone on the model server

    @property
    def score(self) -> int:
        return sum(e.points for e in self.exercises)

    @property
    def max_score(self) -> int:
        return sum(e.max_points for e in self.exercises)

    @property
    def percent(self) -> float:
        return 100.0 * self.score / self.max_score if self.max_score else 0.0
