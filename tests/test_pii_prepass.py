"""The router's speed rewrites (issue 11, median routing time) change no finding.

Each rewritten scan is checked against the form it replaced (kept here, as text, for exactly that): the same matches,
at the same places, on text built from the scans' own words, digits, separators and random characters. The rewrites:
a pattern that started with a repeat or a lookaround now starts with a plain class or a branch of literals (the
regex engine then skips to candidate characters in C), and one key scan serves two address searches.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bench.router_bench import DENSE, DIGITS, NUMERIC, PROSE, TICKET, two_kb
from labs.router import normalize, pii
from labs.router.textscan import first_char_branches, has_digit

# the forms before the rewrite (issue 11 r9): the reference each rewritten pattern must agree with
BEFORE = {
    "_RUN": (pii._RUN, rf"\d++(?:[{re.escape(pii.SEPARATORS)}]{{1,4}}+\d++)*+"),
    "_SAME_SEP_CARD": (normalize._SAME_SEP_CARD,
                       r"[0-9]{4}([^\w\s,;|]{1,2}|\s[^\w\s,;|]\s|\s?[xхoоXХOО]\s?)[0-9]{4}\1[0-9]{4}\1[0-9]{4}(?:\1[0-9]{1,3})?(?!\w)"),
    "_SAME_SEP_IBAN": (normalize._SAME_SEP_IBAN, r"[A-Z]{2}[0-9]{2}([^\w\s,;|]{1,2})(?:[A-Z0-9]{4}\1){2,7}[A-Z0-9]{1,4}(?!\w)"),
    "_PROVIDER_KEY": (pii._PROVIDER_KEY, r"(?<=\s)(?:" + "|".join(map(re.escape, pii._PROVIDERS)) + r")(?![\w@])"),
    "_HANDLE_LABEL": (pii._HANDLE_LABEL,
                      r"(?=[tтiіsсvвнnuюлlfфdд])(?<![a-zа-яіїєґ])(?:telegram|телеграм\w*|телеграмі|телега|телегу|тг|tg|"
                      r"instagram|інстаграм\w*|інст\w*|insta|ig|твіттер\w*|twitter|tiktok|тікток\w*|тік-ток\w*|threads|"
                      r"signal|viber|вайбер\w*|нік\w*|nick(?:name)?|username|юзернейм\w*|логін\w*|login|fb|фб|фейсбук\w*|"
                      r"facebook|linkedin|лінкедин\w*|discord|дискорд\w*|skype|скайп\w*)(?![a-zа-яіїєґ])"),
    "_NUMBER_LABEL_DIGITS": (pii._NUMBER_LABEL_DIGITS,
                             r"(?=[нnt№])(?<![\w])(?:номер\w*|number|tel\.?\s*no\.?|№)\s*(?:is\s+)?[:#№=\-—–]?\s*"
                             r"(?P<seq>\+?\d(?:[ .\-,;|/]{1,3}\d){9,12})(?![\d])"),
}
WORDS = (list(pii._PROVIDERS) + pii._HANDLE_LABELS.replace("\\w*", "").replace("(?:name)?", "name").split("|")
         + ["номер", "номером", "number", "tel.", "tel no.", "tel. no", "№", "is ", "UA21", "DE89", "IBAN ", "card ",
            "4111", "1111", "5168", "3223", "0044", "@", "example.com", "at ", "на ", "gmail.com"])
SEPARATORS = ["=", ":", "·", "‧", "×", "«»", "--", "..", "-", ".", " ", "/", "_", "+", "|", ",", ";", "\n", "\t", "\u00a0"]
PIECES = st.one_of(st.sampled_from(WORDS), st.sampled_from(SEPARATORS),
                   st.text(alphabet="0123456789", min_size=1, max_size=5),
                   st.text(alphabet="aAbBgGsStTuUiIнНтТіІ0123456789 .,:-+@#_'\n", max_size=4))
# near-matches of the long patterns: digit groups joined by one separator (a card, an IBAN, a phone read digit by
# digit after its label), a provider after a blank
SEP = st.sampled_from(SEPARATORS)
GROUP = st.one_of(st.text(alphabet="0123456789", min_size=4, max_size=4), st.text(alphabet="0123456789", min_size=1, max_size=5))
SHAPED = st.one_of(
    st.tuples(st.lists(GROUP, min_size=3, max_size=6), SEP).map(lambda t: t[1].join(t[0])),
    st.tuples(st.sampled_from(["UA21", "DE89", "GB82", "ua21", "U21"]), st.lists(st.text(alphabet="0123456789AB", min_size=4,
              max_size=4), min_size=2, max_size=8), SEP).map(lambda t: t[2].join([t[0], *t[1]])),
    st.tuples(st.sampled_from(["номер", "Номером", "number", "tel. no.", "tel no", "№", "x№", "1number"]),
              st.sampled_from(["", " ", ": ", " is ", "#"]), st.lists(st.text(alphabet="0123456789", min_size=1, max_size=1),
              min_size=8, max_size=14), SEP).map(lambda t: t[0] + t[1] + t[3].join(t[2])),
    st.tuples(st.sampled_from([" ", "\n", "\t", "x", "@"]), st.sampled_from(pii._PROVIDERS),
              st.sampled_from(["", ".", "@", "x", " ", ".ua"])).map("".join),
)
TEXTS = st.lists(st.one_of(PIECES, SHAPED), min_size=1, max_size=16).map("".join)
PROMPTS = [two_kb(t) for t in (TICKET, NUMERIC, PROSE, DENSE, DIGITS)]


def _same(rx: re.Pattern, before: re.Pattern, text: str) -> None:
    for t in (text, text.lower()):
        assert [(m.span(), m.groups()) for m in rx.finditer(t)] == [(m.span(), m.groups()) for m in before.finditer(t)], \
            (rx.pattern, t)


@settings(max_examples=600, deadline=None)
@given(TEXTS)
def test_each_rewritten_scan_matches_its_former_form(text):
    for rx, before in BEFORE.values():
        _same(rx, re.compile(before), text)


def test_the_rewritten_scans_agree_on_the_bench_prompts():
    for rx, before in BEFORE.values():
        for prompt in PROMPTS:
            _same(rx, re.compile(before), prompt)


def test_first_char_branches_keeps_each_groups_order_and_refuses_a_class():
    rx = re.compile(first_char_branches(["ab", "a", "b"], r"(?<!\w.)") + r"(?!\w)")
    assert [m.group() for m in rx.finditer("ab a b xab")] == ["ab", "a", "b"]
    try:
        first_char_branches([r"[ab]c"])
    except ValueError as e:
        assert "literal" in str(e)
    else:
        raise AssertionError("a class as the first item must be refused")


ADDRESSY = (st.lists(st.one_of(st.sampled_from(["кв. 5", "буд. 12", "під'їзд 2", "оф. 3", "дом 7", "Хрещатик, 22, ",
                                           "вул. Січових Стрільців, 5", "Шевченка 14, кв", "кв.", "буд", "\n", ", ",
                                           "Будь ласка", "будь-який", "БУД.", "Буд ", "будинок №", "КВ", "Оф.", "Київ, ",
                                           "Львів, Шевченка, ", "Полтавська обл., ", "с. Петрівка, ",
                                           "Шевченка 14, кв. 7", "Шевченка, буд. 88, кв. 77", "Бандери 3 кв 137",
                                           "Наукова, 5, оф. 12", "Лесі Українки 5, під'їзд 3", "Петрівка, буд. 124"]),
                          st.text(alphabet="абвгдКЛМ0123456789 .,-/", max_size=6)), min_size=1, max_size=12).map("".join))


@settings(max_examples=400, deadline=None)
@given(ADDRESSY)
def test_one_flat_key_scan_serves_both_address_searches(text):
    """find_addresses reads _FLAT_KEY's windows once for _ADDRESS_FLAT and _ADDRESS_BUILDING: the same matches as a
    key scan for each."""
    low = text.lower()
    windows = pii._key_windows(pii._FLAT_KEY, low, len(text), 110, 30, pii._FLAT_GATE)
    for rx, need in ((pii._ADDRESS_FLAT, pii._FLAT_NEED), (pii._ADDRESS_BUILDING, pii._BUILDING_NEED)):
        shared = [m.span() for m in pii._in_windows(rx, text, windows)]
        assert shared == _near_keys_before(pii._FLAT_KEY, low, text, rx, 110, 30, pii._FLAT_GATE)
        # a window without the flat word or "буд." and a digit (find_addresses skips it) holds no match
        assert shared == [m.span() for m in pii._in_windows(rx, text, [w for w in windows if need.search(text, *w)])]


def _near_keys_before(key, keyed, text, rx, before, after, gate):
    """pii._near_keys as it was (issue 11 r9): a key scan for each search."""
    if gate and not any(g in keyed for g in gate):
        return []
    windows: list[list[int]] = []
    for k in key.finditer(keyed):
        pii._add_window(windows, k.start() - before, k.end() + after, len(text))
    seen, out = set(), []
    for lo, hi in windows:
        for m in rx.finditer(text, lo, hi):
            if m.span() not in seen:
                seen.add(m.span())
                out.append(m.span())
    return out


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.one_of(st.sampled_from("abc абв.,-\n٣३０𝟗¹½Ⅻ"), st.characters()), max_size=30))
def test_has_digit_is_a_scan_for_a_digit(text):
    """_scan asks has_digit (ten substring tests) where it searched for r"\\d": the same answer for any text."""
    assert has_digit(text) == (re.search(r"\d", text) is not None)
    for prompt in PROMPTS:
        assert has_digit(prompt) == (re.search(r"\d", prompt) is not None)


LOOKALIKE_TEXT = st.text(alphabet="OoОоlIІЗзSЅбBВ|0123456789 .-=:·abcабв\n", max_size=30)


@settings(max_examples=500, deadline=None)
@given(st.one_of(LOOKALIKE_TEXT, st.text(alphabet="OoОоlIІЗзSЅбBВ|=:· .abcабв«»", max_size=30)))
def test_the_digit_gates_of_normalize_hide_nothing(text):
    """normalize skips the look-alike spot scan and the same-separator scans for text without a digit: both find
    exactly what their scans find."""
    assert normalize._spots(text) == [m.start() for m in normalize._SPOT.finditer(text)]
    if not has_digit(text):
        for rx in (normalize._SAME_SEP_CARD, normalize._SAME_SEP_IBAN, normalize._QUOTE_SEP_CARD):
            assert rx.search(text) is None


BOOKLETY = st.lists(st.one_of(st.sampled_from(["МК", "ВМ", "MK", "AA", "ЗAA", "lKE", "1Z999AA", "RTX ", "Коваль Олена, ",
                                               "паспорт", "№", " ", "-", "мк", "Ka", "МК123456", "МК № 123456",
                                               "ВМ 123 456", "MK-123456", "ЗAA000000", "ТТН 204500123456", "Б0М 12 34 56"]),
                              st.text(alphabet="0123456789", min_size=1, max_size=7),
                              st.text(alphabet="ABEKMHOPCTXIМКВНЗАaбOo0l1 -№", max_size=4)), min_size=1, max_size=10).map("".join)


@settings(max_examples=500, deadline=None)
@given(BOOKLETY)
def test_a_booklet_window_without_two_capitals_side_by_side_holds_no_booklet(text):
    """_passports searches the booklet forms only in the windows where _BOOKLET_PAIR finds two capitals side by side:
    the same matches as a search of every window."""
    windows = pii._six_digit_windows(text)
    paired = [w for w in windows if pii._BOOKLET_PAIR.search(text, *w)]
    for rx in (pii._UA_BOOKLET, pii._LATIN_BOOKLET, pii._GLUED_BOOKLET):
        assert list(map(re.Match.span, pii._near_six_digits(rx, text, windows))) == \
            list(map(re.Match.span, pii._near_six_digits(rx, text, paired)))
