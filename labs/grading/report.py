"""The report of ``labs grade``: a gradebook (CSV), a summary (markdown) and a score plot (PNG).

The gradebook has one row per submission: its mark, score, percent, the points of every exercise and
the flags. The summary shows the same as tables a person reads, the score distribution, how each
exercise went, what every mark means, and per submission the feedback of every public check and
hidden test. Written by :func:`write_report` from :func:`labs.grading.grade`'s results.

Everything a submission can influence (its file name, flags, check messages) is capped
(:func:`labs.grading.results.cap`) and escaped: markdown and HTML characters lose their meaning in
``summary.md``, and a CSV field cannot start a spreadsheet formula.
"""

from __future__ import annotations

import contextlib
import csv
import os
import re
import secrets
import tempfile
import unicodedata
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

from labs.grading.intake import safe_text
from labs.grading.protocol import MARKS, Mark
from labs.grading.results import SubmissionGrade, cap

MEANING = {
    Mark.OK: "ran to the end; every check cell present",
    Mark.ERRORS: "some cells raised an error, ran past the per-cell time limit (interrupted) or printed more than "
                 "the output cap, or the kernel sent a message the grader could not read (skipped); the rest was graded",
    Mark.CHECK_CELL_EDITED: "a check cell differs from the reference; the grader ran the real checks anyway",
    Mark.CHECK_CELL_MISSING: "a check cell was deleted; the grader ran the real checks at the end of the notebook",
    Mark.TAMPERED: "the notebook contains code that patches the checker or the kernel; it could not reach the "
                   "grader's checks (they run outside its sandbox), so the points are the checks' own",
    Mark.TIMEOUT: "the notebook ran past its time limit and its sandbox was stopped; exercises graded before keep "
                  "their points, the rest got 0",
    Mark.CRASHED: "the kernel died; exercises graded before keep their points, the rest got 0",
    Mark.WORKER_DIED: "the grader's worker process died (see the flag: killed by a signal, out of memory...); "
                      "exercises graded before keep their points",
    Mark.GRADER_ERROR: "the grader itself failed on this file (the flag has the exception); the other files were "
                       "graded — re-grade this one and report the flag",
    Mark.UNREADABLE: "the file is not a notebook the grader can read (the flag says why); 0 points",
    Mark.REFUSED: "not graded: a symbolic link, too large, or no exercise notebook matches its name",
}
FILES = ("gradebook.csv", "summary.md", "scores.png")


_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()#+!|~>"} | {"<": "&lt;", "&": "&amp;", "@": "&#64;"})
_AUTOLINK = re.compile(r"(?i)(://|\bwww\.)")


def _cell(text: object, limit: int = 300) -> str:
    """Submission-controlled text for a markdown table: one capped line, markdown and HTML inert, no autolinks
    (GFM links bare ``http://``, ``www.`` and e-mail addresses: their ``:``, ``.`` and ``@`` become entities)."""
    line = safe_text(cap(text, limit)).translate(_MARKDOWN)
    return _AUTOLINK.sub(lambda m: "&#58;//" if m.group(1) == "://" else m.group(1)[:3] + "&#46;", line)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv(value: object) -> object:
    """A CSV field that a spreadsheet shows as text, never runs as a formula (checked after NFKC folding, so a
    full-width ``＝`` counts as ``=``; leading spaces too)."""
    if isinstance(value, str):
        value = safe_text(cap(value, 2000))
        return "'" + value if unicodedata.normalize("NFKC", value).lstrip(" ")[:1] in FORMULA_STARTS else value
    return value


def exercise_columns(grades: Sequence[SubmissionGrade]) -> list[str]:
    seen: list[str] = []
    for g in grades:
        seen += [e.id for e in g.exercises if e.id not in seen]
    return seen


def write_gradebook(grades: Sequence[SubmissionGrade], path: Path) -> Path:
    columns = exercise_columns(grades)
    with path.open("w", newline="", encoding="utf-8", errors="backslashreplace") as out:
        writer = csv.writer(out)
        writer.writerow(["submission", "notebook", "mark", "score", "max_score", "percent", *columns, "seconds", "flags"])
        for g in grades:
            points = {e.id: e.points for e in g.exercises}
            writer.writerow([_csv(g.submission), _csv(g.notebook), g.mark.value, g.score, g.max_score, f"{g.percent:.1f}",
                             *[points.get(c, "") for c in columns], g.seconds, _csv(" | ".join(g.flags))])
    return path


