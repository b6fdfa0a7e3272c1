"""One automaton pass for every detector's trigger literals (issue 11, time to decide) changes no finding.

:mod:`labs.router.triggers` runs a regex only where one of the literals its matches start with stands. Checked here:
the literals read off each pattern (small classes and optional items expanded) really start every match; the
automaton finds every occurrence (overlaps included) that ``str.find`` finds; ``Triggers.finditer``/``search`` equal
``rx.finditer``/``rx.search`` on generated text, with and without bounds; and the whole router with the triggers
against the same router with every such scan a full regex scan (:func:`full_path`, a test-only swap), on the synthetic
identifiers in every disguise (English and Ukrainian), harmless prompts, random mixtures of trigger words, and every
prompt of the PII test files.
"""

from __future__ import annotations

import ast
import random
import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labs.router import complexity, health, pii
from labs.router import triggers as tr
from labs.router.synthetic import DISGUISES, KINDS, LANGS, glued_prompt, harmless_prompt
from labs.router.textscan import lower


def _plain_finditer(self, rx, lits, pos=0, endpos=None, text=None):
    return list(rx.finditer(self.low if text is None else text, pos, len(self.low) if endpos is None else endpos))


def _plain_search(self, rx, lits, pos=0, endpos=None, text=None):
    return rx.search(self.low if text is None else text, pos, len(self.low) if endpos is None else endpos)


def _plain_search_slice(self, rx, lits, lo, hi):
    return rx.search(self.low[max(0, lo) : hi])


@contextmanager
def always_triggered():
    """The trigger-led path however dense the literals (short generated texts would otherwise take the plain scan)."""
    saved = tr._DENSE
    tr._DENSE = 10**9
    try:
        yield
    finally:
        tr._DENSE = saved


@contextmanager
def full_path():
    """Every trigger-led scan as the plain regex scan over the whole text (for this test only)."""
    saved = tr.Triggers.finditer, tr.Triggers.search, tr.Triggers.search_slice
    tr.Triggers.finditer, tr.Triggers.search, tr.Triggers.search_slice = _plain_finditer, _plain_search, \
        _plain_search_slice
    try:
        yield
    finally:
        tr.Triggers.finditer, tr.Triggers.search, tr.Triggers.search_slice = saved


def _shape(findings) -> list[tuple]:
    return [(f.kind, f.start, f.end, f.text, f.priority) for f in findings]


def _both(prompt: str):
    with always_triggered():
        fast = (_shape(pii.detect_pii(prompt)), complexity.heuristic(prompt))
    assert fast == (_shape(pii.detect_pii(prompt)), complexity.heuristic(prompt))  # the production path too
    with full_path():
        full = (_shape(pii.detect_pii(prompt)), complexity.heuristic(prompt))
    return fast, full


def test_full_path_swaps_the_scans_back():
    with full_path():
        assert tr.Triggers.finditer is _plain_finditer and tr.Triggers.search_slice is _plain_search_slice
    assert tr.Triggers.finditer is not _plain_finditer and tr.Triggers.search_slice is not _plain_search_slice


# --- the literals read off a pattern -----------------------------------------------------------------------------
def test_literals_expand_small_classes_and_optional_items():
    assert tr.trigger_literals(re.compile(r"(?<!\w)a[+\-] blood")) == ("a+ bl", "a- bl")
    assert set(tr.trigger_literals(re.compile(r"п['’]?ят"))) == {"п'ят", "п’ят", "пят"}
    assert tr.trigger_literals(re.compile(r"ab?c|x(?:yz)+")) == ("ac", "abc", "xyz")
    assert tr.trigger_literals(re.compile(r"no|nomer|number")) == ("no", "number")  # "nomer" holds "no": dropped
    assert tr.trigger_literals(re.compile(r"\d+|tel")) is None  # a branch led by a class
    assert tr.trigger_literals(re.compile(r"(?i:tel)|phone")) is None  # a group that ignores case
    assert tr.trigger_literals(re.compile(r"tel", re.IGNORECASE)) is None
    assert tr.trigger_literals(re.compile(r"a?b")) == ("b", "ab")


def test_a_pattern_without_literals_is_refused_when_asked():
    with pytest.raises(ValueError, match="no literal"):
        _ = tr.Literals(re.compile(r"\w+x")).literals
    tr.Literals._all.pop()  # not one of the router's


def _router_sets() -> list[tr.Literals]:
    from labs.router import id_numbers

    found = [v for mod in (pii, health, complexity, id_numbers) for v in vars(mod).values() if isinstance(v, tr.Literals)]
    return found + list(pii._NEAR_AT.values())


def test_every_router_pattern_has_literals_and_the_automaton_holds_them():
    pii.detect_pii("warm up: born 12.03.1985, diabetes")
    sets = _router_sets()
    assert len(sets) >= 17
    for lits in sets:
        assert lits in tr.Literals._all and lits.literals, lits.rx.pattern[:60]
        assert tr._in_automaton.issuperset(lits.literals)


