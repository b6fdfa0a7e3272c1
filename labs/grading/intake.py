"""What ``labs grade`` accepts, before anything runs: every file gets an answer, none stops the run.

:func:`submissions_in` lists the notebooks under the given paths without following symbolic links
(a link is listed, to be refused); :func:`read_notebook` turns one file into a clean nbformat-4
notebook (an nbformat-3 one is converted) or says exactly why it cannot (a symbolic link, not UTF-8,
not JSON, ``{"cells": [1]}``, a cell whose source is a number...); :func:`find_reference` matches a
file with its exercise notebook; :func:`same_student` finds two files from one student.
"""

from __future__ import annotations

import functools
import json
import os
import re
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Iterable

from labs.grading.protocol import Mark

MAX_BYTES = 50 * 1024 * 1024
"""The largest notebook accepted (a workbook notebook without outputs is well under 1 MB)."""
CELL_TYPES = ("code", "markdown", "raw")


class Refusal(Exception):
    """A file the grader will not run; ``mark`` says whether it was refused or unreadable."""

    def __init__(self, mark: Mark, reason: str):
        super().__init__(reason)
        self.mark, self.reason = mark, reason


def submissions_in(paths: Iterable[str | Path]) -> list[Path]:
    """Files and folders → the notebooks to grade, in a stable order; symbolic links are listed (to be
    refused), never followed. Raises ``ValueError`` for a path that does not exist."""
    found: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_symlink():
            found.append(p)
        elif p.is_dir():
            inside = []
            for folder, dirs, files in os.walk(p, followlinks=False):
                dirs[:] = sorted(d for d in dirs if d != ".ipynb_checkpoints")
                here = Path(folder)
                # a link, or a folder named like a notebook (a mis-extracted upload), is listed to be refused
                inside += [here / d for d in dirs if (here / d).is_symlink() or d.lower().endswith(".ipynb")]
                inside += [here / f for f in files if f.lower().endswith(".ipynb")]
            found += sorted(inside)
        elif p.exists():
            found.append(p)
        else:
            raise ValueError(f"{p} does not exist: give notebook files or folders that contain them")
    return found


def find_reference(submission: Path, solutions: Path) -> Path | None:
    """The reference notebook whose name the submission's name contains (the longest such)."""
    names = sorted(solutions.glob("*.ipynb"), key=lambda p: -len(p.stem))
    return next((p for p in names if p.stem in submission.stem), None)


COPY_MARKS = re.compile(r"(?i)(?<![^\W_])(v\d+|\(\d+\)|copy|final|\d+)(?![^\W_])")
"""What tells two versions of one student's file apart: ``v2``, ``(1)``, ``copy``, ``final``, a number."""


def student_of(submission: Path, reference: Path) -> tuple[str, str]:
    """(folder, name) that identify a submission's author, case-folded: ``alice-01_x-v2.ipynb`` → (its folder,
    ``alice``); a file named only after the notebook (``alice/01_x.ipynb``) → its folder's name."""
    name = COPY_MARKS.sub(" ", submission.stem.replace(reference.stem, " "))
    name = re.sub(r"[\s\-.]+", "-", name).strip(" -_.") or submission.parent.resolve().name
    return str(submission.parent.resolve()), _looks(name)


def _looks(name: str) -> str:
    """What a name looks like: NFKC, without characters that show nothing (``mallory`` + a zero-width space is
    ``mallory``), case-folded, Cyrillic and Greek look-alikes read as Latin; two files whose authors look the same
    are flagged as one student's."""
    from labs.router.normalize import fold_confusables

    visible = "".join(c for c in unicodedata.normalize("NFKC", name) if not _invisible(c))
    return fold_confusables(fold_confusables(visible).casefold())  # capitals first: "М" folds, "м" has no twin


def same_student(paths: list[Path], solutions: Path) -> dict[Path, str]:
    """A flag for every file that shares its author and exercise notebook with another file."""
    groups: dict[tuple, list[Path]] = defaultdict(list)
    for p in paths:
        reference = find_reference(p, solutions)
        folder, student = student_of(p, reference) if reference is not None else ("", "")
        if student:
            groups[(folder, student, reference.stem)].append(p)
    flags = {}
    for (_, student, notebook), group in groups.items():
        if len(group) > 1:
            who = f"student '{safe_text(student)}'"
            names = ", ".join(safe_text(q.name) for q in group)
            for p in group:
                flags[p] = (f"duplicate: {len(group)} files from {who} for {notebook} ({names}); each was graded — "
                            "keep the one the student meant")
    return flags


