"""Every name the grader's processes exchange, once: marks, run states, agent operations, value kinds.

Three processes take part in grading one submission (see :mod:`labs.grading`): the grader, a worker
(outside the sandbox) and the submission's kernel (inside it). The worker asks the kernel's agent
for values and function calls with an :class:`Op`; the agent answers with one display-data output of
MIME type :data:`REPLY_MIME` whose value has a :class:`Kind`. Values that JSON cannot carry are
tagged dicts (key :data:`TAG`, value a :class:`Tag`).
"""

from __future__ import annotations

from enum import Enum


class Mark(str, Enum):
    """A submission's mark, from harmless to severe (a submission gets the most severe that applies)."""

    OK = "OK"
    ERRORS = "ERRORS"
    CHECK_CELL_EDITED = "CHECK CELL EDITED"
    CHECK_CELL_MISSING = "CHECK CELL MISSING"
    TAMPERED = "TAMPERED"
    TIMEOUT = "TIMEOUT"
    CRASHED = "CRASHED"
    WORKER_DIED = "WORKER DIED"
    GRADER_ERROR = "GRADER ERROR"
    UNREADABLE = "UNREADABLE"
    REFUSED = "REFUSED"


MARKS: tuple[str, ...] = tuple(m.value for m in Mark)
"""The marks' names in order of severity."""


class RunState(str, Enum):
    """How the worker's run of a notebook ended."""

    FINISHED = "finished"
    TIMEOUT = "timeout"  # the notebook ran past its time limit; the worker killed the sandbox
    KERNEL_DIED = "kernel died"  # the kernel exited or crashed on its own
    NO_KERNEL = "kernel did not start"


class Status(str, Enum):
    """The outcome of one public check or hidden test (``labs.exercises.CheckResult.status``)."""

    PASSED = "passed"
    FAILED = "failed"
    NOT_ANSWERED = "not answered"
    ERROR = "error"


class Op(str, Enum):
    """What the worker asks the agent in the kernel."""

    GET = "get"  # a name in the notebook's namespace
    CALL = "call"  # call a function the agent handed out earlier


class Kind(str, Enum):
    """What a name or a call's result turned out to be."""

    DATA = "data"  # plain JSON data (with tags)
    MISSING = "missing"  # the name is not defined
    FUNCTION = "function"  # callable: the worker may call it through the agent
    RAISED = "raised"  # the call raised


class Tag(str, Enum):
    """Values inside data that plain JSON cannot carry."""

    ELLIPSIS = "ellipsis"
    TUPLE = "tuple"
    SET = "set"
    FLOAT = "float"  # nan and the infinities, as text
    PAIRS = "pairs"  # a dict whose keys are not all strings
    DATACLASS = "dataclass"  # an instance of a dataclass of the labs package: rebuilt from its fields
    FUNCTION = "function"
    OPAQUE = "opaque"  # anything else: only its type name and a short repr cross


REPLY_FIELDS: dict[str, frozenset[str]] = {
    Kind.DATA.value: frozenset({"kind", "value"}),
    Kind.FUNCTION.value: frozenset({"kind", "function"}),
    Kind.MISSING.value: frozenset({"kind"}),
    Kind.RAISED.value: frozenset({"kind", "type", "message", "interrupted"}),
}
"""The fields of each kind of reply the agent sends (:mod:`labs.grading.agent`): the worker takes any other
shape as evidence that code in the notebook rewrote the reply (``TAMPERED``), and uses none of it. The agent
and the worker build every reply with :func:`reply` and test one with :func:`is_reply`, so the two cannot
disagree."""


def reply(kind: Kind, **fields: object) -> dict:
    """A reply of ``kind`` with exactly the fields :data:`REPLY_FIELDS` lists for it.

    Raises ``ValueError`` when a field is missing or extra (a grader bug, caught by the tests)."""
    payload = {"kind": kind.value, **fields}
    if set(payload) != REPLY_FIELDS[kind.value]:
        raise ValueError(f"a {kind.value} reply has the fields {sorted(REPLY_FIELDS[kind.value])}, "
                         f"not {sorted(payload)}")
    return payload


def is_reply(data: object) -> bool:
    """True when ``data`` has the shape of a reply the agent can send (:func:`reply`)."""
    kind = data.get("kind") if isinstance(data, dict) else None
    return isinstance(kind, str) and REPLY_FIELDS.get(kind) == set(data)  # type: ignore[arg-type]


TAG = "__labs_value__"
REPLY_MIME = "application/vnd.labs.grading-reply+json"
SERVER_SLOW = "server slow: re-grade"
"""Begins the flag of a cell that ran out of time while the model server was still answering it."""
AGENT = "_labs_grading_agent"
"""The agent's name in the kernel's namespace."""
