"""normalize's census gates (issue 11 r14: the router's time to decide) find exactly what the scans they replace find.

Each stage of :func:`labs.router.normalize.normalize` now finds its candidates in a byte census of the text (bytes.find,
AND-ed flag integers) and runs its regex only there. Each is checked here against the plain scan it replaced, on text
built from the stages' own triggers (base64 and hex tokens, digit groups and separators, look-alike letters, Latin and
Cyrillic, every kind of blank) and on the 2 KB prompts of bench/router_bench.py.
"""

from __future__ import annotations

import base64
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bench.router_bench import DENSE, DIGITS, NUMERIC, PROSE, TICKET, two_kb
from labs.router import normalize as nz

PROMPTS = [two_kb(t) for t in (TICKET, NUMERIC, PROSE, DENSE, DIGITS)]
WORDS = ["abcdefgh", "ABCDEFGH", "Hardware", "statement", "deadbeefcafebabe", "3132333435363738", "HelloWorld",
         "tokens/s", "trade-offs", "MDY3MTIzNDU2Nw==", base64.b64encode("тел 0671234567".encode()).decode(), "a+b+c",
         "SGVsbG8g", "Helloworld日Abcdefgh", "elloworld日Abcdefgh", "x,Something", "Ǆabcdefgh", "2024-03-12",
         "INV-2024-00042", "1Z999AA10123456784", "4111", "5168", "3223", "UA21", "DE89", "O67", "l23", "8B", "з0", "б6",
         "дiабет", "Київ", "УА21", "№", "=", "==", "?", "«", "»", "·", "x", "о", "-", ".", ":", "—", "’", "|", "0", "٣",
         "０", "💳", "\u200b", "\u0483", "\u2028", "(", ")", ",", "Everything", "Ærøskøbing", "Деревина", "ﬁnancially", "ǅabcdefgh"]
BLANKS = [" ", "  ", "\n", "\n\n", "\t", "\r\n", "\x0b", "\x1c", "\x85", "\xa0", "\u2003", "\u3000", " \n "]
TEXTS = st.lists(st.one_of(st.sampled_from(WORDS), st.sampled_from(BLANKS), st.text(alphabet="0123456789", max_size=5),
                           st.text(alphabet="aAbBoOlIS0189+/_-=. ", max_size=10)), max_size=40).map("".join)
SAME_SEP = [(nz._SAME_SEP_CARD, nz._CARD_CLASS, nz._CARD_SHAPES), (nz._SAME_SEP_IBAN, nz._CAPS_CLASS, nz._IBAN_SHAPES)]
CARDISH = st.lists(st.one_of(st.text(alphabet="0123456789", min_size=1, max_size=5), st.sampled_from(
    ["UA21", "DE89", "GB", "XK05", "OM", " ", "-", "=", ":", " : ", "x", " x ", "о", " х", "«»", ",", "\xa0", "|", "AB"])),
    max_size=24).map("".join)


def test_the_other_spaces_are_every_space_the_regex_knows():
    """_ws_runs trusts bytes.find unless one of _OTHER_SPACES occurs: the list holds every non-ASCII space of \\s."""
    assert set(nz._OTHER_SPACES) == {chr(c) for c in range(0x80, 0x110000) if re.match(r"\s", chr(c))}


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_plain_whitespace_and_letter_mix_gates_agree_with_their_scans(text):
    census = nz._Census(text)
    assert census.plain() == (nz._NOT_PLAIN.search(text) is None)
    assert [m.span() for m in nz._ws_runs(text, census)] == [m.span() for m in nz._WS_RUN.finditer(text)]
    if not text.isascii():
        assert nz._letters_mix(text) == (nz._LETTERS_MIX.search(text) is not None)


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_base64_from_the_census_is_the_token_loop(text):
    """The same pieces as the whitespace-token loop, and afterwards the same remembered tokens wherever the
    difference could show: a token with a "+" or one that decodes."""
    seen_new, seen_ref = set(), set()
    assert nz._b64_pieces(text, seen_new) == list(nz._b64_pieces_by_tokens(text, seen_ref))
    assert seen_new <= seen_ref
    assert all("+" not in g and nz._b64(g) is None for g in seen_ref - seen_new)


@settings(max_examples=400, deadline=None)
@given(st.one_of(TEXTS, CARDISH))
def test_same_separator_and_spot_candidates_hold_every_match(text):
    census = nz._Census(text)
    for rx, table, shapes in SAME_SEP:
        found = nz._matches_at(rx, text, nz._finds(census.of(table), shapes))
        assert [m.span() for m in found] == [m.span() for m in rx.finditer(text)]
    ascii_digits = "".join(ch if not ch.isdecimal() or ch.isascii() else "7" for ch in text)  # as _fold leaves it
    assert nz._ascii_digit_spots(ascii_digits) == nz._spots(ascii_digits)


def test_the_prompts_read_the_same_through_each_gate():
    for text in PROMPTS:
        census = nz._Census(text)
        assert census.plain() == (nz._NOT_PLAIN.search(text) is None)
        assert [m.span() for m in nz._ws_runs(text, census)] == [m.span() for m in nz._WS_RUN.finditer(text)]
        assert nz._b64_pieces(text, set()) == list(nz._b64_pieces_by_tokens(text, set()))
        for rx, table, shapes in SAME_SEP:
            assert [m.span() for m in nz._matches_at(rx, text, nz._finds(census.of(table), shapes))] == \
                [m.span() for m in rx.finditer(text)]
        folded = nz._fold(text)
        assert nz._ascii_digit_spots(folded) == nz._spots(folded)


def test_a_token_placed_inside_an_earlier_word_goes_to_the_token_loop():
    """The token loop places a token with text.find from the previous one: "elloworld日Abcdefgh" is found inside the
    plain word before it. The census path hands such a text to the loop, for the same pieces."""
    text = "Helloworld日Abcdefgh then elloworld日Abcdefgh and SGVsbG8gd29ybGQ="
    seen = set()
    assert nz._b64_pieces(text, seen) == list(nz._b64_pieces_by_tokens(text, set()))
    assert "SGVsbG8gd29ybGQ=" in seen
