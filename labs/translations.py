"""Translated editions of the workbook (Ukrainian today), made from the one English source.

``solutions/NN_name.ipynb`` stays the only source. Its translation lives beside it, one file per lesson,
``solutions/<lang>/NN_name.yaml``, one entry per cell, keyed by the cell's id::

    lesson: 01_self_hosted_vs_api
    lang: uk
    cells:
      cb1ea291:
        en: 5d41402abc4b        # fingerprint() of the English source this translation was made from
        markdown: |-            # a markdown cell: its whole translation
          ## Коли self-hosted, а коли API
      927b2184:
        en: 7d793037a076
        replace:                # a code cell: exact (English, translation) pairs, applied in order
        - ["# cost per month", "# вартість на місяць"]
        - ['print("done")', 'print("готово")']
        keep:                   # learner-facing strings deliberately shown as they are (a column key, a name)
        - '"tokens/s"'

A code cell keeps its code: only comments and the strings shown to a learner (``print``/``display``
arguments, plot titles and labels, assertion and exception messages, docstrings, a phrase with spaces assigned to a
name, a dict key or value that is a phrase, such as lesson 1's case names or lesson 3's table of tools; a key or value
code looks up is one word) may change — prompts a model reads stay as they are: a string assigned to a name that
any cell of the lesson passes to a call other than a display (``PROMPT`` in ``llm.generate(PROMPT)``, a router's
input, a lookup key) is code, whatever it reads like (:func:`model_inputs`) — so
identifiers, API field names, exercise ids and check cells are the same in both editions
(:func:`code_differences` proves it on the syntax tree). A code cell with nothing to translate has an
entry with only its ``en`` fingerprint. Every learner-facing string with English words in a current code cell has
a replacement or is listed under ``keep``: a string added to the English cell and stamped without either is
reported (``untranslated``), so a blind ``stamp`` cannot leave English in the edition.

``labs build-notebooks`` (:func:`labs.exercises.build_notebooks`) writes, for every lesson with a
translation file, ``solutions/<lang>/NN_name.ipynb`` and, from it, exactly as for English,
``notebooks/<lang>/NN_name.ipynb`` (the learner edition, solution regions replaced by ``...``). A cell
whose English changed since it was translated (its fingerprint differs) is *stale*: a stale markdown cell
is shown in English, a stale code cell gets the replacements that still match; ``tests/test_translations.py``
fails on it, naming the lesson and the cell, until a translator updates it. The translator's loop::

    python -m labs.translations status uk 01      # what is missing or stale, with the current English
    # edit solutions/uk/01_self_hosted_vs_api.yaml, then record what the new text was made from:
    python -m labs.translations stamp uk 01 cb1ea291 927b2184
    .venv/bin/labs build-notebooks

Terms follow ``labs/data/glossary.yaml``. Not taught in a lesson: this is the workbook's own machinery.
"""

from __future__ import annotations

import argparse
import ast
import copy
import hashlib
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

SOURCE_LANG = "en"
EN_KEY = "en"
DISPLAY_CALLS = frozenset({
    "print", "display", "Markdown", "HTML", "Label",
    "title", "suptitle", "xlabel", "ylabel", "set_title", "set_xlabel", "set_ylabel", "set_suptitle",
    "legend", "text", "annotate", "bar", "barh", "plot", "scatter", "hist", "step", "axhline", "axvline",
    "set_xticklabels", "set_yticklabels", "set_xticks", "set_yticks", "to_frame",
})
"""Calls whose string arguments a learner reads (printed, displayed, drawn): translatable."""
TEXT_KEYWORDS = frozenset({"label", "title", "xlabel", "ylabel", "description", "placeholder", "tooltip"})
"""Keyword arguments that are text for a learner in any call (a plot's ``label=``, a widget's ``description=``)."""
SHOWN_KEYWORDS = frozenset({"text", "s", "value", "data", "sep", "end"})
"""Keyword arguments that are text only in a display call (``ax.text(s=...)``, ``Label(value=...)``); every other
keyword of a display call is code (``color="tab:red"``, ``loc="upper left"``, ``ha="center"``)."""
MODEL_INPUT_KEYS = frozenset({"prompt", "content", "system", "suffix", "input", "template", "messages"})
"""Request fields a model reads (Ollama's and OpenAI's names): a phrase under one of them is a prompt, never text to
translate (``{"role": "user", "content": "What is TypeScript?"}``)."""
LOCKED_CALLS = frozenset({"check"})
"""Calls that must stay byte-identical (the exercise id of ``check("lesson1.x")``)."""
SOLUTION_MARKER = re.compile(r"#\s*(BEGIN SOLUTION|END SOLUTION|SOLUTION)\s*$")
"""The solution markers of :mod:`labs.exercises`: never translated (the learner edition depends on them)."""


