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

from labs.grading.grader import CELL_TIMEOUT, NOTEBOOK_TIMEOUT, check_cells, grade, grade_submission, max_points, review
from labs.grading.intake import find_reference, read_notebook, submissions_in
from labs.grading.protocol import MARKS, Mark
from labs.grading.results import ExerciseGrade, SubmissionGrade
from labs.grading.sandbox import Limits, ProcessLimitUnavailable, SandboxUnavailable, bwrap_problem, process_limit_problem

__all__ = ["CELL_TIMEOUT", "MARKS", "NOTEBOOK_TIMEOUT", "ExerciseGrade", "Limits", "Mark", "ProcessLimitUnavailable", "SandboxUnavailable",
           "SubmissionGrade", "bwrap_problem", "check_cells", "find_reference", "grade", "grade_submission",
           "max_points", "process_limit_problem", "read_notebook", "review", "submissions_in"]