POOL = sorted({w for lits in tr.Literals._all for w in lits.literals} | {
    "diabetes", "my mother", "she has", "born", "born on", "d.o.b.", "тг", "@olena_k", "gmail", "точка", "ком",
    "нуль шість сім", "zero six", "step by step", "python", "код", "asthma", "a+ blood", "o negative", "в(ііі)",
    "Street", "St.", "Baker St", "Ave", "ПЛ Ринок", "Ул Ленина", "пл`Ринок`", "Sumska str. 1", "Road 5", "Rd", "DR"})
SEPS = [" ", "  ", ", ", ". ", ": ", "\n", "-", "(", ")", "'", "1", "07", "@", "#", "№", "x", "а", "ing", "ові"]
TEXT = st.lists(st.one_of(st.sampled_from(POOL), st.sampled_from(SEPS),
                          st.text(alphabet="abcdeilmnorstSADRабвгдеіклмнопрстПЛУ0123456789 .,:'@-\n", max_size=5)),
                max_size=30).map("".join)


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_the_automaton_finds_every_place_str_find_finds(text):
    low = lower(text)
    t = tr.Triggers(low)
    for lits in tr.Literals._all:
        assert t.starts(lits) == sorted(t._find(lits.literals)), lits.rx.pattern[:60]


@settings(max_examples=400, deadline=None)
@given(TEXT, st.integers(0, 12), st.integers(0, 12))
def test_a_trigger_led_scan_equals_the_regex_scan(text, cut_lo, cut_hi):
    low = lower(text)
    pos, endpos = min(cut_lo, len(low)), max(min(cut_lo, len(low)), len(low) - cut_hi)
    t = tr.Triggers(low)
    with always_triggered():
        _scans_agree(t, low, pos, endpos, text)
    _scans_agree(t, low, pos, endpos, text)  # and where the literals are dense, the plain scan


def _scans_agree(t, low, pos, endpos, text):
    for lits in tr.Literals._all:
        rx = lits.rx
        if lits.cased:  # read on the text as typed
            assert [m.span() for m in t.finditer(rx, lits, text=text)] == [m.span() for m in rx.finditer(text)]
            assert [m.span() for m in t.finditer(rx, lits, pos, endpos, text=text)] == \
                [m.span() for m in rx.finditer(text, pos, endpos)], rx.pattern[:60]
            got, want = t.search(rx, lits, pos, endpos, text=text), rx.search(text, pos, endpos)
            assert (got and got.span()) == (want and want.span()), rx.pattern[:60]
            continue
        assert [m.span() for m in t.finditer(rx, lits)] == [m.span() for m in rx.finditer(low)], rx.pattern[:60]
        assert [m.span() for m in t.finditer(rx, lits, pos, endpos)] == \
            [m.span() for m in rx.finditer(low, pos, endpos)], rx.pattern[:60]
        got, want = t.search(rx, lits, pos, endpos), rx.search(low, pos, endpos)
        assert (got and got.span()) == (want and want.span()), rx.pattern[:60]
        got, want = t.search_slice(rx, lits, pos, endpos), rx.search(low[pos:endpos])
        assert (got and got.span()) == (want and want.span()), rx.pattern[:60]


WORDS_AND_DIGITS = st.lists(st.sampled_from(["street", "str", "st", "avenue", "ave", "av", "boulevard", "blvd", "prosp",
                                             "prospekt", "lane", "road", "rd", "s", "a", "b", "p", "l", "r", "x", ".", ",",
                                             " ", "  ", "\n", "1", "42", "-", "_", "ст"]), max_size=14).map("".join)


@settings(max_examples=800, deadline=None)
@given(WORDS_AND_DIGITS)
def test_the_word_led_translit_key_equals_the_class_led_one(text):
    assert [m.span() for m in pii._TRANSLIT_AFTER_WORDS.finditer(text)] == \
        [m.span() for m in pii._TRANSLIT_AFTER_KEY.finditer(text)]


def test_a_cased_set_refuses_letters_that_lower_case_to_other_lengths():
    with pytest.raises(ValueError, match="lower-case"):
        _ = tr.Literals(re.compile("İstanbul"), cased=True).literals
    tr.Literals._all.pop()
    assert tr.Literals(re.compile("St|Sq|ST"), cased=True).literals == ("st", "sq")
    tr.Literals._all.pop()


GATES = [(pii._PASSPORT_KEYS_AT, pii._PASSPORT_KEYS), (pii._SITES_AT, pii._SITES), (pii._SPOKEN_KEYS_AT, pii._SPOKEN_KEYS),
         (pii._PROVIDER_WORDS, ("мейл", "gmail", "укрнет", "ukr.net", "аутлук", "outlook")),
         (complexity._CODE_MARKS_AT, complexity._CODE_MARKS)]
GATE_TEXT = st.lists(st.one_of(st.sampled_from([k for _, keys in GATES for k in keys] + ["ukr.ne", "t.m", "импорт"]),
                               st.sampled_from(SEPS)), max_size=8).map("".join)


@settings(max_examples=400, deadline=None)
@given(GATE_TEXT)
def test_a_substring_gate_looked_up_equals_its_substring_tests(text):
    low = lower(text)
    t = tr.Triggers(low)
    for lits, keys in GATES:
        with always_triggered():
            assert t.contains(lits) == any(k in low for k in keys)
        assert t.contains(lits) == any(k in low for k in keys)