def editions() -> tuple[str, ...]:
    """The translated editions: every language the workbook speaks but its source's.

    >>> editions()
    ('uk',)
    """
    from labs.i18n import LANGS

    return tuple(lang for lang in LANGS if lang != SOURCE_LANG)


def fingerprint(source: str) -> str:
    """A short hash of one cell's English source (12 hex digits of SHA-256 over its UTF-8 bytes).

    >>> fingerprint("## Exercises")
    '2294243a4dc6'
    """
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:12]


def cell_source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


@dataclass(frozen=True)
class Problem:
    """Something that keeps an edition from being a faithful translation of its English cell."""

    lesson: str
    cell: str  # the cell id, or "-" for the whole lesson
    kind: str  # missing | stale | unstamped | unmatched | untranslated | code | orphan | generated
    detail: str

    def __str__(self) -> str:
        where = f"{self.lesson}" + (f", cell {self.cell}" if self.cell != "-" else "")
        return f"{where} [{self.kind}]: {self.detail}"


@dataclass
class Translation:
    """One lesson's translation file (see the module docstring for its format)."""

    lesson: str
    lang: str
    cells: dict[str, dict] = field(default_factory=dict)


def translation_path(solutions: Path, lang: str, lesson: str) -> Path:
    return Path(solutions) / lang / f"{lesson}.yaml"


