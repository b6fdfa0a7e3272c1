"""The word detectors' shortcuts of issue 11 r15 (time to decide) change no finding: each equals the scan it replaces,
on generated text (see tests/test_pii_speed_words.py for the earlier ones)."""

from __future__ import annotations

import re
import re._parser

from hypothesis import example, given, settings
from hypothesis import strategies as st

from labs.router import pii, towns
from labs.router.textscan import lower
from labs.router.triggers import scan_only

# pieces of date-of-birth cues and their neighbours, to be split by a line break anywhere
CUE_BITS = st.sampled_from(
    "b b. . bo rn born birth dob d. o. do.b д д. н н. р р. / р/н нар нар. народ дата_ дата _нар narodzh г. г р. ДН "
    "Born a z я ї 1 12.03.1985 , ; - _ \" dn 🎂 Σ ς İ".split(" "))
PIECES = st.lists(st.lists(st.one_of(CUE_BITS, st.text(alphabet="bdнрг._ a1", max_size=3)), max_size=4).map("".join),
                  min_size=1, max_size=pii._FEW_JOINS + 4)


def test_cue_width_and_characters_are_the_gates():
    assert pii._CUE_WIDTH == re._parser.parse(pii._DOB_GATE_ANY.pattern).getwidth()[1]
    # each literal character the gate's regex can consume (its classes: blanks only, which _cue_char lets through)
    consumed = {chr(av) for op, av in _literals(re._parser.parse(pii._DOB_GATE_ANY.pattern))}
    assert {"b", ".", "д", "н"} <= consumed <= pii._CUE_CHARS


def _literals(parsed):
    from re import _constants as c

    for op, av in parsed:
        if op is c.LITERAL:
            yield op, av
        elif op in (c.BRANCH,):
            for sub in av[1]:
                yield from _literals(sub)
        elif op is c.SUBPATTERN:
            yield from _literals(av[3])
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            yield from _literals(av[2])
        elif op is c.IN:
            assert all(o is c.CATEGORY and a is c.CATEGORY_SPACE for o, a in av), av


@settings(max_examples=600, deadline=None)
@given(PIECES, st.sampled_from(["", "a", "b", "д", " ", "born ", "xb"]), st.sampled_from(["", ".", "н", " x", "a"]))
@example(["bo", "rn"], "", "")  # a cue made by the join
@example(["x", "b."], "", "")  # a cue the join unmakes ("xb.")
@example(["b.", "x"], "a", "")  # a cue at the window's start, none in the view
@example(["team,", "I am"], "", "")  # no cue anywhere
@example(["1"] * 10 + ["bo", "rn"] + ["2"] * 10, "", "")  # many joins: the window searched whole
def test_joined_dob_gate_is_the_gate_of_the_window(pieces, before, after):
    # the view holds a blank where each line break was; the window read again has them taken out
    view = before + " ".join(pieces) + after
    joined = "".join(pieces)
    joins, at = [], 0
    for piece in pieces[:-1]:
        at += len(piece)
        joins.append(at)
    view_cue = pii._dob_gate(lower(view))
    jlow = lower(joined)
    scan_only(jlow)
    assert pii._joined_dob_gate(jlow, joins, view_cue) == pii._dob_gate(jlow)


STREET_WORDS = st.sampled_from(
    "Kyiv Київ Lutsk Луцьк Харків Одеса Naukova Сумська Лесі Українки Хрещатик Khreshchatyk Розділ Lesson Sumska "
    "vul. st. вул. 40 5/12 22 , — - 2024 kv. 5 the дякую".split(" "))
STREET_TEXTS = st.lists(STREET_WORDS, max_size=10).map(" ".join)


