"""The learner's progress, saved by the kernel to a JSON file in the workbook folder.

Every answer to a "Check yourself" question and every ``check(...)`` of an exercise is written to
``.labs-progress.json`` in the kernel's working directory — the folder of the open notebook in
JupyterLab — or to the file ``LABS_PROGRESS`` names. Nothing is copy-pasted; re-running a notebook
reads the file back, so answers survive restarts. Writes are atomic (a temporary file, then rename).
Used by :mod:`labs.quiz.widgets` and :func:`labs.exercises.check` (taught in ``05_check_yourself``).

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "p.json"
>>> record_part("q2", "port", correct=True, answer=["b"], path=path)["attempts"]
1
>>> load(path)["quiz"]["q2"]["port"]["correct"]
True
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

FILENAME = ".labs-progress.json"
VERSION = 1


def progress_path(path: str | os.PathLike | None = None) -> Path:
    """Where progress lives: ``path``, else ``$LABS_PROGRESS``, else ``./.labs-progress.json``."""
    if path is not None:
        return Path(path)
    env = os.environ.get("LABS_PROGRESS")
    return Path(env) if env else Path.cwd() / FILENAME


def _empty() -> dict:
    return {"version": VERSION, "quiz": {}, "exercises": {}}


def load(path: str | os.PathLike | None = None) -> dict:
    """The saved progress (an empty record when there is none yet or the file is unreadable)."""
    file = progress_path(path)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return _empty()
    if not isinstance(data, dict) or data.get("version") != VERSION:
        return _empty()
    data.setdefault("quiz", {})
    data.setdefault("exercises", {})
    return data


def save(data: dict, path: str | os.PathLike | None = None) -> Path:
    """Write the whole record atomically; returns the file's path."""
    file = progress_path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".labs-progress-", suffix=".tmp", dir=file.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=1, ensure_ascii=False, sort_keys=True)
        os.replace(tmp, file)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return file


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def record_part(qid: str, part_id: str, *, correct: bool, answer: Any = None, detail: dict | None = None,
                path: str | os.PathLike | None = None) -> dict:
    """Save one answer to one part of a question; returns the saved entry.

    Once a part is answered correctly it stays done, even if a later attempt is wrong."""
    data = load(path)
    entry = data["quiz"].setdefault(qid, {}).setdefault(part_id, {"attempts": 0, "correct": False})
    entry["attempts"] = int(entry.get("attempts", 0)) + 1
    entry["correct"] = bool(entry.get("correct")) or bool(correct)
    entry["last_correct"] = bool(correct)
    entry["answer"] = answer
    entry["at"] = _now()
    if detail is not None:
        entry["detail"] = detail
    save(data, path)
    return entry


def record_exercise(exercise_id: str, *, status: str, points: int, max_points: int,
                    path: str | os.PathLike | None = None) -> dict:
    """Save the latest public-check result of an exercise (``labs.exercises.check`` calls this)."""
    data = load(path)
    entry = {"status": status, "points": points, "max_points": max_points, "at": _now()}
    best = data["exercises"].get(exercise_id, {})
    entry["best_points"] = max(points, int(best.get("best_points", 0)))
    data["exercises"][exercise_id] = entry
    save(data, path)
    return entry


def part_state(qid: str, part_id: str, path: str | os.PathLike | None = None) -> dict | None:
    return load(path)["quiz"].get(qid, {}).get(part_id)


def reset(path: str | os.PathLike | None = None) -> None:
    """Forget all progress (deletes the file)."""
    progress_path(path).unlink(missing_ok=True)
