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


COPY_OF = re.compile(r"(?i)\bcopy of\b|\(\s*(?:\d{1,3}|(?:copy|копія)(?:\s*\d{1,3})?)\s*\)"
                     r"|(?<!\d)(?:\d{4}[-_.]\d{1,2}[-_.]\d{1,2}|\d{1,2}[-_.]\d{1,2}[-_.]\d{4})(?!\d)")
"""Copy marks that are not one word: Google Drive's and Colab's ``Copy of …``, a browser's second download ``(1)``,
``(copy 2)``, a date (``2026-11-30``, ``30.11.2026``)."""
COPY_MARKS = re.compile(r"(?i)v\d{1,3}|copy\d*|final\d*|копія\d*|old|new|late|draft|fixed|updated|resubmit\w*"
                        r"|остаточн\w*|нов(?:а|ий|е)|стар(?:а|ий|е)|виправлен\w*")
"""Words that tell two versions of one student's file apart, always: ``v2``, ``copy`` and Jupyter's ``Copy1``,
``final``, Windows' Ukrainian ``копія``, ``old``/``new``/``late``/``draft``/``fixed``/``updated``/``resubmit``
(Canvas marks a late file ``_late_``) and their Ukrainian forms."""
_SEPARATORS = re.compile(r"[\s\-_.,]+")
MIDDLE_DOTS = frozenset("\u00b7\u2022\u2027\u2219\u22c5\u2e31\u30fb\uff65\u1427\u0387\u318d")
"""Dots between the words of a name that read as a separator (``alice·smith``, the katakana middle dot)."""


def _canonical(text: str) -> str:
    """A file or folder name before its words and marks are read: NFKC (full-width ``ｖ2`` is ``v2``, ``ﬁnal`` is
    ``final``), characters that show nothing dropped (``co`` + a zero-width space + ``py``), every dash (Unicode's
    Pd: the hyphen U+2010 that autocorrect types, en and em dashes) and the minus sign read as ``-``, every connector
    (Pc: ``＿``, ``‿``) as ``_``, and middle dots (:data:`MIDDLE_DOTS`) as ``-``."""
    out = []
    for c in unicodedata.normalize("NFKC", text):
        if _invisible(c):
            continue
        category = unicodedata.category(c)
        out.append("-" if category == "Pd" or c == "\u2212" or c in MIDDLE_DOTS else "_" if category == "Pc" else c)
    return "".join(out)


def _is_mark(word: str) -> bool:
    """Is ``word`` a copy or version mark (:data:`COPY_MARKS`), spelled with letters of any script that look like it
    (Cyrillic ``Ѵ2`` is ``v2``)? ASCII letters are read as they are (UTS #39 reads ``1`` as ``l``: ``v1`` stays a
    mark)."""
    if COPY_MARKS.fullmatch(word):
        return True
    if word.isascii():
        return False
    prototypes = _prototypes()
    bare = "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))
    return bool(COPY_MARKS.fullmatch("".join(c if c.isascii() else prototypes.get(c, c) for c in bare)))


def _name_in(text: str) -> str:
    """The name a file (or folder) name gives once copy and version marks are dropped, words joined by ``-``;
    ``""`` if nothing but marks is left. ``alice_smith-v2 (1)`` → ``alice-smith``; ``ann-20231`` → ``ann-20231``;
    ``1001`` → ``1001``; ``alice-2`` → ``alice-2``: a bare number is part of the name (``student-07`` and
    ``student-08`` of an anonymised class are two students; a wrong merge would tell the instructor to drop one's work,
    a missed one only grades both)."""
    kept: list[str] = []
    for word in _SEPARATORS.split(COPY_OF.sub(" ", _canonical(text))):
        if not word or _is_mark(word):
            continue
        kept.append(word)
    return "-".join(kept)


def student_of(submission: Path, reference: Path) -> tuple[str, str]:
    """(home, name) that identify a submission's author: ``name`` as it looks (:func:`_looks`), ``home`` the
    folder the student's work sits in. The name comes from the file (``alice-01_x-v2.ipynb`` → ``alice``), or,
    for a file named only after the notebook (``alice/01_x.ipynb``), from its folder; a student's own folder
    (``alice/``, ``Alice/``, ``alice/alice-01_x.ipynb``) counts as a place in its parent, so ``alice-01_x.ipynb``
    and ``Alice/01_x.ipynb`` side by side are one student's."""
    home, name = _author(submission, reference)
    return home, _looks(name)


def _author(submission: Path, reference: Path) -> tuple[str, str]:
    folder = submission.parent.resolve()
    name = _name_in(submission.stem.replace(reference.stem, " "))
    folder_name = _name_in(folder.name) or folder.name
    if not name:
        return str(folder.parent), folder_name
    return str(folder.parent if _keys(folder_name) & _keys(name) else folder), name


def _readable(name: str) -> str:
    """A name as a flag shows it: NFKC, characters that show nothing dropped, case-folded."""
    return "".join(c for c in unicodedata.normalize("NFKC", name) if not _invisible(c)).casefold()


def _looks(name: str) -> str:
    """What a name looks like, as a key: NFKC (``ﬁ`` is ``fi``), characters that show nothing dropped (``mallory``
    + a zero-width space is ``mallory``), case-folded, accents and dots dropped (``José`` is ``Jose``, ``ṁ`` is
    ``m``), and every character replaced by its prototype in Unicode's confusables (UTS #39's skeleton, from
    :func:`_prototypes`: Greek ``ο``, Lisu ``ꓟ`` and Cherokee ``Ꮇ`` read as Latin). The key is for comparing, not
    for showing; an ASCII letter whose look-alike is a sequence (UTS #39 reads ``m`` as ``rn``) stays itself, while
    ``ł``, ``ø``, ``æ`` fold to ``l``, ``o``, ``ae`` (``Łukasz`` is ``Lukasz``)."""
    return _skeleton(_readable(name))