@settings(max_examples=400, deadline=None)
@given(STREET_TEXTS, st.sampled_from([", ", " ", ",", " — "]))
@example("Луцьк Сумська 40 the", ", ")  # a street after its town
@example("дякую Сумська 40 Луцьк", " ")  # and before it
def test_town_street_patterns_test_the_capital_first(text, glue):
    text = text.replace(" ", glue, 1)
    _, after, before = towns._patterns()
    # the patterns as they were: the same matches at every place
    plain_after = re.compile(after.pattern.replace(towns._CAPITAL, "", 1))
    plain_before = re.compile(before.pattern.replace(towns._CAPITAL, "", 1))
    assert towns._CAPITAL in after.pattern and towns._CAPITAL in before.pattern
    for i in range(len(text) + 1):
        got, want = after.match(text, i), plain_after.match(text, i)
        assert (got and got.span()) == (want and want.span())
        got, want = before.search(text, max(0, i - 60), i), plain_before.search(text, max(0, i - 60), i)
        assert (got and got.span()) == (want and want.span())


_FLAT_NEED_AS_WRITTEN = re.compile(r"(?i:кв|під['’ʼ]?їзд|оф)")


def test_flat_need_classes_are_what_ignoring_case_matches():
    for letter, cls in (("к", "кК"), ("п", "пП"), ("о", "оОᲂ")):
        rx = re.compile(f"(?i:{letter})")
        assert {chr(i) for i in range(0x110000) if rx.fullmatch(chr(i))} == set(cls)
        assert f"[{cls}]" in pii._FLAT_NEED.pattern


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from("к К кв КВ кВ ᲂф оф ОФ оФ під під'їзд ПІД’ЇЗД Під'їзд пiд в ф д о п ᲂ ᲀ , 5 ".split(" ")),
                max_size=12).map("".join))
def test_flat_need_matches_as_written(text):
    for i in range(len(text) + 1):
        got, want = pii._FLAT_NEED.match(text, i), _FLAT_NEED_AS_WRITTEN.match(text, i)
        assert (got and got.span()) == (want and want.span())
    got, want = pii._FLAT_NEED.search(text), _FLAT_NEED_AS_WRITTEN.search(text)
    assert (got and got.span()) == (want and want.span())


NAME_BITS = st.sampled_from(
    "Olena Koval koval olena Петро петро бондаренко Бондаренко Петрівна Коваль П. О. M. U.S. Z999AA 1985 placed on the "
    "'delivered' ’ ʼ ' - — , ; : = | ( \" . _ \u00a0 \u2028 \t \n name піб code код".split(" ") + [" ", "  "])
BEFORES = st.lists(st.one_of(NAME_BITS, st.text(alphabet="aZпЯ.' -,", max_size=3)), max_size=10).map("".join)
_NAME_PATTERNS = ("_PATRONYMIC_BEFORE", "_INITIALS_BEFORE", "_TWO_WORDS_BEFORE", "_LEADING_INITIALS_BEFORE",
                  "_TRAILING_INITIALS_BEFORE", "_LOWER_TWO_WORDS_BEFORE", "_NAME_KEY_BEFORE", "_ONE_WORD_BEFORE")


@settings(max_examples=1500, deadline=None)
@given(BEFORES)
@example("I am writing about order #58213377, placed on ")
@example("Koval O., ")
@example("петро бондаренко, ")
def test_name_may_end_lets_every_name_pattern_through(before):
    # the gate may let through what no pattern matches, never the other way round
    if not pii._name_may_end(before):
        for name in _NAME_PATTERNS:
            assert getattr(pii, name).search(before) is None, name


def test_name_letter_sets_are_the_patterns_classes():
    # _name_may_end's letter sets spell out the classes its patterns use: every code point, not only generated text
    for letters, cls in ((pii._NAME_CAPITALS, "[A-ZА-ЯІЇЄҐ]"), (pii._NAME_LOWER, "[a-zа-яіїєґ'’ʼ]")):
        assert cls in pii._TWO_WORDS_BEFORE.pattern + pii._LOWER_TWO_WORDS_BEFORE.pattern
        rx = re.compile(cls)
        assert letters == {chr(c) for c in range(0x110000) if rx.fullmatch(chr(c))}, cls