UNSEEN = frozenset({"Cc", "Cf", "Co", "Cn", "Cs", "Zl", "Zp"})
"""Unicode categories of characters that show nothing or move text around (controls, format characters such as
zero-width spaces and the right-to-left override, unassigned and private-use code points, line separators)."""


def safe_text(text: str) -> str:
    """A file name (or any text) as printable UTF-8 that reads as it is: bytes that were not UTF-8 (kept by Python
    as surrogates) become ``\\xff`` escapes, so a name from a Windows zip (cp1251, cp866) never stops the report,
    and characters of :data:`UNSEEN` become ``\\u202e``-style escapes (``mallory`` + a zero-width space, or a name
    reversed by a right-to-left override, no longer look like another student's)."""
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate that is not an undecodable byte
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    else:
        text = raw.decode("utf-8", "backslashreplace")
    return "".join(c if not _invisible(c) else
                   f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}" for c in text)


@functools.lru_cache(maxsize=4096)
def _invisible(c: str) -> bool:
    """True for a character of :data:`UNSEEN` or one that shows nothing (Unicode's default-ignorable characters:
    combining grapheme joiner, variation selectors, Hangul fillers…), as lesson 3's detector reads text."""
    if unicodedata.category(c) in UNSEEN:
        return True
    if c.isascii():
        return False
    from labs.router.normalize import normalize

    return normalize(c).text == ""


def _check_cells(nb: dict) -> None:
    cells = nb.get("cells")
    if not isinstance(cells, list):
        raise Refusal(Mark.UNREADABLE, "the notebook has no list of cells")
    for number, cell in enumerate(cells, 1):
        if not isinstance(cell, dict):
            raise Refusal(Mark.UNREADABLE, f"cell {number} is a {type(cell).__name__}, not a cell (an object)")
        if cell.get("cell_type") not in CELL_TYPES:
            raise Refusal(Mark.UNREADABLE, f"cell {number} has cell_type {str(cell.get('cell_type'))[:40]!r}; "
                                           f"a notebook cell is one of {', '.join(CELL_TYPES)}")
        source = cell.get("source", "")
        if not (isinstance(source, str) or (isinstance(source, list) and all(isinstance(s, str) for s in source))):
            raise Refusal(Mark.UNREADABLE, f"cell {number}'s source is a {type(source).__name__}, not text")


def _clean(nb: dict) -> dict:
    """A fresh nbformat-4.5 notebook with only what grading needs (sources; outputs dropped)."""
    cells = []
    for number, cell in enumerate(nb["cells"], 1):
        source = cell.get("source", "")
        clean = {"cell_type": cell["cell_type"], "id": f"cell-{number}", "metadata": {},
                 "source": source if isinstance(source, str) else "".join(source)}
        if cell["cell_type"] == "code":
            clean.update(outputs=[], execution_count=None)
        cells.append(clean)
    return {"cells": cells, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


def read_notebook(path: Path) -> dict:
    """The submission as a clean nbformat-4 notebook dict; raises :class:`Refusal` with the reason."""
    if path.is_symlink():
        raise Refusal(Mark.REFUSED, f"a symbolic link (to {os.readlink(path)}): submit the notebook file itself")
    if path.is_dir():
        raise Refusal(Mark.REFUSED, "a folder named like a notebook, not a notebook file: submit the .ipynb file itself")
    if not path.is_file():
        raise Refusal(Mark.REFUSED, "not a regular file")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise Refusal(Mark.REFUSED, f"{size / 1e6:.0f} MB is larger than the {MAX_BYTES // 2**20} MiB a notebook may be: "
                                    "clear its outputs")
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise Refusal(Mark.UNREADABLE, f"cannot read the file: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise Refusal(Mark.UNREADABLE, "the file is not UTF-8 text (a notebook is JSON)") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise Refusal(Mark.UNREADABLE, f"the file is not JSON ({exc})") from None
    except RecursionError:
        raise Refusal(Mark.UNREADABLE, "the file's JSON is nested too deeply to be a notebook") from None
    if not isinstance(data, dict):
        raise Refusal(Mark.UNREADABLE, f"the file is JSON (a {type(data).__name__}) but not a notebook (an object with cells)")
    major = data.get("nbformat")
    if major is not None and major != 4 or "worksheets" in data:
        try:
            import nbformat

            data = json.loads(json.dumps(nbformat.reads(text, as_version=4)))
        except Exception as exc:
            raise Refusal(Mark.UNREADABLE, f"an nbformat {major} notebook that cannot be converted to version 4 "
                                           f"({type(exc).__name__}: {str(exc)[:120]})") from None
    _check_cells(data)
    return _clean(data)
