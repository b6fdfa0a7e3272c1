"""The numeric path's faster scans (issue 11 r15, time to decide) change no finding: each equals what it replaces.

* :data:`labs.router.pii._ISBN` consumes its first digit before its lookbehind (the engine then skips to a digit in C);
  it finds what the pattern led by the lookbehind found, on any text;
* :func:`labs.router.pii._isbn_spans` tests an ISBN-10's shape before its checksum: the same spans;
* the digit scans of a normalised view (``ascii_digits=True``: ``_LONG_RUN``, ``_SEQ_DIGITS``, id_numbers'
  ``_SIX_DIGITS``) read ``[0-9]``, not ``\\d``: the same matches on a text whose digits are all ASCII, and a view's
  digits are (normalize folds every Unicode digit, whatever encoding carried it); the detector finds the same with the
  flag as without it, on identifiers in every disguise the synthetic set knows.
"""

from __future__ import annotations

import random
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from labs.router import id_numbers, pii
from labs.router.normalize import normalize
from labs.router.synthetic import DISGUISES, KINDS, LANGS, glued_prompt, harmless_prompt
from labs.router.textscan import lower
from labs.router.validators import isbn10_ok, isbn13_ok

# the pattern as it was, led by its lookbehind
OLD_ISBN = re.compile(r"(?<![\dXx])(?:97[89][\- ]?(?:\d[\- ]?){9}\d|(?:\d[\- ]?){9}[\dXx])(?![\dXx])")

# characters ISBNs, phones and their neighbours are made of: ASCII and other digits, X, separators, a label's letters
_ISBN_ALPHABET = "0123456789789797Xx- -/.:ISBNisbn dp٣０\n"
_isbn_text = st.text(alphabet=_ISBN_ALPHABET, max_size=80)


def _old_isbn_spans(text: str, lo: int = 0, hi: int | None = None) -> list[tuple[int, int]]:
    """:func:`labs.router.pii._isbn_spans` as it was: the old pattern, the checksum before the shape."""
    out = []
    for m in OLD_ISBN.finditer(text, lo, len(text) if hi is None else hi):
        digits = "".join(ch for ch in m.group() if ch.isalnum())
        if pii._BOOK_LABEL.search(text, max(0, m.start() - 30), m.start()) and digits.startswith(("978", "979")):
            out.append(m.span())
            continue
        if len(digits) == 13 and isbn13_ok(digits) or len(digits) == 10 and isbn10_ok(digits) and (
                m.group().count("-") == 3 or "isbn" in text[max(0, m.start() - 30) : m.start()].lower()
                or text[max(0, m.start() - 4) : m.start()] == "/dp/" or m.group()[-1] in "Xx"):
            out.append(m.span())
    return out


@settings(max_examples=600, deadline=None)
@given(_isbn_text, st.integers(0, 40), st.integers(0, 80))
def test_isbn_pattern_led_by_a_digit_finds_the_same(text, lo, hi):
    assert [m.span() for m in pii._ISBN.finditer(text, lo, hi)] == [m.span() for m in OLD_ISBN.finditer(text, lo, hi)]


@settings(max_examples=600, deadline=None)
@given(_isbn_text, st.integers(0, 40))
def test_isbn_spans_are_the_same(text, lo):
    assert pii._isbn_spans(text, lo) == _old_isbn_spans(text, lo)


def test_isbn_spans_on_books_and_phones():
    for text in ("ISBN 0-306-40615-2 and 978-0-306-40615-7", "see /dp/0306406152 now", "isbn 030640615X",
                 "ISMN 979-0-2600-0043-8", "ISBN 978-0-306-40615-8", "call 0671234567 or 067 123 45 67",
                 "the 0-306-40615-2 edition; ０-306-40615-2"):
        assert pii._isbn_spans(text) == _old_isbn_spans(text), text
    assert pii._isbn_spans("ISBN 0-306-40615-2") == [(5, 18)]


# --- the ASCII-digit scans of a normalised view ---------------------------------------------------------------------
_NOT_ASCII_DIGIT = re.compile(r"[^\D0-9]")  # a Unicode digit other than 0-9
# every decimal digit Python's re knows that is not ASCII (its own \d: the set the fast scans must not meet)
_OTHER_DIGITS = [chr(c) for c in range(0x80, 0x20000) if _NOT_ASCII_DIGIT.match(chr(c))]
# how a digit may be carried into the view: typed, as an HTML entity, %-escaped, a JSON escape
_CARRIED = st.sampled_from(_OTHER_DIGITS).flatmap(lambda d: st.sampled_from(
    [d, f"&#{ord(d)};", f"&#x{ord(d):x};", "".join(f"%{b:02X}" for b in d.encode()), f"\\u{ord(d):04x}"]))
_PIECES = st.one_of(_CARRIED, st.sampled_from(["0", "67", "123", " ", "-", ".", "\n", "\t", "тел ", "card ", "IBAN UA",
                                               "з", "O", "l", "&nbsp;", "%20", "ІПН ", "+", "(", ")"]))


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=30).map("".join))
def test_the_view_holds_ascii_digits_only(text):
    view = normalize(text)
    assert _NOT_ASCII_DIGIT.search(view.text) is None
    assert view.plain is None or _NOT_ASCII_DIGIT.search(view.plain) is None


def test_every_other_digit_is_folded():
    view = normalize(" ".join(_OTHER_DIGITS))
    assert _NOT_ASCII_DIGIT.search(view.text) is None and (view.plain is None or _NOT_ASCII_DIGIT.search(view.plain) is None)


# what the numeric scans meet: ASCII digits, their separators, letters of both scripts, line breaks, wide blanks
_ASCII_DIGIT_TEXT = st.text(alphabet="0123456789 0123456789-./_·•*()'\"\\~+,;:=|[]{}xхoоabcXтел№\n\t\u00a0\u2028#", max_size=120)
_PAIRS = [(pii._LONG_RUN, pii._LONG_RUN_ASCII), (pii._SEQ_DIGITS, pii._SEQ_DIGITS_ASCII),
          (id_numbers._SIX_DIGITS, id_numbers._SIX_DIGITS_ASCII)]


@settings(max_examples=600, deadline=None)
@given(_ASCII_DIGIT_TEXT)
def test_ascii_digit_scans_find_the_same(text):
    for unicode_rx, ascii_rx in _PAIRS:
        assert [m.span() for m in ascii_rx.finditer(text)] == [m.span() for m in unicode_rx.finditer(text)], unicode_rx


def _shape(findings) -> list[tuple]:
    return [(f.kind, f.start, f.end, f.text, f.priority) for f in findings]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(KINDS), st.sampled_from(DISGUISES), st.sampled_from(LANGS), st.integers(0, 2**32 - 1),
       st.sampled_from(["", "Рахунок 2024-03-12, замовлення 48213377. ", "id 12345 v1.2 4096 8080 | 98213 77 3 "]))
def test_scan_with_ascii_digits_finds_the_same(kind, how, lang, seed, prefix):
    rng = random.Random(seed)
    for text in (prefix + glued_prompt(kind, rng, lang=lang, how=how)[0], prefix + harmless_prompt(rng, lang)):
        view = normalize(text)
        for v in filter(None, (view.text, view.plain)):
            low = lower(v)
            assert _shape(pii._scan(v, low, view.tabs, view.breaks, ascii_digits=True)) \
                == _shape(pii._scan(v, low, view.tabs, view.breaks)), text
