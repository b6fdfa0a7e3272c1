"""The router's faster scans (issue 11, time to decide) change no finding: each equals the regex scan it replaces.

Every shortcut here is exact, not a heuristic prefilter: a scan led by ``str.find`` of the literals every match starts
with, a scan tried only at line starts, a search skipped where its pattern cannot match (no digit), a pattern rewritten
so the engine skips to its first character. Each is checked against the plain scan on generated text, and the whole
detector against the same detector with the plain scans put back (:func:`full_path`), on identifiers in every disguise
the synthetic set knows (base64, %-escapes, HTML entities, JSON \\u escapes, full-width digits, look-alike letters, line
breaks inside a number, Ukrainian text).
"""

from __future__ import annotations

import random
import re
from contextlib import contextmanager

from hypothesis import given, settings
from hypothesis import strategies as st

from labs.router import normalize as nz
from labs.router import pii
from labs.router.synthetic import DISGUISES, KINDS, LANGS, glued_prompt, harmless_prompt
from labs.router.textscan import finditer_at_literals, leading_literals

# the pattern as it was before its first digit was consumed ahead of the lookbehinds
OLD_SHORT_YEAR_DATE = re.compile(r"(?<![\d.])(?:0[1-9]|[12]\d|3[01])\.(?:0[1-9]|1[0-2])\.(\d\d)(?![\d.])")


def _plain_finditer(rx: re.Pattern, text: str, literals: tuple[str, ...], pos: int = 0, endpos: int | None = None):
    return list(rx.finditer(text, pos, len(text) if endpos is None else endpos))


def _plain_b64_lines(text: str, first: bool = False) -> list[re.Match]:
    if first:
        m = nz._B64_LINES.search(text)
        return [] if m is None else [m]
    return list(nz._B64_LINES.finditer(text))


def _plain_day_month_before(view: str, at: int) -> re.Match | None:
    return pii._DAY_MONTH_BEFORE.search(view, max(0, at - 16), at)


@contextmanager
def full_path():
    """The detector with every scan of this change as the plain regex scan (for this test only)."""
    saved = (pii.finditer_at_literals, nz._b64_lines, pii._day_month_before, pii._SHORT_YEAR_DATE)
    pii.finditer_at_literals, nz._b64_lines = _plain_finditer, _plain_b64_lines
    pii._day_month_before, pii._SHORT_YEAR_DATE = _plain_day_month_before, OLD_SHORT_YEAR_DATE
    try:
        yield
    finally:
        pii.finditer_at_literals, nz._b64_lines, pii._day_month_before, pii._SHORT_YEAR_DATE = saved


def _shape(findings) -> list[tuple]:
    return [(f.kind, f.start, f.end, f.text, f.priority) for f in findings]


def test_full_path_swaps_the_scans_back():
    with full_path():
        assert pii.finditer_at_literals is _plain_finditer and nz._b64_lines is _plain_b64_lines
    assert pii.finditer_at_literals is finditer_at_literals and pii._SHORT_YEAR_DATE is not OLD_SHORT_YEAR_DATE


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(KINDS), st.sampled_from(DISGUISES), st.sampled_from(LANGS), st.integers(0, 2**32 - 1),
       st.sampled_from(["", "Hello support team, order #58213377 placed on 2024-03-12, build 20240312. ",
                        "Тарас Шевчук, 12.03.85, замовлення № 48213377, 15.03.2024. "]))
def test_the_detector_finds_what_its_full_path_finds_in_every_disguise(kind, how, lang, seed, prefix):
    prompt = prefix + glued_prompt(kind, random.Random(seed), lang=lang, how=how)[0]
    fast = _shape(pii.detect_pii(prompt))
    with full_path():
        full = _shape(pii.detect_pii(prompt))
    assert fast == full


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from(LANGS))
def test_harmless_numbers_read_the_same_both_ways(seed, lang):
    prompt = harmless_prompt(random.Random(seed), lang)
    fast = _shape(pii.detect_pii(prompt))
    with full_path():
        assert fast == _shape(pii.detect_pii(prompt))


# --- each scan against the one it replaces -------------------------------------------------------------------------
LITERAL_LED = [pii._NUMBER_LABEL_DIGITS, pii._HANDLE_LABEL, pii._PROVIDER_KEY, pii._EN_FLAT_KEY, pii._TRANSLIT_KEY,
               pii._YEARLESS_KEY, pii._TAX_CAPS]
WORDS = ("номер", "number", "tel", "tel. no", "№", "телеграм", "tg", "ig", "gmail", "ukr", "i.ua", "apt", "flat", "kv",
         "vul", "prosp", "ul.", "born", "народ", "д.н.", "ІПН", "РНОКПП", "is", ":", " ", "-", "\n")
TEXT = st.lists(st.one_of(st.sampled_from(WORDS), st.text(alphabet="0123456789 .-,;|/+abцтн№@\n", max_size=6)),
                max_size=25).map("".join)


def test_every_literal_led_pattern_has_its_literals():
    for rx in LITERAL_LED:
        assert leading_literals(rx), rx.pattern[:60]
    assert leading_literals(re.compile(r"(?i:tel)|phone")) is None  # a group that ignores case: no literal is safe
    assert leading_literals(re.compile(r"\d+|tel")) is None  # a branch led by a class


@settings(max_examples=500, deadline=None)
@given(TEXT, st.integers(0, 8), st.integers(0, 8))
def test_a_literal_led_scan_equals_the_regex_scan(text, cut_lo, cut_hi):
    pos, endpos = min(cut_lo, len(text)), max(min(cut_lo, len(text)), len(text) - cut_hi)
    for rx in LITERAL_LED:
        low = text if rx is pii._TAX_CAPS else text.lower()
        lits = leading_literals(rx)
        assert [m.span() for m in finditer_at_literals(rx, low, lits)] == [m.span() for m in rx.finditer(low)]
        assert [m.span() for m in finditer_at_literals(rx, low, lits, pos, endpos)] == \
            [m.span() for m in rx.finditer(low, pos, endpos)]


B64_LINE = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef0123456789+/", min_size=0, max_size=24)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(B64_LINE, st.sampled_from(["", "==", "=", "some prose here", "> quoted"])), max_size=8),
       st.sampled_from(["\n", "\r\n", "\n\n"]))
def test_base64_lines_from_line_starts_equal_the_multiline_scan(lines, eol):
    text = eol.join(lines)
    assert [m.span() for m in nz._b64_lines(text)] == [m.span() for m in nz._B64_LINES.finditer(text)]
    first = nz._B64_LINES.search(text)
    assert [m.span() for m in nz._b64_lines(text, first=True)] == ([] if first is None else [first.span()])


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="0123.x 9\n", max_size=40))
def test_the_short_year_date_skips_to_digits_and_finds_the_same(text):
    assert [(m.span(), m.group(1)) for m in pii._SHORT_YEAR_DATE.finditer(text)] == \
        [(m.span(), m.group(1)) for m in OLD_SHORT_YEAR_DATE.finditer(text)]


MONTHS = ("March", "mar.", "БЕРЕЗНЯ", "березня", "лют", "Sept", "грудні", "марта")


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(MONTHS), st.text(alphabet="0123456789１２٣./- ,\u00a0a", max_size=4)),
                max_size=8).map("".join))
def test_a_day_and_month_before_a_year_hold_a_digit(before):
    view = before + "1985"
    fast, plain = pii._day_month_before(view, len(before)), _plain_day_month_before(view, len(before))
    assert (fast and fast.span()) == (plain and plain.span())
