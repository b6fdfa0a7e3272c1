"""The complexity heuristic's own trigger pass and its numbered-list count (issue 11 r15, time to decide) change nothing.

A prompt whose normalised view differs from it (a line break reads as a space) was read by a second pass of the one
automaton over all 2,400 literals; the heuristic now reads it with an automaton of its 160 cue literals alone
(:class:`labs.router.triggers.Group`). Checked here, on generated texts: the group's pass finds every place the one
automaton finds for the cue sets, and the heuristic equals its plain-regex reading; the line-start count equals
``_NUMBERED.findall``; a prompt the detector has read already shares its pass.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from labs.router import complexity as cx
from labs.router import triggers as tr
from labs.router.pii import detect_pii
from labs.router.textscan import lower

_CUE_SETS = (cx._ALL_CUES_AT, cx._CODE_MARKS_AT)
POOL = sorted({w for lits in _CUE_SETS for w in lits.literals} | {
    "step by step", "step by\nstep", "write a python function", "напиши функцію", "pros and cons", "```", "def f():",
    "1. first", "- item", "• пункт", "2) then", "translate", "Compare", "ANALYSE"})
SEPS = [" ", "  ", "\n", "\n\n", "\t", " \t", ", ", ". ", "-", "(", "1", "1.", "2)", "*", "•", "x", "а", "ing"]
TEXT = st.lists(st.one_of(st.sampled_from(POOL), st.sampled_from(SEPS),
                          st.text(alphabet="abcdefilmnoprstуабвгдеікнопр0123456789 .,:)-*•\n\t", max_size=6)),
                max_size=40).map("".join)


def _fresh(low: str) -> tr.Triggers:
    """The one automaton's pass over ``low``, not a shared one."""
    return tr.Triggers(low)


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_the_cue_group_finds_every_place_the_one_automaton_finds(text):
    low = lower(text)
    tr._recent = ()  # no shared pass: the group's own
    own = cx._OWN_PASS.triggers(low)
    assert own.group is cx._OWN_PASS
    one = _fresh(low)
    for lits in _CUE_SETS:
        assert own.starts(lits) == one.starts(lits)
        assert own.starts(lits) == sorted({i for w in lits.literals for i in range(len(low)) if low.startswith(w, i)})


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_the_heuristic_equals_its_plain_regex_reading(text):
    tr._recent = ()
    got = cx.heuristic(text)
    low = lower(text)
    counts = {}
    for m in cx._ALL_CUES.finditer(low):
        counts[cx._category(m.group())] = counts.get(cx._category(m.group()), 0) + 1
    for name in ("reasoning", "code_task", "math"):
        assert (name in got.cues) == bool(counts.get(name))
    assert ("code" in got.cues) == bool(counts.get("code") or any(k in low for k in cx._CODE_MARKS))
    assert ("multi_step" in got.cues) == (counts.get("steps", 0) >= 2)
    assert ("list" in got.cues) == (len(cx._NUMBERED.findall(text)) >= 2)
    assert dict(cx.cue_counts(text)) == counts
    assert got == _plain(text)


def _plain(text: str) -> cx.Complexity:
    """The heuristic with its regexes scanning the whole text (no pass: labs.router.triggers.scan_only)."""
    tr._recent = ()
    tr.scan_only(lower(text))
    try:
        return cx.heuristic(text)
    finally:
        tr._recent = ()


@settings(max_examples=600, deadline=None)
@given(TEXT)
def test_the_line_start_count_equals_the_multiline_scan(text):
    assert cx._numbered_items(text) == len(cx._NUMBERED.findall(text))


def test_a_prompt_the_detector_has_read_shares_its_pass_and_another_gets_the_groups():
    tr._recent = ()
    same = "Compare the two designs step by step, then write a Python function."
    detect_pii(same)  # its view is the prompt itself: the detector's pass is the heuristic's
    assert cx._OWN_PASS.triggers(lower(same)) is tr.triggers(lower(same))
    broken = "Compare the two designs\nstep by step,\n\nthen write a Python function."
    detect_pii(broken)  # its view reads the line breaks as spaces: another text
    own = cx._OWN_PASS.triggers(lower(broken))
    assert own.group is cx._OWN_PASS and all(text != lower(broken) for text, _ in tr._recent)
    assert cx.heuristic(broken) == _plain(broken) and cx.heuristic(broken).cues == ("reasoning", "code_task")