def plot_scores(grades: Sequence[SubmissionGrade], path: Path) -> Path:
    """A histogram of the scores in percent (no pyplot: safe inside a notebook or a server)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 4), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    values = [g.percent for g in grades]
    ax.hist(values, bins=list(range(0, 101, 10)), edgecolor="black", color="#4c72b0")
    ax.set_xlim(0, 100)
    ax.set_xlabel("score (% of the maximum points)")
    ax.set_ylabel("submissions")
    mean = sum(values) / len(values) if values else 0.0
    ax.set_title(f"Score distribution — {len(values)} submissions, mean {mean:.0f}%")
    ax.yaxis.get_major_locator().set_params(integer=True)
    fig.tight_layout()
    fig.savefig(path)
    return path


def write_summary(grades: Sequence[SubmissionGrade], path: Path, settings: dict | None = None) -> Path:
    columns = exercise_columns(grades)
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = ["# Grading report", "",
             f"{len(grades)} submission(s) graded on {when}. Every notebook ran in its own sandboxed kernel; the grader "
             "ran the public checks **and** the hidden tests itself, outside the sandbox, on the notebook's answers "
             "passed as plain data (a notebook's own printed results are never used)."]
    if settings:
        lines += ["", "Settings: " + ", ".join(f"{k} {v}" for k, v in settings.items()) + "."]
    lines += ["", "## Scores", "", "| submission | notebook | mark | score | % |", "|---|---|---|---:|---:|"]
    for g in grades:
        lines.append(f"| {_cell(Path(g.submission).name)} | {_cell(g.notebook)} | {g.mark.value} | {g.score}/{g.max_score} "
                     f"| {g.percent:.0f} |")
    lines += ["", "![Score distribution](scores.png)", "", "## Per exercise", "",
              "| exercise | max points | mean points | full marks |", "|---|---:|---:|---:|"]
    for column in columns:
        got = [e for g in grades for e in g.exercises if e.id == column]
        top = max((e.max_points for e in got), default=0)
        mean = sum(e.points for e in got) / len(got) if got else 0
        full = sum(1 for e in got if e.max_points and e.points == e.max_points)
        lines.append(f"| {column} | {top} | {mean:.2f} | {full}/{len(got)} |")
    used = [Mark(m) for m in MARKS if any(g.mark.value == m for g in grades)]
    lines += ["", "## What the marks mean", ""] + [f"- **{m.value}** — {MEANING[m]}" for m in used]
    lines += ["", "## Feedback per submission"]
    for g in grades:
        lines += ["", f"### {_cell(Path(g.submission).name)} — {g.score}/{g.max_score} ({g.percent:.0f}%), {g.mark.value}", ""]
        if g.flags:
            lines += ["Flags:", ""] + [f"- {_cell(f)}" for f in g.flags] + [""]
        lines += ["| exercise | points | feedback |", "|---|---:|---|"]
        lines += [f"| {e.id} | {e.points}/{e.max_points} | {_cell(e.feedback(), 900)} |" for e in g.exercises]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", errors="backslashreplace")
    return path


TEMPORARY = ".labs-report-"
"""The prefix of a report file being written (``.labs-report-*.gradebook.csv``...): hidden, and removed by the next
run if a ``kill -9`` left one."""


class ReportFolderUnusable(ValueError):
    """``--out`` cannot take the report: it is a file, a folder that cannot be created or written, or one of
    :data:`FILES` in it is a folder. Raised by :func:`prepare_out` before any grading."""


def prepare_out(out: Path) -> list[Path]:
    """Make sure the report can be written into ``out`` before a run spends its time: create the folder (and its
    parents) and write, rename and remove a test file there. Returns the folders it created, outermost first (the
    caller removes them, with :func:`remove_created`, if no report is written). Raises
    :class:`ReportFolderUnusable` with the reason and what to do."""
    created = []
    for folder in (*reversed(out.parents), out):
        if folder.is_dir():
            continue
        if folder.exists() or folder.is_symlink():
            raise ReportFolderUnusable(f"--out {out}: {folder} is a file, not a folder; give a folder for "
                                       f"{', '.join(FILES)} (it is created if missing)")
        try:
            folder.mkdir()
        except OSError as exc:
            remove_created(created)
            raise ReportFolderUnusable(f"--out {out}: cannot create {folder} ({exc.strerror or exc}); give a folder "
                                       "you can write") from None
        created.append(folder)
    for name in FILES:
        if (out / name).is_dir():
            remove_created(created)
            raise ReportFolderUnusable(f"--out {out}: {out / name} is a folder, so the report cannot be written "
                                       "there; move it or give another --out")
    try:
        fd, test = tempfile.mkstemp(dir=out, prefix=TEMPORARY, suffix=".test")
        try:
            os.write(fd, b"labs grade: a test that the report can be written here\n")
            os.fsync(fd)
            os.close(fd)
            os.replace(test, test + ".renamed")
        finally:
            for leftover in (test, test + ".renamed"):
                with contextlib.suppress(OSError):
                    os.unlink(leftover)
    except OSError as exc:
        remove_created(created)
        raise ReportFolderUnusable(f"--out {out}: cannot write there ({exc.strerror or exc}); give a folder you can "
                                   "write") from None
    return created


def remove_created(created: Sequence[Path]) -> None:
    """Remove the folders :func:`prepare_out` created, innermost first, where they are still empty."""
    for folder in reversed(created):
        with contextlib.suppress(OSError):
            folder.rmdir()


def write_report(grades: Sequence[SubmissionGrade], out: Path, settings: dict | None = None) -> list[Path]:
    """Write ``gradebook.csv``, ``summary.md`` and ``scores.png`` into ``out``; returns their paths.

    All or nothing: the three are written in full to temporary names in ``out`` (:data:`TEMPORARY`), synced, and
    only then renamed over the previous run's files. Each rename is atomic (``os.replace`` within one folder), and
    the set is replaced in one short step after the slow part (the plot) is done, so an exception or a signal
    while the report is written leaves the previous report whole and no temporary file; the CLI holds its stop
    signals for that time. Temporary files an earlier, killed run left in ``out`` are removed first, so nothing in
    ``out`` is mistaken for this run's: every file of :data:`FILES` there is either this run's or, if this run
    wrote none, the previous run's, all three from one run."""
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob(TEMPORARY + "*"):
        with contextlib.suppress(OSError):
            stale.unlink()
    writers = (lambda path: write_gradebook(grades, path), lambda path: write_summary(grades, path, settings),
               lambda path: plot_scores(grades, path))
    written: list[Path] = []
    try:
        for name, write in zip(FILES, writers):
            temporary = out / f"{TEMPORARY}{secrets.token_hex(8)}.{name}"
            os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))  # the umask's mode, as before
            written.append(temporary)
            write(temporary)
            with open(temporary, "rb") as done:
                os.fsync(done.fileno())
        for temporary, name in zip(written, FILES):
            os.replace(temporary, out / name)
    finally:
        for temporary in written:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
    return [out / name for name in FILES]