def test_a_text_read_for_few_kinds_takes_the_plain_scans():
    low = "born on 12 march; ukr.net"
    tr.scan_only(low)
    t = tr.triggers(low)
    assert t.scan and t._per is None
    for lits in (pii._DOB_GATE_AT, pii._PROVIDER_KEY_AT):
        assert [m.span() for m in t.finditer(lits.rx, lits)] == [m.span() for m in lits.rx.finditer(low)]
    assert t._per is None  # no pass was run


def test_the_triggers_of_a_prompt_are_shared_and_a_new_prompt_gets_its_own():
    a, b = "my mother has diabetes", "born 12 march"
    assert tr.triggers(a) is tr.triggers("my mother has " + "diabetes")  # equal text, one pass
    assert tr.triggers(b) is not tr.triggers(a)


# --- the whole router, both ways ---------------------------------------------------------------------------------
@settings(max_examples=300, deadline=None)
@given(st.sampled_from(KINDS), st.sampled_from(DISGUISES), st.sampled_from(LANGS), st.integers(0, 2**32 - 1),
       st.sampled_from(["", "My mother has diabetes; her d.o.b. is below. ", "Моя мама хворіє на астму, тг @olena_k85. ",
                        "Explain step by step, with code: "]))
def test_the_router_finds_what_its_full_path_finds_in_every_disguise(kind, how, lang, seed, prefix):
    prompt = prefix + glued_prompt(kind, random.Random(seed), lang=lang, how=how)[0]
    fast, full = _both(prompt)
    assert fast == full


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from(LANGS))
def test_harmless_prompts_read_the_same_both_ways(seed, lang):
    fast, full = _both(harmless_prompt(random.Random(seed), lang))
    assert fast == full


@settings(max_examples=300, deadline=None)
@given(TEXT, st.integers(0, 2**32 - 1), st.sampled_from(KINDS))
def test_random_mixtures_read_the_same_both_ways(text, seed, kind):
    rng = random.Random(seed)
    ident = glued_prompt(kind, rng, lang=rng.choice(LANGS), how=rng.choice(DISGUISES))[0]
    cut = rng.randint(0, len(text))
    fast, full = _both(text[:cut] + " " + ident + " " + text[cut:])
    assert fast == full


def _test_file_prompts() -> list[str]:
    """Every string of 12 characters or more in the PII, health and router test files (their attack and harmless
    cases)."""
    out: set[str] = set()
    for path in sorted(Path(__file__).parent.glob("test_pii*.py")) + [Path(__file__).parent / "test_router.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) >= 12:
                out.add(node.value)
    return sorted(out)


def test_every_prompt_of_the_pii_tests_reads_the_same_both_ways():
    prompts = _test_file_prompts()
    assert len(prompts) > 500
    differ = [p for p in prompts if (lambda both: both[0] != both[1])(_both(p))]
    assert differ == []


def test_dense_literals_take_the_plain_scan():
    low = "born " * 40
    lits = pii._DOB_GATE_AT
    called = []

    class Spy:
        pattern, flags = pii._DOB_GATE_ANY.pattern, pii._DOB_GATE_ANY.flags

        def finditer(self, *a):
            called.append(a)
            return pii._DOB_GATE_ANY.finditer(*a)

        def match(self, *a):
            raise AssertionError("a dense text is scanned, not matched at each literal")

    got = tr.Triggers(low).finditer(Spy(), lits)
    assert called and [m.span() for m in got] == [m.span() for m in pii._DOB_GATE_ANY.finditer(low)]


MONTHY = st.lists(st.one_of(st.sampled_from(["march", "березня", "грудень", "sept.", "ſept", "\u212aвіт", "ᲀересня",
                                             "mᴀy", "İ", "born", "трав", " ", "ня", "ᲀ", "K", "ſ", "j", "ä", "ё"]),
                            st.text(max_size=3)), max_size=12).map("".join)


@settings(max_examples=500, deadline=None)
@given(MONTHY)
def test_the_month_gate_equals_the_case_ignoring_scan(text):
    low = lower(text)
    assert pii._has_month_word(low) == (pii._MONTH_WORD.search(low) is not None)


def test_no_two_letters_of_the_month_words_fold_to_each_other():
    letters = sorted({ch for ch in pii._ANY_MONTH if ch.isalpha()})
    assert letters == [ch.lower() for ch in letters]
    for a in letters:
        for b in letters:
            assert a == b or not re.fullmatch(a, b, re.IGNORECASE)
    for ch in pii._plain_for_months():  # every "plain" character matches a month letter only as itself
        assert ch in letters or not pii._FOLDS_TO_A_MONTH_LETTER.match(ch)


def test_health_spans_read_the_same_both_ways():
    for text in ("My mother has diabetes and takes insulin.", "У мене астма, сиджу на сальбутамолі.",
                 "Він має групу крові A(II) Rh+.", "She is O negative.", "diabetes mellitus type 2: an overview"):
        fast = health.personal_health_spans(text)
        with full_path():
            assert fast == health.personal_health_spans(text)
