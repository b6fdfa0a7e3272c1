"""``labs grade`` for instructors: hostile submissions cannot change a mark, one bad file cannot stop the run.

Modules: :mod:`~labs.grading.grader` (the run), :mod:`~labs.grading.intake` (reading submissions),
:mod:`~labs.grading.worker` (one submission: sandboxed kernel, checks outside it),
:mod:`~labs.grading.sandbox` and :mod:`~labs.grading.confine` (bubblewrap and limits),
:mod:`~labs.grading.gate` / :mod:`~labs.grading.forward` (the sandbox's only way to the model server) and
:mod:`~labs.grading.evidence` (what the gate recorded, for the checks), :mod:`~labs.grading.speed` (time limits
from the server's measured speed),
:mod:`~labs.grading.agent` / :mod:`~labs.grading.remote` (answers as JSON data across the sandbox),
:mod:`~labs.grading.protocol` (every name they exchange), :mod:`~labs.grading.results` (typed jobs,
results and grades), :mod:`~labs.grading.report` (gradebook, summary, plot).
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "labs.grading.grader": ("CELL_TIMEOUT", "NOTEBOOK_TIMEOUT", "check_cells", "grade", "grade_submission", "max_points",
                            "review"),
    "labs.grading.intake": ("find_reference", "read_notebook", "submissions_in"),
    "labs.grading.protocol": ("MARKS", "Mark"),
    "labs.grading.results": ("ExerciseGrade", "SubmissionGrade"),
    "labs.grading.sandbox": ("Limits", "ProcessLimitUnavailable", "SandboxUnavailable", "bwrap_problem",
                             "process_limit_problem"),
}
_HOME = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = sorted(_HOME)


def __getattr__(name: str):
    """Import a public name's module on first use: ``labs`` commands that only read :class:`Limits` for their flags
    do not pay for the kernel machinery (PEP 562)."""
    if name not in _HOME:
        raise AttributeError(f"module 'labs.grading' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOME[name]), name)

