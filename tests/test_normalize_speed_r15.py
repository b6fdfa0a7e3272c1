"""normalize's cheaper tests (issue 11 r15: the router's time to decide) say exactly what the code they replace said.

An ASCII text's control characters are found in the census of its blanks (not by ``str.translate`` and
``isprintable``); :meth:`_Census.plain` reads its ASCII characters from that census and runs its regex only from the
first character that is not ASCII to the last; :func:`labs.router.normalize._b64` counts a token's digits in its UTF-8
bytes before its regex; a text with many base64 runs drops its Title-case words' runs with integer operations. Each is checked here against the expression it replaced, on every ASCII character and on
generated text.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bench.router_bench import DENSE, DIGITS, NUMERIC, PROSE, TICKET, two_kb
from labs.router import normalize as nz

ASCII_TEXT = st.text(alphabet=[chr(c) for c in range(128)], max_size=40)
TOKENS = st.one_of(st.text(alphabet="ABCXYZabcfxyz0123456789+/_-=", min_size=1, max_size=24),
                   st.sampled_from(["INV-2024-00042", "2024-03-12", "0x80070005", "1Z999AA10123456784", "tokens/s",
                                    "3132333435363738", "MDY3MTIzNDU2Nw==", "SGVsbG8gd29ybGQ=", "٣٣٣٣٣٣٣٣ab12",
                                    "０６７１２３４５６７ab"]))
_BLANK_CONTROLS = str.maketrans("", "", "\t\n\r\v\f\x1c\x1d\x1e\x1f")  # what the replaced test deleted first
_NO_DIGITS = str.maketrans("", "", "0123456789")


def _has_control_by_scan(text: str) -> bool:
    """The test :func:`labs.router.normalize._pieces` ran on an ASCII text before the census."""
    return not text.translate(_BLANK_CONTROLS).isprintable()


def _b64_by_scan(token: str) -> str | None:
    """:func:`labs.router.normalize._b64` as it read a token's digits before (a str.translate count, after the regex)."""
    body = token.rstrip("=")
    if len(body) % 2 == 0 and len(body) >= 16 and not body.strip("0123456789abcdefABCDEF"):
        text = nz._readable(bytes.fromhex(body))
        if text is not None:
            return text
    if len(body) % 4 == 1 or body.isalpha() and (body.islower() or body.isupper()):
        return None
    if body.isdigit() or re.search(r"\d{6}", body) or 2 * (len(body) - len(body.translate(_NO_DIGITS))) > len(body):
        return None
    return nz._b64(token)  # past the digit test the two are the same code


PLAINISH = st.text(alphabet=st.one_of(st.sampled_from("aZ09 ?.-\t\n\r\v\f\x1c\x1f\x00\x7fіїєґЖж№\u0483\u0489\u048a\xa0"
                                                   "\u2028\u200b"), st.characters()), max_size=40)


def test_the_ascii_characters_that_are_not_plain_are_the_controls_and_the_odd_blanks():
    assert {chr(c) for c in range(128) if nz._NOT_PLAIN.match(chr(c))} == set(nz._ASCII_CONTROLS) | set(nz._ODD_BLANKS)


@settings(max_examples=1000, deadline=None)
@given(PLAINISH)
def test_plain_from_the_census_and_a_window_is_the_scan(text):
    assert nz._Census(text).plain() == (nz._NOT_PLAIN.search(text) is None)


def test_every_ascii_control_is_in_the_census_and_nothing_else():
    for c in range(128):
        text = f"ab {chr(c)}cd"
        assert (b"c" in nz._Census(text).of(nz._WS_CLASS)) == _has_control_by_scan(text), repr(chr(c))


@settings(max_examples=500, deadline=None)
@given(ASCII_TEXT)
def test_an_ascii_texts_controls_from_the_census(text):
    assert (b"c" in nz._Census(text).of(nz._WS_CLASS)) == _has_control_by_scan(text)
    assert [m.span() for m in nz._ws_runs(text, nz._Census(text))] == [m.span() for m in nz._WS_RUN.finditer(text)]


@settings(max_examples=500, deadline=None)
@given(TOKENS)
def test_base64_tokens_read_the_same_with_digits_counted_first(token):
    assert nz._b64(token) == _b64_by_scan(token)


def test_the_prompts_read_the_same():
    for text in (two_kb(t) for t in (TICKET, NUMERIC, PROSE, DENSE, DIGITS)):
        assert nz._Census(text).plain() == (nz._NOT_PLAIN.search(text) is None)
        if text.isascii():
            assert (b"c" in nz._Census(text).of(nz._WS_CLASS)) == _has_control_by_scan(text)
        for token in text.split():
            assert nz._b64(token) == _b64_by_scan(token)


TITLE_WORDS = st.lists(st.one_of(
    st.sampled_from(["Transformer", "Attention", "Efficiently,", "Trade-Offs", "x,Something", "Hello日Worldabc",
                     "elloworld日Abcdefgh", "SGVsbG8gd29ybGQ=", "Abcdefghijklmnopqrstuvwxyzabcdefghijkl", "Uses", "A",
                     "Ab12cdefgh", "AbcdefgH", "Ǆabcdefgh", "Abcdefgh+", "Sequences", "ABCDEFGHI"]),
    st.sampled_from([" ", "  ", "\n", "\xa0", "\t", "\v", "", "."])), max_size=80).map("".join)
_SPACES = re.escape(nz._ASCII_SPACES)
_TITLE_WORD = re.compile(rf"(?:(?<=[{_SPACES}])|\A)[A-Z][a-z]{{0,31}}(?=[{_SPACES}]|\Z)")


@settings(max_examples=500, deadline=None)
@given(TITLE_WORDS)
def test_title_word_starts_are_the_regexs_and_base64_reads_the_same(text):
    starts = nz._title_word_starts(nz._Census(text)).to_bytes(len(text) + 1, "little")
    assert [q for q, b in enumerate(starts) if b] == [m.start() for m in _TITLE_WORD.finditer(text)]
    seen_new, seen_ref = set(), set()
    assert nz._b64_pieces(text, seen_new) == list(nz._b64_pieces_by_tokens(text, seen_ref))
    assert seen_new <= seen_ref
    assert all("+" not in g and nz._b64(g) is None for g in seen_ref - seen_new)


def test_2_kb_of_title_case_words_reads_the_same():
    text = two_kb(PROSE.title())
    census = nz._Census(text)
    assert bin(nz._title_word_starts(census)).count("1") > 200  # the integer path runs, and finds the words
    assert nz._b64_pieces(text, set(), census) == list(nz._b64_pieces_by_tokens(text, set()))