def _keys(name: str) -> set[str]:
    """The keys under which a name counts as another's: :func:`_looks`, and :func:`_looks` of the name with its
    letters from other scripts replaced by their prototypes before case folding (a Cyrillic capital ``М`` looks
    like ``M``, its small letter ``м`` does not look like ``m``). Two names that share a key are one student's."""
    prototypes = _prototypes()
    visible = "".join(c for c in unicodedata.normalize("NFKC", name) if not _invisible(c))
    # (a capital I is not read as l: "cIive" would meet "clive", but "Ian" would meet "Lan", "Iola" "Lola", "NEIL"
    # "Nell" — real, different students told to drop one's work; a missed flag only grades both: issue 12 r9 F1)
    keys = {_looks(name), _looks("".join(c if c.isascii() else prototypes.get(c, c) for c in visible))} - {""}
    return keys or {safe_text(name)}  # nothing visible (bytes that were not UTF-8): the escapes tell names apart


def _skeleton(text: str) -> str:
    prototypes = _prototypes()
    for _ in range(4):  # a prototype may be a capital ("ꓟ" → "M") whose small letter has a prototype of its own
        bare = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
        folded = "".join(prototypes.get(c, c) for c in bare).casefold()
        if folded == text:
            break
        text = folded
    return text


@functools.lru_cache(maxsize=1)
def _prototypes() -> dict[str, str]:
    """Every character of Unicode's confusables.txt (UTS #39) → its prototype, from the data the
    ``confusable-homoglyphs`` package ships (loaded once, about 50 ms). That data lists, for a prototype, the
    characters that look like it, and for each of those, the prototype; where two characters only list each other
    the direction is unknown, and the lower code point stands for both."""
    from confusable_homoglyphs.confusables import confusables_data

    table = {}
    for char, homoglyphs in confusables_data.items():
        if len(char) != 1 or len(homoglyphs) != 1:
            continue  # a prototype (it lists many) or a sequence
        target = homoglyphs[0]["c"]
        if len(target) != 1 and char.isascii():
            continue  # an ASCII letter that looks like a sequence ("m" like "rn"): amie and arnie are two students
        back = confusables_data.get(target, [])
        table[char] = min(char, target) if len(back) == 1 and back[0]["c"] == char else target
    return table


def same_student(paths: list[Path], solutions: Path) -> dict[Path, str]:
    """A flag for every file that shares its author (:func:`student_of`, any of :func:`_keys`) and exercise
    notebook with another file."""
    owner: dict[tuple, int] = {}  # (home, notebook, key) → the first file's index
    parent = list(range(len(paths)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    authors: dict[int, tuple[str, str]] = {}
    folders: dict[tuple[Path, str], list[int]] = defaultdict(list)  # (folder, notebook) → its files' indexes
    for i, p in enumerate(paths):
        reference = find_reference(p, solutions)
        if reference is None:
            continue
        home, name = authors[i] = _author(p, reference)
        folders[(p.parent.resolve(), reference.stem)].append(i)
        for key in _keys(name):
            j = owner.setdefault((home, reference.stem, key), i)
            parent[root(i)] = root(j)
    # the folder every submission sits in is the class's (the folder given to `labs grade`), never one student's
    # (issue 12 r9 F3: "class/00_x.ipynb" beside "class/alice-00_x.ipynb" are two students)
    top = Path(os.path.commonpath([str(p.parent.resolve()) for p in paths])) if paths else None
    for (folder, notebook), files in folders.items():
        if len(files) > 1 and folder != top and _one_students_folder(folder, [paths[i] for i in files], notebook):
            for i in files[1:]:
                parent[root(i)] = root(files[0])
    groups: dict[int, list[int]] = defaultdict(list)
    for i in authors:
        groups[root(i)].append(i)
    flags = {}
    for group in groups.values():
        if len(group) > 1:
            notebook = find_reference(paths[group[0]], solutions).stem
            who = f"student '{safe_text(_readable(authors[group[0]][1]))}'"
            where = [paths[i].parent.resolve() / paths[i].name for i in group]  # the folder of a link, not its target
            top = Path(os.path.commonpath([str(q.parent) for q in where]))
            names = ", ".join(safe_text(str(q.relative_to(top))) for q in where)
            for i in group:
                flags[paths[i]] = (f"duplicate: {len(group)} files from {who} for {notebook} ({names}); each was "
                                   "graded — keep the one the student meant")
    return flags


MOODLE_FOLDER = re.compile(r"(?i).+_\d+_assignsubmission_\w*")
"""A folder of Moodle's "download all submissions": ``Full Name_12345_assignsubmission_file_``, one participant's."""


def _one_students_folder(folder: Path, files: list[Path], notebook: str) -> bool:
    """Are ``files`` (two or more, for ``notebook``, all in ``folder``) one student's, whatever words their names add
    (``lab0-``, ``my-``, ``smith-``)? Yes in a Moodle participant's folder (:data:`MOODLE_FOLDER`), and in a folder
    that holds a file named only after the notebook (``alice/00_x.ipynb``: the folder names its student) beside files
    that add at most one other name (``alice/smith-00_x.ipynb``); a folder of files with two or more names
    (``group-a/alice-…``, ``group-a/bob-…``) is a class's, not a student's."""
    if MOODLE_FOLDER.fullmatch(folder.name):
        return True
    names = {_name_in(p.stem.replace(notebook, " ")) for p in files}
    return "" in names and len({_looks(n) for n in names - {""}}) <= 1


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
