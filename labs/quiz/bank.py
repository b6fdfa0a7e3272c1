"""The question bank behind "Check yourself": one YAML file, two languages, no answers in plain text.

Every question of the module's "Перевір себе" list (taught across lessons 1–4, collected in
``05_check_yourself``) lives in ``labs/data/questions.yaml`` with its Ukrainian and English texts.
A question has one or more *parts*, each of one kind:

* ``single`` / ``multiple`` — options with an explanation for every one (why it is right or wrong).
  The right set is stored only as a salted hash (:func:`make_key`); :func:`right_options` recovers it
  by trying the few possible subsets, so neither the notebook nor the bank states it in plain text.
* ``numeric`` — a number with units and a tolerance, computed by ``labs`` code (``compute:`` names a
  function in :mod:`labs.quiz.scenarios`, e.g. lesson 1's :mod:`labs.costs`).
* ``practical`` — a live check of the learner's setup (``probe:`` names a function in
  :mod:`labs.quiz.practical`).

The language is ``LAB_LANG`` (``uk`` or ``en``, default ``en``) unless a call passes ``lang=``.

>>> q = question("q1")
>>> q.parts[0].kind, len(q.parts[0].options) > 3
('multiple', True)
>>> evaluate("q2", "port", "b").correct
True
>>> text({"en": "Hello", "uk": "Привіт"}, "uk")
'Привіт'
"""

from __future__ import annotations

import hashlib
import itertools
import math
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable

LANGS = ("en", "uk")
SALT = "module-29/check-yourself"
CURRENCY_AFTER = re.compile(r"\s*(?:\$|usd|дол\.?|доларів|долара|долар)\s*$", re.IGNORECASE)
NUMBER = re.compile(r"^[\s$]*([-+]?[\d\s_,]*\.?\d+(?:[eE][-+]?\d+)?)\s*$")


def language(lang: str | None = None) -> str:
    """The language to show: ``lang`` if given, else ``LAB_LANG``, else the edition the kernel runs in
    (a working folder named after a language, as ``notebooks/uk/``: JupyterLab and nbval start a kernel
    in its notebook's folder, so the Ukrainian edition speaks Ukrainian without any setting), else English.

    >>> language("uk"), language("EN"), language("uk_UA"), language("uk-UA.UTF-8"), language("en_US")
    ('uk', 'en', 'uk', 'uk', 'en')
    >>> language("fr")
    Traceback (most recent call last):
    ...
    ValueError: language 'fr' is not available: set LAB_LANG to one of uk, en (default en).
    """
    if lang in LANGS:  # already one of ours (every t() after the first of a message): nothing to read or clean
        return lang
    chosen = (lang or os.environ.get("LAB_LANG") or _edition_folder() or "en").strip().lower()
    # a locale as the system writes it (uk_UA, uk-UA.UTF-8): its language part
    chosen = chosen.replace("-", "_").split(".", 1)[0].split("_", 1)[0] if chosen[:2] in LANGS else chosen
    if chosen not in LANGS:
        raise ValueError(f"language {chosen!r} is not available: set LAB_LANG to one of uk, en (default en).")
    return chosen


def _edition_folder() -> str | None:
    """``uk`` when the working folder is an edition folder such as ``notebooks/uk`` (else None)."""
    try:
        name = os.path.basename(os.getcwd())  # not Path.cwd(): the router's reasons read this on every decision
    except OSError:  # the folder was deleted under a running kernel
        return None
    return name if name in LANGS else None


def text(value: Any, lang: str | None = None, /, **fmt: Any) -> str:
    """Pick one language from a ``{"en": ..., "uk": ...}`` mapping (a plain string passes through),
    formatted with ``fmt`` when given; in Ukrainian the numbers in ``fmt`` are written as Ukrainian
    typography writes them (:func:`labs.i18n.localise_digits`: ``1 963,70``, not ``1,963.70``).

    >>> text({"en": "${v:,.2f}", "uk": "${v:,.2f}"}, "uk", v=1963.7)
    '$1\xa0963,70'
    """
    chosen = language(lang)
    if isinstance(value, dict):
        value = value.get(chosen) or value["en"]
    value = str(value)
    if fmt and chosen != "en":
        from labs.i18n import localised

        fmt = {k: localised(v, chosen) for k, v in fmt.items()}
    return value.format(**fmt) if fmt else value


