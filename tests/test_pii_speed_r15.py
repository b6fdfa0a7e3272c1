"""The numeric path's faster scans (issue 11 r15, time to decide) change no finding: each equals what it replaces.

* :data:`labs.router.pii._ISBN` consumes its first digit before its lookbehind (the engine then skips to a digit in C);
  it finds what the pattern led by the lookbehind found, on any text;
* :func:`labs.router.pii._isbn_spans` tests an ISBN-10's shape before its checksum: the same spans.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from labs.router import pii
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