def load(path: Path) -> Translation:
    """Read and validate a translation file; ``ValueError`` says what is wrong and where."""
    import yaml

    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValueError(f"{path} is not valid YAML: {exc}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("cells", {}), dict):
        raise ValueError(f"{path}: expected a mapping with `lesson`, `lang` and `cells` (cell id -> entry)")
    cells: dict[str, dict] = {}
    for cid, entry in (raw.get("cells") or {}).items():
        if not isinstance(cid, str):  # YAML reads 01025764 as an octal number and 1e5 as a float
            raise ValueError(f"{path}: cell id {cid!r} was read as a {type(cid).__name__}: quote it, e.g. \"01025764\":")
        entry = entry or {}
        if not isinstance(entry, dict):
            raise ValueError(f"{path}, cell {cid}: an entry is a mapping with `en` and `markdown` or `replace`")
        pairs = entry.get("replace", [])
        if not isinstance(pairs, list) or not all(
                isinstance(p, list) and len(p) == 2 and all(isinstance(s, str) for s in p) for p in pairs):
            raise ValueError(f"{path}, cell {cid}: `replace` is a list of [English, translation] string pairs")
        keep = entry.get("keep", [])
        if not isinstance(keep, list) or not all(isinstance(s, str) for s in keep):
            raise ValueError(f"{path}, cell {cid}: `keep` is a list of the exact strings shown as they are")
        if "markdown" in entry and not isinstance(entry["markdown"], str):
            raise ValueError(f"{path}, cell {cid}: `markdown` must be text")
        cells[str(cid)] = dict(entry)
    return Translation(str(raw.get("lesson", path.stem)), str(raw.get("lang", path.parent.name)), cells)


def apply_replacements(source: str, pairs: Iterable[list[str]]) -> tuple[str, list[str]]:
    """``source`` with every ``[old, new]`` pair replaced (all occurrences, in order); also the ``old``
    strings that were not found.

    >>> apply_replacements("x = 1  # one", [["# one", "# один"], ["# two", "# два"]])
    ('x = 1  # один', ['# two'])
    """
    missed = []
    for old, new in pairs:
        if old in source:
            source = source.replace(old, new)
        else:
            missed.append(old)
    return source, missed


def translate(nb: dict, tr: Translation) -> tuple[dict, list[Problem]]:
    """The translated notebook for an English one (a new dict) and what is missing or stale in ``tr``."""
    out = copy.deepcopy(nb)
    problems: list[Problem] = []
    seen = set()
    for cell in out["cells"]:
        cid, src = str(cell.get("id", "")), cell_source(cell)
        seen.add(cid)
        cell["source"] = src
        entry = tr.cells.get(cid)
        if entry is None:
            problems.append(Problem(tr.lesson, cid, "missing", f"no translation of this {cell['cell_type']} cell"))
            continue
        made_from = entry.get(EN_KEY)
        if made_from is None:
            problems.append(Problem(tr.lesson, cid, "unstamped",
                                    f"no `en` fingerprint: run `python -m labs.translations stamp {tr.lang} {tr.lesson} {cid}`"))
        elif made_from != fingerprint(src):
            problems.append(Problem(tr.lesson, cid, "stale", "the English cell changed since it was translated "
                                    f"(translated from {made_from}, now {fingerprint(src)}): update the translation, then stamp it"))
        current = made_from == fingerprint(src)
        if cell["cell_type"] == "code":
            cell["source"], missed = apply_replacements(src, entry.get("replace", []))
            for old in missed:
                problems.append(Problem(tr.lesson, cid, "unmatched", f"replacement not found in the English code: {old!r}"))
        elif current and "markdown" in entry:
            cell["source"] = entry["markdown"]
        elif current:
            problems.append(Problem(tr.lesson, cid, "missing", "no `markdown` translation for this markdown cell"))
    for cid in sorted(set(tr.cells) - seen):
        problems.append(Problem(tr.lesson, cid, "orphan", "translation of a cell the English notebook no longer has: delete it"))
    return out, problems


# --- code cells: only comments and learner-facing strings may differ ---------------------------------------------------

class _BlankText(ast.NodeTransformer):
    """Blank every string constant a learner reads, keep every other node (identifiers, keys, format specs)."""

    def __init__(self, prose: list[bool] | None = None, inputs: frozenset[str] = frozenset()) -> None:
        self.text = 0
        self.prose = prose  # which assignments hold a phrase, decided on the English cell (the translation may not be one)
        self.inputs = inputs  # names the lesson passes to code (a prompt, a lookup key): their strings are code
        self.fed = False  # inside the value of such a name: a dict's values are code too (its keys may be labels)
        self.assigned: list[bool] = []

    def _as(self, node: ast.AST | None, text: bool) -> Any:
        if node is None:
            return None
        saved, self.text = self.text, (self.text + 1 if text else 0)
        try:
            return self.visit(node)
        finally:
            self.text = saved

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        return ast.Constant(value="") if self.text and isinstance(node.value, str) else node

    def visit_Expr(self, node: ast.Expr) -> ast.AST:  # a docstring or a bare string
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            return ast.Expr(value=ast.Constant(value=""))
        return self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> ast.AST:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
        if name in LOCKED_CALLS:
            return self._as(node, False) if self.text else node
        node.func = self._as(func, False)
        shown = name in DISPLAY_CALLS  # any other call's arguments are code, even inside print(...)
        node.args = [self._as(a, shown) for a in node.args]
        for kw in node.keywords:
            kw.value = self._as(kw.value, kw.arg in TEXT_KEYWORDS or (shown and kw.arg in SHOWN_KEYWORDS))
        return node

    def visit_Assign(self, node: ast.Assign) -> ast.AST:  # kind = "the embedded server" if ... else "real Ollama"
        i = len(self.assigned)
        fed = any(isinstance(t, ast.Name) and t.id in self.inputs for t in node.targets)
        prose = self.prose[i] if self.prose is not None and i < len(self.prose) else (_is_prose(node.value) and not fed)
        self.assigned.append(prose)
        node.targets = [self._as(t, False) for t in node.targets]
        saved, self.fed = self.fed, fed
        try:
            node.value = self._as(node.value, prose)
        finally:
            self.fed = saved
        return node

    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:  # df["column"], reply["eval_count"]: code
        node.value = self.visit(node.value)
        node.slice = self._as(node.slice, False)
        return node

    def visit_Compare(self, node: ast.Compare) -> ast.AST:  # x == "stop": code
        return self._as_code_fields(node)

    def visit_Dict(self, node: ast.Dict) -> ast.AST:  # {"clinic summarising patient notes": dict(...)}: a name shown
        node.keys = [self._as(k, self.text or _is_label(k)) for k in node.keys]
        # a phrase as a value is a table cell a learner reads ({"tool": ..., "personal data": "not its job"});
        # a value code compares or looks up ("cloud", "gpt-4o-mini") is one word, never a phrase
        node.values = [self._as(v, False) if self.fed or _model_input_key(k) else self._as(v, True) if _is_label(v)
                       else self.visit(v) for k, v in zip(node.keys, node.values)]
        return node

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.AST:
        if not self.text:
            return self.generic_visit(node)
        # shown text: only its {expressions} are code, in any order (a translation may move them)
        parts = [self.visit(v) for v in node.values if not isinstance(v, ast.Constant)]
        node.values = sorted(parts, key=lambda v: ast.dump(v, include_attributes=False))
        return node

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:
        node.value = self.visit(node.value)
        node.format_spec = self._as(node.format_spec, False)  # ",.2f" is code
        return node

    def visit_Assert(self, node: ast.Assert) -> ast.AST:
        node.test = self._as(node.test, False)
        node.msg = self._as(node.msg, True)
        return node

    def visit_Raise(self, node: ast.Raise) -> ast.AST:
        node.exc = self._as(node.exc, True)
        node.cause = self._as(node.cause, False)
        return node

    def _as_code_fields(self, node: ast.AST) -> ast.AST:
        saved, self.text = self.text, 0
        try:
            return self.generic_visit(node)
        finally:
            self.text = saved


def _model_input_key(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value in MODEL_INPUT_KEYS


_PHRASE = re.compile(r"[^\W\d_]{3,}\s+[^\W\d_]{2,}")
"""Two words in a row, the first of three letters or more ("real Ollama"); "a, c, e" is an answer, not a phrase."""


def _is_label(node: ast.AST | None) -> bool:
    """A dict key a learner reads (a case name, a row label): a phrase, or any text in Cyrillic. A key code
    looks up (``"model"``, ``"input_usd_per_mtok"``) is a single word or an identifier, never a phrase."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(_PHRASE.search(node.value) or _CYRILLIC.search(node.value))
    return isinstance(node, ast.JoinedStr) and any(_is_label(v) for v in node.values if isinstance(v, ast.Constant))


_CYRILLIC = re.compile("[а-яіїєґ]", re.IGNORECASE)


def _is_prose(node: ast.AST) -> bool:
    """A phrase assigned to a name for showing later: a string (or f-string) with a space, or a choice of two."""
    if isinstance(node, ast.IfExp):
        return _is_prose(node.body) and _is_prose(node.orelse)
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(_PHRASE.search(node.value))
    if isinstance(node, ast.JoinedStr):
        return any(_is_prose(v) for v in node.values if isinstance(v, ast.Constant))
    return False


class _CollectText(_BlankText):
    """The learner-facing string literals of a cell (the nodes :class:`_BlankText` would blank)."""

    def __init__(self, inputs: frozenset[str] = frozenset()) -> None:
        super().__init__(inputs=inputs)
        self.found: list[ast.AST] = []

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        if self.text and isinstance(node.value, str) and node.value.strip():
            self.found.append(node)
        return node

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.AST:
        if self.text:
            self.found.append(node)
            return node
        return self.generic_visit(node)

    def visit_Expr(self, node: ast.Expr) -> ast.AST:
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            self.found.append(node.value)
            return node
        return self.generic_visit(node)


TABLE_CALLS = ("DataFrame", "Series", "show", "display")
"""Calls (or name prefixes: ``show_table``, ``display_markdown``) that build or show a table for a learner: a name
passed to one is still text, not model input (:func:`model_inputs`)."""


FORMAT_CALLS = frozenset({"yes_no", "number", "money", "percent", "figure", "t", "len", "repr", "str", "round"})
"""Calls that only format a value for a printed line (:mod:`labs.i18n`): what passes through them is still shown."""


def model_inputs(sources: Iterable[str]) -> frozenset[str]:
    """The names a lesson's code cells pass to a call that is neither a display (:data:`DISPLAY_CALLS`, a text keyword)
    nor a table (:data:`TABLE_CALLS`): a prompt (``llm.generate(PROMPT)``), a router's input
    (``router.route(design_task)``), a lookup key (``sizing.usable_gib(cpu)``); and what flows into them, through an
    assignment (``prompt_2kb = ticket + story``) or a loop (``for name, prompt in prompts.items(): route(prompt)``).
    A string assigned to one of them is model or code input, the same in every edition.

    >>> sorted(model_inputs(['PROMPT = "Say hi."\\nnote = "shown"', 'print(note, llm.generate(PROMPT))']))
    ['PROMPT']
    >>> sorted(model_inputs(['ticket = "Refund me."\\nlong = ticket * 10', 'router.route(long)']))
    ['long', 'ticket']
    >>> sorted(model_inputs(['cases = {"a case": "Hi."}\\nfor name, p in cases.items():\\n    route(p)']))
    ['cases', 'p']
    """
    names: set[str] = set()
    feeds: dict[str, set[str]] = {}  # prompt_2kb = ticket + story: what ticket and story hold reaches the model too

    def used(node: ast.AST) -> set[str]:
        return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}

    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.Assign, ast.For, ast.comprehension)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                value = node.value if isinstance(node, ast.Assign) else node.iter
                for target in targets:
                    for name in used(target):
                        feeds.setdefault(name, set()).update(used(value))
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
            if name is None or name in DISPLAY_CALLS or name in FORMAT_CALLS or name.startswith(TABLE_CALLS):
                continue
            values = list(node.args) + [kw.value for kw in node.keywords if kw.arg not in TEXT_KEYWORDS]
            for value in values:
                names.update(used(value))
    grown = True
    while grown:
        more = set().union(*(feeds.get(n, set()) for n in names)) - names
        names |= more
        grown = bool(more)
    return frozenset(names)


def candidates(source: str, inputs: frozenset[str] = frozenset()) -> list[str]:
    """What a translator may change in a code cell, as exact source text: its comments and the string
    literals a learner reads (see :class:`_BlankText`), in order of appearance.

    >>> candidates('print("cost:", r["eval_count"])  # per month')
    ['"cost:"', '# per month']
    """
    import io
    import tokenize

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    collector = _CollectText(inputs)
    collector.visit(tree)
    spans = [((n.lineno, n.col_offset), ast.get_source_segment(source, n) or "") for n in collector.found]
    try:
        spans += [(tok.start, tok.string) for tok in tokenize.generate_tokens(io.StringIO(source).readline)
                  if tok.type == tokenize.COMMENT and not SOLUTION_MARKER.match(tok.string)]
    except (tokenize.TokenError, IndentationError):
        pass
    return [text for _, text in sorted(spans) if text]


def _code_shape(source: str, prose: list[bool] | None = None,
                inputs: frozenset[str] = frozenset()) -> tuple[str, list[bool]]:
    blank = _BlankText(prose, inputs)
    return ast.dump(blank.visit(ast.parse(source)), include_attributes=False), blank.assigned


def code_differences(english: str, translated: str, inputs: frozenset[str] = frozenset()) -> str | None:
    """``None`` when two code cells differ only in comments and learner-facing strings, else what differs.
    ``inputs``: the names the lesson passes to code (:func:`model_inputs`), whose strings must not change.

    >>> code_differences('print("cost")  # monthly', 'print("вартість")  # на місяць') is None
    True
    >>> code_differences('r["eval_count"]', 'r["кількість"]')
    'the code differs, not only its comments and printed text (first different line: 1)'
    """
    if english == translated:
        return None
    try:
        shape, prose = _code_shape(english, inputs=inputs)
        same = shape == _code_shape(translated, prose, inputs)[0]
    except SyntaxError as exc:
        return f"does not parse as Python ({exc.msg}, line {exc.lineno}): only identical cells are allowed then"
    if same:
        return None
    en_lines, tr_lines = english.split("\n"), translated.split("\n")
    first = next((i for i, (a, b) in enumerate(zip(en_lines, tr_lines), 1) if a != b), min(len(en_lines), len(tr_lines)) + 1)
    return f"the code differs, not only its comments and printed text (first different line: {first})"


# --- building and checking the editions ----------------------------------------------------------------------------------

def _dumps(nb: dict) -> str:
    from labs.exercises import dumps

    return dumps(nb)


def expected_editions(solutions: Path, lang: str) -> dict[str, tuple[dict, dict, list[Problem]]]:
    """For every English lesson with a ``<lang>`` translation: (solution edition, learner edition, problems)."""
    from labs.exercises import learner_version

    solutions = Path(solutions)
    built = {}
    for src in sorted(solutions.glob("*.ipynb")):
        path = translation_path(solutions, lang, src.stem)
        if not path.exists():
            continue
        nb, problems = translate(json.loads(src.read_text(encoding="utf-8")), load(path))
        built[src.stem] = (nb, learner_version(nb), problems)
    return built


def build_editions(solutions: Path, notebooks: Path, *, report: Any = None) -> list[Path]:
    """Write ``solutions/<lang>/X.ipynb`` and ``notebooks/<lang>/X.ipynb`` for every translated lesson;
    returns the paths written. Stale or missing cells are reported (to stderr unless ``report`` is given)."""
    from labs.i18n import t

    say = report or (lambda line: print(line, file=sys.stderr))
    written = []
    for lang in editions():
        untranslated = 0
        for lesson, (solution, learner, problems) in expected_editions(solutions, lang).items():
            for folder, nb in ((Path(solutions) / lang, solution), (Path(notebooks) / lang, learner)):
                folder.mkdir(parents=True, exist_ok=True)
                (folder / f"{lesson}.ipynb").write_text(_dumps(nb), encoding="utf-8")
                written.append(folder / f"{lesson}.ipynb")
            untranslated += len({p.cell for p in problems if p.kind in ("missing", "stale", "unstamped")})
        if untranslated:
            say(t("translations.untranslated", lang=lang, count=untranslated))
    return written


def check_edition(solutions: Path, notebooks: Path, lang: str, lesson: str) -> list[Problem]:
    """Everything that keeps ``lesson``'s ``lang`` edition from matching its English source (empty when it does):
    missing or stale translations, replacements that no longer match, code that differs beyond comments and
    learner-facing strings (in the solution and the learner edition), check cells that are not identical, and
    committed edition files that differ from what ``labs build-notebooks`` writes."""
    from labs.exercises import CHECK_CALL, learner_version

    solutions, notebooks = Path(solutions), Path(notebooks)
    src = solutions / f"{lesson}.ipynb"
    path = translation_path(solutions, lang, lesson)
    if not path.exists():
        return [Problem(lesson, "-", "missing", f"no translation file {path.relative_to(solutions.parent)}")]
    english = json.loads(src.read_text(encoding="utf-8"))
    translated, problems = translate(english, load(path))
    learner_en, learner_tr = learner_version(english), learner_version(translated)
    inputs = model_inputs(cell_source(c) for c in english["cells"] if c["cell_type"] == "code")
    entries = load(path).cells
    for (cell, tr_cell, l_en, l_tr) in zip(english["cells"], translated["cells"], learner_en["cells"], learner_tr["cells"]):
        cid = str(cell.get("id", ""))
        en_src = cell_source(cell)
        if cell["cell_type"] == "markdown":
            if tr_cell["source"] == en_src and en_src.strip() and not any(p.cell == cid for p in problems):
                problems.append(Problem(lesson, cid, "untranslated", "the translation is the English text itself"))
            continue
        if cell["cell_type"] != "code":
            continue
        for label, a, b in (("solution", en_src, tr_cell["source"]), ("learner", l_en["source"], l_tr["source"])):
            why = code_differences(a, b, inputs)
            if why:
                problems.append(Problem(lesson, cid, "code", f"{label} edition: {why}"))
        entry = entries.get(cid) or {}
        if entry.get(EN_KEY) == fingerprint(en_src):  # current: every English string shown is translated or kept
            for text in untranslated_strings(en_src, entry, inputs):
                problems.append(Problem(lesson, cid, "untranslated",
                                        f"{text} has no replacement and is not under `keep`: translate it, or keep it"))
        if CHECK_CALL.search(en_src) and tr_cell["source"] != en_src:
            problems.append(Problem(lesson, cid, "code", "a check cell must be identical in both editions (the grader compares it)"))
    for folder, nb in ((solutions / lang, translated), (notebooks / lang, learner_tr)):
        file = folder / f"{lesson}.ipynb"
        if not file.exists():
            problems.append(Problem(lesson, "-", "generated", f"{file.relative_to(solutions.parent)} is missing: run `labs build-notebooks`"))
        elif file.read_text(encoding="utf-8") != _dumps(nb):
            problems.append(Problem(lesson, "-", "generated",
                                    f"{file.relative_to(solutions.parent)} differs from what the English source and its "
                                    "translation generate: run `labs build-notebooks` (never edit it by hand)"))
    return problems


_ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")
_IDENTIFIER = re.compile(r"""(["'])[A-Za-z_][A-Za-z0-9_]*\1""")


def _column_header(text: str) -> bool:
    """A string literal that is a column header :func:`labs.display.show_table` translates (``table.column.*``)."""
    from labs.i18n import messages

    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return False
    return isinstance(value, str) and f"table.column.{value}" in messages()


def untranslated_strings(source: str, entry: dict, inputs: frozenset[str] = frozenset()) -> list[str]:
    """The learner-facing strings and comments of a code cell (:func:`candidates`) with an English word (outside its
    ``{expressions}``) that no replacement of ``entry`` touches and its ``keep`` list does not name.

    >>> untranslated_strings('print("all done", "—", "eval_count")', {"replace": []})
    ['"all done"']
    >>> untranslated_strings('print("all done")', {"keep": ['"all done"']})
    []
    """
    olds = [old for old, _ in entry.get("replace", [])]
    kept = set(entry.get("keep", []))
    left = []
    for text in candidates(source, inputs):
        if text in kept or any(text in old or old in text for old in olds):
            continue
        if _IDENTIFIER.fullmatch(text) or _column_header(text):  # a key code reads; a header labs' tables translate
            continue
        if _ENGLISH_WORD.search(re.sub(r"\{[^{}]*\}", " ", text)):
            left.append(text)
    return left


def orphan_editions(solutions: Path, notebooks: Path, lang: str) -> list[str]:
    """Edition files (``.yaml``/``.ipynb``) whose English lesson no longer exists."""
    lessons = {p.stem for p in Path(solutions).glob("*.ipynb")}
    found = []
    for folder, pattern in ((Path(solutions) / lang, "*.yaml"), (Path(solutions) / lang, "*.ipynb"), (Path(notebooks) / lang, "*.ipynb")):
        found += [str(p) for p in sorted(folder.glob(pattern)) if p.stem not in lessons]
    return found


# --- the translator's tools: status, stamp ------------------------------------------------------------------------------

def _lesson(solutions: Path, name: str) -> str:
    matches = [p.stem for p in sorted(Path(solutions).glob("*.ipynb")) if p.stem == name or p.stem.startswith(f"{name}_")]
    if len(matches) != 1:
        raise ValueError(f"no single lesson matches {name!r}: use its number (01) or full name")
    return matches[0]


def _block(text: str, indent: str) -> str | None:
    """``text`` as a YAML literal block, or ``None`` when a block cannot carry it exactly."""
    import yaml

    if not text or text[0] in " \t\n" or any(ch in text for ch in "\r\t\x0b\x0c") or text.endswith("\n"):
        return None
    body = "\n".join(indent + line if line else "" for line in text.split("\n"))
    candidate = f"|-\n{body}"
    try:
        return candidate if yaml.safe_load(f"k: {candidate}")["k"] == text else None
    except yaml.YAMLError:
        return None


def dump(tr: Translation, order: list[str]) -> str:
    """A translation file's text, cells in notebook ``order``: markdown as literal blocks, pairs as JSON strings."""
    lines = [f"# The {tr.lang} translation of solutions/{tr.lesson}.ipynb, cell by cell (see labs/translations.py).",
             f"lesson: {tr.lesson}", f"lang: {tr.lang}", "cells:"]
    for cid in order + sorted(set(tr.cells) - set(order)):
        if cid not in tr.cells:
            continue
        entry = tr.cells[cid]
        lines.append(f"  {json.dumps(cid)}:")
        if EN_KEY in entry:
            lines.append(f"    en: {json.dumps(entry[EN_KEY])}")
        if "markdown" in entry:
            block = _block(entry["markdown"], "      ")
            lines.append(f"    markdown: {block or json.dumps(entry['markdown'], ensure_ascii=False)}")
        if entry.get("replace"):
            lines.append("    replace:")
            lines += [f"    - [{json.dumps(a, ensure_ascii=False)}, {json.dumps(b, ensure_ascii=False)}]" for a, b in entry["replace"]]
        if entry.get("keep"):
            lines.append("    keep:")
            lines += [f"    - {json.dumps(text, ensure_ascii=False)}" for text in entry["keep"]]
    return "\n".join(lines) + "\n"


def stamp(solutions: Path, lang: str, lesson: str, cells: list[str] | None = None) -> list[str]:
    """Record the current English fingerprint in the named cells' entries (every entry without one when
    ``cells`` is empty); returns the ids stamped. Run it after updating a translation, never instead."""
    solutions = Path(solutions)
    english = json.loads((solutions / f"{lesson}.ipynb").read_text(encoding="utf-8"))
    order = [str(c.get("id", "")) for c in english["cells"]]
    sources = {str(c.get("id", "")): cell_source(c) for c in english["cells"]}
    path = translation_path(solutions, lang, lesson)
    tr = load(path)
    unknown = [c for c in cells or [] if c not in tr.cells or c not in sources]
    if unknown:
        raise ValueError(f"{path}: no translated cell {', '.join(unknown)} in {lesson} (translate it first)")
    chosen = cells or [c for c in order if c in tr.cells and EN_KEY not in tr.cells[c]]
    for cid in chosen:
        tr.cells[cid] = {EN_KEY: fingerprint(sources[cid]), **{k: v for k, v in tr.cells[cid].items() if k != EN_KEY}}
    path.write_text(dump(tr, order), encoding="utf-8")
    return chosen


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m labs.translations", description="Keep the translated editions in step.")
    p.add_argument("action", choices=["status", "stamp"])
    p.add_argument("lang", choices=editions())
    p.add_argument("lesson", nargs="?", help="a lesson number (01) or name; every lesson when omitted (status)")
    p.add_argument("cells", nargs="*", help="stamp: the cell ids you updated (default: every entry without `en`)")
    p.add_argument("--solutions", default="solutions")
    p.add_argument("--notebooks", default="notebooks")
    args = p.parse_args(argv)
    solutions = Path(args.solutions)
    if args.action == "stamp":
        if not args.lesson:
            p.error("stamp needs a lesson")
        lesson = _lesson(solutions, args.lesson)
        for cid in stamp(solutions, args.lang, lesson, args.cells):
            print(f"stamped {lesson} {cid}")
        return 0
    lessons = [_lesson(solutions, args.lesson)] if args.lesson else [s.stem for s in sorted(solutions.glob("*.ipynb"))]
    bad = 0
    for lesson in lessons:
        english = {str(c.get("id", "")): cell_source(c) for c in
                   json.loads((solutions / f"{lesson}.ipynb").read_text(encoding="utf-8"))["cells"]}
        problems = check_edition(solutions, Path(args.notebooks), args.lang, lesson)
        bad += len(problems)
        print(f"{lesson}: {'up to date' if not problems else f'{len(problems)} problem(s)'}")
        for problem in problems:
            print(f"  {problem}")
            if problem.kind in ("stale", "missing") and problem.cell in english:  # (untranslated names its string)
                print("    English now:\n      " + english[problem.cell].replace("\n", "\n      "))
                inputs = model_inputs(src for src in english.values())
                for text in candidates(english[problem.cell], inputs):
                    print(f"    translatable: {text}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