@dataclass(frozen=True)
class Option:
    id: str
    text: dict
    why: dict


@dataclass(frozen=True)
class Part:
    """One answerable piece of a question."""

    qid: str
    id: str
    kind: str
    prompt: dict
    options: tuple[Option, ...] = ()
    key: str = ""
    unit: dict = field(default_factory=dict)
    compute: str = ""
    tolerance: dict = field(default_factory=dict)
    solution: dict = field(default_factory=dict)
    hint: dict = field(default_factory=dict)
    probe: str = ""
    steps: dict = field(default_factory=dict)
    counted: dict = field(default_factory=dict)
    """The unit after a number whose noun agrees with it (``{n:plural:…}``); ``unit`` is the label beside the box."""

    @property
    def ref(self) -> str:
        return f"{self.qid}.{self.id}"

    def unit_for(self, value: float, lang: str | None = None) -> str:
        """The unit after ``value`` as printed (round it to the decimals shown): Ukrainian «41 846 запитів»,
        «41 846,2 запиту» (:func:`labs.i18n.plural_uk`); ``unit`` where the part counts nothing (USD).

        >>> part = question("q5").part("break_even")
        >>> part.unit_for(41846, "uk"), part.unit_for(41846.2, "uk"), part.unit_for(41846.2, "en")
        ('запитів на день', 'запиту на день', 'requests per day')
        """
        if not self.counted:
            return text(self.unit, lang)
        from labs.i18n import fill

        return fill(text(self.counted, lang), lang, n=value)

    def option_ids(self) -> list[str]:
        return [o.id for o in self.options]


@dataclass(frozen=True)
class Question:
    id: str
    lesson: int
    title: dict
    intro: dict
    parts: tuple[Part, ...]

    def part(self, part_id: str) -> Part:
        for p in self.parts:
            if p.id == part_id:
                return p
        raise ValueError(_t("quiz.bank.no_part", qid=self.id, part=part_id, parts=", ".join(p.id for p in self.parts)))


def make_key(qid: str, part_id: str, right: Iterable[str]) -> str:
    """The stored form of a part's right options (what an author writes into the YAML).

    >>> make_key("q2", "port", ["b"]) == make_key("q2", "port", "b")
    True
    """
    ids = ",".join(sorted(set(right)))
    return hashlib.sha256(f"{SALT}|{qid}.{part_id}|{ids}".encode()).hexdigest()[:20]


@lru_cache(maxsize=None)
def right_options(qid: str, part_id: str) -> frozenset[str]:
    """Recover the right option ids of a choice part from its key (at most 2^n tries, n ≤ 10)."""
    p = question(qid).part(part_id)
    ids = p.option_ids()
    for size in range(1, len(ids) + 1):
        for combo in itertools.combinations(ids, size):
            if make_key(qid, part_id, combo) == p.key:
                return frozenset(combo)
    raise ValueError(f"{p.ref}: its key matches no set of options; regenerate it with make_key()")


def _part(qid: str, raw: dict) -> Part:
    kind = raw["kind"]
    if kind not in ("single", "multiple", "numeric", "practical"):
        raise ValueError(f"{qid}.{raw.get('id')}: unknown kind {kind!r}")
    options = tuple(Option(str(o["id"]), o["text"], o["why"]) for o in raw.get("options", ()))
    fields = {k: raw[k] for k in ("key", "unit", "compute", "tolerance", "solution", "hint", "probe", "steps", "counted")
              if k in raw}
    return Part(qid, str(raw["id"]), kind, raw["prompt"], options, **fields)


@lru_cache(maxsize=None)
def _bank() -> dict[str, Question]:
    import yaml

    raw = yaml.safe_load(resources.files("labs").joinpath("data", "questions.yaml").read_text(encoding="utf-8"))
    bank = {}
    for qid, q in raw["questions"].items():
        parts = tuple(_part(qid, p) for p in q["parts"])
        bank[qid] = Question(qid, int(q["lesson"]), q["title"], q.get("intro", {}), parts)
    return bank


