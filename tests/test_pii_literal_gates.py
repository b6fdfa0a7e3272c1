"""The router's substring gates (issue 11, speed) change no finding: whenever the scan they guard can match, the gate
lets it run. Property tests over text built from the scans' own words and random characters."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from labs.router import health, normalize, pii
from labs.router.textscan import literal_gate

# each key scan and the gate find_addresses / personal_health_spans test before it
GATED = [(pii._FLAT_KEY, pii._FLAT_GATE), (pii._EN_FLAT_KEY, pii._EN_FLAT_GATE), (pii._TRANSLIT_KEY, pii._TRANSLIT_GATE),
         (pii._GERMAN_KEY, pii._GERMAN_GATE), (health._MED_DOC, health._MED_DOC_GATE)]
WORDS = ["кв", "буд", "під'їзд", "оф", "дом", "apt", "apartment", "flat", "kv", "vul", "prosp", "prov.", "bulv", "ul.",
         "ulica", "ploshcha", "pl.", "pr.", "straße", "strasse", "str.", "weg", "allee", "platz", "gasse", "damm",
         "certificate", "medical", "довідці", "статус", "hiv", "віл", "м.", "с.", "г.", "смт", "01001,", "12345,", "Street",
         "St.", "Ave", "Road", "Lane", "Drive", "Court", "Way", "Square"]
PIECES = st.one_of(st.sampled_from(WORDS), st.text(alphabet="abdgklmprstuvwyмсгтквд0123456789 .,'\n", max_size=5))
TEXTS = st.lists(PIECES, min_size=1, max_size=10).map("".join)


def test_every_gate_is_read_off_its_key():
    for key, gate in GATED:
        assert gate, key.pattern  # an empty gate would turn the speed-up off, silently
        assert gate == literal_gate(key)
    assert literal_gate(re.compile(r"(?i:apt)|kv")) is None  # a case-blind branch has no literal to test
    assert literal_gate(re.compile(r"a?b")) == ("b",)  # an optional start: the first literal every match holds
    assert literal_gate(re.compile(r"[ab]\d")) is None


@settings(max_examples=500, deadline=None)
@given(TEXTS)
def test_a_gate_never_hides_a_match(text):
    low = text.lower()
    for key, gate in GATED:
        if key.search(low):
            assert any(g in low for g in gate), (key.pattern, low)
    if pii._TOWN_KEY.search(low):
        assert pii._town_gate(low)
    if pii._ADDRESS_GATE_EN.search(text):
        assert pii._STREET_TYPE_EN.search(text)


PLAIN = st.text(alphabet="aZ09 .,;:-+@#'\"\t\n\rабвгґдеєжзиіїйклмнопрстуфхцчшщьюяАБВГҐДЕЄЖЗИІЇЙКЛМНОПРСТУФХЦЧШЩЬЮЯ№ёъыэ",
                max_size=40)


@settings(max_examples=400, deadline=None)
@given(PLAIN)
def test_plain_text_has_no_invisible_character_or_odd_separator(text):
    """normalize skips these two scans for text _NOT_PLAIN finds nothing in: they must find nothing there either."""
    assert normalize._NOT_PLAIN.search(text) is None
    assert list(normalize._invisible_pieces(text, normalize._has_astral(text))) == []
    assert list(normalize._odd_separator_pieces(text, normalize._has_astral(text))) == []


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="ab1 \r\n\u2028\u2029\x85", max_size=30))
def test_line_breaks_read_with_find_equal_the_regex(text):
    assert normalize._breaks(text) == frozenset(m.start() for m in normalize._BREAK.finditer(text))


DATE_PIECES = st.one_of(st.sampled_from(["May", "березня", "Dec.", "листопада", "june", "марта", "2024", "1985", "12th",
                                         "1-го", "12", "03", "року", "р.", "born", "dob", "birth", "Маy"]),
                        st.text(alphabet="0129 -.,/\nab", max_size=4))


@settings(max_examples=500, deadline=None)
@given(st.lists(DATE_PIECES, min_size=1, max_size=14).map("".join))
def test_word_dates_around_years_equal_the_full_scan(text):
    assert [m.span() for m in pii._word_dates(text)] == [m.span() for m in pii._WORD_DATE.finditer(text)]


NEAR_PIECES = st.one_of(st.sampled_from(["card", "картка", "visa", "cvv", "ssn", "social security", "соц. страх", "паспорт",
                                         "passport", "серія", "id card", "tax", "іпн", "phone", "тел"]),
                        st.text(alphabet="acdeiopstvу ssn.:-0123", max_size=5))


@settings(max_examples=400, deadline=None)
@given(st.lists(NEAR_PIECES, min_size=1, max_size=10).map("".join), st.integers(0, 40), st.integers(1, 80))
def test_context_gate_answers_as_the_search(low, lo, width):
    """_Near skips a context regex whose literal gate is absent from the prompt: its answer stays the search's."""
    for rx in (pii._CARD_CONTEXT, pii._SSN_CONTEXT, pii._PASSPORT_CONTEXT, pii._TAX_CONTEXT, pii._PHONE_CONTEXT):
        hi = min(len(low), lo + width)
        expected = lo < hi and rx.search(low, lo, hi) is not None
        assert pii._Near(low)(rx, lo, hi) == expected, (rx.pattern[:40], low, lo, hi)
