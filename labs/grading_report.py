"""The report of ``labs grade``: a gradebook (CSV), a summary (markdown) and a score plot (PNG).

The gradebook has one row per submission: its mark, score, percent, the points of every exercise and
the flags. The summary shows the same as tables a person reads, the score distribution, how each
exercise went, what every mark means, and per submission the feedback of every public check and
hidden test. Written by :func:`write_report` from :func:`labs.grading.grade`'s results.
"""

from __future__ import annotations

import csv
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

from labs.grading import MARKS, SubmissionGrade

MEANING = {
    "OK": "ran to the end; every check cell present",
    "ERRORS": "some cells raised an error or ran past the per-cell time limit (interrupted); the rest was graded",
    "CHECK CELL EDITED": "a check cell differs from the reference; the grader ran the real checks anyway",
    "CHECK CELL MISSING": "a check cell was deleted; the grader ran the real checks anyway",
    "TAMPERED": "the notebook patched the checker or the grader's files; points come only from the grader's fresh checks",
    "TIMEOUT": "the notebook ran past its time limit and its kernel was stopped; exercises not reached got 0",
    "CRASHED": "the kernel died; exercises not reached got 0",
    "UNREADABLE": "the file is not a notebook; 0 points",
}
FILES = ("gradebook.csv", "summary.md", "scores.png")


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


def exercise_columns(grades: Sequence[SubmissionGrade]) -> list[str]:
    seen: list[str] = []
    for g in grades:
        seen += [e.id for e in g.exercises if e.id not in seen]
    return seen


def write_gradebook(grades: Sequence[SubmissionGrade], path: Path) -> Path:
    columns = exercise_columns(grades)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["submission", "notebook", "mark", "score", "max_score", "percent", *columns, "seconds", "flags"])
        for g in grades:
            points = {e.id: e.points for e in g.exercises}
            writer.writerow([g.submission, g.notebook, g.mark, g.score, g.max_score, f"{g.percent:.1f}",
                             *[points.get(c, "") for c in columns], g.seconds, " | ".join(g.flags)])
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
             f"{len(grades)} submission(s) graded on {when}. Every notebook ran in its own kernel; the grader ran the "
             "public checks **and** the hidden tests itself (a notebook's own printed results are never used)."]
    if settings:
        lines += ["", "Settings: " + ", ".join(f"{k} {v}" for k, v in settings.items()) + "."]
    lines += ["", "## Scores", "", "| submission | notebook | mark | score | % |", "|---|---|---|---:|---:|"]
    for g in grades:
        lines.append(f"| {_cell(Path(g.submission).name)} | {g.notebook} | {g.mark} | {g.score}/{g.max_score} | {g.percent:.0f} |")
    lines += ["", "![Score distribution](scores.png)", "", "## Per exercise", "",
              "| exercise | max points | mean points | full marks |", "|---|---:|---:|---:|"]
    for column in columns:
        got = [e for g in grades for e in g.exercises if e.id == column]
        top = max((e.max_points for e in got), default=0)
        mean = sum(e.points for e in got) / len(got) if got else 0
        full = sum(1 for e in got if e.max_points and e.points == e.max_points)
        lines.append(f"| {column} | {top} | {mean:.2f} | {full}/{len(got)} |")
    used = [m for m in MARKS if any(g.mark == m for g in grades)]
    lines += ["", "## What the marks mean", ""] + [f"- **{m}** — {MEANING[m]}" for m in used]
    lines += ["", "## Feedback per submission"]
    for g in grades:
        lines += ["", f"### {_cell(Path(g.submission).name)} — {g.score}/{g.max_score} ({g.percent:.0f}%), {g.mark}", ""]
        if g.flags:
            lines += ["Flags:", ""] + [f"- {_cell(f)}" for f in g.flags] + [""]
        lines += ["| exercise | points | feedback |", "|---|---:|---|"]
        lines += [f"| {e.id} | {e.points}/{e.max_points} | {_cell(e.feedback())} |" for e in g.exercises]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_report(grades: Sequence[SubmissionGrade], out: Path, settings: dict | None = None) -> list[Path]:
    """Write ``gradebook.csv``, ``summary.md`` and ``scores.png`` into ``out``; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    return [write_gradebook(grades, out / FILES[0]), write_summary(grades, out / FILES[1], settings),
            plot_scores(grades, out / FILES[2])]