@lru_cache(maxsize=None)
def ui_texts() -> dict:
    """Button labels and feedback phrases, in both languages (the ``ui:`` section of the bank)."""
    import yaml

    raw = yaml.safe_load(resources.files("labs").joinpath("data", "questions.yaml").read_text(encoding="utf-8"))
    return raw["ui"]


def ui(name: str, lang: str | None = None, /, **fmt: Any) -> str:
    return text(ui_texts()[name], lang, **fmt)


def questions() -> dict[str, Question]:
    """Every question, by id (``q1`` … ``q5``)."""
    return dict(_bank())


def question(qid: str) -> Question:
    bank = _bank()
    if qid not in bank:
        raise ValueError(_t("quiz.bank.no_question", qid=qid, choices=", ".join(bank)))
    return bank[qid]


# --- numbers ---------------------------------------------------------------------------------

def context(part: Part) -> dict:
    """The numbers a numeric part's texts are formatted with (its scenario, computed by ``labs``)."""
    if not part.compute:
        return {}
    from labs.quiz import scenarios

    return getattr(scenarios, part.compute)()


def expected_value(part: Part) -> float:
    return float(context(part)["value"])


def within(value: float, expected: float, tolerance: dict) -> bool:
    """``value`` is ``expected`` up to ``tolerance`` (``{"rel": 0.01}`` and/or ``{"abs": 0.5}``).

    >>> within(249, 248.2, {"rel": 0.01}), within(260, 248.2, {"rel": 0.01})
    (True, False)
    """
    return math.isclose(value, expected, rel_tol=float(tolerance.get("rel", 0)), abs_tol=float(tolerance.get("abs", 0)))


def parse_number(value: Any, lang: str | None = None) -> float:
    """A learner's number: ``248.2``, ``"248.20"``, ``"$1,963.70"``, ``"41 846"``, or as Ukrainian typography
    writes it (and the Ukrainian edition shows it): ``"1 963,70"``, ``"248,2"``, ``"248,20 $"``, ``"248,20 дол."``. A comma is the decimal mark
    when it is the only separator and not followed by exactly three digits, or when a dot never follows it;
    ``"41,846"`` is forty-one thousand in English, and in Ukrainian (where it would be 41.846) an error asks
    which was meant. Errors (``ValueError``) speak ``lang`` (else ``LAB_LANG``).

    >>> parse_number("$1,963.70"), parse_number("41 846"), parse_number(7), parse_number("1\xa0963,70")
    (1963.7, 41846.0, 7.0, 1963.7)
    >>> parse_number("248,2", "en"), parse_number("1.234,5", "en"), parse_number("41,846", "en")
    (248.2, 1234.5, 41846.0)
    >>> parse_number("248,20 $", "uk"), parse_number("248.20$", "uk"), parse_number("248,20 дол.", "uk")
    (248.2, 248.2, 248.2)
    """
    if isinstance(value, bool):
        raise ValueError(_t("quiz.answer.bool", lang))
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        written = str(value).replace("\u202f", " ").replace("\u00a0", " ")
        written = CURRENCY_AFTER.sub("", written)  # "248,20 $", "248.20$", "248,20 дол.": Ukrainian puts it after
        match = NUMBER.match(_decimal_dot(written, value, lang))
        if not match:
            raise ValueError(_t("quiz.answer.not_a_number", lang, value=value))
        number = float(re.sub(r"[\s_,]", "", match.group(1)))
    if math.isnan(number) or math.isinf(number):
        raise ValueError(_t("quiz.answer.not_finite", lang, value=value))
    return number


def _decimal_dot(written: str, value: Any, lang: str | None) -> str:
    """``written`` with its decimal mark as a dot and any grouping comma kept (the NUMBER pattern drops it)."""
    if "," not in written:
        return written
    if "." in written:  # both: the later one is the decimal mark (1,234.5 or 1.234,5)
        if written.rfind(",") > written.rfind("."):
            return written.replace(".", " ").replace(",", ".")
        return written
    head, _, tail = written.rpartition(",")
    digits = re.match(r"\d*", tail).group(0)
    if written.count(",") > 1 or (len(digits) == 3 and language(lang) == "en"):
        return written  # grouping commas: 1,234,567 or English 41,846
    if len(digits) == 3 and not re.search(r"\d\s\d{3}$", head):
        raise ValueError(_t("quiz.answer.ambiguous_comma", lang, value=value, whole=(head + digits).replace(" ", ""),
                            dotted=f"{head}.{digits}".replace(" ", "")))
    return f"{head}.{tail}"


