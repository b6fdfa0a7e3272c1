"""The word detectors' shortcuts (issue 11, time to decide) change no finding: each equals the plain scan it replaces.

Each shortcut reads a detector's cues off the prompt's one trigger pass (labs.router.triggers) or splits a scan into
literal-led ones; each is checked here against the plain scan on generated text (the texts lower-cased as the
detectors read them, the trigger pass built for each).
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from labs.router import pii, tables, towns
from labs.router.textscan import lower

WORDS = st.sampled_from(
    "@ (at) [at] {at} <at> at -at- #at# (a) [a] (а) собака равлик гав sobaka olena koval example.com . , : ; - \n "
    "call me tel тел картка card my your his р. н. о. к. п. п. p/h/o р н plus плюс 0 1 2 19 20 1985 2024 12.03.85 "
    "15.03. 03- Kyiv Київ Lutsk Naukova Сумська 40 5/12 street address адреса вулиця addr line1 = ℹ Σ".split(" "))
TEXTS = st.lists(st.one_of(WORDS, st.text(alphabet="aopрнk0123.- \n:", max_size=4)), max_size=14).map(" ".join)


def _plain_at_signs(low: str) -> list[tuple[int, int]]:
    out = []
    for key in pii._AT_GATE:
        i = low.find(key)
        while i >= 0:
            out.append((i + 1, i + len(key) - 1) if key.startswith(" ") else (i, i + len(key)))
            i = low.find(key, i + 1)
    return sorted(out)


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_at_signs_are_every_key_found_by_find(text):
    low = lower(text)
    assert pii._at_signs(low) == _plain_at_signs(low)


@settings(max_examples=400, deadline=None)
@given(TEXTS, st.integers(0, 40), st.integers(0, 80))
def test_sequence_labels_at_their_places_are_the_scan(text, lo, width):
    low = lower(text)
    assert [(m.span(), m.lastgroup) for m in pii._labels_in(low, lo, lo + width)] == \
        [(m.span(), m.lastgroup) for m in pii._SEQ_LABEL.finditer(low, lo, lo + width)]


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_birth_years_and_short_dates_from_literal_led_scans(text):
    years = sorted((*pii._BIRTH_YEARS[0].finditer(text), *pii._BIRTH_YEARS[1].finditer(text)), key=lambda m: m.start())
    assert [(m.span(), m.group("md")) for m in years] == [(m.span(), m.group("md")) for m in pii._BIRTH_YEAR.finditer(text)]
    shorts = [m for t in pii._SHORT_YEAR_TAIL.finditer(text) if t.start() >= 2
              and (m := pii._SHORT_YEAR_DATE.match(text, t.start() - 2)) is not None]
    assert [m.span() for m in shorts] == [m.span() for m in pii._SHORT_YEAR_DATE.finditer(text)]
    for at in range(len(text) + 1):
        got = pii._day_month_before(text, at)
        want = pii._DAY_MONTH_BEFORE.search(text, max(0, at - 16), at)
        assert (got and got.start()) == (want and want.start())


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_town_streets_from_the_trigger_pass_are_the_scans(text):
    assert towns.find_town_streets(text, lower(text)) == towns.find_town_streets(text)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_yaml_key_gate_never_hides_an_address(text):
    if tables._YAML_ADDRESS.search(text):
        assert tables._yaml_key_possible(text)
