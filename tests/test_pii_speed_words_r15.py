"""The word detectors' shortcuts of issue 11 r15 (time to decide) change no finding: each equals the scan it replaces,
on generated text (see tests/test_pii_speed_words.py for the earlier ones)."""

from __future__ import annotations

import re._parser

from hypothesis import example, given, settings
from hypothesis import strategies as st

from labs.router import pii
from labs.router.textscan import lower
from labs.router.triggers import scan_only

# pieces of date-of-birth cues and their neighbours, to be split by a line break anywhere
CUE_BITS = st.sampled_from(
    "b b. . bo rn born birth dob d. o. do.b д д. н н. р р. / р/н нар нар. народ дата_ дата _нар narodzh г. г р. ДН "
    "Born a z я ї 1 12.03.1985 , ; - _ \" dn 🎂 Σ ς İ".split(" "))
PIECES = st.lists(st.lists(st.one_of(CUE_BITS, st.text(alphabet="bdнрг._ a1", max_size=3)), max_size=4).map("".join),
                  min_size=1, max_size=6)


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