def _t(key: str, lang: str | None = None, /, **fields: Any) -> str:
    from labs.i18n import t

    return t(key, lang, **fields)


# --- judging an answer -------------------------------------------------------------------------

@dataclass
class Verdict:
    """The result of one answer to one part. ``options`` maps each option id to
    ``(chosen, right)``, filled for choice parts; ``value`` / ``expected`` for numeric parts."""

    ref: str
    correct: bool
    answer: Any
    options: dict[str, tuple[bool, bool]] = field(default_factory=dict)
    value: float | None = None
    expected: float | None = None
    problem: str = ""  # why the answer could not be judged (empty when it was)


LOOKALIKES = str.maketrans("асеіјорхуѕАВСЕНІЈКМОРЅТХ", "aceijopxysABCEHIJKMOPSTX")
"""Cyrillic letters a Ukrainian keyboard types that look like Latin option letters (``а`` → ``a``)."""


def _latin(text: str) -> str:
    """Full-width forms folded (NFKC) and Cyrillic look-alikes read as the Latin letters they look like."""
    import unicodedata

    return unicodedata.normalize("NFKC", text).translate(LOOKALIKES)


def parse_choice(part: Part, answer: Any, lang: str | None = None) -> frozenset[str]:
    """Option ids from ``"a, c"``, ``"ac"``, ``["a", "c"]`` or ``{"a"}`` (case-insensitive; Cyrillic look-alikes
    such as ``а``/``с``/``е`` count as the Latin letters). Raises ``ValueError`` naming any other letter, in
    ``lang`` (else ``LAB_LANG``).

    >>> sorted(parse_choice(question("q1").parts[0], "A, c"))
    ['a', 'c']
    >>> sorted(parse_choice(question("q1").parts[0], "а, с"))  # Cyrillic а and с
    ['a', 'c']
    """
    if isinstance(answer, str):
        items = re.findall(r"[^\W_]+", _latin(answer))
        if len(items) == 1 and len(items[0]) > 1 and all(c.lower() in part.option_ids() for c in items[0]):
            items = list(items[0])
    elif isinstance(answer, Iterable):
        items = [_latin(str(a)) for a in answer]
    else:
        raise ValueError(_t("quiz.answer.letters", lang, answer=repr(answer)))
    options = ", ".join(part.option_ids())
    odd = sorted({c for i in items for c in i if not c.isascii()})
    if odd:
        raise ValueError(_t("quiz.answer.not_latin", lang, letters=", ".join(odd), options=options))
    chosen = frozenset(i.strip().lower() for i in items)
    unknown = sorted(chosen - set(part.option_ids()))
    if unknown:
        raise ValueError(_t("quiz.answer.no_option", lang, letters=", ".join(unknown), options=options))
    if part.kind == "single" and len(chosen) != 1:
        raise ValueError(_t("quiz.answer.exactly_one", lang))
    if not chosen:
        raise ValueError(_t("quiz.answer.at_least_one", lang))
    return chosen


def evaluate(qid: str, part_id: str, answer: Any, lang: str | None = None) -> Verdict:
    """Judge a learner's answer to one choice or numeric part (never raises for a bad answer:
    ``problem`` says what is wrong with it, in ``lang``, else ``LAB_LANG``)."""
    p = question(qid).part(part_id)
    if p.kind in ("single", "multiple"):
        try:
            chosen = parse_choice(p, answer, lang)
        except ValueError as exc:
            return Verdict(p.ref, False, answer, problem=str(exc))
        right = right_options(qid, part_id)
        marks = {o: (o in chosen, o in right) for o in p.option_ids()}
        return Verdict(p.ref, chosen == right, sorted(chosen), marks)
    if p.kind == "numeric":
        try:
            value = parse_number(answer, lang)
        except ValueError as exc:
            return Verdict(p.ref, False, answer, problem=str(exc))
        expected = expected_value(p)
        return Verdict(p.ref, within(value, expected, p.tolerance), value, value=value, expected=expected)
    raise ValueError(_t("quiz.bank.practical", lang, ref=p.ref))
